//! Inviting users with a role, accepting invitations, and first-time set-up from the CLI.

use domain::user::{User, check_new_password};
use domain::{Action, Actor, FieldErrors, Role, validation};
use serde::Deserialize;
use serde_json::json;
use store::{AnyConnection, StoreError, audit, now_ms, regions, users};

use crate::auth::{hash_password, random_token, sha256_hex};
use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError, invalid};

/// An invitation is valid for fourteen days.
pub const INVITATION_TTL_MS: i64 = 14 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    /// Region slug; empty for a national role.
    #[serde(default)]
    pub region: String,
    /// The organisation the invitee acts for (a school contact's school, a partner's company); optional.
    #[serde(default)]
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    /// A new invitation; the raw token goes into the link sent to the invitee.
    Invited { token: String },
    /// The address already had an account: the role was added to it.
    Granted,
}

/// Resolves role, region and organisation of an invitation or grant: a national role has no
/// region, others need one; an organisation must take part in that region.
async fn role_and_region(
    conn: &mut AnyConnection,
    role: &str,
    region: &str,
    organisation: &str,
) -> Result<(Role, Option<String>, Option<String>)> {
    let mut e = FieldErrors::default();
    let role = Role::parse(role.trim());
    if role.is_none() {
        e.add("role", "Kies een rol.");
    }
    let region_id = match (role, region.trim()) {
        (Some(r), "") if !r.is_national() => {
            e.add("region", "Kies de regio waarin deze rol geldt.");
            None
        }
        (Some(r), slug) if !r.is_national() => match regions::by_slug(conn, slug).await? {
            Some(region) => Some(region.id),
            None => {
                e.add("region", format!("Er is geen regio met webadres \"{slug}\"."));
                None
            }
        },
        _ => None,
    };
    let organisation = organisation.trim();
    let organisation_id = match (&region_id, organisation) {
        (_, "") => None,
        (Some(r), org) if regions::members(conn, r).await?.iter().any(|m| m.id == org) => Some(org.to_owned()),
        _ => {
            e.add("organisation", "Kies een organisatie die deelneemt in deze regio.");
            None
        }
    };
    e.into_result(())?;
    Ok((role.expect("checked above"), region_id, organisation_id))
}

/// Invites someone with a role, by mail: a link to make their account, or (when the address has an
/// account already) word of the new role.
pub async fn invite(app: &App, actor: &Actor, input: &InviteInput) -> Result<InviteOutcome> {
    invite_saying(app, actor, input, None).await
}

