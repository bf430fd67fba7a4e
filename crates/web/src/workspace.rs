//! The region's application workspace: vision, activities, budget and agreement with the
//! regulation's checks beside them, submission of frozen versions and what changed between them.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::fmt::{decimal_nl, euro_nl, parse_decimal_nl, percent_nl};
use domain::regulation::Severity;
use domain::regulation::application::{
    Activity, Amount, Application, BudgetLine, Budgeted, Funding, FundingSource, Milestone,
};
use domain::regulation::check::Finding;
use services::ServiceError;
use services::applications::{self as apps, Workspace};

use crate::AppState;
use crate::error::WebError;
use crate::form::{Pairs, urlencode};
use crate::pages::{Page, html};
use crate::session::Ctx;
use crate::upload::read_upload;
use crate::views::{Choice, Layout, ms};

/// The target groups an activity can name.
pub const TARGET_GROUPS: [(&str, &str); 6] = [
    ("po", "Basisonderwijs"),
    ("onderbouw", "Onderbouw vmbo"),
    ("technische-profielen", "Technische profielen"),
    ("keuzevakken", "Technische keuzevakken"),
    ("praktijkgericht", "Praktijkgerichte programma's"),
    ("overig", "Overig"),
];

pub struct PhaseRow {
    pub id: String,
    pub label: String,
    pub started: bool,
    pub versions: usize,
}

#[derive(Template)]
#[template(path = "aanvraag/overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub phases: Vec<PhaseRow>,
    pub can_edit: bool,
}

