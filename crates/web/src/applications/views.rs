//! The application workspace as shown: checks beside the work, activities, budget, agreement.

use crate::AppState;
use crate::error::WebError;
use crate::layout::{Choice, Layout, ms};
use crate::page::Page;
use crate::session::Ctx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::{decimal_nl, euro_nl, percent_nl};
use domain::regulation::application::Activity;
use domain::regulation::check::Finding;
use services::applications::{self as apps, Workspace};

pub struct FindingView {
    pub rule: String,
    pub title: String,
    pub mark: &'static str,
    pub class: &'static str,
    pub message: String,
    pub anchor: Option<String>,
    pub applicable: bool,
}

/// Where in the page a failing rule's cause is edited. A budget line's row only when the findings
/// are the draft's own (`rows`): a submission's line numbers need not be the draft's rows.
fn anchor(field: &str, rows: bool) -> String {
    let section = match field.split(['.', '[']).next().unwrap_or_default() {
        "vision" => "visie",
        "activities" => "activiteiten",
        "agreement" => "overeenkomst",
        "budget" => match field.split(['[', ']']).nth(1).filter(|_| rows) {
            Some(i) => return format!("regel-{i}"),
            None => "begroting",
        },
        _ => "overzicht",
    };
    section.to_owned()
}

fn finding_view(f: &Finding, rows: bool) -> FindingView {
    let (mark, class) = crate::layout::finding_mark(f);
    FindingView {
        rule: f.rule.clone(),
        title: f.title.clone(),
        mark,
        class,
        message: f.message.clone(),
        anchor: (!f.passed).then(|| f.field.as_deref().map_or_else(|| "overzicht".into(), |f| anchor(f, rows))),
        applicable: f.applicable,
    }
}

pub struct ActivityView {
    pub id: String,
    /// Its edit form's name (`activiteit-{id}`) and its fields' id prefix (`e-{id}`).
    pub form: String,
    pub prefix: String,
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
    /// The change request in the works for this phase: (id, number, editable by the region now).
    pub change: Option<(String, i64, bool)>,
    /// The phase's window in words (open until, closed since).
    pub window: String,
    /// "bij de indiening op …" when a closed phase is judged as submitted.
    pub judged: Option<String>,
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
    /// The budget's total amount and eligible amount.
    pub budget_total: (String, String),
    pub per_category: Vec<(String, String, String)>,
    pub per_funder: Vec<(String, String, String)>,
    pub organisations: Vec<OrgView>,
    pub agreement_doc: Option<AgreementDocView>,
    pub agreement: crate::applications::agreement::AgreementView,
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
    pub typed: crate::form::Typed,
    pub line_form: crate::budget_form::LineForm,
    /// Where the submitted application stands at the funder.
    pub funder: Option<crate::assessment_view::StatusView>,
}

/// What the user typed in the add forms, kept when their post was refused.
#[derive(Default)]
pub struct Pending {
    /// The new budget line as typed.
    pub line: crate::budget_form::LineForm,
    /// Any other refused form as typed (the vision, a new or changed activity).
    pub typed: crate::form::Typed,
}

pub(crate) struct Outcome {
    pub(crate) notice: Option<String>,
    pub(crate) editing: Option<usize>,
    pub(crate) errors: Vec<(String, String)>,
    pub(crate) conflict: bool,
    pub(crate) pending: Pending,
    pub(crate) status: StatusCode,
}

impl Outcome {
    pub(crate) fn ok() -> Outcome {
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

pub(crate) async fn render(st: &AppState, ctx: &Ctx, slug: &str, phase: &str, outcome: Outcome) -> Page {
    let Some(ws) = apps::workspace(&st.app, &ctx.actor, slug, phase).await? else {
        return not_started(st, ctx, slug, phase).await;
    };
    let reg = st.app.current_regulation()?;
    let status = outcome.status;
    let this_year = domain::fmt::date_in_amsterdam(st.app.now()).year();
    let base = format!("/regio/{slug}/aanvragen/{phase}");
    let funder = ws.funder.as_ref().map(|s| crate::assessment_view::StatusView::of(s, &base));
    let mut page = build(reg, ws, ctx, (outcome, this_year));
    page.funder = funder;
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "aanvraag/not_started.html")]
pub struct NotStartedPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub phase: String,
    pub phase_label: String,
    pub window: String,
    pub may_start: bool,
}

