//! Use cases on organisations, and the public school finder.

use domain::organisation::OrganisationInput;
use domain::{Action, Actor, Organisation};
use serde_json::json;
use store::organisations::{self as repo, SchoolHit};
use store::{StoreError, audit, regions};

use crate::{App, Result, ServiceError, invalid};

/// At most this many hits, so a one-letter query stays cheap.
pub const FINDER_LIMIT: i64 = 50;

/// The public school finder (join path steps 1 and 2): the school's region and whom to contact.
pub async fn find_schools(app: &App, q: &str) -> Result<Vec<SchoolHit>> {
    let q: String = q.chars().take(100).collect();
    let mut conn = app.db.conn().await?;
    Ok(repo::find_schools(&mut conn, &q, FINDER_LIMIT).await?)
}

/// Organisations for the management screens.
pub async fn search(app: &App, actor: &Actor, q: &str) -> Result<Vec<Organisation>> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    Ok(repo::search(&mut conn, q, 200).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<(Organisation, Vec<String>)> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    let org = repo::by_id(&mut conn, id).await?.ok_or(ServiceError::NotFound)?;
    let member_of = regions::regions_of(&mut conn, id).await?;
    Ok((org, member_of))
}

pub async fn create(app: &App, actor: &Actor, input: &OrganisationInput) -> Result<Organisation> {
    actor.require(Action::CreateOrganisation)?;
    let draft = input.validate()?;
    let mut tx = app.db.begin().await?;
    let org = repo::insert(&mut tx, &draft, None).await.map_err(duo_code_taken)?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "organisation.create",
        "organisation",
        &org.id,
        &json!({ "name": org.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

pub async fn update(app: &App, actor: &Actor, id: &str, input: &OrganisationInput) -> Result<Organisation> {
    let mut tx = app.db.begin().await?;
    let member_of = regions::regions_of(&mut tx, id).await?;
    repo::by_id(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::EditOrganisation { member_of: &member_of })?;
    let draft = input.validate()?;
    repo::update(&mut tx, id, &draft).await.map_err(duo_code_taken)?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "organisation.update",
        "organisation",
        id,
        &json!({ "name": draft.name }),
    )
    .await?;
    let org = repo::by_id(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(org)
}

fn duo_code_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Duplicate => invalid("duo_code", "Er is al een organisatie met deze DUO-vestigingscode."),
        e => e.into(),
    }
}