pub async fn overview(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let (region, phases) = apps::overview(&st.app, &ctx.actor, &slug).await?;
    let can_edit = ctx.actor.permits(domain::Action::EditApplication { region_id: &region.id });
    html(OverviewPage {
        l: Layout::new(format!("Aanvragen {}", region.name), &ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        phases: phases
            .into_iter()
            .map(|p| PhaseRow { id: p.id, label: p.label, started: p.started, versions: p.versions })
            .collect(),
        can_edit,
    })
}

pub async fn start(State(st): State<AppState>, ctx: Ctx, Path((slug, phase)): Path<(String, String)>) -> Page {
    apps::start(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(Redirect::to(&format!("/regio/{slug}/aanvragen/{phase}")).into_response())
}

pub struct FindingView {
    pub rule: String,
    pub title: String,
    pub mark: &'static str,
    pub class: &'static str,
    pub message: String,
    pub anchor: Option<String>,
    pub applicable: bool,
}

/// Where in the page a failing rule's cause is edited.
fn anchor(field: &str) -> String {
    let section = match field.split(['.', '[']).next().unwrap_or_default() {
        "vision" => "visie",
        "activities" => "activiteiten",
        "agreement" => "overeenkomst",
        "budget" => match field.split(['[', ']']).nth(1) {
            Some(i) => return format!("regel-{i}"),
            None => "begroting",
        },
        _ => "overzicht",
    };
    section.to_owned()
}

fn finding_view(f: &Finding) -> FindingView {
    let (mark, class) = match (f.applicable, f.passed, f.severity) {
        (false, _, _) => ("n.v.t.", "neutral"),
        (true, true, _) => ("Voldoet", "success"),
        (true, false, Severity::Blocking) => ("Voldoet niet", "danger"),
        (true, false, Severity::Warning) => ("Let op", "warning"),
    };
    FindingView {
        rule: f.rule.clone(),
        title: f.title.clone(),
        mark,
        class,
        message: f.message.clone(),
        anchor: (!f.passed).then(|| f.field.as_deref().map(anchor).unwrap_or_else(|| "overzicht".into())),
        applicable: f.applicable,
    }
}

pub struct ActivityView {
    pub id: String,
    pub theme_ids: Vec<String>,
    pub group_ids: Vec<String>,
    pub lead_id: String,
    pub partner_ids: Vec<String>,
    pub result_ids: Vec<String>,
    pub indicator_ids: Vec<String>,
    /// "Werkt aan …; gemeten met …" (empty when not linked).
    pub aims: String,
    pub title: String,
    pub description: String,
    pub goals: String,
    pub themes: String,
    pub groups: String,
    pub lead: String,
    pub partners: String,
    pub milestones: Vec<(String, String)>,
    pub total: String,
    /// The approved school plan the activity came from.
    pub plan: Option<String>,
}

impl ActivityView {
    pub fn has(&self, list: &str, value: &str) -> bool {
        let list = match list {
            "theme" => &self.theme_ids,
            "group" => &self.group_ids,
            "result" => &self.result_ids,
            "indicator" => &self.indicator_ids,
            _ => &self.partner_ids,
        };
        list.iter().any(|v| v == value)
    }
}

#[derive(Clone)]
pub struct LineView {
    pub index: usize,
    pub activity_id: String,
    pub year_raw: String,
    pub category_id: String,
    pub quantity_raw: String,
    pub unit: String,
    pub price_raw: String,
    pub funder_id: String,
    pub in_kind: bool,
    pub year: i16,
    pub activity: String,
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub price: String,
    pub amount: String,
    pub eligible: String,
    pub above_cap: bool,
    pub funder: String,
    /// The approved school plan the line came from.
    pub plan: Option<String>,
}

pub struct AgreementDocView {
    pub filename: String,
    pub sha256: String,
    pub size: String,
}

pub struct OrgView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub signed: bool,
}

#[derive(Template)]
#[template(path = "aanvraag/workspace.html")]
pub struct WorkspacePage {
    pub l: Layout,
    pub slug: String,
    pub phase: String,
    pub phase_label: String,
    pub region: String,
    pub version: i64,
    pub updated: String,
    pub can_edit: bool,
    pub passed: bool,
    pub findings: Vec<FindingView>,
    pub eligible: String,
    pub subsidy: String,
    pub cofinancing: String,
    pub share: String,
    pub maximum: String,
    pub room: String,
    pub vision: String,
    /// The vision as formatted, safe HTML.
    pub vision_html: String,
    pub activities: Vec<ActivityView>,
    pub lines: Vec<LineView>,
    /// The line being edited (`?regel=N`).
    pub editing: Option<LineView>,
    pub per_year: Vec<(String, String, String)>,
    pub per_category: Vec<(String, String, String)>,
    pub per_funder: Vec<(String, String, String)>,
    pub organisations: Vec<OrgView>,
    pub agreement_doc: Option<AgreementDocView>,
    pub themes: Vec<Choice>,
    pub groups: Vec<Choice>,
    /// The theory of change's results an activity can aim at, and the indicators.
    pub results: Vec<Choice>,
    pub indicators: Vec<Choice>,
    pub activity_choices: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub years: Vec<Choice>,
    pub funders: Vec<Choice>,
    pub lead_choices: Vec<Choice>,
    pub versions: Vec<(i64, String, String, String)>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub conflict: bool,
    pub pending: Pending,
}

/// What the user typed in the add forms, kept when their post was refused.
#[derive(Default)]
pub struct Pending {
    pub line_description: String,
    pub line_quantity: String,
    pub line_unit: String,
    pub line_price: String,
    pub activity_title: String,
    pub activity_description: String,
}

struct Outcome {
    notice: Option<String>,
    editing: Option<usize>,
    errors: Vec<(String, String)>,
    conflict: bool,
    pending: Pending,
    status: StatusCode,
}

impl Outcome {
    fn ok() -> Outcome {
        Outcome {
            notice: None,
            editing: None,
            errors: Vec::new(),
            conflict: false,
            pending: Pending::default(),
            status: StatusCode::OK,
        }
    }
}

async fn render(st: &AppState, ctx: &Ctx, slug: &str, phase: &str, outcome: Outcome) -> Page {
    let Some(ws) = apps::workspace(&st.app, &ctx.actor, slug, phase).await? else {
        return Err(WebError::NotFound);
    };
    let reg = st.app.regulations.get(apps::REGULATION).ok_or(WebError::NotFound)?;
    let status = outcome.status;
    let page = build(reg, ws, ctx, outcome);
    Ok((status, Html(page.render()?)).into_response())
}

fn build(reg: &domain::regulation::Regulation, ws: Workspace, ctx: &Ctx, outcome: Outcome) -> WorkspacePage {
    let a = &ws.application;
    let org_name = |id: &str| a.organisation(id).map_or(id.to_owned(), |o| o.name.clone());
    let label_of = |id: &str| reg.category(id).map_or(id.to_owned(), |c| c.label.clone());
    let t = &ws.report.totals;
    let maximum = t.region_maximum.map(|m| m.0);
    let sums = |m: &std::collections::BTreeMap<String, domain::regulation::summary::Sums>,
                name: &dyn Fn(&str) -> String| {
        m.iter().map(|(k, s)| (name(k), euro_nl(s.amount), euro_nl(s.eligible))).collect()
    };
    let phase = reg.phase(&a.phase);
    let mut page = WorkspacePage {
        l: Layout::new(format!("Aanvraag {}", ws.region.name), ctx, "beheer"),
        slug: ws.region.slug.clone(),
        phase: a.phase.clone(),
        phase_label: phase.map_or(a.phase.clone(), |p| p.label.clone()),
        region: ws.region.name.clone(),
        version: ws.version,
        updated: format!(
            "{}{}",
            ms(ws.updated_at),
            ws.updated_by.as_deref().map(|n| format!(" door {n}")).unwrap_or_default()
        ),
        can_edit: ws.can_edit,
        passed: ws.report.passed,
        findings: ws.report.findings.iter().map(finding_view).collect(),
        eligible: euro_nl(t.eligible_costs.0),
        subsidy: euro_nl(t.subsidy_requested.0),
        cofinancing: euro_nl(t.cofinancing.0),
        share: percent_nl(t.cofinancing_share.0),
        maximum: maximum.map_or("onbekend".into(), euro_nl),
        room: maximum.map_or("onbekend".into(), |m| euro_nl(m - t.subsidy_requested.0)),
        vision: a.vision.clone().unwrap_or_default(),
        vision_html: crate::markdown::to_html(a.vision.as_deref().unwrap_or_default()),
        activities: a
            .activities
            .iter()
            .map(|act| ActivityView {
                id: act.id.clone(),
                theme_ids: act.themes.clone(),
                group_ids: act.target_groups.clone(),
                lead_id: act.lead.clone().unwrap_or_default(),
                partner_ids: act.partners.clone(),
                result_ids: act.results.clone(),
                indicator_ids: act.indicators.clone(),
                aims: aims_text(act),
                title: act.title.clone(),
                description: act.description.clone(),
                goals: act.goals.clone(),
                themes: act
                    .themes
                    .iter()
                    .map(|t| reg.themes.iter().find(|th| &th.id == t).map_or(t.clone(), |th| th.label.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
                groups: act
                    .target_groups
                    .iter()
                    .map(|g| TARGET_GROUPS.iter().find(|(k, _)| k == g).map_or(g.as_str(), |(_, l)| l))
                    .collect::<Vec<_>>()
                    .join(", "),
                lead: act.lead.as_deref().map(org_name).unwrap_or_default(),
                partners: act.partners.iter().map(|p| org_name(p)).collect::<Vec<_>>().join(", "),
                milestones: act.milestones.iter().map(|m| (m.title.clone(), domain::fmt::date_nl(m.due))).collect(),
                total: euro_nl(ws.summary.per_activity.get(&act.id).map(|s| s.amount).unwrap_or_default()),
                plan: act.school_plan.clone(),
            })
            .collect(),
        lines: a
            .budget
            .iter()
            .enumerate()
            .map(|(i, l)| LineView {
                index: i,
                activity_id: l.activity.clone(),
                year_raw: l.year.to_string(),
                category_id: l.category.clone(),
                quantity_raw: decimal_nl(l.quantity.0),
                unit: l.unit.clone(),
                price_raw: decimal_nl(l.unit_price_eur.0),
                funder_id: l.funding.by.clone().unwrap_or_else(|| "subsidie".into()),
                in_kind: l.funding.in_kind,
                year: l.year,
                activity: a
                    .activities
                    .iter()
                    .find(|x| x.id == l.activity)
                    .map_or(l.activity.clone(), |x| x.title.clone()),
                category: label_of(&l.category),
                description: l.description.clone(),
                quantity: format!("{} {}", decimal_nl(l.quantity.0), l.unit),
                price: euro_nl(l.unit_price_eur.0),
                amount: euro_nl(l.amount()),
                eligible: euro_nl(ws.lines.get(i).map(|x| x.eligible).unwrap_or_default()),
                above_cap: ws.lines.get(i).is_some_and(|x| x.above_cap),
                plan: l.school_plan.clone(),
                funder: match (&l.funding.source, &l.funding.by) {
                    (FundingSource::Cofinancing, Some(by)) => {
                        format!("{} ({})", org_name(by), if l.funding.in_kind { "in natura" } else { "geld" })
                    }
                    _ => "Subsidie".into(),
                },
            })
            .collect(),
        per_year: ws
            .summary
            .per_year
            .iter()
            .map(|(y, s)| (y.to_string(), euro_nl(s.amount), euro_nl(s.eligible)))
            .collect(),
        per_category: sums(&ws.summary.per_category, &|k| label_of(k)),
        per_funder: sums(&ws.summary.per_funder, &|k| if k == "subsidie" { "Subsidie".into() } else { org_name(k) }),
        organisations: a
            .organisations
            .iter()
            .map(|o| OrgView {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind.label(),
                signed: a.agreement.as_ref().is_some_and(|g| g.signed_by.contains(&o.id)),
            })
            .collect(),
        agreement_doc: a.agreement.as_ref().and_then(|g| g.document.as_ref()).map(|d| AgreementDocView {
            filename: d.filename.clone(),
            sha256: d.sha256.clone(),
            size: format!("{} kB", domain::fmt::integer_nl(d.size.div_ceil(1024) as i64)),
        }),
        themes: reg
            .themes
            .iter()
            .map(|t| Choice { value: t.id.clone(), label: t.label.clone(), selected: false })
            .collect(),
        groups: TARGET_GROUPS
            .iter()
            .map(|(v, l)| Choice { value: (*v).into(), label: (*l).into(), selected: false })
            .collect(),
        results: result_choices(),
        indicators: domain::monitoring::definitions()
            .iter()
            .map(|d| Choice { value: d.id.clone(), label: d.name.clone(), selected: false })
            .collect(),
        activity_choices: Choice::activities(&a.activities),
        categories: Choice::categories(reg, |c| !c.forbidden),
        years: phase
            .map(|p| {
                p.years.iter().map(|y| Choice { value: y.to_string(), label: y.to_string(), selected: false }).collect()
            })
            .unwrap_or_default(),
        funders: std::iter::once(Choice { value: "subsidie".into(), label: "Subsidie".into(), selected: true })
            .chain(a.organisations.iter().map(|o| Choice {
                value: o.id.clone(),
                label: format!("Cofinanciering door {}", o.name),
                selected: false,
            }))
            .collect(),
        lead_choices: a
            .organisations
            .iter()
            .map(|o| Choice { value: o.id.clone(), label: o.name.clone(), selected: false })
            .collect(),
        versions: ws
            .versions
            .iter()
            .map(|v| (v.number, v.sha256.clone(), ms(v.submitted_at), v.submitted_by.clone()))
            .collect(),
        editing: None,
        notice: outcome.notice,
        errors: outcome.errors,
        conflict: outcome.conflict,
        pending: outcome.pending,
    };
    page.editing = outcome.editing.and_then(|i| page.lines.get(i).cloned());
    page
}

/// The results of the theory of change (its result stages) as choices.
fn result_choices() -> Vec<Choice> {
    domain::monitoring::theory_of_change()
        .results()
        .map(|e| Choice { value: e.id.clone(), label: e.text.clone(), selected: false })
        .collect()
}

/// "Werkt aan …; gemeten met …" for an activity linked to the theory of change.
fn aims_text(a: &Activity) -> String {
    let toc = domain::monitoring::theory_of_change();
    let results: Vec<String> = a.results.iter().map(|r| toc.result(r).map_or(r.clone(), |e| e.text.clone())).collect();
    let defs = domain::monitoring::definitions();
    let indicators: Vec<String> =
        a.indicators.iter().map(|i| defs.iter().find(|d| &d.id == i).map_or(i.clone(), |d| d.name.clone())).collect();
    match (results.is_empty(), indicators.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!("Werkt aan: {}", results.join("; ")),
        (true, false) => format!("Gemeten met: {}", indicators.join("; ")),
        (false, false) => format!("Werkt aan: {}; gemeten met: {}", results.join("; "), indicators.join("; ")),
    }
}

/// Runs an edit and shows the workspace again: saved, refused with the field errors, or a conflict.
async fn edit(
    st: &AppState,
    ctx: &Ctx,
    (slug, phase): (&str, &str),
    version: i64,
    pending: Pending,
    notice: &str,
    change: impl FnOnce(&mut Application) -> Result<(), FieldErrors>,
) -> Page {
    let outcome = match apps::update(&st.app, &ctx.actor, slug, phase, version, change).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/regio/{slug}/aanvragen/{phase}?opgeslagen={}", urlencode(notice)))
                .into_response());
        }
        Err(ServiceError::Invalid(e)) => Outcome {
            errors: e.iter().map(|f| (f.field.clone(), f.message.clone())).collect(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            pending,
            ..Outcome::ok()
        },
        Err(ServiceError::Conflict) => {
            Outcome { conflict: true, status: StatusCode::CONFLICT, pending, ..Outcome::ok() }
        }
        Err(e) => return Err(e.into()),
    };
    render(st, ctx, slug, phase, outcome).await
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
    /// A budget line to edit.
    #[serde(default)]
    regel: Option<usize>,
}

pub async fn workspace(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Page {
    let notice = q.opgeslagen.filter(|n| !n.is_empty() && n.len() < 200);
    render(&st, &ctx, &slug, &phase, Outcome { notice, editing: q.regel, ..Outcome::ok() }).await
}

pub async fn save_vision(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let vision = f.get("vision");
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De regiovisie is opgeslagen.", |a| {
        let mut e = FieldErrors::default();
        if vision.chars().count() > 50_000 {
            e.add("vision", "De regiovisie is te lang: hoogstens 50.000 tekens.");
        }
        a.vision = Some(vision).filter(|v| !v.is_empty());
        e.into_result(())
    })
    .await
}

