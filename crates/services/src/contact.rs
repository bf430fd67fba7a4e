//! Questions from anyone, through `/contact`: to the national team or to a region's managers;
//! stored, mailed, answered from `/beheer/berichten`, and the answer mailed back.

use domain::{Action, Actor, FieldErrors, Role, validation};
use serde_json::json;
use store::contact_messages::{self as repo, ContactMessage};
use store::{audit, regions, users};

use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError, invalid};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// A region's slug, or empty for the national team.
    pub region: String,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub message: String,
}

/// Stores the question and mails whoever answers it, and the sender a receipt.
pub async fn send(app: &App, input: &ContactInput) -> Result<()> {
    let mut e = FieldErrors::default();
    let name = validation::required(&mut e, "name", "uw naam", &input.name, 120);
    let email = validation::email(&mut e, "email", &input.email, true);
    let subject = validation::required(&mut e, "subject", "het onderwerp", &input.subject, 160);
    let body = validation::required(&mut e, "message", "uw vraag", &input.message, 5_000);
    let mut tx = app.db.begin().await?;
    let region = match input.region.trim() {
        "" => None,
        slug => {
            let found = regions::by_slug(&mut tx, slug).await?.filter(|r| !r.archived);
            if found.is_none() {
                e.add("region", "Kies het landelijk team of een regio uit de lijst.");
            }
            found
        }
    };
    e.into_result(())?;
    let email = email.unwrap_or_default();
    let message = ContactMessage {
        id: String::new(),
        region_id: region.as_ref().map(|r| r.id.clone()),
        name: name.clone(),
        email: email.clone(),
        subject: subject.clone(),
        body: body.clone(),
        created_at: 0,
        answer: None,
        answered_at: None,
    };
    let id = repo::insert(&mut tx, &message).await?;
    audit::append(&mut tx, None, "contact.create", "contact_message", &id, &json!({ "region": input.region })).await?;
    let mut answerers = match &region {
        Some(r) => users::holding(&mut tx, &r.id, Role::RegionManager).await?,
        None => Vec::new(),
    };
    // A region without a manager yet: the national team answers for it.
    if answerers.is_empty() {
        answerers = users::holding_nationally(&mut tx, Role::NationalAdmin).await?;
    }
    let to_whom = region.as_ref().map_or("het landelijk team".to_owned(), |r| format!("de regio {}", r.name));
    for (user_id, to, _) in &answerers {
        let mail = Mail {
            user_id: Some(user_id),
            to,
            kind: "contact",
            subject: format!("Vraag via Sterk: {subject}"),
            body: format!("{name} ({email}) vraagt {to_whom}:\n\n{body}"),
            path: "/beheer/berichten".into(),
            dedup_key: None,
        };
        mail::queue(app, &mut tx, &mail).await?;
    }
    let receipt = Mail {
        user_id: None,
        to: &email,
        kind: "contact.receipt",
        // Nothing the sender typed is repeated: the form must not mail others' text to any address.
        subject: format!("Uw vraag aan {to_whom}"),
        body: "Wij hebben uw vraag ontvangen; het antwoord komt per e-mail.".to_owned(),
        path: "/contact".into(),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &receipt).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}

/// A message with the name of its region (`None`: for the national team).
pub struct InboxItem {
    pub message: ContactMessage,
    pub region: Option<String>,
}

/// The messages the actor answers: every message for the national team (it answers for regions
/// without a manager and keeps an eye on the rest), each region manager's for their regions.
pub async fn inbox(app: &App, actor: &Actor) -> Result<Vec<InboxItem>> {
    actor.require(Action::UseAccount)?;
    let mut conn = app.db.conn().await?;
    let list = repo::inbox(&mut conn, actor.is_national_admin(), &managed(actor), 200).await?;
    // The regions' names, for display.
    let all = regions::list(&mut conn, true).await?;
    Ok(list
        .into_iter()
        .map(|m| {
            let region = m
                .region_id
                .as_ref()
                .map(|id| all.iter().find(|r| &r.id == id).map_or_else(String::new, |r| r.name.clone()));
            InboxItem { message: m, region }
        })
        .collect())
}

/// The regions whose questions the actor answers: those it manages, by its grants.
fn managed(actor: &Actor) -> Vec<String> {
    actor.grants.iter().filter(|g| g.role == Role::RegionManager).filter_map(|g| g.region_id.clone()).collect()
}

/// How many questions wait for the actor's answer (one query: the regions come from the grants).
pub async fn waiting(app: &App, actor: &Actor) -> Result<usize> {
    let managed = managed(actor);
    if !actor.is_national_admin() && managed.is_empty() {
        return Ok(0);
    }
    let mut conn = app.db.conn().await?;
    let list = repo::inbox(&mut conn, actor.is_national_admin(), &managed, 200).await?;
    Ok(list.iter().filter(|m| m.answer.is_none()).count())
}

/// Answers a message once, and mails the answer to the sender.
pub async fn answer(app: &App, actor: &Actor, id: &str, text: &str) -> Result<()> {
    actor.require(Action::UseAccount)?;
    let mut tx = app.db.begin().await?;
    let message = repo::by_id(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    let allowed = match &message.region_id {
        None => actor.is_national_admin(),
        Some(region_id) => actor.is_national_admin() || actor.has_role_in(Role::RegionManager, region_id),
    };
    if !allowed {
        return Err(ServiceError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 5_000 || validation::has_nul(text) {
        return Err(invalid("answer", "Schrijf een antwoord (hoogstens 5.000 tekens)."));
    }
    if !repo::answer(&mut tx, id, text, actor.user_id.as_deref()).await? {
        return Err(ServiceError::Conflict);
    }
    audit::append(&mut tx, actor.user_id.as_deref(), "contact.answer", "contact_message", id, &json!({})).await?;
    let mail = Mail {
        user_id: None,
        to: &message.email,
        kind: "contact.answer",
        subject: format!("Antwoord op uw vraag: {}", message.subject),
        body: format!("{text}\n\nUw vraag was:\n{}", message.body),
        path: "/contact".into(),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &mail).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}
