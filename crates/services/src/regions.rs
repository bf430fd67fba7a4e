//! Use cases on regions and their memberships.

use domain::region::{RegionIdentityInput, RegionProfileInput, check_lead_applicant};
use domain::{Action, Actor, Organisation, Region, RegionProfile};
use serde_json::json;
use store::regions as repo;
pub use store::regions::RegionSummary;
use store::{AnyConnection, audit, organisations};

use crate::{App, Result, ServiceError, invalid};

/// Everything the public region page shows.
#[derive(Debug, Clone)]
pub struct RegionPage {
    pub region: Region,
    pub members: Vec<Organisation>,
    pub lead_applicant: Option<Organisation>,
}

/// Active regions, ordered by province and name.
pub async fn list_public(app: &App) -> Result<Vec<RegionSummary>> {
    let mut conn = app.db.conn().await?;
    Ok(repo::list(&mut conn, false).await?)
}

/// Every region, archived ones too: for labelling grants and filling choice lists.
pub async fn all(app: &App) -> Result<Vec<RegionSummary>> {
    let mut conn = app.db.conn().await?;
    Ok(repo::list(&mut conn, true).await?)
}

/// Regions the actor may work on: all (with archived ones) for the national team, else the ones they manage.
pub async fn list_manageable(app: &App, actor: &Actor) -> Result<Vec<RegionSummary>> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    let all = repo::list(&mut conn, actor.is_national_admin()).await?;
    Ok(all.into_iter().filter(|s| actor.permits(Action::EditRegionProfile { region_id: &s.id })).collect())
}

/// The public page of an active region; archived regions only for those who may manage them.
pub async fn page(app: &App, actor: &Actor, slug: &str) -> Result<RegionPage> {
    let mut conn = app.db.conn().await?;
    let region = repo::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    if region.archived && !actor.permits(Action::ArchiveRegion) {
        return Err(ServiceError::NotFound);
    }
    let members = repo::members(&mut conn, &region.id).await?;
    let lead_applicant = region.lead_applicant_id.as_ref().and_then(|id| members.iter().find(|m| &m.id == id).cloned());
    Ok(RegionPage { region, members, lead_applicant })
}

/// The latest changes to a region, for those who may edit it.
pub async fn history(app: &App, actor: &Actor, slug: &str) -> Result<Vec<audit::Entry>> {
    let mut conn = app.db.conn().await?;
    let region = load(&mut conn, slug).await?;
    actor.require(Action::EditRegionProfile { region_id: &region.id })?;
    Ok(audit::for_entity(&mut conn, "region", &region.id, 10).await?)
}

async fn load(conn: &mut AnyConnection, slug: &str) -> Result<Region> {
    repo::by_slug(conn, slug).await?.ok_or(ServiceError::NotFound)
}

pub async fn create(
    app: &App,
    actor: &Actor,
    identity: &RegionIdentityInput,
    profile: &RegionProfileInput,
) -> Result<Region> {
    actor.require(Action::ManageRegionIdentity)?;
    let (identity, profile) = validate_both(identity, profile)?;
    let mut tx = app.db.begin().await?;
    let region = repo::insert(&mut tx, &identity, &profile, None).await.map_err(slug_taken)?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "region.create",
        "region",
        &region.id,
        &json!({ "slug": region.slug }),
    )
    .await?;
    tx.commit().await?;
    Ok(region)
}

/// Both inputs validated, with all their errors together.
fn validate_both(
    identity: &RegionIdentityInput,
    profile: &RegionProfileInput,
) -> Result<(domain::region::RegionIdentity, RegionProfile)> {
    match (identity.validate(), profile.validate()) {
        (Ok(i), Ok(p)) => Ok((i, p)),
        (i, p) => {
            let mut all = domain::FieldErrors::default();
            for e in i.err().iter().chain(p.err().iter()).flat_map(|e| e.iter()) {
                all.add(&e.field, e.message.clone());
            }
            Err(ServiceError::Invalid(all))
        }
    }
}

fn slug_taken(e: store::StoreError) -> ServiceError {
    match e {
        store::StoreError::Duplicate => invalid("slug", "Er is al een regio met dit webadres; kies een ander."),
        e => e.into(),
    }
}

pub async fn update_profile(
    app: &App,
    actor: &Actor,
    slug: &str,
    version: i64,
    input: &RegionProfileInput,
) -> Result<Region> {
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    actor.require(Action::EditRegionProfile { region_id: &region.id })?;
    let profile = input.validate()?;
    repo::update_profile(&mut tx, &region.id, version, &profile).await?;
    audit::append(&mut tx, actor.user_id.as_deref(), "region.profile", "region", &region.id, &json!(profile)).await?;
    let updated = repo::by_id(&mut tx, &region.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn update_identity(
    app: &App,
    actor: &Actor,
    slug: &str,
    version: i64,
    input: &RegionIdentityInput,
) -> Result<Region> {
    actor.require(Action::ManageRegionIdentity)?;
    let identity = input.validate()?;
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    repo::update_identity(&mut tx, &region.id, version, &identity).await.map_err(slug_taken)?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "region.identity",
        "region",
        &region.id,
        &json!({ "slug": identity.slug, "name": identity.name, "province": identity.province }),
    )
    .await?;
    let updated = repo::by_id(&mut tx, &region.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn set_archived(app: &App, actor: &Actor, slug: &str, archived: bool) -> Result<()> {
    actor.require(Action::ArchiveRegion)?;
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    repo::set_archived(&mut tx, &region.id, archived).await?;
    let action = if archived { "region.archive" } else { "region.restore" };
    audit::append(&mut tx, actor.user_id.as_deref(), action, "region", &region.id, &json!({})).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_member(app: &App, actor: &Actor, slug: &str, organisation_id: &str) -> Result<Organisation> {
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    actor.require(Action::ManageMemberships { region_id: &region.id })?;
    let org = organisations::by_id(&mut tx, organisation_id)
        .await?
        .ok_or_else(|| invalid("organisation_id", "Kies een bestaande organisatie."))?;
    if repo::add_member(&mut tx, &region.id, &org.id).await? {
        audit::append(
            &mut tx,
            actor.user_id.as_deref(),
            "membership.add",
            "region",
            &region.id,
            &json!({ "organisation": org.id }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(org)
}

pub async fn remove_member(app: &App, actor: &Actor, slug: &str, organisation_id: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    actor.require(Action::ManageMemberships { region_id: &region.id })?;
    if !repo::remove_member(&mut tx, &region.id, organisation_id).await? {
        return Err(ServiceError::NotFound);
    }
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "membership.remove",
        "region",
        &region.id,
        &json!({ "organisation": organisation_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_lead_applicant(app: &App, actor: &Actor, slug: &str, organisation_id: Option<&str>) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let region = load(&mut tx, slug).await?;
    actor.require(Action::ManageMemberships { region_id: &region.id })?;
    if let Some(id) = organisation_id {
        let org = organisations::by_id(&mut tx, id)
            .await?
            .ok_or_else(|| invalid("lead_applicant", "Kies een bestaande organisatie."))?;
        let is_member = repo::regions_of(&mut tx, id).await?.contains(&region.id);
        check_lead_applicant(&org, is_member)?;
    }
    repo::set_lead_applicant(&mut tx, &region.id, organisation_id).await?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "region.lead_applicant",
        "region",
        &region.id,
        &json!({ "organisation": organisation_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