/// The activity a form describes: `milestones` are kept and a filled-in new milestone is added.
fn activity_from_form(f: &Pairs, id: String, mut milestones: Vec<Milestone>, e: &mut FieldErrors) -> Activity {
    let title = domain::validation::required(e, "title", "de titel van de activiteit", &f.get("title"), 200);
    let milestone_title = f.get("milestone_title");
    if !milestone_title.is_empty() {
        match f.get("milestone_due").parse::<jiff::civil::Date>() {
            Ok(due) => milestones.push(Milestone { title: milestone_title, due }),
            Err(_) => e.add("milestone_due", "Geef de datum van de mijlpaal (dag, maand en jaar)."),
        }
    }
    Activity {
        id,
        title,
        description: f.get("description"),
        goals: f.get("goals"),
        target_groups: f.all("target_groups"),
        themes: f.all("themes"),
        lead: Some(f.get("lead")).filter(|l| !l.is_empty()),
        partners: f.all("partners"),
        milestones,
        results: f.all("results"),
        indicators: f.all("indicators"),
        school_plan: None,
    }
}

pub async fn add_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let pending =
        Pending { activity_title: f.get("title"), activity_description: f.get("description"), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De activiteit is toegevoegd.", adding_activity(&f)).await
}

pub async fn update_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De activiteit is bijgewerkt.", |a| {
        let mut e = FieldErrors::default();
        let Some(slot) = a.activities.iter_mut().find(|x| x.id == id) else {
            e.add("activities", "Deze activiteit bestaat niet meer.");
            return Err(e);
        };
        let kept: Vec<Milestone> = slot
            .milestones
            .iter()
            .enumerate()
            .filter(|(i, _)| !f.all("remove_milestone").contains(&i.to_string()))
            .map(|(_, m)| m.clone())
            .collect();
        let origin = slot.school_plan.take();
        *slot = Activity { school_plan: origin, ..activity_from_form(&f, id.clone(), kept, &mut e) };
        e.into_result(())
    })
    .await
}