/// [`invite`] with the mail's opening words (`None`: the role and the region it holds in).
pub(crate) async fn invite_saying(
    app: &App,
    actor: &Actor,
    input: &InviteInput,
    opening: Option<&str>,
) -> Result<InviteOutcome> {
    actor.require(Action::UseAccount)?;
    let mut e = FieldErrors::default();
    let email = validation::email(&mut e, "email", &input.email, true);
    let mut tx = app.db.begin().await?;
    let resolved = role_and_region(&mut tx, &input.role, &input.region, &input.organisation).await;
    let (role, region_id, organisation_id) = match (resolved, e.is_empty()) {
        (Ok(rr), true) => rr,
        (Ok(_), false) => return Err(ServiceError::Invalid(e)),
        (Err(ServiceError::Invalid(more)), _) => {
            for m in more.iter() {
                e.add(&m.field, m.message.clone());
            }
            return Err(ServiceError::Invalid(e));
        }
        (Err(other), _) => return Err(other),
    };
    let email = email.expect("valid when no errors");
    actor.require(Action::InviteUser { role, region_id: region_id.as_deref() })?;
    let detail = json!({ "email": email, "role": role.code(), "region": region_id, "organisation": organisation_id });
    let scope = users::Scope { region_id: region_id.as_deref(), organisation_id: organisation_id.as_deref() };
    let outcome = if let Some(user_id) = users::id_by_email(&mut tx, &email).await? {
        if actor.user_id.as_deref() == Some(user_id.as_str()) {
            return Err(crate::invalid("email", "U kunt uzelf geen rol geven: dat doet een ander voor u."));
        }
        users::grant(&mut tx, &user_id, role, scope).await?;
        audit::append(&mut tx, actor.user_id.as_deref(), "user.grant", "user", &user_id, &detail).await?;
        InviteOutcome::Granted
    } else {
        let token = random_token();
        let hash = sha256_hex(&token);
        users::insert_invitation(
            &mut tx,
            &users::NewInvitation {
                token_hash: &hash,
                email: &email,
                role,
                region_id: region_id.as_deref(),
                organisation_id: organisation_id.as_deref(),
                invited_by: actor.user_id.as_deref().unwrap_or_default(),
                expires_at: now_ms() + INVITATION_TTL_MS,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            actor.user_id.as_deref(),
            "user.invite",
            "invitation",
            hash.get(..16).unwrap_or_default(),
            &detail,
        )
        .await?;
        InviteOutcome::Invited { token }
    };
    let region_name = match &region_id {
        Some(id) => regions::by_id(&mut tx, id).await?.map(|r| format!(" in {}", r.name)).unwrap_or_default(),
        None => String::new(),
    };
    let opening = opening.map_or_else(
        || format!("U hebt de rol {}{region_name} in Sterk gekregen.", role.label().to_lowercase()),
        str::to_owned,
    );
    let invited_user = users::id_by_email(&mut tx, &email).await?;
    mail::queue(app, &mut tx, &invitation_mail(&email, invited_user.as_deref(), &opening, &outcome)).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(outcome)
}

/// The invitation's mail: a link to make the account, or word that the role was added.
fn invitation_mail<'a>(email: &'a str, user_id: Option<&'a str>, opening: &str, outcome: &InviteOutcome) -> Mail<'a> {
    let (subject, next, path) = match outcome {
        InviteOutcome::Invited { token } => (
            "Uitnodiging voor Sterk",
            "Maak uw account met de link hieronder; die werkt veertien dagen en één keer.",
            format!("/uitnodiging/{token}"),
        ),
        InviteOutcome::Granted => ("Nieuwe rol in Sterk", "U logt in met uw bestaande account.", "/beheer".to_owned()),
    };
    Mail {
        user_id,
        to: email,
        kind: "user.invitation",
        subject: subject.into(),
        body: format!("{opening}\n\n{next}"),
        path,
        dedup_key: None,
    }
}

/// An open invitation as shown to the invitee.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub email: String,
    pub role: Role,
    pub region_name: Option<String>,
}

async fn load_open_invitation(conn: &mut AnyConnection, token: &str) -> Result<users::Invitation> {
    match users::invitation(conn, &sha256_hex(token)).await? {
        Some(inv) if !inv.accepted && inv.expires_at > now_ms() => Ok(inv),
        _ => Err(ServiceError::NotFound),
    }
}

/// An open invitation by its token, or `NotFound` when unknown, used or expired.
pub async fn open_invitation(app: &App, token: &str) -> Result<InvitationView> {
    let mut conn = app.db.conn().await?;
    let inv = load_open_invitation(&mut conn, token).await?;
    let region_name = match &inv.region_id {
        Some(id) => regions::by_id(&mut conn, id).await?.map(|r| r.name),
        None => None,
    };
    Ok(InvitationView { email: inv.email, role: inv.role, region_name })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AcceptInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_repeat: String,
}

