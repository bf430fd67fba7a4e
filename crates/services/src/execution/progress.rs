//! The plan's progress: milestones reached, change notices, and the explanations of the
//! differences between plan and realisation.

use std::collections::BTreeMap;

use domain::execution::{ChangeNotice, MilestoneState};
use domain::regulation::application::Application;
use domain::{Action, Actor, Region};
use jiff::civil::Date;
use serde_json::json;
use store::execution::{self as repo, Progress};
use store::{AnyConnection, audit};

use super::{Ledger, approved, ledger, today};
use crate::{App, Result, ServiceError, corrupt, invalid, live_region};

/// A milestone of the approved plan with its progress.
#[derive(Debug, Clone)]
pub struct MilestoneView {
    pub activity: String,
    pub activity_title: String,
    pub lead: Option<String>,
    pub title: String,
    pub due: Date,
    pub achieved_on: Option<Date>,
    pub evidence: String,
    pub state: MilestoneState,
}

pub async fn milestones(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Vec<MilestoneView>)> {
    let ledger = ledger(app, actor, slug).await?;
    let list = milestone_views(app, &mut *app.db.conn().await?, &ledger.region, &ledger.approved).await?;
    Ok((ledger, list))
}

/// How many milestones of the approved plan are past their date and not reached, for whoever
/// sees all the region's records (the to-do list), without reading the records themselves.
pub async fn overdue_milestones(app: &App, actor: &Actor, slug: &str) -> Result<usize> {
    let (region, approved) = {
        let mut conn = app.db.conn().await?;
        let region = live_region(&mut conn, slug).await?;
        actor.require(Action::ViewAllRecords { region_id: &region.id })?;
        let approved = approved(app, &mut conn, &region).await?.application;
        (region, approved)
    };
    let list = milestone_views(app, &mut *app.db.conn().await?, &region, &approved).await?;
    Ok(list.iter().filter(|m| m.state == MilestoneState::Overdue).count())
}

pub(crate) async fn milestone_views(
    app: &App,
    conn: &mut AnyConnection,
    region: &Region,
    approved: &Application,
) -> Result<Vec<MilestoneView>> {
    let progress = repo::progress(conn, &region.id).await?;
    let today = today(app)?;
    let mut out = Vec::new();
    for a in &approved.activities {
        for m in &a.milestones {
            let p = progress.iter().find(|p| p.activity == a.id && p.title == m.title);
            let achieved_on = p.and_then(|p| p.achieved_on.as_deref()).and_then(|d| d.parse().ok());
            out.push(MilestoneView {
                activity: a.id.clone(),
                activity_title: a.title.clone(),
                lead: a.lead.clone(),
                title: m.title.clone(),
                due: m.due,
                achieved_on,
                evidence: p.map(|p| p.evidence.clone()).unwrap_or_default(),
                state: MilestoneState::of(m.due, achieved_on, today),
            });
        }
    }
    out.sort_by(|a, b| a.due.cmp(&b.due).then(a.title.cmp(&b.title)));
    Ok(out)
}

/// Marks a milestone achieved (or not, with `achieved_on` `None`). The activity's lead
/// organisation may do so, and the region's manager and lead applicant.
pub async fn set_milestone(
    app: &App,
    actor: &Actor,
    slug: &str,
    (activity, title): (&str, &str),
    achieved_on: Option<Date>,
    evidence: &str,
) -> Result<()> {
    let (ledger, list) = milestones(app, actor, slug).await?;
    let m = list.iter().find(|m| m.activity == activity && m.title == title).ok_or(ServiceError::NotFound)?;
    let region_id = ledger.region.id.as_str();
    let allowed = actor.permits(Action::EditApplication { region_id })
        || m.lead.as_deref().is_some_and(|org| actor.permits(Action::RecordWork { region_id, organisation_id: org }));
    if !allowed {
        return Err(domain::Denied::Forbidden.into());
    }
    let today = today(app)?;
    if achieved_on.is_some_and(|d| d > today) {
        return Err(invalid("achieved_on", "Een mijlpaal kan niet in de toekomst behaald zijn."));
    }
    let mut tx = app.db.begin().await?;
    let p = Progress {
        activity: activity.to_owned(),
        title: title.to_owned(),
        achieved_on: achieved_on.map(|d| d.to_string()),
        evidence: evidence.trim().to_owned(),
    };
    repo::set_progress(&mut tx, region_id, &p, actor.user_id.as_deref()).await?;
    let detail = json!({ "activity": activity, "milestone": title, "achieved_on": p.achieved_on });
    audit::append(&mut tx, actor.user_id.as_deref(), "execution.milestone", "region", region_id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A recorded change notice and why it is substantial.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub id: String,
    pub notice: ChangeNotice,
    pub substantial: Vec<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub async fn notices(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Vec<NoticeView>)> {
    let ledger = ledger(app, actor, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &ledger.region.id })?;
    let rows = {
        let mut conn = app.db.conn().await?;
        repo::notices(&mut conn, &ledger.region.id).await?
    };
    let reg = app.current_regulation()?;
    let mut out = Vec::new();
    for r in rows {
        let notice: ChangeNotice = serde_json::from_str(&r.content).map_err(corrupt)?;
        out.push(NoticeView {
            substantial: notice.substantial(reg),
            notice,
            id: r.id,
            created_by: r.created_by_name,
            created_at: r.created_at,
        });
    }
    Ok((ledger, out))
}

/// Explanations per activity of the differences between plan and realisation (for the reports).
pub async fn explanations(app: &App, region_id: &str) -> Result<BTreeMap<String, String>> {
    Ok(repo::explanations(&mut *app.db.conn().await?, region_id).await?.into_iter().collect())
}

/// Sets (or, with an empty text, removes) the explanation of one activity of the approved plan.
pub async fn set_explanation(app: &App, actor: &Actor, slug: &str, activity: &str, text: &str) -> Result<()> {
    let ledger = ledger(app, actor, slug).await?;
    actor.require(Action::EditApplication { region_id: &ledger.region.id })?;
    if !ledger.approved.activities.iter().any(|a| a.id == activity) {
        return Err(invalid("explanation", "Deze activiteit staat niet in het goedgekeurde plan."));
    }
    if text.chars().count() > 5_000 {
        return Err(invalid("explanation", "De toelichting is te lang: hoogstens 5.000 tekens."));
    }
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    repo::set_explanation(&mut tx, &region.id, (activity, text.trim()), actor.user_id.as_deref()).await?;
    let detail = json!({ "activity": activity });
    audit::append(&mut tx, actor.user_id.as_deref(), "execution.explanation", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}
