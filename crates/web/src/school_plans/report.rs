//! A school plan's own reports (`/regio/{slug}/deelplannen/{id}/verslag`): per report of the
//! region what was done, the results and the money spent, while the region still owes it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::{date_nl, decimal_nl, euro_nl, parse_decimal_nl};
use domain::reports::plan::PlanReport;
use services::ServiceError;
use services::plan_reports;

use crate::AppState;
use crate::error::WebError;
use crate::form::{Pairs, Typed, error_pairs};
use crate::layout::{Layout, ms};
use crate::page::Page;
use crate::session::Ctx;

pub struct ReportView {
    pub obligation: String,
    pub label: String,
    pub due: String,
    pub revision: i64,
    pub done: String,
    pub results: String,
    /// As typed in the form (decimal comma).
    pub spent_input: String,
    pub spent: String,
    pub written: bool,
    pub updated: String,
    pub can_edit: bool,
    pub closed: Option<String>,
}

#[derive(Template)]
#[template(path = "deelplannen/report.html")]
pub struct ReportPage {
    pub l: Layout,
    pub slug: String,
    pub id: String,
    pub title: String,
    pub school: String,
    pub reports: Vec<ReportView>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

async fn render(st: &AppState, ctx: &Ctx, (slug, id): (&str, &str), outcome: Outcome) -> Page {
    let plan = services::school_plans::get(&st.app, &ctx.actor, id).await?;
    if plan.region.slug != slug {
        return Err(WebError::NotFound);
    }
    let list = plan_reports::of_plan(&st.app, &ctx.actor, id).await?;
    let page = ReportPage {
        l: Layout::new(format!("Verslag deelplan {}", plan.plan.title), ctx, "beheer"),
        slug: slug.to_owned(),
        id: id.to_owned(),
        title: plan.plan.title.clone(),
        school: plan.row.organisation_name.clone(),
        reports: list
            .into_iter()
            .map(|r| {
                let report = r.report.clone().unwrap_or_default();
                ReportView {
                    obligation: r.obligation.id.clone(),
                    label: r.obligation.label.clone(),
                    due: date_nl(r.obligation.due),
                    revision: r.revision,
                    written: r.report.is_some(),
                    spent_input: if r.report.is_some() { decimal_nl(report.spent) } else { String::new() },
                    spent: euro_nl(report.spent),
                    done: report.done,
                    results: report.results,
                    updated: match (r.updated_by, r.updated_at) {
                        (Some(by), Some(at)) => format!("{} door {by}", ms(at)),
                        _ => String::new(),
                    },
                    can_edit: r.can_edit,
                    closed: r.closed,
                }
            })
            .collect(),
        notice: outcome.notice,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    errors: Vec<(String, String)>,
    status: Option<StatusCode>,
    typed: Typed,
}

pub async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    render(&st, &ctx, (&slug, &id), Outcome { notice: flash.notice, ..Outcome::default() }).await
}

pub async fn save(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, obligation)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let form = format!("verslag-{obligation}");
    let typed = Typed::new(form.clone(), form, &f);
    let spent = match parse_decimal_nl(&f.get("spent")) {
        Some(d) => d,
        None => {
            let mut e = domain::FieldErrors::default();
            e.add("spent", "Vul het bestede bedrag in als getal, bijvoorbeeld 1.234,56.");
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                typed,
                ..Outcome::default()
            };
            return render(&st, &ctx, (&slug, &id), outcome).await;
        }
    };
    let report = PlanReport { done: f.get("done"), results: f.get("results"), spent };
    match plan_reports::save(&st.app, &ctx.actor, (&id, &obligation, revision), &report).await {
        Ok(()) => {
            let to = format!("/regio/{slug}/deelplannen/{id}/verslag#verslag-{obligation}");
            crate::flash::redirect(&st, &to, "Het verslag is opgeslagen.").await
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::NotAllowed(_) | ServiceError::Conflict)) => {
            let (errors, status) = match e {
                ServiceError::Invalid(e) => (error_pairs(&e), StatusCode::UNPROCESSABLE_ENTITY),
                ServiceError::Conflict => (
                    vec![(
                        String::new(),
                        "Iemand anders heeft dit verslag intussen gewijzigd; hieronder staat de nieuwste versie."
                            .into(),
                    )],
                    StatusCode::CONFLICT,
                ),
                other => (vec![(String::new(), other.to_string())], StatusCode::CONFLICT),
            };
            render(&st, &ctx, (&slug, &id), Outcome { errors, status: Some(status), typed, ..Outcome::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}