/// Creates the account for an invitation; returns the new user's id.
pub async fn accept_invitation(app: &App, token: &str, input: &AcceptInput) -> Result<String> {
    let inv = {
        let mut conn = app.db.conn().await?;
        load_open_invitation(&mut conn, token).await?
    };
    let mut e = FieldErrors::default();
    let name = validation::required(&mut e, "name", "uw naam", &input.name, 120);
    check_new_password(&mut e, "password", &input.password, &input.password_repeat);
    e.into_result(())?;
    let hash = crate::auth::hash_off_thread(&input.password).await?;
    let mut tx = app.db.begin().await?;
    if !users::accept_invitation(&mut tx, &sha256_hex(token)).await? {
        return Err(ServiceError::NotFound);
    }
    let user_id = users::insert(&mut tx, &inv.email, &name, &hash).await.map_err(|e| match e {
        StoreError::Duplicate => invalid("name", "Er bestaat al een account met dit e-mailadres; log daarmee in."),
        e => e.into(),
    })?;
    let scope = users::Scope { region_id: inv.region_id.as_deref(), organisation_id: inv.organisation_id.as_deref() };
    users::grant(&mut tx, &user_id, inv.role, scope).await?;
    audit::append(&mut tx, Some(&user_id), "user.accept", "user", &user_id, &json!({ "role": inv.role.code() }))
        .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Accepts the open invitation for `email` for someone a provider vouched for (single sign-on):
/// the account is made with the invitation's role and the hash of a password nobody holds (a
/// forgotten-password link sets one). `None` when there is no open invitation.
pub(crate) async fn accept_invitation_for(
    conn: &mut AnyConnection,
    email: &str,
    (name, password_hash): (&str, &str),
) -> Result<Option<String>> {
    let Some(token_hash) = users::open_invitation_for(conn, email).await? else { return Ok(None) };
    let inv = users::invitation(conn, &token_hash).await?.ok_or(ServiceError::NotFound)?;
    if !users::accept_invitation(conn, &token_hash).await? {
        return Ok(None);
    }
    let name: String = name.trim().chars().take(120).collect();
    let user_id =
        users::insert(conn, &inv.email, if name.is_empty() { &inv.email } else { &name }, password_hash).await?;
    let scope = users::Scope { region_id: inv.region_id.as_deref(), organisation_id: inv.organisation_id.as_deref() };
    users::grant(conn, &user_id, inv.role, scope).await?;
    audit::append(
        conn,
        Some(&user_id),
        "user.accept",
        "user",
        &user_id,
        &json!({ "role": inv.role.code(), "sso": true }),
    )
    .await?;
    Ok(Some(user_id))
}

/// First-time set-up from the CLI: creates the user (or adds the role to an existing one).
/// Returns the password when one was generated.
pub async fn add_from_cli(
    app: &App,
    email: &str,
    name: &str,
    (role, region, organisation): (&str, &str, &str),
    password: Option<&str>,
) -> Result<Option<String>> {
    let mut e = FieldErrors::default();
    let email = validation::email(&mut e, "email", email, true);
    let generated = password.is_none().then(|| random_token().chars().take(20).collect::<String>());
    let password = password.map(str::to_owned).or_else(|| generated.clone()).unwrap_or_default();
    check_new_password(&mut e, "password", &password, &password);
    e.into_result(())?;
    let email = email.expect("valid");
    let mut tx = app.db.begin().await?;
    let (role, region_id, organisation_id) = role_and_region(&mut tx, role, region, organisation).await?;
    let user_id = match users::id_by_email(&mut tx, &email).await? {
        Some(id) => id,
        None => {
            let display = if name.trim().is_empty() { email.clone() } else { name.trim().to_owned() };
            users::insert(&mut tx, &email, &display, &hash_password(&password)).await?
        }
    };
    let scope = users::Scope { region_id: region_id.as_deref(), organisation_id: organisation_id.as_deref() };
    users::grant(&mut tx, &user_id, role, scope).await?;
    audit::append(
        &mut tx,
        None,
        "user.cli_add",
        "user",
        &user_id,
        &json!({ "role": role.code(), "region": region_id, "organisation": organisation_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(generated)
}

/// The signed-in actor's own account.
pub async fn me(app: &App, actor: &Actor) -> Result<User> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut conn = app.db.conn().await?;
    users::by_id(&mut conn, user_id).await?.ok_or(ServiceError::NotFound)
}

/// Users the actor may see: everyone for the national team, else those of the regions they manage.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<User>> {
    let mut conn = app.db.conn().await?;
    if actor.permits(Action::ViewUsers { region_id: None }) {
        return Ok(users::list(&mut conn, None).await?);
    }
    actor.require(Action::UseAccount)?;
    let mut seen = Vec::new();
    for region_id in actor.managed_regions() {
        for user in users::list(&mut conn, Some(region_id)).await? {
            if !seen.iter().any(|u: &User| u.id == user.id) {
                seen.push(user);
            }
        }
    }
    Ok(seen)
}

/// A role held for an organisation, to mark as one that may sign for it (or no longer).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignatoryInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    /// The region's id.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub organisation: String,
    /// "ja" marks, anything else unmarks.
    #[serde(default)]
    pub signatory: String,
}

/// Marks a role held for an organisation as one that may sign for it: its holder then confirms the
/// cooperation agreement for the organisation (and, for the lead applicant, submits). Whoever may
/// hand out the role there may mark it. The holder is told by mail. Returns their name.
pub async fn set_signatory(app: &App, actor: &Actor, input: &SignatoryInput) -> Result<String> {
    let role = Role::parse(&input.role).ok_or(ServiceError::NotFound)?;
    actor.require(Action::InviteUser { role, region_id: Some(&input.region) })?;
    let on = input.signatory == "ja";
    let mut tx = app.db.begin().await?;
    let email = input.email.trim().to_lowercase();
    let user_id = users::id_by_email(&mut tx, &email).await?.ok_or(ServiceError::NotFound)?;
    // Nobody vouches for themselves: who may sign is said by someone else.
    if actor.user_id.as_deref() == Some(user_id.as_str()) {
        return Err(ServiceError::NotAllowed(
            "U kunt uw eigen tekenbevoegdheid niet aangeven of intrekken: dat doet een ander (een programmamanager of het landelijk team)."
                .into(),
        ));
    }
    let user = users::by_id(&mut tx, &user_id).await?.ok_or(ServiceError::NotFound)?;
    let key = (role, input.region.as_str(), input.organisation.as_str());
    if !users::set_signatory(&mut tx, &user_id, key, on).await? {
        return Err(ServiceError::NotFound);
    }
    let region = regions::by_id(&mut tx, &input.region).await?.ok_or(ServiceError::NotFound)?;
    let organisation =
        store::organisations::by_id(&mut tx, &input.organisation).await?.ok_or(ServiceError::NotFound)?;
    let detail = json!({ "role": role.code(), "region": region.id, "organisation": organisation.id, "signatory": on });
    audit::append(&mut tx, actor.user_id.as_deref(), "user.signatory", "user", &user_id, &detail).await?;
    let body = match on {
        true => format!(
            "Beste {},\n\nU bent in Sterk aangemerkt als tekenbevoegd voor {} in de regio {}. U bevestigt de \
             samenwerkingsovereenkomst namens {}{}.",
            user.name,
            organisation.name,
            region.name,
            organisation.name,
            if region.lead_applicant_id.as_deref() == Some(organisation.id.as_str()) {
                " en dient als penvoerder de aanvraag formeel in"
            } else {
                ""
            }
        ),
        false => format!(
            "Beste {},\n\nU bent in Sterk niet meer aangemerkt als tekenbevoegd voor {} in de regio {}.",
            user.name, organisation.name, region.name
        ),
    };
    let mail = Mail {
        user_id: Some(&user_id),
        to: &user.email,
        kind: "user.signatory",
        subject: format!("Tekenbevoegdheid voor {} in Sterk", organisation.name),
        body,
        path: "/beheer".into(),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &mail).await?;
    if on {
        tell_others_of_signatory(app, &mut tx, actor, (&region, &organisation), &user).await?;
    }
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(user.name)
}

/// A new signatory is told to the organisation's other signatories and the region's other
/// managers, so that a designation nobody asked for does not go unseen.
async fn tell_others_of_signatory(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    (region, organisation): (&domain::Region, &domain::Organisation),
    signatory: &User,
) -> Result<()> {
    let by = match actor.user_id.as_deref() {
        Some(id) => users::by_id(conn, id).await?.map_or_else(|| "iemand".to_owned(), |u| u.name),
        None => "de beheerder van de server".to_owned(),
    };
    let mut told: Vec<(String, String, String)> = users::signatories(conn, &region.id)
        .await?
        .into_iter()
        .filter(|(org, ..)| *org == organisation.id)
        .map(|(_, id, name, email)| (id, name, email))
        .collect();
    for u in users::list(conn, Some(&region.id)).await? {
        if u.grants.iter().any(|g| g.role == Role::RegionManager && g.region_id.as_deref() == Some(region.id.as_str()))
        {
            told.push((u.id, u.name, u.email));
        }
    }
    told.retain(|(id, ..)| *id != signatory.id && actor.user_id.as_deref() != Some(id.as_str()));
    told.sort();
    told.dedup();
    for (id, name, email) in told {
        let mail = Mail {
            user_id: Some(&id),
            to: &email,
            kind: "user.signatory_told",
            subject: format!("Nieuwe tekenbevoegde voor {}", organisation.name),
            body: format!(
                "Beste {name},\n\n{by} heeft in Sterk {} ({}) aangemerkt als tekenbevoegd voor {} in de regio {}. \
                 Klopt dat niet? Laat het de programmamanager of het landelijk team weten.",
                signatory.name, signatory.email, organisation.name, region.name
            ),
            path: "/beheer".into(),
            dedup_key: None,
        };
        mail::queue(app, conn, &mail).await?;
    }
    Ok(())
}
