//! Two-factor sign-in: a time-based code from an authenticator app (TOTP, RFC 6238: SHA-1, six
//! digits, 30-second steps, one step of drift either way) and ten one-use recovery codes.
//! Required of national administrators and the funder's staff while the installation's setting
//! says so; anyone else may turn it on.

use domain::{Action, Actor, FieldErrors};
use store::{limits, two_factor as repo, users};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::{Client, Pending, Stage, constant_time_eq, insert_session, sha256_hex};
use crate::{App, Result, ServiceError, invalid};

/// Wrong codes for one account per window before it waits for the window's end.
pub const CODE_ATTEMPTS: i64 = 5;
/// Wrong codes in a row after which the owner is told by mail, and after which no code counts
/// until the national team clears two-factor sign-in (guessing, slowed by `CODE_ATTEMPTS`, ends).
pub const CODES_WARN: i64 = 10;
pub const CODES_LOCK: i64 = 20;
const RECOVERY_CODES: usize = 10;
/// The name the authenticator app shows beside the account.
const ISSUER: &str = "Sterk";

/// Where a person's two-factor sign-in stands.
#[derive(Debug, Clone)]
pub struct Status {
    pub enabled: bool,
    /// Whether their role requires it (so it cannot be turned off).
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(app: &App, actor: &Actor) -> Result<Status> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let required =
        domain::user::second_factor_required(&actor.grants, crate::security::required_by_setting(app).await?);
    let mut conn = app.db.conn().await?;
    Ok(Status {
        enabled: repo::enabled(&mut conn, user_id).await?,
        required,
        recovery_codes_left: repo::recovery_codes_left(&mut conn, user_id).await?,
    })
}

/// What the authenticator app needs: the secret (base32, in groups of four for typing) and the
/// `otpauth://` address the QR code carries.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

/// The signed-in actor's user, or the user whose pending sign-in must set up two-factor sign-in.
fn enrolling_user<'a>(actor: &'a Actor, pending: Option<&'a Pending>) -> Result<&'a str> {
    match (actor.user_id.as_deref(), pending) {
        (Some(id), _) => Ok(id),
        (None, Some(p)) if p.stage == Stage::Enrol => Ok(&p.user_id),
        _ => Err(ServiceError::Denied(domain::Denied::NotSignedIn)),
    }
}

/// The secret to set up (the same one until it is confirmed); `Conflict` when it is on already.
pub async fn enrolment(app: &App, actor: &Actor, pending: Option<&Pending>) -> Result<Enrolment> {
    let user_id = enrolling_user(actor, pending)?;
    let mut conn = app.db.conn().await?;
    if repo::enabled(&mut conn, user_id).await? {
        return Err(ServiceError::Conflict);
    }
    let email = users::by_id(&mut conn, user_id).await?.ok_or(ServiceError::NotFound)?.email;
    let mut fresh = [0u8; 20];
    getrandom::fill(&mut fresh).expect("the operating system's random source");
    repo::propose(&mut conn, user_id, &Secret::Raw(fresh.to_vec()).to_encoded().to_string()).await?;
    let secret = repo::secret(&mut conn, user_id).await?.ok_or(ServiceError::NotFound)?.secret;
    let uri = totp(&secret, &email)?.get_url();
    let grouped = secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>();
    Ok(Enrolment { secret: grouped.join(" "), uri })
}

fn totp(secret: &str, account: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|_| corrupt())?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some(ISSUER.to_owned()), account.to_owned()).map_err(|_| corrupt())
}

fn corrupt() -> ServiceError {
    ServiceError::Store(store::StoreError::Corrupt("totp-geheim is ongeldig".into()))
}

/// The 30-second step a six-digit code belongs to, within one step of `now_secs`.
pub fn matching_step(totp: &TOTP, code: &str, now_secs: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = now_secs / 30;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| constant_time_eq(totp.generate(step * 30).as_bytes(), code.as_bytes()))
        .and_then(|step| i64::try_from(step).ok())
}

/// The machine's own time: the authenticator app on the phone counts in it, whatever clock the
/// demo's history is stamped with.
fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Confirms the set-up with a first code; returns the recovery codes (shown once).
async fn confirm(app: &App, user_id: &str, code: &str) -> Result<Vec<String>> {
    let mut tx = app.db.begin().await?;
    // No secret yet: the set-up page was not opened, so no code can be right.
    let secret = repo::secret(&mut tx, user_id).await?.ok_or_else(wrong_code)?;
    if secret.confirmed {
        return Err(ServiceError::Conflict);
    }
    let email = users::by_id(&mut tx, user_id).await?.ok_or(ServiceError::NotFound)?.email;
    let step = matching_step(&totp(&secret.secret, &email)?, code, now_secs());
    let Some(step) = step.filter(|s| *s > secret.last_step) else { return Err(wrong_code()) };
    if !repo::use_step(&mut tx, user_id, step).await? {
        return Err(wrong_code());
    }
    let codes = new_recovery_codes(&mut tx, user_id).await?;
    store::audit::append(&mut tx, Some(user_id), "user.two_factor_on", "user", user_id, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(codes)
}

fn wrong_code() -> ServiceError {
    invalid("code", "Deze code klopt niet. Typ de zes cijfers die de app nu toont; een code geldt 30 seconden.")
}

async fn new_recovery_codes(conn: &mut store::AnyConnection, user_id: &str) -> Result<Vec<String>> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| sha256_hex(&normalise(c))).collect();
    repo::replace_recovery_codes(conn, user_id, &hashes).await?;
    Ok(codes)
}

