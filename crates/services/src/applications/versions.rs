//! An application's submitted versions: listed, read back, and compared.

use domain::Actor;
use domain::regulation::application::Application;
use domain::regulation::diff::{self, Change};
use store::applications as repo;

use super::VersionInfo;
use crate::drafts::{parse_stored, phase_known, region_for};
use crate::{App, Result, ServiceError};

pub(super) fn version_info(v: repo::Version) -> VersionInfo {
    VersionInfo { number: v.number, sha256: v.sha256, submitted_at: v.submitted_at, submitted_by: v.submitted_by_name }
}

pub async fn versions(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<Vec<VersionInfo>> {
    phase_known(app, phase)?;
    let mut conn = app.db.conn().await?;
    let region = region_for(&mut conn, actor, slug, false).await?;
    let draft = repo::get(&mut conn, &region.id, phase).await?.ok_or(ServiceError::NotFound)?;
    Ok(repo::versions(&mut conn, &draft.id, false).await?.into_iter().map(version_info).collect())
}

/// A submitted version (`number` ≥ 1) or, with 0, the current draft.
pub async fn content(
    app: &App,
    actor: &Actor,
    slug: &str,
    phase: &str,
    number: i64,
) -> Result<(Application, Option<VersionInfo>)> {
    phase_known(app, phase)?;
    let mut conn = app.db.conn().await?;
    let region = region_for(&mut conn, actor, slug, false).await?;
    let draft = repo::get(&mut conn, &region.id, phase).await?.ok_or(ServiceError::NotFound)?;
    if number == 0 {
        let draft_now =
            crate::cosigning::with_confirmations(&mut conn, &draft.region_id, parse_stored(&draft.content)?).await?;
        return Ok((draft_now, None));
    }
    let v = repo::versions(&mut conn, &draft.id, true)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(ServiceError::NotFound)?;
    let application = parse_stored(&v.content)?;
    Ok((application, Some(version_info(v))))
}

/// What changed from version `from` to version `to` (0 = the current draft).
pub async fn changes(app: &App, actor: &Actor, slug: &str, phase: &str, from: i64, to: i64) -> Result<Vec<Change>> {
    let (old, _) = content(app, actor, slug, phase, from).await?;
    let (new, _) = content(app, actor, slug, phase, to).await?;
    Ok(diff::diff(&old, &new))
}
