//! School plan pages (`/regio/{slug}/deelplannen/…`): the board by state, a plan with its
//! activities, budget, attachments and history, the review buttons the workflow table allows,
//! teachers' account requests, and everyone's own notifications.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::FieldErrors;
use domain::fmt::{date_nl, decimal_nl, euro_nl};
use domain::regulation::application::{Budgeted, FundingSource};
use domain::school_plan::{PlanState, SchoolPlan};
use services::ServiceError;
use services::school_plans::{self as plans, BoardFilter, PlanView};

use crate::AppState;
use crate::error::WebError;
use crate::form::{Pairs, urlencode};
use crate::pages::{Page, html};
use crate::session::Ctx;
use crate::upload::read_upload;
use crate::views::ms;
use crate::views::{Choice, Layout};
use crate::workspace::{adding_activity, adding_line};

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

fn theme_label(st: &AppState, id: &str) -> String {
    st.app
        .regulations
        .get(services::applications::REGULATION)
        .and_then(|r| r.themes.iter().find(|t| t.id == id).map(|t| t.label.clone()))
        .unwrap_or_else(|| if id.is_empty() { "Geen thema".into() } else { id.to_owned() })
}

fn themes(st: &AppState) -> Vec<(String, String)> {
    st.app
        .regulations
        .get(services::applications::REGULATION)
        .map(|r| r.themes.iter().map(|t| (t.id.clone(), t.label.clone())).collect())
        .unwrap_or_default()
}

pub struct CardView {
    pub id: String,
    pub title: String,
    pub school: String,
    pub theme: String,
    pub author: String,
    pub requested: String,
    pub cofinancing: String,
    pub updated: String,
}

pub struct ColumnView {
    pub code: &'static str,
    pub label: &'static str,
    pub total: String,
    pub cards: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "deelplannen/board.html")]
pub struct BoardPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub columns: Vec<ColumnView>,
    pub count: usize,
    pub maximum: String,
    pub in_application: String,
    pub requested_open: String,
    pub room: String,
    pub over: bool,
    pub phase_label: String,
    pub schools: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub states: Vec<Choice>,
    pub filtered: bool,
    pub sees_all: bool,
    pub can_create: bool,
    pub can_review_accounts: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    school: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    status: String,
}

pub async fn board(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Page {
    let filter = BoardFilter { school: q.school.clone(), theme: q.theme.clone(), state: q.status.clone() };
    let b = plans::board(&st.app, &ctx.actor, &slug, &filter).await?;
    let columns = PlanState::ALL
        .into_iter()
        .map(|state| {
            let cards: Vec<_> = b.plans.iter().filter(|p| p.state == state).collect();
            ColumnView {
                code: state.code(),
                label: state.label(),
                total: euro_nl(cards.iter().map(|p| p.requested).sum()),
                cards: cards
                    .into_iter()
                    .map(|p| CardView {
                        id: p.id.clone(),
                        title: p.title.clone(),
                        school: p.school.clone(),
                        theme: theme_label(&st, &p.theme),
                        author: p.author.clone(),
                        requested: euro_nl(p.requested),
                        cofinancing: euro_nl(p.cofinancing),
                        updated: ms(p.updated_at),
                    })
                    .collect(),
            }
        })
        .collect();
    let room = b.room();
    let open = b.requested_open();
    let can_review_accounts = ctx
        .actor
        .permits(domain::Action::InviteUser { role: domain::Role::SchoolContact, region_id: Some(&b.region.id) });
    html(BoardPage {
        l: Layout::new(format!("Deelplannen {}", b.region.name), &ctx, "beheer"),
        slug: b.region.slug.clone(),
        region: b.region.name.clone(),
        columns,
        count: b.plans.len(),
        maximum: b.maximum.map_or("onbekend".into(), euro_nl),
        in_application: euro_nl(b.in_application),
        requested_open: euro_nl(open),
        room: room.map_or("onbekend".into(), euro_nl),
        over: room.is_some_and(|r| open > r),
        phase_label: b.phase_label.clone(),
        schools: choices(std::iter::once((String::new(), "Alle scholen".into())).chain(b.schools.clone()), &q.school),
        themes: choices(std::iter::once((String::new(), "Alle thema's".into())).chain(themes(&st)), &q.theme),
        states: choices(
            std::iter::once((String::new(), "Alle statussen".into()))
                .chain(PlanState::ALL.into_iter().map(|s| (s.code().to_owned(), s.label().to_owned()))),
            &q.status,
        ),
        filtered: !(q.school.is_empty() && q.theme.is_empty() && q.status.is_empty()),
        sees_all: b.sees_all,
        can_create: b.can_create,
        can_review_accounts,
    })
}

#[derive(Template)]
#[template(path = "deelplannen/new.html")]
pub struct NewPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub schools: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub title: String,
    pub errors: Vec<(String, String)>,
}

