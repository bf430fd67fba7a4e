//! Passwords, sessions and API tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::user::check_new_password;
use domain::{Action, Actor, FieldErrors};
use sha2::{Digest, Sha256};
pub use store::sessions::{SsoSignIn, Stage};
pub use store::users::ApiToken;
use store::{now_ms, sessions, users};

use crate::{App, Result, ServiceError, invalid};

/// How long a signed-in session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// How long an anonymous visitor's form token lasts (a signed cookie; nothing is stored).
pub const ANONYMOUS_TTL_MS: i64 = 2 * 60 * 60 * 1000;

/// How long an API key works: a year, then a new one is made on `/beheer`.
pub const API_TOKEN_TTL_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// Argon2id with the crate's recommended parameters.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default params").to_string()
}

/// [`hash_password`] on the CPU pool, off the async workers.
pub async fn hash_off_thread(password: &str) -> Result<String> {
    let password = password.to_owned();
    crate::cpu::run(move || hash_password(&password)).await
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source");
}

/// 32 random bytes as 64 hex characters: session cookies, CSRF tokens, invitations, API tokens.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    fill_random(&mut buf);
    hex(&buf)
}

pub fn sha256_hex(s: &str) -> String {
    sha256_bytes_hex(s.as_bytes())
}

pub fn sha256_bytes_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A session as the web layer sees it: who, and the token forms must carry.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub actor: Actor,
    pub csrf_token: String,
    pub user_name: Option<String>,
    /// A session whose password was right but whose second step is still to come: it acts for
    /// nobody (the actor is anonymous) until that step is taken.
    pub pending: Option<Pending>,
}

/// Whose sign-in waits for its second step, and which step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub user_id: String,
    pub stage: Stage,
}

/// Where a request comes from: its address (as `web::client` keys it) and its browser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    pub address: &'a str,
    pub user_agent: &'a str,
}

/// What a right password (or an accepted invitation) leads to; each holds the session's cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in.
    Full(String),
    /// The code from the authenticator app is still to come.
    Code(String),
    /// Two-factor sign-in is required and must be set up first.
    Enrol(String),
}

impl SignIn {
    pub fn token(&self) -> &str {
        match self {
            SignIn::Full(t) | SignIn::Code(t) | SignIn::Enrol(t) => t,
        }
    }
}

/// How long a sign-in may wait for its second step.
pub const PENDING_TTL_MS: i64 = 30 * 60 * 1000;

