//! Single sign-on with OpenID Connect (authorization code flow with PKCE, `state` and `nonce`):
//! any number of providers from a file or the environment. The ID token's signature (keys from
//! the provider's JWKS, fetched again once when a key is unknown: rotation), issuer, audience,
//! expiry and nonce are checked by `openidconnect`. An identity is linked to the account with its
//! verified e-mail address, or made from an open invitation for that address; never otherwise,
//! so no provider can hand out roles.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
};
use store::sso::{self as repo, Waiting};

mod providers;
pub use providers::{Provider, Providers};

use crate::auth::{Client, SignIn, SsoSignIn, random_token, sha256_hex};
use crate::{App, Result, ServiceError};

/// Sign-ins a caller may start per window (each writes a row until it returns or lapses).
pub const STARTS_PER_CLIENT: i64 = 30;
/// How long a sign-in may stay at the provider.
pub const WAITING_TTL_MS: i64 = 10 * 60 * 1000;
fn refused(p: &Provider, detail: &str) -> ServiceError {
    tracing::warn!("OIDC sign-in through {} refused: {detail}", p.id);
    ServiceError::NotAllowed(format!(
        "Inloggen via {} is niet gelukt: het antwoord van de provider klopte niet. Probeer het opnieuw of log in met uw wachtwoord.",
        p.name
    ))
}

fn redirect_url(app: &App, p: &Provider) -> String {
    format!("{}/inloggen/sso/{}/terug", app.base_url.trim_end_matches('/'), p.id)
}

/// Where to send the browser to sign in at `provider`, and the value of the cookie that binds the
/// answer to this browser. A signed-in `actor` starts it to link the identity to their account.
pub async fn start(app: &App, actor: &domain::Actor, provider: &str, client: &str) -> Result<(String, String)> {
    let p = app.sso.get(provider)?;
    crate::ratelimit::count(app, &format!("sso-start:{client}"), STARTS_PER_CLIENT).await?;
    let metadata = app.sso.metadata(p, false).await?;
    let redirect = RedirectUrl::new(redirect_url(app, p)).map_err(|e| refused(p, &e.to_string()))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(p.client_id.clone()),
        p.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for scope in p.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.url();
    let browser = random_token();
    let waiting = Waiting {
        provider: p.id.clone(),
        browser_hash: sha256_hex(&browser),
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        link_user: actor.user_id.clone(),
    };
    let mut conn = app.db.conn().await?;
    repo::insert_waiting(&mut conn, &sha256_hex(state.secret()), &waiting, WAITING_TTL_MS).await?;
    Ok((url.to_string(), browser))
}

/// What the provider vouched for.
struct Vouched {
    subject: String,
    email: String,
    name: Option<String>,
    id_token: String,
}

/// What a provider's answer led to.
#[derive(Debug)]
pub enum Finished {
    /// A session, as after a password.
    SignedIn(SignIn),
    /// The identity was linked to the signed-in account that asked for it; its session goes on.
    Linked,
}

/// The provider's answer (`code`, `state`) for the browser with the binding cookie `browser`:
/// exchanged, verified and linked to an account. A link asked for from Mijn Sterk completes only
/// for the same signed-in account (`actor`).
pub async fn finish(
    app: &App,
    (actor, provider): (&domain::Actor, &str),
    (code, state): (&str, &str),
    browser: &str,
    client: Client<'_>,
) -> Result<Finished> {
    let p = app.sso.get(provider)?;
    let waiting = {
        let mut conn = app.db.conn().await?;
        repo::take_waiting(&mut conn, &sha256_hex(state)).await?
    };
    let waiting = waiting
        .filter(|w| {
            w.provider == p.id
                && crate::auth::constant_time_eq(w.browser_hash.as_bytes(), sha256_hex(browser).as_bytes())
        })
        .ok_or_else(|| {
            ServiceError::NotAllowed(format!(
                "Deze aanmelding via {} is verlopen of in een andere browser begonnen. Begin opnieuw.",
                p.name
            ))
        })?;
    if let Some(user) = &waiting.link_user
        && actor.user_id.as_deref() != Some(user.as_str())
    {
        return Err(ServiceError::NotAllowed(
            "Deze koppeling is begonnen door iemand die nu niet meer is ingelogd. Log in en koppel opnieuw.".into(),
        ));
    }
    let vouched = exchange(app, p, code, &waiting).await?;
    if let Some(user) = &waiting.link_user {
        link_on_request(app, p, &vouched, user).await?;
        return Ok(Finished::Linked);
    }
    let user_id = account_for(app, p, &vouched).await?;
    let sso = SsoSignIn { provider: p.id.clone(), id_token: vouched.id_token };
    Ok(Finished::SignedIn(crate::auth::start_session_as(app, &user_id, (client, Some(&sso))).await?))
}