pub async fn remove_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(
        &st,
        &ctx,
        (&slug, &phase),
        f.version(),
        Pending::default(),
        "De activiteit en haar begrotingsregels zijn verwijderd.",
        |a| {
            a.remove_activity(&id);
            Ok(())
        },
    )
    .await
}

fn amount(e: &mut FieldErrors, field: &str, label: &str, raw: &str) -> Amount {
    match parse_decimal_nl(raw) {
        Some(d) if d >= rust_decimal::Decimal::ZERO => Amount(d),
        Some(_) => {
            e.add(field, format!("{label} is niet negatief."));
            Amount::default()
        }
        None => {
            e.add(field, format!("Vul {} in als getal, bijvoorbeeld 1.234,56.", label.to_lowercase()));
            Amount::default()
        }
    }
}

/// The budget line a form describes.
fn line_from_form(f: &Pairs, e: &mut FieldErrors) -> BudgetLine {
    let quantity = amount(e, "quantity", "Het aantal", &f.get("quantity"));
    let unit_price_eur = amount(e, "unit_price_eur", "De prijs per eenheid", &f.get("unit_price_eur"));
    let year = f.get("year").parse::<i16>().unwrap_or_else(|_| {
        e.add("year", "Kies een jaar.");
        0
    });
    let funding = match f.get("funding").as_str() {
        "subsidie" | "" => Funding { source: FundingSource::Subsidy, by: None, in_kind: false },
        by => Funding { source: FundingSource::Cofinancing, by: Some(by.to_owned()), in_kind: f.get("in_kind") == "1" },
    };
    BudgetLine {
        activity: f.get("activity"),
        year,
        category: f.get("category"),
        description: f.get("description"),
        quantity,
        unit: f.get("unit"),
        unit_price_eur,
        funding,
        school_plan: None,
        date: None,
    }
}

