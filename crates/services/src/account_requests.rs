//! A teacher asks for an account from the region's public page; the region's manager accepts
//! (an invitation as school contact goes out by mail) or declines.

use domain::{Action, Actor, FieldErrors, Role, validation};
use serde_json::json;
use store::account_requests::{self as repo, AccountRequest};
use store::{audit, regions, users};

use crate::mail::{self, Mail};
use crate::users::InviteInput;
use crate::{App, Result, ServiceError};

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RequestInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// The school (organisation id), a member of the region.
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub message: String,
}

/// Records the request and tells the region's managers. Anyone may ask.
pub async fn request(app: &App, slug: &str, input: &RequestInput) -> Result<()> {
    let mut e = FieldErrors::default();
    let name = validation::required(&mut e, "name", "uw naam", &input.name, 120);
    let email = validation::email(&mut e, "email", &input.email, true);
    let message = validation::optional(&mut e, "message", "het bericht", &input.message, 2_000).unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let region = regions::by_slug(&mut tx, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)?;
    let schools = regions::members(&mut tx, &region.id).await?;
    if !schools.iter().any(|o| o.id == input.organisation && o.kind.is_school()) {
        e.add("organisation", "Kies uw school uit de scholen van de regio.");
    }
    e.into_result(())?;
    let email = email.expect("valid when no errors");
    let id = repo::insert(&mut tx, &region.id, &input.organisation, (&name, &email, &message)).await?;
    audit::append(&mut tx, None, "account_request.create", "account_request", &id, &json!({ "email": email })).await?;
    for (user_id, to, _) in users::holding(&mut tx, &region.id, Role::RegionManager).await? {
        let mail = Mail {
            user_id: Some(&user_id),
            to: &to,
            kind: "account_request",
            subject: format!("Accountaanvraag van {name}"),
            body: format!("{name} ({email}) vraagt een account aan om deelplannen te schrijven voor {}.", region.name),
            path: format!("/regio/{}/deelplannen/accounts", region.slug),
            dedup_key: None,
        };
        mail::queue(app, &mut tx, &mail).await?;
    }
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}

/// The region's open requests, for who may invite school contacts there.
pub async fn open(app: &App, actor: &Actor, slug: &str) -> Result<(domain::Region, Vec<AccountRequest>)> {
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::InviteUser { role: Role::SchoolContact, region_id: Some(&region.id) })?;
    let open = repo::open(&mut conn, &region.id).await?;
    Ok((region, open))
}

/// Accepts (invites the teacher as school contact, by mail) or declines a request.
pub async fn decide(app: &App, actor: &Actor, slug: &str, id: &str, accept: bool) -> Result<()> {
    let (region, open) = open(app, actor, slug).await?;
    let req = open.into_iter().find(|r| r.id == id).ok_or(ServiceError::NotFound)?;
    if accept {
        let input = InviteInput {
            email: req.email.clone(),
            role: Role::SchoolContact.code().into(),
            region: region.slug.clone(),
            organisation: req.organisation_id.clone(),
        };
        let opening = format!("Uw aanvraag is goedgekeurd: u kunt deelplannen schrijven voor {}.", region.name);
        crate::users::invite_saying(app, actor, &input, Some(&opening)).await?;
    }
    let mut tx = app.db.begin().await?;
    if !repo::decide(&mut tx, id, actor.user_id.as_deref(), if accept { "accepted" } else { "declined" }).await? {
        return Err(ServiceError::Conflict);
    }
    let detail = json!({ "accepted": accept, "email": req.email });
    audit::append(&mut tx, actor.user_id.as_deref(), "account_request.decide", "account_request", id, &detail).await?;
    if !accept {
        let mail = Mail {
            user_id: None,
            to: &req.email,
            kind: "account_request.decision",
            subject: format!("Uw accountaanvraag voor {}", region.name),
            body: format!(
                "Uw aanvraag voor een account bij {} is niet goedgekeurd. Neem bij vragen contact op met de \
                 programmamanager van de regio.",
                region.name
            ),
            path: format!("/regios/{}", region.slug),
            dedup_key: None,
        };
        mail::queue(app, &mut tx, &mail).await?;
    }
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}