/// A new session in `stage`; returns the cookie token.
pub(crate) async fn create_session(
    app: &App,
    user_id: &str,
    stage: Stage,
    (client, sso): (Client<'_>, Option<&SsoSignIn>),
) -> Result<String> {
    let mut conn = app.db.conn().await?;
    insert_session(&mut conn, user_id, stage, (client, sso)).await
}

/// [`create_session`] on the caller's connection (in its transaction).
pub(crate) async fn insert_session(
    conn: &mut store::AnyConnection,
    user_id: &str,
    stage: Stage,
    (client, sso): (Client<'_>, Option<&SsoSignIn>),
) -> Result<String> {
    let token = random_token();
    let ttl = if stage == Stage::Full { SESSION_TTL_MS } else { PENDING_TTL_MS };
    let session = sessions::NewSession {
        token_hash: &sha256_hex(&token),
        user_id: Some(user_id),
        csrf_token: &random_token(),
        expires_at: now_ms() + ttl,
        stage,
        user_agent: client.user_agent,
        client: client.address,
        sso,
    };
    sessions::insert(conn, &session).await?;
    Ok(token)
}

/// The stage a user's sign-in reaches after the password: the code when they set up two-factor
/// sign-in, its set-up when their role requires it, else signed in.
async fn stage_after_password(app: &App, user_id: &str) -> Result<Stage> {
    let mut conn = app.db.conn().await?;
    if store::two_factor::enabled(&mut conn, user_id).await? {
        return Ok(Stage::Code);
    }
    let grants = users::grants(&mut conn, user_id).await?;
    drop(conn);
    let required = crate::security::required_by_setting(app).await?;
    Ok(if domain::user::second_factor_required(&grants, required) { Stage::Enrol } else { Stage::Full })
}

/// A session for a user who just proved who they are (a password, an accepted invitation): signed
/// in, or waiting for the second step their account has or needs.
pub async fn start_user_session(app: &App, user_id: &str, client: Client<'_>) -> Result<SignIn> {
    start_session_as(app, user_id, (client, None)).await
}

/// [`start_user_session`], noting a provider's sign-in on the session.
pub(crate) async fn start_session_as(
    app: &App,
    user_id: &str,
    (client, sso): (Client<'_>, Option<&SsoSignIn>),
) -> Result<SignIn> {
    let stage = stage_after_password(app, user_id).await?;
    let token = create_session(app, user_id, stage, (client, sso)).await?;
    Ok(match stage {
        Stage::Full => SignIn::Full(token),
        Stage::Code => SignIn::Code(token),
        Stage::Enrol => SignIn::Enrol(token),
    })
}

/// The installation's key for signing anonymous form tokens: made once, kept in the database,
/// so every instance signs and checks alike.
async fn signing_key(app: &App) -> Result<&[u8; 32]> {
    app.signing_key
        .get_or_try_init(|| async {
            let mut conn = app.db.conn().await?;
            let hex = store::settings::get_or_insert(&mut conn, "csrf_signing_key", &random_token()).await?;
            let mut key = [0u8; 32];
            for (i, byte) in key.iter_mut().enumerate() {
                // A damaged key signs nothing: better no anonymous forms than a guessable key.
                *byte = hex.get(i * 2..i * 2 + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    ServiceError::Store(store::StoreError::Corrupt("csrf_signing_key is geen sleutel".into()))
                })?;
            }
            Ok(key)
        })
        .await
}

/// An anonymous visitor's cookie value (`{nonce}.{expires_ms}`) and the form token that goes
/// with it: a double-submit token signed by the server, so no session row is written for
/// someone who only opens a form.
pub async fn anonymous_token(app: &App) -> Result<(String, String)> {
    let mut nonce = [0u8; 16];
    fill_random(&mut nonce);
    let cookie = format!("{}.{}", hex(&nonce), now_ms() + ANONYMOUS_TTL_MS);
    let csrf = sign(signing_key(app).await?, &cookie);
    Ok((cookie, csrf))
}

/// The form token for an anonymous cookie, when the cookie is well formed and not expired.
pub async fn anonymous_csrf(app: &App, cookie: &str) -> Result<Option<String>> {
    let Some((nonce, expires)) = cookie.split_once('.') else { return Ok(None) };
    let live = expires.parse::<i64>().is_ok_and(|e| e > now_ms() && e <= now_ms() + ANONYMOUS_TTL_MS);
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) || !live {
        return Ok(None);
    }
    Ok(Some(sign(signing_key(app).await?, cookie)))
}

fn sign(key: &[u8; 32], cookie: &str) -> String {
    sign_as(key, b"sterk-csrf|", cookie)
}

/// An HMAC over `value`, separated by `purpose` so no signature of one kind passes for another.
fn sign_as(key: &[u8; 32], purpose: &[u8], value: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(purpose);
    mac.update(value.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// When a public form of kind `form` was shown (`{ms}.{signature}`), so a reply can say how long
/// it took to fill; a stamp of one kind of form does not pass for another.
pub async fn form_stamp(app: &App, form: &str) -> Result<String> {
    let at = now_ms().to_string();
    Ok(format!("{at}.{}", sign_as(signing_key(app).await?, b"sterk-form-time|", &format!("{form}|{at}"))))
}

/// How long ago a stamp of [`form_stamp`] for `form` was made; `None` for a stamp Sterk did not
/// sign for that form.
pub async fn form_age_ms(app: &App, form: &str, stamp: &str) -> Result<Option<i64>> {
    let Some((at, signature)) = stamp.split_once('.') else { return Ok(None) };
    let Ok(shown) = at.parse::<i64>() else { return Ok(None) };
    let expected = sign_as(signing_key(app).await?, b"sterk-form-time|", &format!("{form}|{at}"));
    Ok(constant_time_eq(expected.as_bytes(), signature.as_bytes()).then(|| now_ms() - shown))
}

/// How long a message for the next page stays readable, and how long it may be.
pub const MESSAGE_TTL_MS: i64 = 5 * 60 * 1000;
pub const MESSAGE_MAX_CHARS: usize = 500;

/// A one-time message for the next page (`{hex text}.{expires_ms}.{signature}`), sealed by the
/// server so no crafted link or cookie can make Sterk show text of its own choosing.
pub async fn seal_message(app: &App, message: &str) -> Result<String> {
    let text: String = message.chars().take(MESSAGE_MAX_CHARS).collect();
    let body = format!("{}.{}", hex(text.as_bytes()), now_ms() + MESSAGE_TTL_MS);
    Ok(format!("{body}.{}", sign_as(signing_key(app).await?, b"sterk-message|", &body)))
}

/// The text of a sealed message, when its signature holds and it has not expired.
pub async fn open_message(app: &App, sealed: &str) -> Result<Option<String>> {
    let Some((body, signature)) = sealed.rsplit_once('.') else { return Ok(None) };
    let Some((text, expires)) = body.split_once('.') else { return Ok(None) };
    let live = expires.parse::<i64>().is_ok_and(|e| e > now_ms() && e <= now_ms() + MESSAGE_TTL_MS);
    let expected = sign_as(signing_key(app).await?, b"sterk-message|", body);
    if !live || !constant_time_eq(expected.as_bytes(), signature.as_bytes()) || text.len() % 2 != 0 {
        return Ok(None);
    }
    let bytes: Option<Vec<u8>> =
        (0..text.len() / 2).map(|i| text.get(i * 2..i * 2 + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    Ok(bytes.and_then(|b| String::from_utf8(b).ok()))
}

/// Equal bytes, compared in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn actor_for_user(app: &App, user_id: &str) -> Result<Actor> {
    let mut conn = app.db.conn().await?;
    let grants = users::grants(&mut conn, user_id).await?;
    Ok(Actor { user_id: Some(user_id.to_owned()), grants, system: false })
}

/// The live session behind a cookie token, if any.
pub async fn session(app: &App, token: &str) -> Result<Option<SessionView>> {
    let mut conn = app.db.conn().await?;
    let Some(s) = sessions::get(&mut conn, &sha256_hex(token)).await? else {
        return Ok(None);
    };
    let anonymous =
        |pending| SessionView { actor: Actor::anonymous(), csrf_token: s.csrf_token.clone(), user_name: None, pending };
    let Some(id) = &s.user_id else { return Ok(Some(anonymous(None))) };
    if s.stage != Stage::Full {
        return Ok(Some(anonymous(Some(Pending { user_id: id.clone(), stage: s.stage }))));
    }
    Ok(users::by_id(&mut conn, id).await?.map(|user| SessionView {
        actor: Actor { user_id: Some(user.id), grants: user.grants, system: false },
        csrf_token: s.csrf_token.clone(),
        user_name: Some(user.name),
        pending: None,
    }))
}

/// Signs in with a password; returns where the sign-in stands. `client` is the caller's address
/// (for the limits of `ratelimit`, which reserve the attempt before the password is evaluated)
/// and browser (shown on the person's list of sessions).
pub async fn login(app: &App, email: &str, password: &str, client: Client<'_>) -> Result<SignIn> {
    let email = email.trim().to_lowercase();
    if email.len() > 254 {
        return Err(ServiceError::BadCredentials); // no address is longer; keeps the limit keys short
    }
    let attempt = crate::ratelimit::Attempt::new(&email, client.address);
    crate::ratelimit::admit(app, &attempt).await?;
    let creds = {
        let mut conn = app.db.conn().await?;
        users::credentials(&mut conn, &email).await?
    };
    // Without an account the same work is done, so timing does not reveal which accounts exist.
    let (hash, password) = (creds.as_ref().map(|c| c.password_hash.clone()), password.to_owned());
    let ok = crate::cpu::run(move || match hash {
        Some(hash) => verify_password(&password, &hash),
        None => !verify_password(&password, DUMMY_HASH.get_or_init(|| hash_password("dummy password"))),
    })
    .await?;
    match creds {
        Some(c) if ok => {
            crate::ratelimit::succeeded(app, &attempt).await?;
            start_user_session(app, &c.user_id, client).await
        }
        _ => Err(ServiceError::BadCredentials),
    }
}

/// Removes expired sessions and ended sign-in windows; the server calls this periodically.
pub async fn purge_expired_sessions(app: &App) -> Result<u64> {
    let mut conn = app.db.conn().await?;
    let sessions = sessions::delete_expired(&mut conn).await?;
    drop(conn);
    Ok(sessions + crate::ratelimit::purge(app).await?)
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Ends the session; returns how it signed in when that was through a provider (whose own logout
/// may follow).
pub async fn logout(app: &App, token: &str) -> Result<Option<SsoSignIn>> {
    let mut conn = app.db.conn().await?;
    Ok(sessions::take(&mut conn, &sha256_hex(token)).await?)
}

pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub repeat: &'a str,
}

/// Changes the actor's password and ends their other sessions and every API key.
pub async fn change_password(app: &App, actor: &Actor, session_token: &str, change: &PasswordChange<'_>) -> Result<()> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let hash = {
        let mut conn = app.db.conn().await?;
        users::password_hash(&mut conn, user_id).await?
    };
    let current = change.current.to_owned();
    if !crate::cpu::run(move || verify_password(&current, &hash)).await? {
        return Err(invalid("current", "Uw huidige wachtwoord klopt niet."));
    }
    let mut e = FieldErrors::default();
    check_new_password(&mut e, "password", change.new, change.repeat);
    e.into_result(())?;
    let new_hash = hash_off_thread(change.new).await?;
    let mut tx = app.db.begin().await?;
    replace_password(&mut tx, user_id, &new_hash, &sha256_hex(session_token)).await?;
    store::audit::append(&mut tx, Some(user_id), "user.password", "user", user_id, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password hash and ends what the old password opened: every session but `keep` (a
/// token hash; empty keeps none), every API key (a key made under the old password may be what
/// leaked) and the links and secrets left waiting.
pub(crate) async fn replace_password(
    conn: &mut store::AnyConnection,
    user_id: &str,
    new_hash: &str,
    keep: &str,
) -> Result<()> {
    users::set_password_hash(conn, user_id, new_hash).await?;
    sessions::delete_for_user(conn, user_id, keep).await?;
    users::revoke_all_api_tokens(conn, user_id).await?;
    crate::account_notices::end_account_links(conn, user_id).await
}

/// The actor behind an API bearer token.
pub async fn actor_for_api_token(app: &App, token: &str) -> Result<Option<Actor>> {
    let user_id = {
        let mut conn = app.db.conn().await?;
        users::user_by_api_token(&mut conn, &sha256_hex(token)).await?
    };
    match user_id {
        Some(id) => Ok(Some(actor_for_user(app, &id).await?)),
        None => Ok(None),
    }
}

/// Issues an API token for the actor; the token itself is shown once and stored only as a hash.
pub async fn create_api_token(app: &App, actor: &Actor, name: &str) -> Result<String> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut e = FieldErrors::default();
    let name = domain::validation::required(&mut e, "name", "een naam voor de sleutel", name, 80);
    e.into_result(())?;
    let token = format!("sterk_{}", random_token());
    let mut tx = app.db.begin().await?;
    let expires_at = store::now_ms() + API_TOKEN_TTL_MS;
    let id = users::insert_api_token(&mut tx, user_id, &name, &sha256_hex(&token), expires_at).await?;
    store::audit::append(
        &mut tx,
        Some(user_id),
        "api_token.create",
        "api_token",
        &id,
        &serde_json::json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn list_api_tokens(app: &App, actor: &Actor) -> Result<Vec<users::ApiToken>> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut conn = app.db.conn().await?;
    Ok(users::api_tokens(&mut conn, user_id).await?)
}

pub async fn revoke_api_token(app: &App, actor: &Actor, id: &str) -> Result<()> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut tx = app.db.begin().await?;
    if !users::revoke_api_token(&mut tx, user_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    store::audit::append(&mut tx, Some(user_id), "api_token.revoke", "api_token", id, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hex() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