/// The edit that adds the activity a form describes, to an application or a school plan.
pub(crate) fn adding_activity<T: Budgeted>(f: &Pairs) -> impl FnOnce(&mut T) -> Result<(), FieldErrors> + '_ {
    move |t| {
        let mut e = FieldErrors::default();
        t.add_activity(activity_from_form(f, String::new(), Vec::new(), &mut e));
        e.into_result(())
    }
}

/// The edit that adds the budget line a form describes.
pub(crate) fn adding_line<T: Budgeted>(f: &Pairs) -> impl FnOnce(&mut T) -> Result<(), FieldErrors> + '_ {
    move |t| {
        let mut e = FieldErrors::default();
        let line = line_from_form(f, &mut e);
        t.parts().1.push(line);
        e.into_result(())
    }
}

pub async fn add_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let pending = Pending {
        line_description: f.get("description"),
        line_quantity: f.get("quantity"),
        line_unit: f.get("unit"),
        line_price: f.get("unit_price_eur"),
        ..Pending::default()
    };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De begrotingsregel is toegevoegd.", adding_line(&f)).await
}

pub async fn update_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De begrotingsregel is bijgewerkt.", |a| {
        let mut e = FieldErrors::default();
        let line = line_from_form(&f, &mut e);
        match a.budget.get_mut(index) {
            Some(slot) => *slot = BudgetLine { school_plan: slot.school_plan.take(), ..line },
            None => e.add("budget", "Deze begrotingsregel bestaat niet meer."),
        }
        e.into_result(())
    })
    .await
}

