//! Change requests (wijzigingsverzoek): the region's list and start, one request with the basis
//! and the proposal side by side, its steps, and its letter; the change notices recorded before
//! change requests existed stay readable.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::change_request::ChangeState;
use domain::fmt::{date_nl, euro_nl};
use rust_decimal::Decimal;
use services::ServiceError;
use services::change_requests::{self as changes, Side};
use services::execution as exec;

use crate::AppState;
use crate::execution::{Outcome, Tab, tabs};
use crate::form::{Pairs, Typed, error_pairs};
use crate::layout::{Layout, ms};
use crate::page::Page;
use crate::session::Ctx;

pub struct RequestRow {
    pub id: String,
    pub number: i64,
    pub phase: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub description: String,
    pub substantial: bool,
    pub created: String,
}

impl RequestRow {
    fn of(r: &changes::RequestView) -> RequestRow {
        RequestRow {
            id: r.id.clone(),
            number: r.number,
            phase: r.phase_label.clone(),
            state: r.state.label(),
            state_code: r.state.code(),
            description: r.description.clone(),
            substantial: !r.reasons.is_empty(),
            created: ms(r.created_at),
        }
    }
}

pub struct NoticeView {
    pub id: String,
    pub date: String,
    pub description: String,
    pub substantial: Vec<String>,
    pub by: String,
}

#[derive(Template)]
#[template(path = "uitvoering/changes.html")]
pub struct ListPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub requests: Vec<RequestRow>,
    pub startable: Vec<(String, String)>,
    pub can_start: bool,
    pub notices: Vec<NoticeView>,
    pub notice: Option<String>,
    pub warning: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

