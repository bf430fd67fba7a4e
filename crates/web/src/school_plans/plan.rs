//! One school plan: its page, edits, workflow steps and attachments.

use crate::AppState;
use crate::budget_form::{LineForm, adding_activity, adding_line};
use crate::error::WebError;
use crate::form::error_pairs;
use crate::form::read_upload;
use crate::form::{Pairs, Typed};
use crate::layout::ms;
use crate::layout::{Choice, Layout};
use crate::page::Page;
use crate::school_plans::steps::{GapView, button_label, is_submission};
use crate::school_plans::theme_label;
use crate::school_plans::themes;
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::FieldErrors;
use domain::fmt::{date_nl, decimal_nl, euro_nl};
use domain::regulation::application::Budgeted;
use domain::school_plan::{PlanState, SchoolPlan};
use services::ServiceError;
use services::school_plans::{self as plans, PlanView};

pub struct PlanActivity {
    pub id: String,
    pub title: String,
    pub description: String,
    pub goals: String,
    pub milestones: Vec<(String, String)>,
}

pub struct PlanLine {
    pub index: usize,
    pub year: i16,
    pub activity: String,
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub price: String,
    pub amount: String,
    pub funder: String,
}

pub struct HistoryView {
    pub at: String,
    pub by: String,
    pub from: &'static str,
    pub to: &'static str,
    pub comment: String,
}

pub struct AttachmentView {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub added: String,
}

pub struct ButtonView {
    pub to: &'static str,
    pub label: &'static str,
    pub primary: bool,
}

#[derive(Template)]
#[template(path = "deelplannen/plan.html")]
pub struct PlanPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub id: String,
    pub version: i64,
    pub state: &'static str,
    pub state_code: &'static str,
    pub author: String,
    pub school: String,
    pub title: String,
    pub theme: String,
    pub vision_fit: String,
    pub goals: String,
    pub cooperation: String,
    pub requested: String,
    pub cofinancing: String,
    pub activities: Vec<PlanActivity>,
    pub lines: Vec<PlanLine>,
    /// The budget lines' total amount.
    pub total: String,
    pub history: Vec<HistoryView>,
    /// Why the plan came back or was rejected: the last step's comment and who wrote it.
    pub decision: Option<(String, String)>,
    pub attachments: Vec<AttachmentView>,
    /// The review steps (a submission goes through its own confirmation page).
    pub buttons: Vec<ButtonView>,
    pub can_submit: bool,
    /// Who of the school's management endorsed the plan, and when.
    pub endorsed: Option<String>,
    pub gaps: Vec<GapView>,
    /// Whether nothing blocks a submission.
    pub complete: bool,
    /// When a comment is required, and who reads it.
    pub comment_hint: String,
    pub can_edit: bool,
    pub approved: bool,
    pub schools: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub activity_choices: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub years: Vec<Choice>,
    pub funders: Vec<Choice>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub conflict: bool,
    /// The new budget line as typed, open again after a refusal.
    pub line_form: LineForm,
    /// Any other refused form as typed (the plan, a new activity).
    pub typed: Typed,
}

#[derive(Default)]
struct Outcome {
    pub(crate) notice: Option<String>,
    pub(crate) errors: Vec<(String, String)>,
    pub(crate) conflict: bool,
    pub(crate) status: Option<StatusCode>,
    pub(crate) kept: Kept,
}

/// What a refused form held: the new budget line, or another form (the plan, a new activity).
#[derive(Default)]
struct Kept {
    line: LineForm,
    typed: Typed,
}

async fn load(st: &AppState, ctx: &Ctx, slug: &str, id: &str) -> Result<PlanView, WebError> {
    let v = plans::get(&st.app, &ctx.actor, id).await?;
    if v.region.slug != slug {
        return Err(WebError::NotFound);
    }
    Ok(v)
}