pub async fn remove_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De begrotingsregel is verwijderd.", |a| {
        a.remove_line(index);
        Ok(())
    })
    .await
}

pub async fn save_agreement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let signed = f.all("signed");
    let lead = f.get("lead_applicant");
    edit(
        &st,
        &ctx,
        (&slug, &phase),
        f.version(),
        Pending::default(),
        "De samenwerkingsovereenkomst is bijgewerkt.",
        |a| {
            a.agreement.get_or_insert_with(Default::default).signed_by = signed;
            if !lead.is_empty() {
                a.lead_applicant = lead;
            }
            Ok(())
        },
    )
    .await
}

pub async fn submit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let outcome = match apps::submit(&st.app, &ctx.actor, &slug, &phase, f.version()).await {
        Ok(v) => {
            let notice = format!("Versie {} is ingediend. SHA-256: {}", v.number, v.sha256);
            return Ok(Redirect::to(&format!("/regio/{slug}/aanvragen/{phase}?opgeslagen={}", urlencode(&notice)))
                .into_response());
        }
        Err(ServiceError::SubmitRefused(findings)) => Outcome {
            errors: findings
                .iter()
                .map(|f| (f.field.clone().unwrap_or_else(|| f.rule.clone()), format!("{}: {}", f.title, f.message)))
                .collect(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Outcome::ok()
        },
        Err(ServiceError::Conflict) => Outcome { conflict: true, status: StatusCode::CONFLICT, ..Outcome::ok() },
        Err(e) => return Err(e.into()),
    };
    render(&st, &ctx, &slug, &phase, outcome).await
}

pub async fn export_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (application, _) = apps::get(&st.app, &ctx.actor, &slug, &phase).await?;
    let body = serde_json::to_string_pretty(&application).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::download::file("application/json", &format!("aanvraag-{slug}-{phase}.json"), body))
}