/// Exchanges the code (with the PKCE verifier) and verifies the ID token; a key the provider
/// rotated in since the keys were fetched is found by fetching them once more.
async fn exchange(app: &App, p: &Provider, code: &str, waiting: &Waiting) -> Result<Vouched> {
    let redirect = RedirectUrl::new(redirect_url(app, p)).map_err(|e| refused(p, &e.to_string()))?;
    let metadata = app.sso.metadata(p, false).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(p.client_id.clone()),
        p.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| refused(p, &e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(waiting.verifier.clone()))
        .request_async(&app.sso.http)
        .await
        .map_err(|e| refused(p, &format!("token: {e}")))?;
    let id_token = token.id_token().ok_or_else(|| refused(p, "no ID token"))?;
    let nonce = Nonce::new(waiting.nonce.clone());
    let subject = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.subject().to_string(),
        Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
            if app.sso.may_refetch(&p.id) =>
        {
            // A key rotated in since the keys were fetched: fetch them again and verify once more.
            let first = "no matching key";
            let fresh = app.sso.metadata(p, true).await?;
            let again = CoreClient::from_provider_metadata(
                fresh,
                ClientId::new(p.client_id.clone()),
                p.client_secret.clone().map(ClientSecret::new),
            );
            let claims = id_token
                .claims(&again.id_token_verifier(), &nonce)
                .map_err(|e| refused(p, &format!("ID token: {first}; again: {e}")))?;
            claims.subject().to_string()
        }
        Err(e) => return Err(refused(p, &format!("ID token: {e}"))),
    };
    // The signature holds: the payload's other claims (the configured e-mail claim) can be read;
    // a provider that keeps them for its userinfo endpoint is asked there, for the same subject.
    let raw = id_token.to_string();
    let mut payload = payload_of(&raw).ok_or_else(|| refused(p, "ID token payload"))?;
    if !payload.contains_key(&p.email_claim) {
        let metadata = app.sso.metadata(p, false).await?;
        let endpoint = metadata.userinfo_endpoint().ok_or_else(|| refused(p, "no e-mail claim, no userinfo"))?;
        let body = app
            .sso
            .http
            .get(endpoint.url().clone())
            .bearer_auth(token.access_token().secret())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| refused(p, &format!("userinfo: {e}")))?
            .bytes()
            .await
            .map_err(|e| refused(p, &format!("userinfo: {e}")))?;
        let info: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&body).map_err(|e| refused(p, &format!("userinfo: {e}")))?;
        if info.get("sub").and_then(serde_json::Value::as_str) != Some(subject.as_str()) {
            return Err(refused(p, "userinfo for another subject"));
        }
        payload.extend(info);
    }
    // `email_verified` speaks of the `email` claim only; an explicit false is never overridden.
    let verified = match (p.email_claim.as_str(), payload.get("email_verified")) {
        ("email", Some(v)) => v.as_bool() == Some(true),
        _ => p.trust_email,
    };
    let email = payload.get(&p.email_claim).and_then(serde_json::Value::as_str).map(|e| e.trim().to_lowercase());
    let email = match email {
        Some(e) if verified && e.contains('@') && e.len() <= 254 => e,
        _ => {
            return Err(ServiceError::NotAllowed(format!(
                "{} gaf geen bevestigd e-mailadres door. Zonder dat kan Sterk u niet aan een account koppelen.",
                p.name
            )));
        }
    };
    if !p.speaks_for(&email) {
        return Err(ServiceError::NotAllowed(format!(
            "{} mag in Sterk alleen inloggen met adressen van {}; {email} hoort daar niet bij.",
            p.name,
            p.domains.join(", ")
        )));
    }
    let name = payload.get("name").and_then(serde_json::Value::as_str).map(str::to_owned);
    Ok(Vouched { subject, email, name, id_token: raw })
}