async fn new_page(st: &AppState, ctx: &Ctx, slug: &str, f: &Pairs, errors: Vec<(String, String)>) -> Page {
    let b = plans::board(&st.app, &ctx.actor, slug, &BoardFilter::default()).await?;
    if !b.can_create {
        return Err(WebError::Forbidden);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = NewPage {
        l: Layout::new("Nieuw deelplan", ctx, "beheer"),
        slug: b.region.slug.clone(),
        region: b.region.name.clone(),
        schools: choices(b.schools.clone(), &f.get("organisation")),
        themes: choices(themes(st), &f.get("theme")),
        title: f.get("title"),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn new_form(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    new_page(&st, &ctx, &slug, &Pairs::default(), Vec::new()).await
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let plan = SchoolPlan {
        title: f.get("title"),
        organisation: f.get("organisation"),
        theme: f.get("theme"),
        ..SchoolPlan::default()
    };
    match plans::create(&st.app, &ctx.actor, &slug, plan).await {
        Ok(id) => Ok(Redirect::to(&format!("/regio/{slug}/deelplannen/{id}")).into_response()),
        Err(ServiceError::Invalid(e)) => new_page(&st, &ctx, &slug, &f, pairs(&e)).await,
        Err(e) => Err(e.into()),
    }
}

fn pairs(e: &FieldErrors) -> Vec<(String, String)> {
    e.iter().map(|f| (f.field.clone(), f.message.clone())).collect()
}

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
    pub history: Vec<HistoryView>,
    /// Why the plan came back or was rejected: the last step's comment and who wrote it.
    pub decision: Option<(String, String)>,
    pub attachments: Vec<AttachmentView>,
    pub buttons: Vec<ButtonView>,
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
}

/// The label a step's button carries.
fn button_label(to: PlanState) -> &'static str {
    match to {
        PlanState::Ingediend => "Indienen bij de regio",
        PlanState::InBehandeling => "In behandeling nemen",
        PlanState::Teruggestuurd => "Terugsturen",
        PlanState::Goedgekeurd => "Goedkeuren",
        PlanState::Afgewezen => "Afwijzen",
        PlanState::Concept => "Terug naar concept",
    }
}

#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    errors: Vec<(String, String)>,
    conflict: bool,
    status: Option<StatusCode>,
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
    let reg = st.app.regulations.get(services::applications::REGULATION).ok_or(WebError::NotFound)?;
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
                funder: match (&l.funding.source, &l.funding.by) {
                    (FundingSource::Cofinancing, Some(by)) => {
                        format!("{} ({})", org_name(by), if l.funding.in_kind { "in natura" } else { "geld" })
                    }
                    _ => "Subsidie".into(),
                },
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
            .map(|t| ButtonView {
                to: t.to.code(),
                label: button_label(t.to),
                primary: matches!(t.to, PlanState::Ingediend | PlanState::Goedgekeurd),
            })
            .collect(),
        comment_hint: {
            let needed: Vec<String> = v
                .transitions
                .iter()
                .filter(|t| t.comment_required)
                .map(|t| button_label(t.to).to_lowercase())
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
        schools: choices(
            members.iter().filter(|m| m.kind.is_school()).map(|m| (m.id.clone(), m.name.clone())),
            &p.organisation,
        ),
        themes: choices(std::iter::once((String::new(), "Geen thema".into())).chain(themes(st)), &p.theme),
        activity_choices: choices(p.activities.iter().map(|a| (a.id.clone(), a.title.clone())), ""),
        categories: choices(
            reg.categories.iter().filter(|c| !c.forbidden).map(|c| (c.id.clone(), c.label.clone())),
            "",
        ),
        years: choices(years.into_iter().map(|y| (y.to_string(), y.to_string())), ""),
        funders: choices(
            std::iter::once(("subsidie".to_owned(), "Subsidie".to_owned()))
                .chain(members.iter().map(|m| (m.id.clone(), format!("Cofinanciering door {}", m.name)))),
            "subsidie",
        ),
        notice: outcome.notice,
        errors: outcome.errors,
        conflict: outcome.conflict,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
}

pub async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    let notice = q.opgeslagen.filter(|n| !n.is_empty() && n.len() < 200);
    render(&st, &ctx, &slug, &id, Outcome { notice, ..Outcome::default() }).await
}

