//! Accountability: explanations, settlement, the annual accounts note (received from the payment
//! register) and the reports.

use crate::AppState;
use crate::error::WebError;
use crate::execution::Outcome;
use crate::execution::Tab;
use crate::execution::basis_text;
use crate::execution::tabs;
use crate::form::Pairs;
use crate::form::error_pairs;
use crate::layout::{Layout, ms};
use crate::page::Page;
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::Action;
use domain::fmt::{date_nl, euro_nl};
use domain::reports::{ReportState, Timeliness};
use services::ServiceError;
use services::execution::{self as exec, ReportFormat};
use services::reports;

#[derive(Template)]
#[template(path = "uitvoering/accountability.html")]
pub struct AccountabilityPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub basis: String,
    pub figures: Vec<(&'static str, String)>,
    pub repay_label: &'static str,
    pub repay: String,
    /// Per year: received, spent, still to spend.
    pub annual: Vec<(i16, String, String, String)>,
    /// Whether the actor may open the payment register (link beside the received advances).
    pub sees_payments: bool,
    pub years: Vec<i16>,
    pub explanations: Vec<(String, String, String, String)>,
    pub can_edit: bool,
    /// The reports the region owes, with their submissions and the funder's answers.
    pub reports: Vec<ReportView>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: crate::form::Typed,
}

pub(crate) async fn render(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, s) = exec::settlement(&st.app, &ctx.actor, slug).await?;
    let (_, r) = exec::realisation(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.current_regulation()?;
    let annual = exec::annual_note(&st.app, &ledger).await?;
    let explained = exec::explanations(&st.app, &ledger.region.id).await?;
    let page = AccountabilityPage {
        l: Layout::new(format!("Verantwoording {}", ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, "verantwoording"),
        basis: basis_text(&ledger.basis),
        figures: vec![
            ("Verleende subsidie", euro_nl(s.granted)),
            ("Subsidiabele kosten gerealiseerd", euro_nl(s.realised_eligible)),
            ("Daarvan ten laste van de subsidie", euro_nl(s.realised_subsidy)),
            ("Cofinanciering door bedrijven", euro_nl(s.cofinancing)),
            ("Vereiste cofinanciering", euro_nl(s.cofinancing_required)),
            ("Tekort aan cofinanciering", euro_nl(s.shortfall)),
            ("Vast te stellen subsidie", euro_nl(s.settled)),
            ("Ontvangen voorschotten", euro_nl(s.received)),
        ],
        repay_label: if s.to_repay.is_sign_negative() {
            "Voorlopig nog te ontvangen"
        } else {
            "Voorlopig terug te betalen"
        },
        repay: euro_nl(s.to_repay.abs()),
        annual: annual.iter().map(|a| (a.year, euro_nl(a.received), euro_nl(a.spent), euro_nl(a.balance))).collect(),
        sees_payments: ctx.actor.permits(Action::ViewPayments { region_id: &ledger.region.id }),
        years: reg.years.clone(),
        explanations: ledger
            .approved
            .activities
            .iter()
            .map(|a| {
                let against = r.per_activity.get(&a.id).cloned().unwrap_or_default();
                (
                    a.id.clone(),
                    a.title.clone(),
                    format!("begroot {}, gerealiseerd {}", euro_nl(against.approved), euro_nl(against.realised)),
                    explained.get(&a.id).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        can_edit: ctx.actor.permits(Action::EditApplication { region_id: &ledger.region.id }),
        reports: report_views(st, ctx, slug).await?,
        notice: outcome.notice,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn accountability(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    render(&st, &ctx, &slug, Outcome { notice: flash.notice, ..Outcome::default() }).await
}

pub async fn save_accountability(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let result = exec::set_explanation(&st.app, &ctx.actor, &slug, &f.get("activity"), &f.get("explanation")).await;
    match result {
        Ok(()) => crate::flash::redirect(&st, &format!("/regio/{slug}/verantwoording"), "Opgeslagen.").await,
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `/regio/{slug}/verantwoording/{file}`: `eindverantwoording.pdf|xlsx`, `voortgang-2025.pdf|xlsx`.
pub async fn report_file(State(st): State<AppState>, ctx: Ctx, Path((slug, file)): Path<(String, String)>) -> Page {
    let (stem, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let format = match ext {
        "pdf" => ReportFormat::Pdf,
        "xlsx" => ReportFormat::Xlsx,
        _ => return Err(WebError::NotFound),
    };
    let kind = match stem {
        "eindverantwoording" => docs::report::ReportKind::Final,
        s => docs::report::ReportKind::Progress(
            s.strip_prefix("voortgang-").and_then(|y| y.parse().ok()).ok_or(WebError::NotFound)?,
        ),
    };
    let (name, bytes) = match exec::report(&st.app, &ctx.actor, &slug, kind, format).await {
        Err(ServiceError::Invalid(_)) => return Err(WebError::NotFound), // a year outside the period
        other => other?,
    };
    let content_type = match format {
        ReportFormat::Pdf => "application/pdf",
        ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(crate::download::file(content_type, &name, bytes))
}

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

/// The region's reports, with their due dates, submissions and the funder's answer.
async fn report_views(st: &AppState, ctx: &Ctx, slug: &str) -> Result<Vec<ReportView>, WebError> {
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
