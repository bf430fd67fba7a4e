//! The application's files: exports (JSON, XLSX, PDF), imports, and the signed agreement.

use crate::AppState;
use crate::applications::edit::edit;
use crate::applications::views::Outcome;
use crate::applications::views::Pending;
use crate::applications::views::render;
use crate::error::WebError;
use crate::form::read_upload;
use crate::page::Page;
use crate::session::Ctx;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::regulation::application::Application;
use services::ServiceError;
use services::applications::{self as apps};
use services::documents::Format;

pub async fn export_json(st: State<AppState>, ctx: Ctx, path: Path<(String, String)>) -> Page {
    document(st, ctx, path, 0, Format::Json).await
}

/// The budget workbook for the application (one sheet per year, summary, co-financing).
pub async fn export_xlsx(st: State<AppState>, ctx: Ctx, path: Path<(String, String)>) -> Page {
    document(st, ctx, path, 0, Format::Xlsx).await
}

/// The application as a file, made by the one use case every surface calls.
async fn document(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    number: i64,
    format: Format,
) -> Page {
    let d = services::documents::application(&st.app, &ctx.actor, (&slug, &phase), number, format).await?;
    Ok(crate::download::file(d.content_type, &d.name, d.bytes))
}

/// The largest workbook accepted for upload.
pub const MAX_XLSX_BYTES: usize = 8 * 1024 * 1024;

/// Replaces the budget with the lines of an uploaded workbook: all rows valid, or nothing changes.
pub async fn import_xlsx(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: crate::guard::EditsApplication,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let (version, file) = read_upload(&mut multipart).await?;
    let file = file.map(|(_, bytes)| bytes);
    let refuse =
        |errors: Vec<(String, String)>| Outcome { errors, status: StatusCode::UNPROCESSABLE_ENTITY, ..Outcome::ok() };
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        return render(
            &st,
            &ctx,
            &slug,
            &phase,
            refuse(vec![("bestand".into(), "Kies een Excel-bestand (.xlsx).".into())]),
        )
        .await;
    };
    if !bytes.starts_with(b"PK") {
        return render(
            &st,
            &ctx,
            &slug,
            &phase,
            refuse(vec![("bestand".into(), "Dit is geen Excel-werkmap (.xlsx).".into())]),
        )
        .await;
    }
    let (current, _) = apps::get(&st.app, &ctx.actor, &slug, &phase).await?;
    let lines = match services::documents::budget_from_workbook(&st.app, bytes.into(), &current).await? {
        Ok(lines) => lines,
        Err(errors) => {
            let errors =
                errors.into_iter().map(|e| (format!("blad {} rij {}", e.sheet, e.row), e.to_string())).collect();
            return render(&st, &ctx, &slug, &phase, refuse(errors)).await;
        }
    };
    let count = lines.len();
    let notice = format!("De begroting is ingelezen uit Excel: {count} regels.");
    edit(&st, &ctx, (&slug, &phase), version, Pending::default(), &notice, move |a| {
        a.budget = lines;
        Ok(())
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct PdfQuery {
    /// A submitted version's number; the current draft when left out.
    #[serde(default)]
    pub(crate) versie: Option<i64>,
}

/// The whole application as a PDF: the current draft, or with `?versie=N` a submitted version.
pub async fn export_pdf(
    st: State<AppState>,
    ctx: Ctx,
    path: Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<PdfQuery>,
) -> Page {
    document(st, ctx, path, q.versie.unwrap_or(0), Format::Pdf).await
}

/// Uploads the cooperation agreement's document (a PDF, signed or to confirm).
pub async fn upload_agreement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: crate::guard::EditsApplication,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let (version, file) = read_upload(&mut multipart).await?;
    let (name, bytes) = file.unwrap_or_default();
    let outcome = match services::agreement::attach(&st.app, &ctx.actor, (&slug, &phase), version, &name, &bytes).await
    {
        Ok(_) => {
            let notice = "Het document van de samenwerkingsovereenkomst is opgeslagen.";
            return crate::flash::redirect(&st, &format!("/regio/{slug}/aanvragen/{phase}"), notice).await;
        }
        Err(ServiceError::Invalid(e)) => {
            Outcome { errors: crate::form::error_pairs(&e), status: StatusCode::UNPROCESSABLE_ENTITY, ..Outcome::ok() }
        }
        Err(ServiceError::Conflict) => Outcome { conflict: true, status: StatusCode::CONFLICT, ..Outcome::ok() },
        Err(e) => return Err(e.into()),
    };
    render(&st, &ctx, &slug, &phase, outcome).await
}

pub async fn download_agreement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<PdfQuery>,
) -> Result<Response, WebError> {
    let (name, bytes) =
        services::agreement::document(&st.app, &ctx.actor, &slug, &phase, q.versie.unwrap_or(0)).await?;
    Ok(crate::download::file("application/pdf", &name, bytes))
}

/// Replaces the draft with an uploaded `sterk.application/1` file (the phase must match).
pub async fn import_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: crate::guard::EditsApplication,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let (version, file) = read_upload(&mut multipart).await?;
    let text = file.map(|(_, b)| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let refuse = |field: &str, message: String| Outcome {
        errors: vec![(field.to_owned(), message)],
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..Outcome::ok()
    };
    let uploaded = match Application::from_json(&text) {
        Ok(a) if a.phase == phase => a,
        Ok(a) => {
            let message = format!("Dit bestand is een aanvraag voor de fase {}, niet voor {phase}.", a.phase);
            return render(&st, &ctx, &slug, &phase, refuse("phase", message)).await;
        }
        Err(e) => return render(&st, &ctx, &slug, &phase, refuse(&e.path, format!("{}: {}", e.path, e.message))).await,
    };
    edit(
        &st,
        &ctx,
        (&slug, &phase),
        version,
        Pending::default(),
        "De aanvraag is ingelezen uit het JSON-bestand.",
        move |a| {
            let keep = (a.region.clone(), a.regulation.clone(), a.phase.clone());
            *a = uploaded;
            (a.region, a.regulation, a.phase) = keep;
            Ok(())
        },
    )
    .await
}
