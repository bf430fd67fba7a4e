//! Confirmations of a region's cooperation agreement, each kept with who, when, from where, in
//! which phase, and the fingerprint of the agreement confirmed.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub phase: String,
    pub organisation_id: String,
    pub user_id: String,
    pub signer_name: String,
    pub fingerprint: String,
    pub confirmed_at: i64,
    pub address: String,
    pub user_agent: String,
}

pub async fn insert(conn: &mut AnyConnection, region_id: &str, c: &Confirmation) -> Result<()> {
    sqlx::query(
        "INSERT INTO agreement_confirmations (id, region_id, phase, organisation_id, user_id, signer_name, \
         fingerprint, confirmed_at, address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(region_id)
    .bind(&c.phase)
    .bind(&c.organisation_id)
    .bind(&c.user_id)
    .bind(&c.signer_name)
    .bind(&c.fingerprint)
    .bind(c.confirmed_at)
    .bind(&c.address)
    .bind(&c.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every confirmation given in the region, oldest first.
pub async fn of_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Confirmation>> {
    let rows = sqlx::query(
        "SELECT phase, organisation_id, user_id, signer_name, fingerprint, confirmed_at, address, user_agent \
         FROM agreement_confirmations WHERE region_id = $1 ORDER BY confirmed_at, id",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Confirmation {
                phase: r.try_get("phase")?,
                organisation_id: r.try_get("organisation_id")?,
                user_id: r.try_get("user_id")?,
                signer_name: r.try_get("signer_name")?,
                fingerprint: r.try_get("fingerprint")?,
                confirmed_at: r.try_get("confirmed_at")?,
                address: r.try_get("address")?,
                user_agent: r.try_get("user_agent")?,
            })
        })
        .collect()
}