/// The change notices recorded before change requests, for those who may read them.
async fn earlier_notices(st: &AppState, ctx: &Ctx, slug: &str) -> Result<Vec<NoticeView>, ServiceError> {
    match exec::notices(&st.app, &ctx.actor, slug).await {
        Ok((_, list)) => Ok(list
            .into_iter()
            .map(|n| NoticeView {
                id: n.id,
                date: n.notice.date.map(date_nl).unwrap_or_default(),
                description: n.notice.description,
                substantial: n.substantial,
                by: n.created_by.unwrap_or_default(),
            })
            .collect()),
        Err(ServiceError::Denied(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

async fn render_list(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let o = changes::overview(&st.app, &ctx.actor, slug).await?;
    let page = ListPage {
        l: Layout::new(format!("Wijzigingen {}", o.region.name), ctx, "beheer"),
        tabs: tabs(&o.region.slug, "wijzigingen"),
        slug: o.region.slug.clone(),
        region: o.region.name.clone(),
        requests: o.requests.iter().map(RequestRow::of).collect(),
        startable: o.startable,
        can_start: o.can_start,
        notices: earlier_notices(st, ctx, slug).await?,
        notice: outcome.notice,
        warning: outcome.warning,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn list(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, flash: crate::flash::Flash) -> Page {
    render_list(&st, &ctx, &slug, Outcome { notice: flash.notice, warning: flash.warning, ..Outcome::default() }).await
}

/// Starts a request and sends the region to it.
pub async fn start(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    match changes::start(&st.app, &ctx.actor, &slug, &f.get("phase"), &f.get("description")).await {
        Ok(id) => {
            let to = format!("/regio/{slug}/uitvoering/wijzigingen/{id}");
            crate::flash::redirect(&st, &to, "Het wijzigingsverzoek is gestart. Pas nu het plan aan in de aanvraag.")
                .await
        }
        Err(e) => {
            let outcome = refused(e, Typed::new("start", "start", &f))?;
            render_list(&st, &ctx, &slug, outcome).await
        }
    }
}

/// A refusal the page shows at its form, with what was typed; anything else is an error page.
fn refused(e: ServiceError, typed: Typed) -> Result<Outcome, crate::error::WebError> {
    let (errors, status) = match e {
        ServiceError::Invalid(e) => (error_pairs(&e), StatusCode::UNPROCESSABLE_ENTITY),
        ServiceError::NotAllowed(m) => (vec![(String::new(), m)], StatusCode::CONFLICT),
        ServiceError::Conflict => (
            vec![(
                String::new(),
                "Iemand anders heeft dit verzoek intussen gewijzigd; hieronder staat de nieuwste stand.".into(),
            )],
            StatusCode::CONFLICT,
        ),
        ServiceError::SubmitRefused(findings) => (
            findings.into_iter().map(|f| (String::new(), format!("{}: {}", f.title, f.message))).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        e => return Err(e.into()),
    };
    Ok(Outcome { errors, status: Some(status), typed, ..Outcome::default() })
}

pub struct SideRow {
    pub label: String,
    pub basis: String,
    pub proposal: String,
    pub difference: String,
    pub changed: bool,
}

fn side_rows(sides: &[Side]) -> Vec<SideRow> {
    sides
        .iter()
        .map(|(label, basis, proposal)| {
            let d = proposal - basis;
            SideRow {
                label: label.clone(),
                basis: euro_nl(*basis),
                proposal: euro_nl(*proposal),
                difference: match d.cmp(&Decimal::ZERO) {
                    std::cmp::Ordering::Greater => format!("+ {}", euro_nl(d)),
                    std::cmp::Ordering::Less => format!("− {}", euro_nl(-d)),
                    std::cmp::Ordering::Equal => String::new(),
                },
                changed: !d.is_zero(),
            }
        })
        .collect()
}

pub struct StepView {
    pub to: &'static str,
    pub at: String,
    pub by: String,
    pub comment: String,
}

pub struct Button {
    pub to: &'static str,
    pub label: &'static str,
    pub comment_label: &'static str,
    /// The form's name (for what was typed and its errors).
    pub form: String,
    /// The region's submission: its state follows from the verdict.
    pub submits: bool,
}

fn button(to: ChangeState) -> Button {
    let (label, submits) = match to {
        ChangeState::Ingediend => ("Indienen ter goedkeuring bij DUS-I", true),
        ChangeState::Gemeld => ("Wijziging melden", true),
        ChangeState::Goedgekeurd => ("Goedkeuren", false),
        ChangeState::Afgewezen => ("Afwijzen", false),
        ChangeState::Teruggestuurd => ("Terugsturen naar de regio", false),
        ChangeState::Ingetrokken => ("Wijziging intrekken", false),
        ChangeState::Concept => ("Concept", false),
    };
    let comment_required = matches!(to, ChangeState::Afgewezen | ChangeState::Teruggestuurd);
    let comment_label = if comment_required { "Toelichting (verplicht)" } else { "Toelichting" };
    Button { to: to.code(), label, comment_label, form: format!("stap-{}", to.code()), submits }
}

#[derive(Template)]
#[template(path = "uitvoering/change.html")]
pub struct DetailPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub id: String,
    pub number: i64,
    pub phase: String,
    pub phase_id: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub explanation: &'static str,
    pub description: String,
    pub revision: i64,
    pub draft_version: i64,
    pub reasons: Vec<String>,
    pub blocking: Vec<(String, String)>,
    pub changes: Vec<String>,
    /// (caption, first column, rows): per year, category and activity.
    pub tables: Vec<(&'static str, &'static str, Vec<SideRow>)>,
    pub steps: Vec<StepView>,
    pub buttons: Vec<Button>,
    pub can_edit: bool,
    pub sha256: Option<String>,
    pub notice: Option<String>,
    pub warning: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

async fn render_detail(st: &AppState, ctx: &Ctx, (slug, id): (&str, &str), outcome: Outcome) -> Page {
    let d = changes::detail(&st.app, &ctx.actor, slug, id).await?;
    let r = &d.request;
    let page = DetailPage {
        l: Layout::new(format!("Wijziging {} {}", r.number, d.region.name), ctx, "beheer"),
        tabs: tabs(&d.region.slug, "wijzigingen"),
        slug: d.region.slug.clone(),
        region: d.region.name.clone(),
        id: r.id.clone(),
        number: r.number,
        phase: r.phase_label.clone(),
        phase_id: r.phase.clone(),
        state: r.state.label(),
        state_code: r.state.code(),
        explanation: r.state.explanation(),
        description: r.description.clone(),
        revision: r.revision,
        draft_version: d.draft_version,
        reasons: r.reasons.clone(),
        blocking: d.blocking.iter().map(|f| (f.title.clone(), f.message.clone())).collect(),
        changes: d.changes.iter().map(|c| c.text.clone()).collect(),
        tables: vec![
            ("Begroting per jaar", "Jaar", side_rows(&d.per_year)),
            ("Begroting per kostensoort", "Kostensoort", side_rows(&d.per_category)),
            ("Begroting per activiteit", "Activiteit", side_rows(&d.per_activity)),
        ],
        steps: d
            .steps
            .iter()
            .map(|s| StepView {
                to: ChangeState::parse(&s.to_state).map_or("", |s| s.label()),
                at: ms(s.at),
                by: s.by_name.clone().unwrap_or_default(),
                comment: s.comment.clone(),
            })
            .collect(),
        buttons: d.next.iter().map(|s| button(*s)).collect(),
        can_edit: d.can_edit,
        sha256: r.sha256.clone(),
        notice: outcome.notice,
        warning: outcome.warning,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn detail(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    let outcome = Outcome { notice: flash.notice, warning: flash.warning, ..Outcome::default() };
    render_detail(&st, &ctx, (&slug, &id), outcome).await
}

/// The description, or a step: the region's submission or withdrawal, the funder's answer.
pub async fn act(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let revision = f.get("revision").trim().parse().unwrap_or(-1);
    let (form, done) = if f.get("action") == "beschrijving" {
        let done = changes::describe(&st.app, &ctx.actor, &slug, (&id, revision), &f.get("description")).await;
        ("beschrijving".to_owned(), done.map(|()| "De toelichting is opgeslagen.".to_owned()))
    } else {
        let to = f.get("to");
        let target = if to == "indienen" { None } else { ChangeState::parse(&to) };
        if to != "indienen" && target.is_none() {
            return Err(crate::error::WebError::NotFound);
        }
        let seen = f.get("draft_version").trim().parse().ok();
        let done = changes::step(&st.app, &ctx.actor, &slug, (&id, revision, seen), target, &f.get("comment")).await;
        (format!("stap-{to}"), done.map(|s| format!("De wijziging is {}.", s.label().to_lowercase())))
    };
    match done {
        Ok(message) => {
            let to = format!("/regio/{slug}/uitvoering/wijzigingen/{id}");
            crate::flash::redirect(&st, &to, &message).await
        }
        Err(e) => {
            let outcome = refused(e, Typed::new(form.clone(), form, &f))?;
            render_detail(&st, &ctx, (&slug, &id), outcome).await
        }
    }
}

pub async fn letter(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Page {
    let (name, bytes) = changes::letter(&st.app, &ctx.actor, &slug, &id).await?;
    Ok(crate::download::file("application/pdf", &name, bytes))
}

/// A change notice recorded before change requests, as its letter.
pub async fn notice_pdf(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Page {
    let (name, bytes) = exec::notice_pdf(&st.app, &ctx.actor, &slug, &id).await?;
    Ok(crate::download::file("application/pdf", &name, bytes))
}
