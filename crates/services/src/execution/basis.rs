//! What a region's execution is compared with: per year, the version of the application the
//! funder decided on (as changed since), else the latest submitted one, else the current draft.

use std::collections::BTreeMap;

use domain::Region;
use domain::regulation::application::Application;
use rust_decimal::Decimal;
use store::{AnyConnection, applications as drafts, regions};

use crate::{App, Result, corrupt};

/// What the realisation is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Submitted versions, per phase used: the decided one where the funder decided, else the latest.
    Submitted(Vec<Used>),
    /// Nothing submitted yet: the current draft of this phase.
    Draft(String),
}

/// A phase's version the ledger uses, and the decision that fixed it (its reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Used {
    pub phase: String,
    pub version: i64,
    pub decision: Option<String>,
    /// The change request (its number) that moved the plan on from the decided version.
    pub change: Option<i64>,
}

/// What the region is held to, per phase: the version the funder decided on (with the decided
/// amounts) once there is a decision, else the latest submitted version; a rejected phase counts
/// nothing. Without any submission, the current draft.
struct PhaseBasis<'a> {
    phase: &'a domain::regulation::Phase,
    application: Application,
    used: Used,
    amounts: BTreeMap<i16, Decimal>,
}

async fn phase_bases<'a>(app: &'a App, conn: &mut AnyConnection, region: &Region) -> Result<Vec<PhaseBasis<'a>>> {
    let mut decided = store::assessments::current_decisions(conn, &region.id).await?;
    let mut out = Vec::new();
    for phase in &app.current_regulation()?.phases {
        let Some(draft) = drafts::get(conn, &region.id, &phase.id).await? else { continue };
        let decision = match decided.iter().position(|(application, _)| *application == draft.id) {
            Some(i) => Some(crate::assessments::decisions::view(decided.swap_remove(i).1)?),
            None => None,
        };
        if decision.as_ref().is_some_and(|d| !d.input.outcome.grants()) {
            continue;
        }
        let versions = drafts::versions(conn, &draft.id, true).await?;
        let version = match &decision {
            Some(d) => versions.into_iter().find(|v| v.number == d.version),
            None => versions.into_iter().next_back(),
        };
        let Some(v) = version else { continue };
        let application = Application::from_json(&v.content).map_err(corrupt)?;
        let (application, change) = match &decision {
            Some(d) => crate::change_requests::in_force(conn, &draft.id, d, application).await?,
            None => (application, None),
        };
        out.push(PhaseBasis {
            phase,
            application,
            used: Used {
                phase: phase.label.clone(),
                version: v.number,
                decision: decision.as_ref().map(|d| d.input.reference.clone()),
                change,
            },
            amounts: decision.map(|d| d.input.amounts.iter().map(|(y, a)| (*y, a.0)).collect()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The approved application: for every year of the regulation, the lines of the basis of the
/// last phase (in the regulation's order) that covers that year; its activities and
/// organisations from those versions; the decided amount of each year a decision covers.
pub(crate) struct Approved {
    pub application: Application,
    pub basis: Basis,
    /// The decided subsidy per year.
    pub decided: BTreeMap<i16, Decimal>,
    /// Which phase's basis holds each year (phase id).
    pub sources: BTreeMap<i16, String>,
}

pub(crate) async fn approved(app: &App, conn: &mut AnyConnection, region: &Region) -> Result<Approved> {
    let reg = app.current_regulation()?;
    let latest = phase_bases(app, conn, region).await?;
    let Some(last) = latest.last() else {
        let phase = crate::phases::current_phase(app)?;
        let application = match drafts::get(conn, &region.id, &phase.id).await? {
            Some(d) => Application::from_json(&d.content).map_err(corrupt)?,
            None => {
                let members = regions::members(conn, &region.id).await?;
                crate::applications::from_registry(region, &members, &phase.id, app.now())
            }
        };
        let basis = Basis::Draft(phase.label.clone());
        return Ok(Approved { application, basis, decided: BTreeMap::new(), sources: BTreeMap::new() });
    };
    let mut composite = last.application.clone();
    composite.budget.clear();
    let mut used: Vec<Used> = Vec::new();
    let mut decided = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for year in &reg.years {
        let Some(source) = latest.iter().rev().find(|b| b.phase.years.contains(year)) else { continue };
        sources.insert(*year, source.phase.id.clone());
        composite.budget.extend(source.application.budget.iter().filter(|l| l.year == *year).cloned());
        for a in &source.application.activities {
            if !composite.activities.iter().any(|x| x.id == a.id) {
                composite.activities.push(a.clone());
            }
        }
        for o in &source.application.organisations {
            if composite.organisation(&o.id).is_none() {
                composite.organisations.push(o.clone());
            }
        }
        if let Some(amount) = source.amounts.get(year) {
            decided.insert(*year, *amount);
        }
        if !used.contains(&source.used) {
            used.push(source.used.clone());
        }
    }
    Ok(Approved { application: composite, basis: Basis::Submitted(used), decided, sources })
}
