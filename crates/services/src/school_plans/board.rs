//! The region's board of school plans: the plans the actor may see, with the region's maximum
//! and what the application asks, and the lighter list the to-do page needs.

use domain::school_plan::PlanState;
use domain::{Action, Actor, Region};
use rust_decimal::Decimal;
use store::school_plans as repo;
use store::{AnyConnection, StoreError, applications as drafts, regions};

use super::{live_region, may_view, parse};
use crate::{App, Result, ServiceError};

/// One card on the board.
#[derive(Debug, Clone)]
pub struct PlanSummary {
    pub id: String,
    pub title: String,
    pub school: String,
    pub school_id: String,
    pub theme: String,
    pub state: PlanState,
    pub author: String,
    pub requested: Decimal,
    pub cofinancing: Decimal,
    pub updated_at: i64,
    /// Whether the actor may open the plan; another school's approved plan shows only its
    /// title, school and theme (its amounts are zero here).
    pub readable: bool,
}

#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub school: String,
    pub theme: String,
    pub state: String,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub region: Region,
    pub plans: Vec<PlanSummary>,
    /// Every school of the region (for the filter and a new plan).
    pub schools: Vec<(String, String)>,
    /// The region's maximum subsidy, and the subsidy the current draft asks for already.
    pub maximum: Option<Decimal>,
    pub in_application: Decimal,
    pub phase_label: String,
    pub sees_all: bool,
    pub can_create: bool,
}

impl Board {
    /// What the region can still ask for under its maximum.
    pub fn room(&self) -> Option<Decimal> {
        self.maximum.map(|m| m - self.in_application)
    }

    /// The subsidy asked for by plans not yet decided (submitted or under review).
    pub fn requested_open(&self) -> Decimal {
        self.plans
            .iter()
            .filter(|p| matches!(p.state, PlanState::Ingediend | PlanState::InBehandeling))
            .map(|p| p.requested)
            .sum()
    }
}

pub async fn board(app: &App, actor: &Actor, slug: &str, filter: &BoardFilter) -> Result<Board> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    let (sees_all, can_create) = board_access(actor, &region.id)?;
    let plans = summaries(&mut conn, actor, &region.id, filter).await?;
    let members = regions::members(&mut conn, &region.id).await?;
    let phase = crate::phases::current_phase(app)?;
    let application = match drafts::get(&mut conn, &region.id, &phase.id).await? {
        Some(d) => domain::regulation::application::Application::from_json(&d.content)
            .map_err(|e| ServiceError::Store(StoreError::Corrupt(e.to_string())))?,
        None => crate::applications::from_registry(&region, &members, &phase.id, app.now()),
    };
    // The regulation's own totals: the same maximum and subsidy the workspace shows.
    let reg = crate::maximums::in_force(&mut conn, app.current_regulation()?).await?;
    let totals = domain::regulation::check::check(&reg, &application)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(e.to_string())))?
        .totals;
    // The schools the actor may write plans for (a school contact: the own school).
    let schools = members
        .into_iter()
        .filter(|o| o.kind.is_school())
        .filter(|o| {
            let organisation_id = Some(o.id.as_str());
            actor.permits(Action::WriteSchoolPlan { region_id: &region.id, author_id: None, organisation_id })
                || sees_all
        })
        .map(|o| (o.id, o.name))
        .collect();
    let (maximum, in_application) = (totals.region_maximum.map(|m| m.0), totals.subsidy_requested.0);
    Ok(Board {
        region,
        plans,
        schools,
        maximum,
        in_application,
        phase_label: phase.label.clone(),
        sees_all,
        can_create,
    })
}

/// What the actor may do on a region's board: (sees every plan, may start one); neither is refused.
fn board_access(actor: &Actor, region_id: &str) -> Result<(bool, bool)> {
    let sees_all = actor.permits(Action::ViewAllSchoolPlans { region_id });
    let can_create = actor.permits(Action::WriteSchoolPlan { region_id, author_id: None, organisation_id: None });
    if !sees_all && !can_create {
        return Err(domain::Denied::Forbidden.into());
    }
    Ok((sees_all, can_create))
}

/// The plans on a region's board as the actor may see them, without the board's totals (the
/// to-do list needs only their states).
pub async fn plans(app: &App, actor: &Actor, slug: &str) -> Result<Vec<PlanSummary>> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    board_access(actor, &region.id)?;
    summaries(&mut conn, actor, &region.id, &BoardFilter::default()).await
}

async fn summaries(
    conn: &mut AnyConnection,
    actor: &Actor,
    region_id: &str,
    filter: &BoardFilter,
) -> Result<Vec<PlanSummary>> {
    let mut plans = Vec::new();
    for row in repo::for_region(conn, region_id).await? {
        let (plan, state) = parse(&row)?;
        let readable = may_view(actor, &row);
        // Of other schools, a school sees only what the region approved.
        if !readable && state != PlanState::Goedgekeurd {
            continue;
        }
        // The region sees a plan once the school's management sent it on.
        if !super::of_own_school(actor, &row) && matches!(state, PlanState::Concept | PlanState::BijSchoolleiding) {
            continue;
        }
        let keep = (filter.school.is_empty() || filter.school == row.organisation_id)
            && (filter.theme.is_empty() || filter.theme == plan.theme)
            && (filter.state.is_empty() || filter.state == state.code());
        if keep {
            let money = |d: Decimal| if readable { d } else { Decimal::ZERO };
            plans.push(PlanSummary {
                id: row.id.clone(),
                requested: money(plan.requested()),
                cofinancing: money(plan.cofinancing()),
                title: plan.title,
                school: row.organisation_name,
                school_id: row.organisation_id,
                theme: plan.theme,
                state,
                author: if readable { row.author_name } else { String::new() },
                updated_at: row.updated_at,
                readable,
            });
        }
    }
    Ok(plans)
}