/// Ten characters in two groups, from an alphabet without look-alikes (50 random bits).
fn recovery_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let mut code = String::with_capacity(11);
    for (i, b) in bytes.iter().enumerate() {
        if i == 5 {
            code.push('-');
        }
        code.push(ALPHABET.get(usize::from(b % 32)).map_or('0', |c| char::from(*c)));
    }
    code
}

/// A recovery code as typed: without spaces and dashes, lower case.
fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Checks a code (from the app, or a recovery code) for a user who has two-factor sign-in on.
async fn verify(app: &App, user_id: &str, code: &str) -> Result<()> {
    crate::ratelimit::count(app, &format!("code:{user_id}"), CODE_ATTEMPTS).await?;
    let mut conn = app.db.conn().await?;
    let secret = repo::secret(&mut conn, user_id).await?.filter(|s| s.confirmed).ok_or(ServiceError::NotFound)?;
    if secret.failed_codes >= CODES_LOCK {
        return Err(invalid(
            "code",
            "Er is te vaak een verkeerde code ingevoerd: inloggen in twee stappen is geblokkeerd. Vraag het landelijk \
             team om het opnieuw in te stellen.",
        ));
    }
    let email = users::by_id(&mut conn, user_id).await?.ok_or(ServiceError::NotFound)?.email;
    let ok = match matching_step(&totp(&secret.secret, &email)?, code, now_secs()) {
        Some(step) => step > secret.last_step && repo::use_step(&mut conn, user_id, step).await?,
        None => {
            let typed = normalise(code);
            typed.len() == 10 && repo::use_recovery_code(&mut conn, user_id, &sha256_hex(&typed)).await?
        }
    };
    if !ok {
        if repo::record_failure(&mut conn, user_id).await? == CODES_WARN {
            let notice = (
                "Verkeerde codes bij het inloggen",
                "Bij het inloggen op uw account in Sterk is tien keer achter elkaar een verkeerde code ingevoerd. Was u \
                 dit niet? Dan kent iemand anders uw wachtwoord: wijzig het meteen. Na twintig verkeerde codes wordt \
                 inloggen in twee stappen geblokkeerd.",
            );
            crate::account_notices::tell_owner(app, &mut conn, user_id, notice).await?;
            drop(conn);
            crate::mail::deliver(app).await?;
        }
        return Err(wrong_code());
    }
    limits::clear(&mut conn, &format!("code:{user_id}")).await?;
    repo::clear_failures(&mut conn, user_id).await?;
    Ok(())
}

/// Ends a pending sign-in and starts the full session in its place (a new token: nothing from
/// before the second step lives on), in one transaction: a sign-in ended meanwhile (a password
/// reset, signing out everywhere) starts nothing.
async fn promote(app: &App, pending_token: &str, user_id: &str, client: Client<'_>) -> Result<String> {
    let mut tx = app.db.begin().await?;
    let Some(sso) = store::sessions::take_pending(&mut tx, &sha256_hex(pending_token)).await? else {
        return Err(ServiceError::Denied(domain::Denied::NotSignedIn));
    };
    let token = insert_session(&mut tx, user_id, Stage::Full, (client, sso.as_ref())).await?;
    tx.commit().await?;
    Ok(token)
}

/// The second step of signing in: the code, for the session that waits for it; returns the
/// signed-in session's token.
pub async fn complete_sign_in(
    app: &App,
    (pending_token, pending): (&str, Option<&Pending>),
    code: &str,
    client: Client<'_>,
) -> Result<String> {
    let Some(Pending { user_id, stage: Stage::Code }) = pending else {
        return Err(ServiceError::Denied(domain::Denied::NotSignedIn));
    };
    verify(app, user_id, code).await?;
    promote(app, pending_token, user_id, client).await
}

/// Turns two-factor sign-in on with a first code. For a pending sign-in that had to set it up,
/// the session is signed in now (its new token is returned with the recovery codes).
pub async fn turn_on(
    app: &App,
    actor: &Actor,
    (session_token, pending): (&str, Option<&Pending>),
    code: &str,
    client: Client<'_>,
) -> Result<(Vec<String>, Option<String>)> {
    let user_id = enrolling_user(actor, pending)?.to_owned();
    let codes = confirm(app, &user_id, code).await?;
    let signed_in = match actor.user_id {
        Some(_) => None,
        None => Some(promote(app, session_token, &user_id, client).await?),
    };
    // Sessions signed in with the password alone end; this one (or the new one) stays.
    let keep = sha256_hex(signed_in.as_deref().unwrap_or(session_token));
    let mut tx = app.db.begin().await?;
    store::sessions::delete_for_user(&mut tx, &user_id, &keep).await?;
    let notice = (
        "Inloggen in twee stappen staat aan",
        "Voor uw account in Sterk staat inloggen in twee stappen nu aan; andere sessies zijn afgemeld. Was u dit \
         niet? Neem dan meteen contact op met het landelijk team.",
    );
    crate::account_notices::tell_owner(app, &mut tx, &user_id, notice).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok((codes, signed_in))
}

