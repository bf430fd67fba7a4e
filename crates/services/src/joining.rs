//! Asking to join a region: a school not yet taking part picks its DUO location from the region's
//! municipalities; a company asks to become a partner. The region's managers are mailed; a
//! manager accepts (the organisation becomes a member, its contact is invited by mail) or declines
//! with a reason, which is mailed back.

use domain::joining::{JoinInput, JoinKind};
use domain::{Action, Actor, DuoCode, Organisation, OrganisationDraft, OrganisationKind, Region, Role, geo};
use serde_json::json;
use store::join_requests::{self as repo, JoinRequestRow};
use store::{AnyConnection, audit, coverage as locations, organisations, regions, users};

use crate::mail::{self, Mail};
use crate::users::InviteInput;
use crate::{App, Result, ServiceError, invalid};

/// A DUO vmbo location a school may ask to join with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub code: String,
    pub name: String,
    pub municipality: String,
}

/// An active region by slug.
async fn active_region(conn: &mut AnyConnection, slug: &str) -> Result<Region> {
    regions::by_slug(conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)
}

/// The vmbo locations in the region's municipalities that do not take part in it yet.
pub async fn locations(app: &App, slug: &str) -> Result<(Region, Vec<Location>)> {
    let mut conn = app.db.conn().await?;
    let region = active_region(&mut conn, slug).await?;
    let list = locations_in(&mut conn, &region).await?;
    Ok((region, list))
}

async fn locations_in(conn: &mut AnyConnection, region: &Region) -> Result<Vec<Location>> {
    let covered = crate::coverage::map_in(conn).await?.remove(&region.id).unwrap_or_default();
    let members: Vec<String> =
        regions::members(conn, &region.id).await?.into_iter().filter_map(|o| o.duo_code).collect();
    let mut list: Vec<Location> = locations::vmbo_locations(conn)
        .await?
        .into_iter()
        .filter(|(code, _, _)| !members.contains(code))
        .filter_map(|(code, name, municipality)| {
            let area = geo::municipality_by_name(&municipality)?;
            covered.contains(&area.code).then(|| Location { code, name, municipality: area.name.clone() })
        })
        .collect();
    list.sort_by(|a, b| (&a.name, &a.code).cmp(&(&b.name, &b.code)));
    Ok(list)
}

/// Records a request and mails the region's managers and the one who asked.
pub async fn request(app: &App, slug: &str, kind: JoinKind, input: &JoinInput) -> Result<()> {
    let valid = input.validate(kind);
    let mut tx = app.db.begin().await?;
    let region = active_region(&mut tx, slug).await?;
    let req = valid.map_err(ServiceError::Invalid)?;
    let organisation_name = match (&req.duo_code, &req.company) {
        (Some(code), _) => {
            locations_in(&mut tx, &region).await?.into_iter().find(|l| &l.code == code).map(|l| l.name).ok_or_else(
                || invalid("school", "Kies uw school uit de lijst van scholen in de gemeenten van deze regio."),
            )?
        }
        (None, Some(company)) => company.clone(),
        (None, None) => return Err(invalid("school", "Kies uw school uit de lijst.")),
    };
    let row = JoinRequestRow {
        id: String::new(),
        region_id: region.id.clone(),
        kind: kind.code().to_owned(),
        duo_code: req.duo_code.clone(),
        organisation_name: organisation_name.clone(),
        kvk: req.kvk.clone(),
        contact_name: req.name.clone(),
        contact_email: req.email.clone(),
        message: req.message.clone(),
        created_at: 0,
    };
    let id = repo::insert(&mut tx, &row).await?;
    audit::append(&mut tx, None, "join_request.create", "join_request", &id, &json!({ "kind": kind.code() })).await?;
    let what = match kind {
        JoinKind::School => format!("{organisation_name} wil meedoen in {}", region.name),
        JoinKind::Company => format!("{organisation_name} wil partner worden van {}", region.name),
    };
    for (user_id, to, _) in users::holding(&mut tx, &region.id, Role::RegionManager).await? {
        let mail = Mail {
            user_id: Some(&user_id),
            to: &to,
            kind: "join_request",
            subject: format!("Aanmelding: {what}"),
            body: format!("{what}. Contactpersoon: {} ({}).\n\n{}", req.name, req.email, req.message),
            path: format!("/regio/{}/aanmeldingen", region.slug),
            dedup_key: None,
        };
        mail::queue(app, &mut tx, &mail).await?;
    }
    let receipt = Mail {
        user_id: None,
        to: &req.email,
        kind: "join_request.receipt",
        subject: format!("Uw aanmelding bij {}", region.name),
        // Nothing the sender typed is repeated: the form must not mail others' text to any address.
        body: format!(
            "Wij hebben uw aanmelding bij {} ontvangen. De programmamanager van de regio beslist erover; \
             u krijgt daarvan bericht per e-mail.",
            region.name
        ),
        path: format!("/regios/{}", region.slug),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &receipt).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}

