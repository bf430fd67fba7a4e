//! Scoring against the regulation's criteria, four eyes: two assessors score on their own (a
//! score and a motivation per criterion), each after declaring no conflict of interest with the
//! region; neither sees the other's scores until both are in; then the advice.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::regulation::Criterion;

/// How many assessors score an application independently before the advice.
pub const SCORERS: usize = 2;

/// The longest motivation or advice text.
const MAX_TEXT: usize = 10_000;

/// One criterion's score and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub criterion: String,
    pub score: i64,
    pub motivation: String,
}

/// One assessor's work on one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    pub assessor_id: String,
    pub assessor_name: String,
    /// The assessor declared a conflict of interest: they do not score this region.
    pub conflict: bool,
    pub scores: Vec<Score>,
    /// When the scores were handed in (milliseconds); until then the assessor may change them.
    pub submitted_at: Option<i64>,
}

impl Scorecard {
    pub fn is_in(&self) -> bool {
        !self.conflict && self.submitted_at.is_some()
    }
}

/// The scores as Dutch field errors (`scores.{criterion}`, `motivation.{criterion}`): no unknown
/// criterion, each score within its scale; `complete` (handing in) also asks every criterion
/// scored, each with a motivation.
pub fn validate(criteria: &[Criterion], scores: &[Score], complete: bool) -> FieldErrors {
    let mut e = FieldErrors::default();
    for (i, s) in scores.iter().enumerate() {
        if !criteria.iter().any(|c| c.id == s.criterion) {
            e.add(&format!("scores.{}", s.criterion), format!("Onbekend criterium \"{}\".", s.criterion));
        } else if scores.iter().take(i).any(|earlier| earlier.criterion == s.criterion) {
            e.add(
                &format!("scores.{}", s.criterion),
                format!("Het criterium \"{}\" staat er twee keer in.", s.criterion),
            );
        }
    }
    for c in criteria {
        let Some(s) = scores.iter().find(|s| s.criterion == c.id) else {
            if complete {
                e.add(&format!("scores.{}", c.id), format!("Geef een score voor \"{}\".", c.title));
            }
            continue;
        };
        if !(c.min..=c.max).contains(&s.score) {
            e.add(
                &format!("scores.{}", c.id),
                format!("De score voor \"{}\" ligt tussen {} en {}; u gaf {}.", c.title, c.min, c.max, s.score),
            );
        }
        if s.motivation.trim().is_empty() && complete {
            e.add(&format!("motivation.{}", c.id), format!("Motiveer de score voor \"{}\".", c.title));
        } else if s.motivation.chars().count() > MAX_TEXT {
            e.add(&format!("motivation.{}", c.id), format!("De motivering is langer dan {MAX_TEXT} tekens."));
        }
    }
    e
}

/// Whether `viewer` may see `card`: their own always; another's only once the scores of
/// [`SCORERS`] assessors are in, so no one scores after reading a colleague's.
pub fn visible(cards: &[Scorecard], card: &Scorecard, viewer: Option<&str>) -> bool {
    viewer == Some(card.assessor_id.as_str()) || all_in(cards)
}

/// Whether enough independent scores are in for the advice.
pub fn all_in(cards: &[Scorecard]) -> bool {
    cards.iter().filter(|c| c.is_in()).count() >= SCORERS
}

/// Why `assessor` may not score (yet), or `None` when they may: no declaration, a declared
/// conflict, or two others already scoring.
pub fn may_score(cards: &[Scorecard], assessor: &str) -> Result<(), &'static str> {
    match cards.iter().find(|c| c.assessor_id == assessor) {
        None => Err("Verklaar eerst dat u geen belang hebt bij deze regio."),
        Some(c) if c.conflict => Err("U hebt een belangenconflict gemeld: u beoordeelt deze regio niet."),
        Some(c) if c.submitted_at.is_some() => Err("U hebt uw scores al ingeleverd."),
        Some(_) => Ok(()),
    }
}

/// Whether `assessor` may still declare (and so join as a scorer): not twice, and not when two
/// others without a conflict already score.
pub fn may_declare(cards: &[Scorecard], assessor: &str) -> Result<(), &'static str> {
    if cards.iter().any(|c| c.assessor_id == assessor) {
        return Err("U hebt voor deze aanvraag al een verklaring gegeven.");
    }
    if cards.iter().filter(|c| !c.conflict).count() >= SCORERS {
        return Err("Twee beoordelaars scoren deze aanvraag al.");
    }
    Ok(())
}

/// Each criterion's scores side by side, and their average, once all are in.
pub fn averages(criteria: &[Criterion], cards: &[Scorecard]) -> Vec<(String, Option<f64>)> {
    criteria
        .iter()
        .map(|c| {
            let scores: Vec<i64> = cards
                .iter()
                .filter(|card| card.is_in())
                .filter_map(|card| card.scores.iter().find(|s| s.criterion == c.id).map(|s| s.score))
                .collect();
            let avg = (!scores.is_empty()).then(|| scores.iter().sum::<i64>() as f64 / scores.len() as f64);
            (c.id.clone(), avg)
        })
        .collect()
}

/// The advice text's problems.
pub fn validate_advice(text: &str) -> FieldErrors {
    let mut e = FieldErrors::default();
    if text.trim().is_empty() {
        e.add("advice", "Schrijf het advies: wat adviseert u en waarom.");
    } else if text.chars().count() > MAX_TEXT {
        e.add("advice", format!("Het advies is langer dan {MAX_TEXT} tekens."));
    }
    e
}