#[derive(Template)]
#[template(path = "aanvraag/diff.html")]
pub struct DiffPage {
    pub l: Layout,
    pub slug: String,
    pub phase: String,
    pub from: String,
    pub to: String,
    pub changes: Vec<(String, String)>,
}

fn version_label(n: i64) -> String {
    if n == 0 { "het huidige concept".into() } else { format!("versie {n}") }
}

pub async fn changes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, from, to)): Path<(String, String, i64, i64)>,
) -> Page {
    let changes = apps::changes(&st.app, &ctx.actor, &slug, &phase, from, to).await?;
    html(DiffPage {
        l: Layout::new("Wijzigingen", &ctx, "beheer"),
        slug,
        phase,
        from: version_label(from),
        to: version_label(to),
        changes: changes.into_iter().map(|c| (c.kind.to_owned(), c.text)).collect(),
    })
}

/// The budget workbook for the application (one sheet per year, summary, co-financing).
pub async fn export_xlsx(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let bytes = budget_workbook(&st, &ctx, &slug, &phase).await?;
    Ok(crate::download::file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("begroting-{slug}-{phase}.xlsx"),
        bytes,
    ))
}

pub async fn budget_workbook(st: &AppState, ctx: &Ctx, slug: &str, phase: &str) -> Result<Vec<u8>, WebError> {
    let (application, _) = apps::get(&st.app, &ctx.actor, slug, phase).await?;
    let reg = st.app.regulations.get(apps::REGULATION).ok_or(WebError::NotFound)?;
    let reg = reg.clone();
    services::cpu::run(move || docs::xlsx::write_budget(&reg, &application))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))
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
    let reg = st.app.regulations.get(apps::REGULATION).ok_or(WebError::NotFound)?;
    let (reg, read) = (reg.clone(), current.clone());
    let lines = match services::cpu::run(move || docs::xlsx::read_budget(&bytes, &reg, &read)).await? {
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
    versie: Option<i64>,
}

/// The whole application as a PDF: the current draft, or with `?versie=N` a submitted version.
pub async fn export_pdf(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<PdfQuery>,
) -> Result<Response, WebError> {
    let bytes = application_pdf(&st, &ctx, &slug, &phase, q.versie.unwrap_or(0)).await?;
    let name = match q.versie {
        Some(n) => format!("aanvraag-{slug}-{phase}-versie-{n}.pdf"),
        None => format!("aanvraag-{slug}-{phase}-concept.pdf"),
    };
    Ok(crate::download::file("application/pdf", &name, bytes))
}

pub async fn application_pdf(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    phase: &str,
    number: i64,
) -> Result<Vec<u8>, WebError> {
    let (application, info) = apps::content(&st.app, &ctx.actor, slug, phase, number).await?;
    let reg = st.app.regulations.get(apps::REGULATION).ok_or(WebError::NotFound)?;
    let (label, sha256) = match info {
        Some(v) => (format!("Versie {}, ingediend {}", v.number, ms(v.submitted_at)), v.sha256),
        None => ("Concept (niet ingediend)".to_owned(), services::auth::sha256_hex(&application.canonical_json())),
    };
    let version = docs::pdf::VersionLabel { label, sha256 };
    let reg = reg.clone();
    // Typesetting is CPU work: on the bounded pool, off the request threads.
    services::cpu::run(move || docs::pdf::application_pdf(&reg, &application, &version))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// Uploads the signed cooperation agreement (PDF).
pub async fn upload_agreement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: crate::guard::EditsApplication,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let (version, file) = read_upload(&mut multipart).await?;
    let (name, bytes) = file.unwrap_or_default();
    let outcome = match apps::attach_agreement(&st.app, &ctx.actor, (&slug, &phase), version, &name, &bytes).await {
        Ok(_) => {
            let notice = urlencode("De ondertekende samenwerkingsovereenkomst is opgeslagen.");
            return Ok(Redirect::to(&format!("/regio/{slug}/aanvragen/{phase}?opgeslagen={notice}")).into_response());
        }
        Err(ServiceError::Invalid(e)) => Outcome {
            errors: e.iter().map(|f| (f.field.clone(), f.message.clone())).collect(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Outcome::ok()
        },
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
    let (name, bytes) = apps::agreement_document(&st.app, &ctx.actor, &slug, &phase, q.versie.unwrap_or(0)).await?;
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
