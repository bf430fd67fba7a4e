//! Getting back in and moving one's address: a forgotten password by a one-use link mailed for an
//! hour, and a new e-mail address confirmed from that address before it counts.

use domain::user::check_new_password;
use domain::{Action, Actor, FieldErrors, validation};
use serde_json::json;
use store::account_tokens::{self as tokens, Purpose};
use store::{StoreError, limits, users};

use crate::auth::{hash_off_thread, random_token, sha256_hex, verify_password};
use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError, invalid};

/// A reset link works for an hour.
pub const RESET_TTL_MS: i64 = 60 * 60 * 1000;
/// A link to confirm a new address works for a day.
pub const EMAIL_CHANGE_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Reset mails per address per window (more are silently not sent) and requests per caller.
pub const RESETS_PER_ADDRESS: i64 = 3;
pub const RESETS_PER_CLIENT: i64 = 10;

/// Mails a reset link when the address has an account, and answers the same whether or not it
/// has: the look-up and the mail happen after the answer, so not even the time taken tells.
pub async fn request_reset(app: &App, email: &str, client: &str) -> Result<()> {
    let mut e = FieldErrors::default();
    let email = validation::email(&mut e, "email", email, true);
    e.into_result(())?;
    let email = email.expect("valid when no errors");
    crate::ratelimit::count(app, &format!("reset-client:{client}"), RESETS_PER_CLIENT).await?;
    let app = app.clone();
    tokio::spawn(async move {
        let sent = match mail_reset_link(&app, &email).await {
            Ok(()) => mail::deliver(&app).await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            tracing::warn!("reset link not mailed now: {e}");
        }
    });
    Ok(())
}