/// The JSON payload of a compact JWT (after its signature was verified).
fn payload_of(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let middle = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(middle).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The account of a verified identity: linked before, or linked now by its e-mail address to an
/// account (unless its owner unlinked this provider) or an open invitation (which then makes the
/// account). Otherwise refused.
async fn account_for(app: &App, p: &Provider, v: &Vouched) -> Result<String> {
    // An account made from an invitation gets a hash like any other (of a password nobody holds),
    // so signing in with a password takes as long for it as for every other account.
    let known = store::users::id_by_email(&mut *app.db.conn().await?, &v.email).await?.is_some();
    let unusable = if known { String::new() } else { crate::auth::hash_off_thread(&random_token()).await? };
    let mut tx = app.db.begin().await?;
    if let Some(user) = repo::user_of(&mut tx, (&p.id, &v.subject, &p.issuer)).await? {
        tx.commit().await?;
        return Ok(user);
    }
    let user_id = match store::users::id_by_email(&mut tx, &v.email).await? {
        Some(id) if repo::refused(&mut tx, &id, &p.id).await? => {
            return Err(ServiceError::NotAllowed(format!(
                "U hebt inloggen via {} losgekoppeld van uw account. Log in met uw wachtwoord en koppel het opnieuw \
                 op Mijn Sterk als u het weer wilt gebruiken.",
                p.name
            )));
        }
        // The national team and the funder decide about money: their accounts are linked only by
        // themselves, signed in with password and second step (a federation's word is not enough).
        Some(id) if store::users::grants(&mut tx, &id).await?.iter().any(|g| g.role.is_national()) => {
            return Err(ServiceError::NotAllowed(format!(
                "Voor uw rol koppelt u {} zelf: log in met uw wachtwoord en kies Koppelen bij Inlogdiensten op Mijn Sterk.",
                p.name
            )));
        }
        Some(id) => id,
        None => {
            let name = v.name.clone().unwrap_or_else(|| v.email.clone());
            crate::users::accept_invitation_for(&mut tx, &v.email, (&name, &unusable)).await?.ok_or_else(|| {
                ServiceError::NotAllowed(format!(
                    "Er is in Sterk geen account en geen uitnodiging voor {}. Vraag de programmamanager van uw regio of het \
                     landelijk team om een uitnodiging.",
                    v.email
                ))
            })?
        }
    };
    link_in(&mut tx, p, v, &user_id).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Links the identity to the signed-in account that asked for it (from Mijn Sterk).
async fn link_on_request(app: &App, p: &Provider, v: &Vouched, user_id: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if let Some(other) = repo::user_of(&mut tx, (&p.id, &v.subject, &p.issuer)).await?
        && other != user_id
    {
        return Err(ServiceError::NotAllowed(format!(
            "Deze identiteit bij {} hoort al bij een ander account in Sterk.",
            p.name
        )));
    }
    link_in(&mut tx, p, v, user_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn link_in(conn: &mut store::AnyConnection, p: &Provider, v: &Vouched, user_id: &str) -> Result<()> {
    repo::link(conn, (&p.id, &v.subject, &p.issuer), user_id, &v.email).await?;
    let detail = serde_json::json!({ "provider": p.id, "email": v.email });
    store::audit::append(conn, Some(user_id), "user.sso_link", "user", user_id, &detail).await?;
    Ok(())
}

/// Where the browser goes after signing out of a session that signed in through a provider that
/// offers RP-initiated logout: its end-session address with the ID token as hint.
pub async fn logout_url(app: &App, sso: &SsoSignIn) -> Option<String> {
    let p = app.sso.get(&sso.provider).ok()?;
    let metadata = app.sso.metadata(p, false).await.ok()?;
    let endpoint = metadata.additional_metadata().end_session_endpoint.as_ref()?;
    let mut url = endpoint.url().clone();
    url.query_pairs_mut()
        .append_pair("id_token_hint", &sso.id_token)
        .append_pair("post_logout_redirect_uri", &format!("{}/", app.base_url.trim_end_matches('/')))
        .append_pair("client_id", &p.client_id);
    Some(url.to_string())
}

/// A provider identity linked to the actor's account.
#[derive(Debug, Clone)]
pub struct Linked {
    pub provider: String,
    pub name: String,
    pub email: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

pub async fn linked(app: &App, actor: &domain::Actor) -> Result<Vec<Linked>> {
    actor.require(domain::Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut conn = app.db.conn().await?;
    Ok(repo::of_user(&mut conn, user_id)
        .await?
        .into_iter()
        .map(|l| Linked {
            name: app.sso.get(&l.provider).map_or_else(|_| l.provider.clone(), |p| p.name.clone()),
            provider: l.provider,
            email: l.email,
            created_at: l.created_at,
            last_used_at: l.last_used_at,
        })
        .collect())
}

/// Unlinks the actor's identity at `provider`: signing in there no longer reaches this account,
/// also not by its e-mail address, until the owner links it again from Mijn Sterk.
pub async fn unlink(app: &App, actor: &domain::Actor, provider: &str) -> Result<()> {
    actor.require(domain::Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut tx = app.db.begin().await?;
    if !repo::unlink(&mut tx, user_id, provider).await? {
        return Err(ServiceError::NotFound);
    }
    let detail = serde_json::json!({ "provider": provider });
    store::audit::append(&mut tx, Some(user_id), "user.sso_unlink", "user", user_id, &detail).await?;
    tx.commit().await?;
    Ok(())
}
