//! One application under review: the submitted version's checks and requested amounts, the two
//! assessors' scores, the advice and the decision form; each post answers on this page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::assessment::AssessmentState;
use domain::assessment::decision::{DecisionInput, Outcome as DecisionOutcome};
use domain::assessment::scoring::Score;
use domain::fmt::{date_nl, decimal_nl, euro_nl};
use domain::regulation::application::Amount;
use services::ServiceError;
use services::assessments::{self as funder, decisions, scoring};

use crate::AppState;
use crate::assessment_view::{StatusView, posted_step, typed_step};
use crate::form::{Pairs, Typed, error_pairs};
use crate::guard::{Assesses, StepsAssessment};
use crate::layout::{Choice, Layout, finding_mark, ms};
use crate::page::Page;
use crate::session::Ctx;

pub struct CheckRow {
    pub title: String,
    pub mark: &'static str,
    pub class: &'static str,
    pub message: String,
}

pub struct CriterionRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub scale: String,
    pub source: String,
    pub verified: bool,
    /// The score choices, the actor's own (or typed) one selected.
    pub options: Vec<Choice>,
    pub motivation: String,
    /// The average of the scores handed in, once both are in.
    pub average: Option<String>,
}

pub struct CardView {
    pub assessor: String,
    pub conflict: bool,
    pub submitted: Option<String>,
    /// (criterion title, score, motivation).
    pub scores: Vec<(String, i64, String)>,
}