/// Shows the result of a change: back to the plan with a notice, or the plan with what went wrong.
async fn after(st: &AppState, ctx: &Ctx, (slug, id): (&str, &str), result: services::Result<()>, notice: &str) -> Page {
    let outcome = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/regio/{slug}/deelplannen/{id}?opgeslagen={}", urlencode(notice)))
                .into_response());
        }
        Err(ServiceError::Invalid(e)) => {
            Outcome { errors: pairs(&e), status: Some(StatusCode::UNPROCESSABLE_ENTITY), ..Outcome::default() }
        }
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
    version: i64,
    notice: &str,
    change: impl FnOnce(&mut SchoolPlan) -> Result<(), FieldErrors>,
) -> Page {
    load(st, ctx, slug, id).await?;
    let result = plans::update(&st.app, &ctx.actor, id, version, change).await.map(|_| ());
    after(st, ctx, (slug, id), result, notice).await
}

pub async fn save(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &id), f.version(), "Het deelplan is opgeslagen.", |p| {
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
    edit(&st, &ctx, (&slug, &id), f.version(), "De activiteit is toegevoegd.", adding_activity(&f)).await
}

pub async fn remove_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, activity)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &id), f.version(), "De activiteit en haar begrotingsregels zijn verwijderd.", |p| {
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
    edit(&st, &ctx, (&slug, &id), f.version(), "De begrotingsregel is toegevoegd.", adding_line(&f)).await
}

pub async fn remove_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &id), f.version(), "De begrotingsregel is verwijderd.", |p| {
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

pub struct RequestView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub school: String,
    pub message: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "deelplannen/accounts.html")]
pub struct AccountsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub requests: Vec<RequestView>,
    pub notice: Option<String>,
}

pub async fn accounts(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    let (region, open) = services::account_requests::open(&st.app, &ctx.actor, &slug).await?;
    html(AccountsPage {
        l: Layout::new(format!("Accountaanvragen {}", region.name), &ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        requests: open
            .into_iter()
            .map(|r| RequestView {
                id: r.id,
                name: r.name,
                email: r.email,
                school: r.organisation_name,
                message: r.message,
                at: ms(r.created_at),
            })
            .collect(),
        notice: q.opgeslagen.filter(|n| !n.is_empty() && n.len() < 200),
    })
}

pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let accept = f.get("decision") == "accept";
    services::account_requests::decide(&st.app, &ctx.actor, &slug, &id, accept).await?;
    let notice =
        if accept { "De uitnodiging is verstuurd." } else { "De aanvraag is afgewezen; de aanvrager krijgt bericht." };
    Ok(Redirect::to(&format!("/regio/{slug}/deelplannen/accounts?opgeslagen={}", urlencode(notice))).into_response())
}

