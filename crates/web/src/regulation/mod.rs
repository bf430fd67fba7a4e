//! Public pages generated from the regulation files: every rule with its source, every parameter
//! with its dated values. The checks read the same data, so page and verdict cannot disagree.

pub mod api;

use askama::Template;
use axum::extract::{Path, State};
use domain::fmt::{date_nl, datetime_nl, euro_nl, percent_nl};
use domain::regulation::{Citation, ParamValue, Parameter, Regulation, Severity};

use crate::AppState;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Page {
    let items = st
        .app
        .regulations
        .all
        .iter()
        .map(|r| RegulationItem { id: r.id.clone(), title: r.title.clone(), years: years(r) })
        .collect();
    html(RegulationIndex { l: Layout::new("Regelingen", &ctx, "regeling"), items })
}

fn years(r: &Regulation) -> String {
    match (r.years.first(), r.years.last()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::new(),
    }
}

/// A parameter value as people read it, by its unit.
fn show(p: &Parameter, v: &ParamValue) -> String {
    match v {
        ParamValue::List(items) => items.iter().map(|i| label_of(i)).collect::<Vec<_>>().join(", "),
        ParamValue::Decimal(d) => match p.unit.as_str() {
            "EUR" => euro_nl(d.0),
            "EUR/uur" => format!("{} per uur", euro_nl(d.0)),
            "fraction" => percent_nl(d.0),
            "weken" => format!("{} weken", domain::fmt::decimal_nl(d.0)),
            _ => domain::fmt::decimal_nl(d.0),
        },
    }
}

/// A code in a list parameter as a reader knows it: an organisation kind or a role by its Dutch name.
fn label_of(code: &str) -> String {
    domain::OrganisationKind::parse(code)
        .map(|k| k.label().to_owned())
        .or_else(|| domain::Role::parse(code).map(|r| r.label().to_lowercase()))
        .unwrap_or_else(|| code.to_owned())
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Page {
    let reg = &services::maximums::regulation(&st.app, &id).await?;
    let parameters = reg
        .parameters
        .iter()
        .map(|p| ParameterView {
            label: p.label.clone(),
            values: p
                .values
                .iter()
                .map(|v| ParamValueView {
                    valid_from: date_nl(v.valid_from),
                    value: show(p, &v.value),
                    source: reg.cite(&v.source),
                    verified: v.verified,
                    note: v.note.clone(),
                })
                .collect(),
        })
        .collect();
    let phases = reg
        .phases
        .iter()
        .map(|p| PhaseView {
            label: p.label.clone(),
            window: match p.opens {
                Some(o) => format!("van {} tot en met {}", datetime_nl(o), datetime_nl(p.closes)),
                None => format!("uiterlijk {}", datetime_nl(p.closes)),
            },
            years: p.years.iter().map(i16::to_string).collect::<Vec<_>>().join(", "),
            source: reg.cite(&p.source),
            verified: p.verified,
            note: p.note.clone(),
        })
        .collect();
    let rules = reg
        .rules
        .iter()
        .map(|r| RuleView {
            id: r.id.clone(),
            title: r.title.clone(),
            blocking: r.severity == Severity::Blocking,
            source: reg.cite(&r.source),
            not_in: r
                .not_in_phases
                .iter()
                .map(|id| reg.phase(id).map_or(id.clone(), |p| p.label.clone()))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    html(RegulationPage {
        l: Layout::new(reg.title.clone(), &ctx, "regeling"),
        title: reg.title.clone(),
        citation: reg.citation.clone(),
        url: reg.url.clone(),
        in_force: date_nl(reg.in_force),
        years: years(reg),
        parameters,
        phases,
        themes: reg.themes.iter().map(|t| (t.label.clone(), reg.cite(&t.source))).collect(),
        categories: reg
            .categories
            .iter()
            .map(|c| {
                let rule = if c.forbidden {
                    "niet toegestaan".to_owned()
                } else if !c.eligible {
                    "niet subsidiabel".to_owned()
                } else if let Some(cap) = &c.rate_cap {
                    let name = reg.parameters.iter().find(|p| &p.id == cap).map_or(cap.as_str(), |p| p.label.as_str());
                    format!("subsidiabel tot het maximum: {}", name.to_lowercase())
                } else {
                    "subsidiabel".to_owned()
                };
                (c.label.clone(), rule, reg.cite(&c.source), c.verified)
            })
            .collect(),
        rules,
        has_maximums: !reg.phases.is_empty(),
        maximums: reg
            .region_maximums
            .iter()
            .map(|m| MaximumView {
                region: m.region.clone(),
                amount: euro_nl(m.maximum_eur.0),
                source: reg.cite(&m.source),
                verified: m.verified,
            })
            .collect(),
        criteria: reg
            .criteria
            .iter()
            .map(|c| CriterionView {
                title: c.title.clone(),
                description: c.description.clone(),
                scale: format!("{} tot en met {}", c.min, c.max),
                source: reg.cite(&c.source),
                verified: c.verified,
            })
            .collect(),
    })
}

pub struct MaximumView {
    pub region: String,
    pub amount: String,
    pub source: Citation,
    pub verified: bool,
}

pub struct RegulationItem {
    pub id: String,
    pub title: String,
    pub years: String,
}

#[derive(Template)]
#[template(path = "regulation_index.html")]
pub struct RegulationIndex {
    pub l: Layout,
    pub items: Vec<RegulationItem>,
}

pub struct ParamValueView {
    pub valid_from: String,
    pub value: String,
    pub source: Citation,
    pub verified: bool,
    pub note: Option<String>,
}

pub struct ParameterView {
    pub label: String,
    pub values: Vec<ParamValueView>,
}

pub struct PhaseView {
    pub label: String,
    pub window: String,
    pub years: String,
    pub source: Citation,
    pub verified: bool,
    pub note: Option<String>,
}

pub struct RuleView {
    pub id: String,
    pub title: String,
    pub blocking: bool,
    pub source: Citation,
    pub not_in: String,
}

#[derive(Template)]
#[template(path = "regulation.html")]
pub struct RegulationPage {
    pub l: Layout,
    pub title: String,
    pub citation: String,
    pub url: String,
    pub in_force: String,
    pub years: String,
    pub parameters: Vec<ParameterView>,
    pub phases: Vec<PhaseView>,
    /// (label, source)
    pub themes: Vec<(String, Citation)>,
    /// (label, rule, source, verified)
    pub categories: Vec<(String, String, Citation, bool)>,
    pub rules: Vec<RuleView>,
    /// (region, maximum, example)
    /// Whether the regulation has a table of region maximums (one with submission windows).
    pub has_maximums: bool,
    pub maximums: Vec<MaximumView>,
    /// What the funder's assessors score an application on.
    pub criteria: Vec<CriterionView>,
}

pub struct CriterionView {
    pub title: String,
    pub description: String,
    pub scale: String,
    pub source: Citation,
    pub verified: bool,
}
