//! The region maximum table (annex 3) as national-team data: who may change it, the row in force
//! per region with its history, and the regulation with that table, which every rule check and
//! decision reads.

use domain::regulation::RegionMaximum;
use domain::regulation::Regulation;
use domain::regulation::application::Amount;
use domain::regulation::maximum::{self, MaximumInput};
use domain::{Action, Actor, Region, RegionKind};
use rust_decimal::Decimal;
use serde_json::json;
pub use store::maximums::MaximumRow;
use store::maximums::{self as repo, NewMaximum};
use store::{AnyConnection, audit, regions};

use crate::{App, Result, ServiceError, corrupt, live_region};

/// Authorised before a body is read: only the national team keeps the table.
pub async fn authorize_edit(_app: &App, actor: &Actor, _slug: &str) -> Result<()> {
    Ok(actor.require(Action::EditRegionMaximums)?)
}

/// A region of the table with the row in force, if any.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub slug: String,
    pub name: String,
    pub current: Option<MaximumRow>,
}

/// The table as the national team keeps it: every live region that is not low-tech (a low-tech
/// region's maximum is a parameter), by name, with its row in force.
pub async fn table(app: &App, regulation_id: &str) -> Result<Vec<TableRow>> {
    app.regulation(regulation_id)?;
    let mut conn = app.db.conn().await?;
    let rows = repo::in_force(&mut conn, regulation_id).await?;
    let regions = regions::list(&mut conn, false).await?;
    let mut table: Vec<TableRow> = regions
        .into_iter()
        .filter(|r| r.kind != Some(RegionKind::LowTech))
        .map(|r| TableRow { current: rows.iter().find(|m| m.region_id == r.id).cloned(), slug: r.slug, name: r.name })
        .collect();
    table.sort_by_key(|r| r.name.to_lowercase());
    Ok(table)
}

/// A region's rows under the regulation, newest first.
pub async fn history(app: &App, regulation_id: &str, slug: &str) -> Result<(Region, Vec<MaximumRow>)> {
    app.regulation(regulation_id)?;
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    let rows = repo::history(&mut conn, regulation_id, &region.id).await?;
    Ok((region, rows))
}

/// Sets the region's maximum (a new row in force; the old one stays in the history). `replaced`
/// is the id of the row in force the form was opened on (`None`: there was none): a change made
/// meanwhile is not overwritten, not even by two saves at once.
pub async fn set(
    app: &App,
    actor: &Actor,
    (regulation_id, slug): (&str, &str),
    input: &MaximumInput<'_>,
    replaced: Option<&str>,
) -> Result<()> {
    actor.require(Action::EditRegionMaximums)?;
    let reg = app.regulation(regulation_id)?;
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    let before = repo::history(&mut tx, regulation_id, &region.id).await?.into_iter().next();
    if before.as_ref().map(|b| b.id.as_str()) != replaced {
        return Err(ServiceError::Conflict);
    }
    let row = maximum::validate(reg, region.kind, before.is_some(), input).map_err(corrupt)??;
    let new = NewMaximum {
        regulation_id,
        region_id: &region.id,
        amount_cents: row.cents,
        source: &row.source,
        verified: row.verified,
        reason: row.reason.as_deref(),
        set_by: actor.user_id.as_deref(),
        replaces: replaced,
    };
    repo::insert(&mut tx, &new).await.map_err(|e| match e {
        store::StoreError::Duplicate => ServiceError::Conflict,
        e => e.into(),
    })?;
    let detail = json!({
        "regulation": regulation_id,
        "amount": Decimal::new(row.cents, 2).to_string(),
        "before": before.map(|b| Decimal::new(b.amount_cents, 2).to_string()),
        "verified": row.verified,
    });
    audit::append(&mut tx, actor.user_id.as_deref(), "maximum.set", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// `reg` with the table in force: what every check of an application and every decision reads.
pub async fn in_force(conn: &mut AnyConnection, reg: &Regulation) -> Result<Regulation> {
    let table = repo::in_force(conn, &reg.id)
        .await?
        .into_iter()
        .map(|m| RegionMaximum {
            region: m.region_name,
            maximum_eur: Amount(Decimal::new(m.amount_cents, 2)),
            source: m.source,
            verified: m.verified,
        })
        .collect();
    Ok(reg.with_maximums(table))
}

/// The regulation `id` with its table in force (`NotFound` for an unknown one).
pub async fn regulation(app: &App, id: &str) -> Result<Regulation> {
    let reg = app.regulations.get(id).ok_or(ServiceError::NotFound)?;
    in_force(&mut *app.db.conn().await?, reg).await
}

/// Every regulation with its table in force: for checking a file that names its own regulation.
pub async fn all_in_force(app: &App) -> Result<crate::regulations::Regulations> {
    let mut conn = app.db.conn().await?;
    let mut all = Vec::with_capacity(app.regulations.all.len());
    for reg in &app.regulations.all {
        all.push(in_force(&mut conn, reg).await?);
    }
    Ok(crate::regulations::Regulations { all })
}