#[derive(Template)]
#[template(path = "deelplannen/request.html")]
pub struct RequestPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub schools: Vec<Choice>,
    pub name: String,
    pub email: String,
    pub message: String,
    pub errors: Vec<(String, String)>,
    pub done: bool,
}

async fn request_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    f: &Pairs,
    errors: Vec<(String, String)>,
    done: bool,
) -> Page {
    let region = services::regions::page(&st.app, &ctx.actor, slug).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RequestPage {
        l: Layout::new(format!("Account aanvragen bij {}", region.region.name), ctx, "regios"),
        slug: region.region.slug.clone(),
        region: region.region.name.clone(),
        schools: choices(
            std::iter::once((String::new(), "Kies uw school".into()))
                .chain(region.members.iter().filter(|m| m.kind.is_school()).map(|m| (m.id.clone(), m.name.clone()))),
            &f.get("organisation"),
        ),
        name: f.get("name"),
        email: f.get("email"),
        message: f.get("message"),
        errors,
        done,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The public form; it starts an anonymous session so the form carries a CSRF token.
pub async fn request_form(State(st): State<AppState>, mut ctx: Ctx, Path(slug): Path<String>) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let page = request_page(&st, &ctx, &slug, &Pairs::default(), Vec::new(), false).await?;
    Ok(crate::account::with_cookie(page, cookie))
}

pub async fn request_account(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    // Anyone may ask, so a burst from one address is slowed down like failed logins are.
    let key = format!("account-request:{}", ctx.client);
    services::ratelimit::count(&st.app, &key, 5).await?;
    let input = services::account_requests::RequestInput {
        name: f.get("name"),
        email: f.get("email"),
        organisation: f.get("organisation"),
        message: f.get("message"),
    };
    match services::account_requests::request(&st.app, &slug, &input).await {
        Ok(()) => request_page(&st, &ctx, &slug, &Pairs::default(), Vec::new(), true).await,
        Err(ServiceError::Invalid(e)) => request_page(&st, &ctx, &slug, &f, pairs(&e), false).await,
        Err(e) => Err(e.into()),
    }
}

pub struct NotificationView {
    pub at: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub status: &'static str,
    pub error: String,
}

fn notification_view(n: services::mail::Notification) -> NotificationView {
    NotificationView {
        at: ms(n.created_at),
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
        link: n.link,
        status: match n.status.as_str() {
            "sent" => "verzonden",
            "failed" => "niet verzonden",
            "pending" => "wacht op verzending",
            _ => "in de uitbak",
        },
        error: n.error.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "deelplannen/notifications.html")]
pub struct NotificationsPage {
    pub l: Layout,
    pub heading: &'static str,
    pub intro: &'static str,
    pub items: Vec<NotificationView>,
    pub show_recipient: bool,
}

pub async fn mine(State(st): State<AppState>, ctx: Ctx) -> Page {
    let items = services::mail::mine(&st.app, &ctx.actor).await?;
    html(NotificationsPage {
        l: Layout::new("Meldingen", &ctx, "beheer"),
        heading: "Mijn meldingen",
        intro: "Berichten die Sterk u stuurde over deelplannen, aanvragen en termijnen, nieuwste eerst.",
        items: items.into_iter().map(notification_view).collect(),
        show_recipient: false,
    })
}

pub async fn outbox(State(st): State<AppState>, ctx: Ctx) -> Page {
    let items = services::mail::all(&st.app, &ctx.actor, None).await?;
    html(NotificationsPage {
        l: Layout::new("Uitbak", &ctx, "beheer"),
        heading: "Uitbak en verzonden berichten",
        intro: "Alle berichten van Sterk. Zonder SMTP-server (STERK_SMTP_URL) blijven ze hier in de uitbak staan; met een server ziet u of ze verzonden zijn.",
        items: items.into_iter().map(notification_view).collect(),
        show_recipient: true,
    })
}
