//! The installation's security setting: whether two-factor sign-in is required of the national
//! team and the funder's staff.

use domain::{Action, Actor};

use crate::{App, Result};

/// The installation setting; required unless a national administrator turned it off.
pub const SETTING: &str = "two-factor-required";

/// Whether the installation requires two-factor sign-in of national administrators and the funder.
pub async fn required_by_setting(app: &App) -> Result<bool> {
    let mut conn = app.db.conn().await?;
    Ok(store::settings::get(&mut conn, SETTING).await?.as_deref() != Some("off"))
}

/// Turns the requirement on or off (the national team).
pub async fn set_required(app: &App, actor: &Actor, required: bool) -> Result<()> {
    actor.require(Action::ManageSecurity)?;
    let mut tx = app.db.begin().await?;
    store::settings::set(&mut tx, SETTING, if required { "on" } else { "off" }).await?;
    let detail = serde_json::json!({ "required": required });
    store::audit::append(&mut tx, actor.user_id.as_deref(), "settings.two_factor", "settings", SETTING, &detail)
        .await?;
    tx.commit().await?;
    Ok(())
}