async fn render(st: &AppState, ctx: &Ctx, slug: &str, id: &str, outcome: Outcome) -> Page {
    let v = load(st, ctx, slug, id).await?;
    let reg = st.app.current_regulation()?;
    let members = services::regions::page(&st.app, &ctx.actor, slug).await?.members;
    let org_name = |id: &str| members.iter().find(|m| m.id == id).map_or(id.to_owned(), |m| m.name.clone());
    let p = &v.plan;
    let years: std::collections::BTreeSet<i16> = reg.phases.iter().flat_map(|p| p.years.iter().copied()).collect();
    let page = PlanPage {
        l: Layout::new(format!("Deelplan {}", p.title), ctx, "beheer"),
        slug: v.region.slug.clone(),
        region: v.region.name.clone(),
        id: v.row.id.clone(),
        version: v.row.version,
        state: v.state.label(),
        state_code: v.state.code(),
        author: v.row.author_name.clone(),
        school: v.row.organisation_name.clone(),
        title: p.title.clone(),
        theme: theme_label(st, &p.theme),
        vision_fit: p.vision_fit.clone(),
        goals: p.goals.clone(),
        cooperation: p.cooperation.clone(),
        requested: euro_nl(p.requested()),
        cofinancing: euro_nl(p.cofinancing()),
        activities: p
            .activities
            .iter()
            .map(|a| PlanActivity {
                id: a.id.clone(),
                title: a.title.clone(),
                description: a.description.clone(),
                goals: a.goals.clone(),
                milestones: a.milestones.iter().map(|m| (m.title.clone(), date_nl(m.due))).collect(),
            })
            .collect(),
        total: euro_nl(p.budget.iter().map(|l| l.amount()).sum()),
        lines: p
            .budget
            .iter()
            .enumerate()
            .map(|(i, l)| PlanLine {
                index: i,
                year: l.year,
                activity: p
                    .activities
                    .iter()
                    .find(|a| a.id == l.activity)
                    .map_or(l.activity.clone(), |a| a.title.clone()),
                category: reg.category(&l.category).map_or(l.category.clone(), |c| c.label.clone()),
                description: l.description.clone(),
                quantity: format!("{} {}", decimal_nl(l.quantity.0), l.unit),
                price: euro_nl(l.unit_price_eur.0),
                amount: euro_nl(l.amount()),
                funder: crate::budget_form::funder(l, org_name),
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|h| HistoryView {
                at: ms(h.at),
                by: h.actor_name.clone().unwrap_or_else(|| "Systeem".into()),
                from: PlanState::parse(&h.from_state).map_or("?", PlanState::label),
                to: PlanState::parse(&h.to_state).map_or("?", PlanState::label),
                comment: h.comment.clone(),
            })
            .collect(),
        decision: v
            .history
            .last()
            .filter(|h| matches!(v.state, PlanState::Teruggestuurd | PlanState::Afgewezen) && !h.comment.is_empty())
            .map(|h| (h.actor_name.clone().unwrap_or_else(|| "Systeem".into()), h.comment.clone())),
        attachments: v
            .attachments
            .iter()
            .map(|a| AttachmentView {
                id: a.id.clone(),
                filename: a.filename.clone(),
                size: format!("{} kB", domain::fmt::integer_nl((a.size + 1023) / 1024)),
                added: ms(a.created_at),
            })
            .collect(),
        buttons: v
            .transitions
            .iter()
            .filter(|t| !is_submission(t))
            .map(|t| ButtonView {
                to: t.to.code(),
                label: button_label(t.from, t.to),
                primary: matches!(t.to, PlanState::Goedgekeurd | PlanState::Ingediend),
            })
            .collect(),
        can_submit: v.transitions.iter().any(|t| is_submission(t)),
        endorsed: v
            .history
            .iter()
            .rev()
            .find(|h| h.from_state == PlanState::BijSchoolleiding.code() && h.to_state == PlanState::Ingediend.code())
            .map(|h| format!("{}, {}", h.actor_name.clone().unwrap_or_default(), ms(h.at))),
        gaps: GapView::of(&v.gaps),
        complete: !v.gaps.iter().any(|g| g.blocking),
        comment_hint: {
            let needed: Vec<String> = v
                .transitions
                .iter()
                .filter(|t| t.comment_required)
                .map(|t| button_label(t.from, t.to).to_lowercase())
                .collect();
            if needed.is_empty() {
                "Optioneel; wie het deelplan volgt, ziet de toelichting in de geschiedenis.".into()
            } else {
                format!(
                    "Verplicht bij {}; de school ziet de toelichting en krijgt die per e-mail.",
                    needed.join(" en ")
                )
            }
        },
        can_edit: v.can_edit,
        approved: v.state == PlanState::Goedgekeurd,
        schools: Choice::pairs(
            members.iter().filter(|m| m.kind.is_school()).map(|m| (m.id.clone(), m.name.clone())),
            &p.organisation,
        ),
        themes: Choice::pairs(std::iter::once((String::new(), "Geen thema".into())).chain(themes(st)), &p.theme),
        activity_choices: Choice::pairs(p.activities.iter().map(|a| (a.id.clone(), a.title.clone())), ""),
        categories: Choice::pairs(
            reg.categories.iter().filter(|c| !c.forbidden).map(|c| (c.id.clone(), c.label.clone())),
            "",
        ),
        years: Choice::years(years, domain::fmt::date_in_amsterdam(st.app.now()).year()),
        funders: Choice::pairs(
            std::iter::once(("subsidie".to_owned(), "Subsidie".to_owned()))
                .chain(members.iter().map(|m| (m.id.clone(), format!("Cofinanciering door {}", m.name)))),
            "subsidie",
        ),
        notice: outcome.notice,
        line_form: outcome.kept.line.with_errors(&outcome.errors),
        typed: outcome.kept.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
        conflict: outcome.conflict,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    let notice = flash.notice;
    render(&st, &ctx, &slug, &id, Outcome { notice, ..Outcome::default() }).await
}

/// Shows the result of a change: back to the plan with a notice, or the plan with what went wrong.
async fn after(st: &AppState, ctx: &Ctx, (slug, id): (&str, &str), result: services::Result<()>, notice: &str) -> Page {
    after_typing(st, ctx, (slug, id), (result, Kept::default()), notice).await
}

/// As `after`, showing the refused form again (open, as typed).
async fn after_typing(
    st: &AppState,
    ctx: &Ctx,
    (slug, id): (&str, &str),
    (result, kept): (services::Result<()>, Kept),
    notice: &str,
) -> Page {
    let outcome = match result {
        Ok(()) => {
            return crate::flash::redirect(st, &format!("/regio/{slug}/deelplannen/{id}"), notice).await;
        }
        Err(ServiceError::Invalid(e)) => Outcome {
            errors: error_pairs(&e),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            kept,
            ..Outcome::default()
        },
        Err(ServiceError::NotAllowed(m)) => {
            Outcome { errors: vec![("state".into(), m)], status: Some(StatusCode::CONFLICT), ..Outcome::default() }
        }
        Err(ServiceError::Conflict) => {
            Outcome { conflict: true, status: Some(StatusCode::CONFLICT), ..Outcome::default() }
        }
        Err(e) => return Err(e.into()),
    };
    render(st, ctx, slug, id, outcome).await
}

async fn edit(
    st: &AppState,
    ctx: &Ctx,
    (slug, id): (&str, &str),
    (version, typed): (i64, Typed),
    notice: &str,
    change: impl FnOnce(&mut SchoolPlan) -> Result<(), FieldErrors>,
) -> Page {
    load(st, ctx, slug, id).await?;
    let result = plans::update(&st.app, &ctx.actor, id, version, change).await.map(|_| ());
    after_typing(st, ctx, (slug, id), (result, Kept { typed, ..Kept::default() }), notice).await
}

pub async fn save(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let typed = Typed::new("deelplan", "f", &f);
    edit(&st, &ctx, (&slug, &id), (f.version(), typed), "Het deelplan is opgeslagen.", |p| {
        p.title = f.get("title");
        p.organisation = f.get("organisation");
        p.theme = f.get("theme");
        p.vision_fit = f.get("vision_fit");
        p.goals = f.get("goals");
        p.cooperation = f.get("cooperation");
        Ok(())
    })
    .await
}

pub async fn add_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let typed = Typed::new("activiteit-nieuw", "a", &f);
    edit(&st, &ctx, (&slug, &id), (f.version(), typed), "De activiteit is toegevoegd.", adding_activity(&f)).await
}

pub async fn remove_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, activity)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let kept = (f.version(), Typed::default());
    edit(&st, &ctx, (&slug, &id), kept, "De activiteit en haar begrotingsregels zijn verwijderd.", |p| {
        p.remove_activity(&activity);
        Ok(())
    })
    .await
}