#[derive(Template)]
#[template(path = "beoordeling/review.html")]
pub struct ReviewPage {
    pub l: Layout,
    pub slug: String,
    pub phase: String,
    pub region: String,
    pub phase_label: String,
    pub base: String,
    pub s: StatusView,
    pub version: i64,
    pub submitted: String,
    pub submitted_by: String,
    pub sha256: String,
    pub checks: Vec<CheckRow>,
    pub passed: bool,
    pub requested: Vec<(i16, String)>,
    pub requested_total: String,
    pub criteria: Vec<CriterionRow>,
    pub cards: Vec<CardView>,
    pub hidden: usize,
    pub declare_refused: Option<&'static str>,
    pub score_refused: Option<&'static str>,
    /// Why the actor does not score, while scoring is still going on.
    pub score_note: Option<&'static str>,
    pub all_in: bool,
    pub may_advise: bool,
    pub advice: Option<(String, String)>,
    pub may_decide: bool,
    pub outcomes: Vec<Choice>,
    pub reference: String,
    pub today: String,
    /// The decision form's amount per year: (year, field name, value).
    pub amounts: Vec<(i16, String, String)>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

/// What a page shows besides the review: a notice, or a refused form as typed with its errors.
#[derive(Default)]
struct Kept {
    notice: Option<String>,
    typed: Typed,
    errors: Vec<(String, String)>,
}

async fn render(st: &AppState, ctx: &Ctx, (slug, phase): (&str, &str), kept: Kept, status: StatusCode) -> Page {
    let r = scoring::review(&st.app, &ctx.actor, slug, phase).await?;
    let Kept { notice, typed, errors } = kept;
    let base = format!("/beoordeling/{slug}/{phase}");
    let mine = r.mine.as_ref();
    let criteria = r
        .criteria
        .iter()
        .map(|c| {
            let own = mine.and_then(|m| m.scores.iter().find(|s| s.criterion == c.id));
            let picked = typed.value(
                "scores",
                &format!("score_{}", c.id),
                &own.map(|s| s.score.to_string()).unwrap_or_default(),
            );
            CriterionRow {
                options: std::iter::once(Choice {
                    value: String::new(),
                    label: "Kies".into(),
                    selected: picked.is_empty(),
                })
                .chain((c.min..=c.max).map(|n| Choice {
                    value: n.to_string(),
                    label: n.to_string(),
                    selected: picked == n.to_string(),
                }))
                .collect(),
                motivation: typed.value(
                    "scores",
                    &format!("motivation_{}", c.id),
                    own.map_or("", |s| s.motivation.as_str()),
                ),
                average: r
                    .averages
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .and_then(|(_, a)| *a)
                    .map(|a| decimal_nl(rust_decimal::Decimal::from_f64_retain(a).unwrap_or_default().round_dp(1))),
                id: c.id.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                scale: format!("{} tot en met {}", c.min, c.max),
                source: st.app.current_regulation().map(|reg| reg.cite(&c.source).text).unwrap_or_default(),
                verified: c.verified,
            }
        })
        .collect();
    let title_of = |id: &str| r.criteria.iter().find(|c| c.id == id).map_or(id.to_owned(), |c| c.title.clone());
    let cards = r
        .cards
        .iter()
        .map(|c| CardView {
            assessor: c.assessor_name.clone(),
            conflict: c.conflict,
            submitted: c.submitted_at.map(ms),
            scores: c.scores.iter().map(|s| (title_of(&s.criterion), s.score, s.motivation.clone())).collect(),
        })
        .collect();
    let state = r.status.state;
    let requested_total: rust_decimal::Decimal = r.requested.values().copied().sum();
    let page = ReviewPage {
        l: Layout::new(format!("Beoordeling {}: {}", r.status.phase.label, r.status.region.name), ctx, "beheer"),
        slug: slug.to_owned(),
        phase: phase.to_owned(),
        region: r.status.region.name.clone(),
        phase_label: r.status.phase.label.clone(),
        s: StatusView::of(&r.status, &base),
        base,
        version: r.version.number,
        submitted: ms(r.version.submitted_at),
        submitted_by: r.version.submitted_by_name.clone(),
        sha256: r.version.sha256.clone(),
        passed: r.report.passed,
        checks: r
            .report
            .findings
            .iter()
            .map(|f| {
                let (mark, class) = finding_mark(f);
                CheckRow { title: f.title.clone(), mark, class, message: f.message.clone() }
            })
            .collect(),
        requested: r.requested.iter().map(|(y, a)| (*y, euro_nl(*a))).collect(),
        requested_total: euro_nl(requested_total),
        criteria,
        cards,
        hidden: r.hidden,
        declare_refused: r.declare_refused,
        score_refused: r.score_refused,
        score_note: r
            .score_refused
            .filter(|_| matches!(state, AssessmentState::Ingediend | AssessmentState::InBehandeling)),
        all_in: r.all_in,
        may_advise: r.may_assess && state == AssessmentState::InBehandeling && r.all_in,
        advice: r.advice.as_ref().map(|a| (a.text.clone(), a.by.clone().unwrap_or_default())),
        may_decide: r.may_assess && state == AssessmentState::Beoordeeld,
        outcomes: DecisionOutcome::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.code().into(),
                label: o.label().into(),
                selected: typed.value("besluit", "outcome", "toegekend") == o.code(),
            })
            .collect(),
        reference: typed.value(
            "besluit",
            "reference",
            &decisions::suggested_reference(slug, phase, r.status.today.year()),
        ),
        today: typed.value("besluit", "decided_on", &r.status.today.to_string()),
        amounts: r
            .requested
            .iter()
            .map(|(y, a)| {
                let name = format!("amount_{y}");
                let value = typed.value("besluit", &name, &decimal_nl(*a));
                (*y, name, value)
            })
            .collect(),
        notice,
        errors,
        typed,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn review(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    render(&st, &ctx, (&slug, &phase), Kept { notice: flash.notice, ..Kept::default() }, StatusCode::OK).await
}

/// After a post: back to the page with a notice, or the page again with the form as typed.
async fn after(
    st: &AppState,
    ctx: &Ctx,
    (slug, phase): (&str, &str),
    result: services::Result<String>,
    typed: Typed,
) -> Page {
    let (status, errors) = match result {
        Ok(notice) => return crate::flash::redirect(st, &format!("/beoordeling/{slug}/{phase}"), &notice).await,
        Err(ServiceError::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, error_pairs(&e)),
        Err(ServiceError::NotAllowed(m)) => (StatusCode::CONFLICT, vec![("state".into(), m)]),
        Err(ServiceError::Conflict) => (
            StatusCode::CONFLICT,
            vec![(
                "state".into(),
                "Iemand anders heeft de beoordeling intussen gewijzigd; bekijk de nieuwe stand en probeer het opnieuw."
                    .into(),
            )],
        ),
        Err(e) => return Err(e.into()),
    };
    let kept = Kept { notice: None, typed: typed.with_errors(&errors), errors };
    render(st, ctx, (slug, phase), kept, status).await
}

pub async fn step(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: StepsAssessment,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let result = match posted_step(&f) {
        Ok((to, input)) => funder::step(&st.app, &ctx.actor, (&slug, &phase), to, input, None)
            .await
            .map(|to| format!("De aanvraag is nu: {}.", to.label().to_lowercase())),
        Err(e) => Err(e),
    };
    after(&st, &ctx, (&slug, &phase), result, typed_step(&f)).await
}

pub async fn declare(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let conflict = f.get("conflict") == "ja";
    let result = scoring::declare(&st.app, &ctx.actor, (&slug, &phase), conflict).await.map(|()| {
        if conflict {
            "U hebt een belangenconflict gemeld; een andere beoordelaar scoort."
        } else {
            "Verklaring vastgelegd: u kunt scoren."
        }
        .to_owned()
    });
    after(&st, &ctx, (&slug, &phase), result, Typed::default()).await
}

pub async fn scores(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let criteria = st.app.current_regulation()?.criteria.clone();
    let mut errors = domain::FieldErrors::default();
    let scores: Vec<Score> = criteria
        .iter()
        .filter_map(|c| {
            let raw = f.get(&format!("score_{}", c.id));
            if raw.is_empty() {
                return None;
            }
            match raw.parse() {
                Ok(score) => {
                    Some(Score { criterion: c.id.clone(), score, motivation: f.get(&format!("motivation_{}", c.id)) })
                }
                Err(_) => {
                    errors.add(&format!("scores.{}", c.id), format!("\"{raw}\" is geen score voor \"{}\".", c.title));
                    None
                }
            }
        })
        .collect();
    let submit = f.get("submit") == "ja";
    let result = if errors.is_empty() {
        scoring::save_scores(&st.app, &ctx.actor, (&slug, &phase), scores, submit).await.map(|()| {
            if submit { "Uw scores zijn ingeleverd." } else { "Uw scores zijn opgeslagen; lever ze in als ze af zijn." }
                .to_owned()
        })
    } else {
        Err(ServiceError::Invalid(errors))
    };
    after(&st, &ctx, (&slug, &phase), result, Typed::new("scores", "s", &f)).await
}

pub async fn advise(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let result = scoring::advise(&st.app, &ctx.actor, (&slug, &phase), &f.get("advice"))
        .await
        .map(|()| "Het advies is vastgelegd; de aanvraag is beoordeeld.".to_owned());
    after(&st, &ctx, (&slug, &phase), result, Typed::new("advies", "a", &f)).await
}

/// The decision form as a decision: unreadable amounts and dates are refused at their field.
fn decision_input(f: &Pairs, years: &[i16]) -> Result<DecisionInput, ServiceError> {
    let mut e = domain::FieldErrors::default();
    let decided_on = domain::fmt::parse_date_nl(&f.get("decided_on"));
    if decided_on.is_none() {
        e.add("decided_on", "Vul de besluitdatum in als dd-mm-jjjj.");
    }
    let mut amounts = std::collections::BTreeMap::new();
    for y in years {
        let raw = f.get(&format!("amount_{y}"));
        match domain::fmt::parse_decimal_nl(&raw) {
            Some(a) => {
                amounts.insert(*y, Amount(a));
            }
            None => {
                e.add(&format!("amounts.{y}"), format!("Vul het bedrag voor {y} in als getal, bijvoorbeeld 1.234,56."))
            }
        }
    }
    let outcome = DecisionOutcome::parse(&f.get("outcome"));
    if outcome.is_none() {
        e.add("outcome", "Kies de uitkomst van het besluit.");
    }
    match (decided_on, outcome) {
        (Some(decided_on), Some(outcome)) if e.is_empty() => Ok(DecisionInput {
            reference: f.get("reference"),
            decided_on,
            outcome,
            amounts,
            conditions: f.get("conditions"),
        }),
        _ => Err(ServiceError::Invalid(e)),
    }
}

pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let years = st.app.current_regulation()?.phase(&phase).map(|p| p.years.clone()).unwrap_or_default();
    let result = match decision_input(&f, &years) {
        Ok(input) => decisions::decide(&st.app, &ctx.actor, (&slug, &phase), input).await.map(|d| {
            format!(
                "Besluit {} vastgelegd ({}, {}); de regio heeft de brief ontvangen. Bezwaar kan tot en met {}.",
                d.input.reference,
                d.input.outcome.label().to_lowercase(),
                euro_nl(d.total()),
                date_nl(d.objection_until)
            )
        }),
        Err(e) => Err(e),
    };
    after(&st, &ctx, (&slug, &phase), result, Typed::new("besluit", "d", &f)).await
}

pub async fn letter(State(st): State<AppState>, ctx: Ctx, Path((slug, phase)): Path<(String, String)>) -> Page {
    let (name, pdf) = decisions::letter(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(crate::download::file("application/pdf", &name, pdf))
}
