//! The reports a region owes (listed on the accountability page): submitting, the funder's
//! answer, and a submission's frozen files.

use axum::body::Bytes;
use axum::extract::{Path, State};
use domain::reports::ReportState;
use services::ServiceError;
use services::execution::ReportFormat;
use services::reports;

use crate::AppState;
use crate::error::WebError;
use crate::form::Pairs;
use crate::page::Page;
use crate::session::Ctx;

/// Submitting, or the funder's answer (`to`: `ingediend`, `geaccepteerd` or `meer-gevraagd`).
pub async fn act(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let to = ReportState::parse(&f.get("to")).ok_or(WebError::NotFound)?;
    let done = match to {
        ReportState::Ingediend => reports::submit(&st.app, &ctx.actor, &slug, (&id, revision))
            .await
            .map(|n| format!("De rapportage is ingediend (indiening {n}) en ligt vast.")),
        to => {
            reports::answer(&st.app, &ctx.actor, &slug, (&id, revision), to, &f.get("comment")).await.map(|()| match to
            {
                ReportState::MeerGevraagd => "De regio is om meer gevraagd.".to_owned(),
                _ => "De rapportage is geaccepteerd.".to_owned(),
            })
        }
    };
    let back = format!("/regio/{slug}/verantwoording#rapportage-{id}");
    match done {
        Ok(message) => crate::flash::redirect(&st, &back, &message).await,
        Err(ServiceError::Invalid(e)) => {
            let outcome = crate::execution::Outcome {
                errors: crate::form::error_pairs(&e),
                status: Some(axum::http::StatusCode::UNPROCESSABLE_ENTITY),
                typed: crate::form::Typed::new(format!("rapportage-{id}"), format!("rapportage-{id}"), &f),
                ..Default::default()
            };
            crate::execution::accountability::render(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `/regio/{slug}/verantwoording/rapportages/{id}/{number}/{file}`: a submission's frozen file.
pub async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, number, file)): Path<(String, String, i64, String)>,
) -> Page {
    let (format, content_type) = match file.as_str() {
        "rapportage.pdf" => (ReportFormat::Pdf, "application/pdf"),
        "rapportage.xlsx" => (ReportFormat::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => return Err(WebError::NotFound),
    };
    let (name, bytes) = reports::file(&st.app, &ctx.actor, &slug, (&id, number), format).await?;
    Ok(crate::download::file(content_type, &name, bytes))
}