/// Writes the reset mail when the address has an account and has not had too many.
async fn mail_reset_link(app: &App, email: &str) -> Result<()> {
    let now = store::now_ms();
    let mut tx = app.db.begin().await?;
    let (for_address, _) =
        limits::reserve(&mut tx, &format!("reset:{email}"), now, crate::ratelimit::WINDOW_MS).await?;
    let Some(user_id) = users::id_by_email(&mut tx, email).await?.filter(|_| for_address <= RESETS_PER_ADDRESS) else {
        tx.commit().await?;
        return Ok(());
    };
    let token = random_token();
    tokens::insert(&mut tx, (&sha256_hex(&token), Purpose::PasswordReset), &user_id, None, now + RESET_TTL_MS).await?;
    let until = domain::fmt::instant_nl(jiff::Timestamp::from_millisecond(now + RESET_TTL_MS).unwrap_or_default());
    let mail = Mail {
        // Not among the person's messages in Sterk: the link is for whoever reads this mailbox.
        user_id: None,
        to: email,
        kind: "account.password_reset",
        subject: "Nieuw wachtwoord voor Sterk".into(),
        body: format!(
            "Iemand (hopelijk u) vroeg een nieuw wachtwoord voor uw account in Sterk. Kies een nieuw \
             wachtwoord met de link hieronder; die werkt één keer, tot {until}.\n\nHebt u dit niet gevraagd? \
             Dan hoeft u niets te doen: uw wachtwoord blijft zoals het is."
        ),
        path: format!("/wachtwoord-herstellen/{token}"),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &mail).await?;
    store::audit::append(&mut tx, None, "user.password_reset_mailed", "user", &user_id, &json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// `Ok` when the reset link is live (unknown, used and expired links are `NotFound`).
pub async fn reset_link(app: &App, token: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    tokens::live(&mut conn, &sha256_hex(token), Purpose::PasswordReset).await?.ok_or(ServiceError::NotFound)?;
    Ok(())
}

/// Sets a new password by a reset link, and ends every session and API key of the account: whoever
/// knew the old password is out.
pub async fn reset_password(app: &App, token: &str, password: &str, repeat: &str) -> Result<()> {
    let hash = sha256_hex(token);
    let user_id = {
        let mut conn = app.db.conn().await?;
        tokens::live(&mut conn, &hash, Purpose::PasswordReset).await?.ok_or(ServiceError::NotFound)?.user_id
    };
    let mut e = FieldErrors::default();
    check_new_password(&mut e, "password", password, repeat);
    e.into_result(())?;
    let new_hash = hash_off_thread(password).await?;
    let mut tx = app.db.begin().await?;
    if !tokens::use_up(&mut tx, &hash, &user_id, Purpose::PasswordReset).await? {
        return Err(ServiceError::NotFound);
    }
    crate::auth::replace_password(&mut tx, &user_id, &new_hash, "").await?;
    store::audit::append(&mut tx, Some(&user_id), "user.password_reset", "user", &user_id, &json!({})).await?;
    let notice = (
        "Uw wachtwoord voor Sterk is gewijzigd",
        "Het wachtwoord van uw account in Sterk is zojuist opnieuw ingesteld via de link uit uw e-mail; u bent overal \
         afgemeld. Was u dit niet? Neem dan meteen contact op met het landelijk team.",
    );
    crate::account_notices::tell_owner(app, &mut tx, &user_id, notice).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}

/// Mails a confirmation link to a new address; the address changes only when it is followed.
/// Returns the new address.
pub async fn request_email_change(app: &App, actor: &Actor, new_email: &str, password: &str) -> Result<String> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut e = FieldErrors::default();
    let email = validation::email(&mut e, "email", new_email, true);
    let (current, hash) = {
        let mut conn = app.db.conn().await?;
        let user = users::by_id(&mut conn, user_id).await?.ok_or(ServiceError::NotFound)?;
        (user.email, users::password_hash(&mut conn, user_id).await?)
    };
    if email.as_deref() == Some(current.as_str()) {
        e.add("email", "Dit is al uw e-mailadres.");
    }
    crate::ratelimit::count(app, &format!("password:{user_id}"), crate::ratelimit::PAIR_ATTEMPTS).await?;
    let typed = password.to_owned();
    if !crate::cpu::run(move || verify_password(&typed, &hash)).await? {
        e.add("password", "Uw wachtwoord klopt niet.");
    }
    e.into_result(())?;
    let email = email.expect("valid when no errors");
    let token = random_token();
    let mut tx = app.db.begin().await?;
    let expires = store::now_ms() + EMAIL_CHANGE_TTL_MS;
    tokens::insert(&mut tx, (&sha256_hex(&token), Purpose::EmailChange), user_id, Some(&email), expires).await?;
    let mail = Mail {
        user_id: None,
        to: &email,
        kind: "account.email_change",
        subject: "Bevestig uw nieuwe e-mailadres voor Sterk".into(),
        body: format!(
            "U vroeg om {email} te gebruiken voor uw account in Sterk (nu {current}). Bevestig dat dit adres \
             van u is met de link hieronder; die werkt één keer, een dag lang. Tot dan blijft uw oude adres gelden."
        ),
        path: format!("/e-mailadres-bevestigen/{token}"),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &mail).await?;
    store::audit::append(&mut tx, Some(user_id), "user.email_change_mailed", "user", user_id, &json!({ "to": email }))
        .await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(email)
}

/// `Ok` when the link to confirm a new address is live.
pub async fn email_link(app: &App, token: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    tokens::live(&mut conn, &sha256_hex(token), Purpose::EmailChange).await?.ok_or(ServiceError::NotFound)?;
    Ok(())
}

/// Confirms a new address by its link; returns it. The old address is told.
pub async fn confirm_email_change(app: &App, token: &str) -> Result<String> {
    let hash = sha256_hex(token);
    let mut tx = app.db.begin().await?;
    let live = tokens::live(&mut tx, &hash, Purpose::EmailChange).await?.ok_or(ServiceError::NotFound)?;
    let (user_id, new_email) = (live.user_id, live.new_email.ok_or(ServiceError::NotFound)?);
    let old = users::by_id(&mut tx, &user_id).await?.ok_or(ServiceError::NotFound)?.email;
    if !tokens::use_up(&mut tx, &hash, &user_id, Purpose::EmailChange).await? {
        return Err(ServiceError::NotFound);
    }
    users::set_email(&mut tx, &user_id, &new_email).await.map_err(|e| match e {
        StoreError::Duplicate => {
            invalid("email", "Er bestaat al een account met dit e-mailadres; uw adres is niet gewijzigd.")
        }
        e => e.into(),
    })?;
    let mail = Mail {
        user_id: None,
        to: &old,
        kind: "account.email_changed",
        subject: "Uw e-mailadres in Sterk is gewijzigd".into(),
        body: format!(
            "Uw account in Sterk gebruikt voortaan {new_email} in plaats van dit adres. Hebt u dit niet zelf \
             gedaan? Neem dan meteen contact op met het landelijk team."
        ),
        path: "/inloggen".into(),
        dedup_key: None,
    };
    mail::queue(app, &mut tx, &mail).await?;
    let detail = json!({ "from": old, "to": new_email });
    store::audit::append(&mut tx, Some(&user_id), "user.email_changed", "user", &user_id, &detail).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(new_email)
}
