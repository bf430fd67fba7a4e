//! The reports a region owes (on the accountability page): due dates, submissions frozen with
//! their hash and files, and the funder's answer.

use axum::body::Bytes;
use axum::extract::{Path, State};
use domain::fmt::date_nl;
use domain::reports::{ReportState, Timeliness};
use services::ServiceError;
use services::execution::ReportFormat;
use services::reports;

use crate::AppState;
use crate::error::WebError;
use crate::form::Pairs;
use crate::layout::ms;
use crate::page::Page;
use crate::session::Ctx;

pub struct SubmissionView {
    pub number: i64,
    pub at: String,
    pub by: String,
    pub sha256: String,
}

pub struct ReportView {
    pub id: String,
    pub label: String,
    pub due: String,
    /// The date is an assumption of Sterk (our sources are silent).
    pub unverified: bool,
    pub state: &'static str,
    pub state_code: &'static str,
    pub overdue: bool,
    pub revision: i64,
    /// The concept as it stands now (download stem: `voortgang-2025` or `eindverantwoording`).
    pub concept: String,
    pub submissions: Vec<SubmissionView>,
    /// The funder's latest comment, when more was asked.
    pub asked: Option<String>,
    pub can_submit: bool,
    /// "vanaf 1 januari 2027" while a progress report's year is still running.
    pub opens: Option<String>,
    /// The funder may answer: accept, or ask for more.
    pub can_answer: bool,
}

/// The region's reports as the accountability page shows them.
pub(crate) async fn views(st: &AppState, ctx: &Ctx, slug: &str) -> Result<Vec<ReportView>, WebError> {
    let (_, list) = reports::list(&st.app, &ctx.actor, slug).await?;
    Ok(list
        .into_iter()
        .map(|o| ReportView {
            concept: o.obligation.year.map_or_else(|| "eindverantwoording".to_owned(), |y| format!("voortgang-{y}")),
            id: o.obligation.id.clone(),
            label: o.obligation.label.clone(),
            due: date_nl(o.obligation.due),
            unverified: !o.obligation.verified,
            state: o.state.label(),
            state_code: o.state.code(),
            overdue: o.timeliness == Timeliness::Overdue,
            revision: o.revision,
            submissions: o
                .submissions
                .iter()
                .map(|s| SubmissionView {
                    number: s.number,
                    at: ms(s.submitted_at),
                    by: s.submitted_by_name.clone(),
                    sha256: s.sha256.clone(),
                })
                .collect(),
            asked: (o.state == ReportState::MeerGevraagd).then(|| o.steps.last().map(|s| s.comment.clone())).flatten(),
            can_submit: o.next.contains(&ReportState::Ingediend),
            opens: o.opens.map(date_nl),
            can_answer: o.next.contains(&ReportState::Geaccepteerd),
        })
        .collect())
}

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