pub async fn add_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    load(&st, &ctx, &slug, &id).await?;
    let result = plans::update(&st.app, &ctx.actor, &id, f.version(), adding_line(&f)).await.map(|_| ());
    let kept = Kept { line: LineForm::typed(&f), ..Kept::default() };
    after_typing(&st, &ctx, (&slug, &id), (result, kept), "De begrotingsregel is toegevoegd.").await
}

pub async fn remove_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &id), (f.version(), Typed::default()), "De begrotingsregel is verwijderd.", |p| {
        p.remove_line(index);
        Ok(())
    })
    .await
}

pub async fn transition(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    load(&st, &ctx, &slug, &id).await?;
    let Some(to) = PlanState::parse(&f.get("to")) else { return Err(WebError::NotFound) };
    let result = plans::transition(&st.app, &ctx.actor, &id, to, &f.get("comment")).await.map(|_| ());
    after(&st, &ctx, (&slug, &id), result, &format!("De status is nu: {}.", to.label().to_lowercase())).await
}

pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    _may: crate::guard::WritesPlan,
    mut multipart: axum::extract::Multipart,
) -> Page {
    load(&st, &ctx, &slug, &id).await?;
    let (version, file) = read_upload(&mut multipart).await?;
    let result = match file.filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) => plans::attach(&st.app, &ctx.actor, &id, version, (&name, &bytes)).await.map(|_| ()),
        None => Err(ServiceError::Invalid({
            let mut e = FieldErrors::default();
            e.add("attachment", "Kies een bestand om toe te voegen.");
            e
        })),
    };
    after(&st, &ctx, (&slug, &id), result, "De bijlage is toegevoegd.").await
}

pub async fn download(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, attachment)): Path<(String, String, String)>,
) -> Page {
    load(&st, &ctx, &slug, &id).await?;
    let (a, bytes) = plans::attachment(&st.app, &ctx.actor, &id, &attachment).await?;
    Ok(crate::download::file(&a.content_type, &a.filename, bytes))
}

pub async fn remove_attachment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, attachment)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    load(&st, &ctx, &slug, &id).await?;
    let f = Pairs::parse(&body);
    let result = plans::remove_attachment(&st.app, &ctx.actor, &id, f.version(), &attachment).await.map(|_| ());
    after(&st, &ctx, (&slug, &id), result, "De bijlage is verwijderd.").await
}