/// A phase the region has not started: what it is, its window, and the way to start it.
async fn not_started(st: &AppState, ctx: &Ctx, slug: &str, phase: &str) -> Page {
    let (region, phases) = apps::overview(&st.app, &ctx.actor, slug).await?;
    let p = phases.into_iter().find(|p| p.id == phase).ok_or(WebError::NotFound)?;
    let may_start = p.window.is_open() && ctx.actor.permits(domain::Action::EditApplication { region_id: &region.id });
    let page = NotStartedPage {
        l: Layout::new(format!("{}: {}", p.label, region.name), ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        phase: p.id,
        window: crate::applications::window_text(p.window),
        phase_label: p.label,
        may_start,
    };
    Ok(Html(page.render()?).into_response())
}

fn build(
    reg: &domain::regulation::Regulation,
    ws: Workspace,
    ctx: &Ctx,
    (outcome, this_year): (Outcome, i16),
) -> WorkspacePage {
    let a = &ws.application;
    let org_name = |id: &str| a.organisation(id).map_or(id.to_owned(), |o| o.name.clone());
    let label_of = |id: &str| reg.category(id).map_or(id.to_owned(), |c| c.label.clone());
    let t = &ws.totals;
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
        change: ws.change.as_ref().map(|c| (c.id.clone(), c.number, c.state.editable())),
        window: crate::applications::window_text(ws.window),
        judged: ws.judged_at.map(ms),
        passed: ws.report.passed,
        findings: ws.report.findings.iter().map(|f| finding_view(f, ws.judged_at.is_none())).collect(),
        eligible: euro_nl(t.eligible_costs.0),
        subsidy: euro_nl(t.subsidy_requested.0),
        cofinancing: euro_nl(t.cofinancing.0),
        share: percent_nl(t.cofinancing_share.0),
        maximum: maximum.map_or("onbekend".into(), euro_nl),
        room: maximum.map_or("onbekend".into(), |m| euro_nl(m - t.subsidy_requested.0)),
        vision: a.vision.clone().unwrap_or_default(),
        vision_html: crate::markdown::to_html(
            a.vision.as_deref().unwrap_or_default(),
            crate::markdown::HeadingLevel::H3,
        ),
        activities: a
            .activities
            .iter()
            .map(|act| ActivityView {
                id: act.id.clone(),
                form: format!("activiteit-{}", act.id),
                prefix: format!("e-{}", act.id),
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
                    .map(|g| domain::regulation::application::TargetGroup::label_of(g))
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
                funder: crate::budget_form::funder(l, org_name),
            })
            .collect(),
        per_year: ws
            .summary
            .per_year
            .iter()
            .map(|(y, s)| (y.to_string(), euro_nl(s.amount), euro_nl(s.eligible)))
            .collect(),
        budget_total: (euro_nl(ws.summary.total.amount), euro_nl(ws.summary.total.eligible)),
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
        agreement: crate::applications::agreement::AgreementView::of(&ws.agreement),
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
        groups: Choice::list(domain::regulation::application::TargetGroup::ALL.map(|g| (g.code(), g.label())), ""),
        results: result_choices(),
        indicators: domain::monitoring::definitions()
            .iter()
            .map(|d| Choice { value: d.id.clone(), label: d.name.clone(), selected: false })
            .collect(),
        activity_choices: Choice::activities(&a.activities),
        categories: Choice::categories(reg, |c| !c.forbidden),
        years: Choice::years(phase.map(|p| p.years.clone()).unwrap_or_default(), this_year),
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
        line_form: outcome.pending.line.with_errors(&outcome.errors),
        funder: None,
        typed: outcome.pending.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
        conflict: outcome.conflict,
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