/// The region's open requests, for who manages its members.
pub async fn open(app: &App, actor: &Actor, slug: &str) -> Result<(Region, Vec<JoinRequestRow>)> {
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::ManageMemberships { region_id: &region.id })?;
    let open = repo::open(&mut conn, &region.id).await?;
    Ok((region, open))
}

/// What a manager decides.
pub enum Decision<'a> {
    Accept,
    Decline { reason: &'a str },
}

/// Accepts (the organisation joins, found by DUO code or made; its contact is invited) or
/// declines with a reason; the one who asked is mailed either way.
pub async fn decide(app: &App, actor: &Actor, slug: &str, id: &str, decision: Decision<'_>) -> Result<()> {
    let (region, open) = open(app, actor, slug).await?;
    let req = open.into_iter().find(|r| r.id == id).ok_or(ServiceError::NotFound)?;
    let kind = JoinKind::parse(&req.kind).ok_or(ServiceError::NotFound)?;
    let role = match kind {
        JoinKind::School => Role::SchoolContact,
        JoinKind::Company => Role::Partner,
    };
    let mut tx = app.db.begin().await?;
    let (outcome, reason, organisation) = match decision {
        Decision::Accept => {
            actor.require(Action::InviteUser { role, region_id: Some(&region.id) })?;
            let org = organisation_for(&mut tx, &req, kind).await?;
            regions::add_member(&mut tx, &region.id, &org.id).await?;
            ("accepted", String::new(), Some(org))
        }
        Decision::Decline { reason } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 2_000 {
                return Err(invalid("reason", "Schrijf in een paar zinnen waarom; de aanvrager krijgt dit te lezen."));
            }
            ("declined", reason.to_owned(), None)
        }
    };
    let org_id = organisation.as_ref().map(|o| o.id.as_str());
    if !repo::decide(&mut tx, id, actor.user_id.as_deref(), (outcome, &reason, org_id)).await? {
        return Err(ServiceError::Conflict);
    }
    let detail = json!({ "outcome": outcome, "organisation": org_id, "email": req.contact_email });
    audit::append(&mut tx, actor.user_id.as_deref(), "join_request.decide", "join_request", id, &detail).await?;
    if organisation.is_none() {
        let mail = Mail {
            user_id: None,
            to: &req.contact_email,
            kind: "join_request.decision",
            subject: format!("Uw aanmelding bij {}", region.name),
            body: format!(
                "Uw aanmelding van {} bij {} is niet aangenomen. De programmamanager schrijft:\n\n{reason}",
                req.organisation_name, region.name
            ),
            path: format!("/regios/{}", region.slug),
            dedup_key: None,
        };
        mail::queue(app, &mut tx, &mail).await?;
    }
    tx.commit().await?;
    if let Some(org) = organisation {
        let input = InviteInput {
            email: req.contact_email.clone(),
            role: role.code().into(),
            region: region.slug.clone(),
            organisation: org.id.clone(),
        };
        let opening = format!("Uw aanmelding is aangenomen: {} doet mee in {}.", org.name, region.name);
        crate::users::invite_saying(app, actor, &input, Some(&opening)).await?;
    }
    mail::deliver(app).await?;
    Ok(())
}

/// The registry's organisation for an accepted request: the school by its DUO code, else a new
/// one (a company keeps its KvK number in its note).
async fn organisation_for(conn: &mut AnyConnection, req: &JoinRequestRow, kind: JoinKind) -> Result<Organisation> {
    let duo_code = req.duo_code.as_deref().and_then(DuoCode::parse);
    if let Some(code) = &duo_code
        && let Some(org) = organisations::by_duo_code(conn, code.as_str()).await?
    {
        return Ok(org);
    }
    let place = match &duo_code {
        Some(code) => locations::vmbo_location(conn, code.as_str())
            .await?
            .and_then(|(_, m)| geo::municipality_by_name(&m).map(|a| a.name.clone())),
        None => None,
    };
    let draft = OrganisationDraft {
        name: req.organisation_name.clone(),
        kind: if kind == JoinKind::School { OrganisationKind::Vmbo } else { OrganisationKind::Company },
        duo_code,
        place,
        website: None,
    };
    let note = req.kvk.as_ref().map(|k| format!("KvK-nummer {k}, opgegeven bij de aanmelding."));
    Ok(organisations::insert(conn, &draft, note.as_deref()).await?)
}