/// New recovery codes in place of the old ones, on a current code.
pub async fn renew_recovery_codes(app: &App, actor: &Actor, code: &str) -> Result<Vec<String>> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    verify(app, user_id, code).await?;
    let mut tx = app.db.begin().await?;
    let codes = new_recovery_codes(&mut tx, user_id).await?;
    store::audit::append(&mut tx, Some(user_id), "user.recovery_codes", "user", user_id, &serde_json::json!({}))
        .await?;
    let notice = (
        "Nieuwe herstelcodes voor Sterk",
        "Voor uw account in Sterk zijn nieuwe herstelcodes gemaakt; de oude werken niet meer. Was u dit niet? Neem \
         dan meteen contact op met het landelijk team.",
    );
    crate::account_notices::tell_owner(app, &mut tx, user_id, notice).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(codes)
}

/// Turns two-factor sign-in off, on a current code; refused where the role requires it.
pub async fn turn_off(app: &App, actor: &Actor, code: &str) -> Result<()> {
    if status(app, actor).await?.required {
        let mut e = FieldErrors::default();
        e.add("code", "Voor uw rol is inloggen in twee stappen verplicht; u kunt het niet uitzetten.");
        return Err(ServiceError::Invalid(e));
    }
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    verify(app, user_id, code).await?;
    let mut tx = app.db.begin().await?;
    repo::remove(&mut tx, user_id).await?;
    store::audit::append(&mut tx, Some(user_id), "user.two_factor_off", "user", user_id, &serde_json::json!({}))
        .await?;
    let notice = (
        "Inloggen in twee stappen staat uit",
        "Voor uw account in Sterk staat inloggen in twee stappen nu uit. Was u dit niet? Neem dan meteen contact op \
         met het landelijk team.",
    );
    crate::account_notices::tell_owner(app, &mut tx, user_id, notice).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(())
}

/// The national team (or the operator at the command line) resets someone's two-factor sign-in
/// when phone and recovery codes are lost: the secret and codes go, every session ends, and the
/// person sets it up again at the next sign-in. Returns whether it was on.
pub async fn reset(app: &App, actor: &Actor, email: &str) -> Result<bool> {
    actor.require(Action::ManageSecurity)?;
    let email = email.trim().to_lowercase();
    let mut tx = app.db.begin().await?;
    let user_id = users::id_by_email(&mut tx, &email).await?.ok_or(ServiceError::NotFound)?;
    let was_on = repo::enabled(&mut tx, &user_id).await?;
    repo::remove(&mut tx, &user_id).await?;
    store::sessions::delete_for_user(&mut tx, &user_id, "").await?;
    store::audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "user.two_factor_reset",
        "user",
        &user_id,
        &serde_json::json!({}),
    )
    .await?;
    let mail = crate::mail::Mail {
        user_id: Some(&user_id),
        to: &email,
        kind: "user.two_factor_reset",
        subject: "Inloggen in twee stappen opnieuw instellen".into(),
        body: "Het landelijk team heeft inloggen in twee stappen voor uw account in Sterk gewist, zoals gevraagd. \
               Na uw wachtwoord stelt u het opnieuw in met uw authenticator-app. Hebt u hier niet om gevraagd? \
               Neem dan meteen contact op met het landelijk team."
            .into(),
        path: "/account/tweestapsverificatie".into(),
        dedup_key: None,
    };
    crate::mail::queue(app, &mut tx, &mail).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(was_on)
}

/// The accounts that have two-factor sign-in on (for the national team's list of users).
pub async fn enabled_accounts(app: &App, actor: &Actor) -> Result<Vec<String>> {
    actor.require(Action::ManageSecurity)?;
    let mut conn = app.db.conn().await?;
    Ok(repo::enabled_users(&mut conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_within_one_step_of_drift() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s gives 94287082
        // (eight digits); its last six digits are the six-digit code.
        let rfc = TOTP::new(Algorithm::SHA1, 6, 1, 30, b"12345678901234567890".to_vec(), None, "t".into()).unwrap();
        assert_eq!(rfc.generate(59), "287082");
        assert_eq!(matching_step(&rfc, "287082", 59), Some(1));
        assert_eq!(matching_step(&rfc, "287 082", 89), Some(1), "one step late still counts");
        assert_eq!(matching_step(&rfc, "287082", 120), None, "two steps late does not");
        assert_eq!(matching_step(&rfc, "28708", 59), None);
        assert_eq!(matching_step(&rfc, "abcdef", 59), None);
    }

    #[test]
    fn recovery_codes_are_random_and_typed_loosely() {
        let (a, b) = (recovery_code(), recovery_code());
        assert_ne!(a, b);
        assert_eq!(a.len(), 11);
        assert_eq!(normalise(" ABCDE-fghjk "), "abcdefghjk");
    }
}
