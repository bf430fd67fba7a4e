//! Sessions (a cookie with a random token; state on the server), the request's actor, and the
//! CSRF guard in front of every state-changing request.

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use domain::Actor;
use services::auth::{self, SessionView};

use crate::error::WebError;
use crate::{AppState, MAX_BODY_BYTES};

pub const SESSION_COOKIE: &str = "sterk_sessie";

/// Routes that change nothing and use no session: exempt from the CSRF guard, open to any client.
pub(crate) const STATELESS_POSTS: [&str; 1] = ["/api/v1/check"];

/// An anonymous visitor's cookie: a nonce and an expiry that the form token is signed over.
pub const ANONYMOUS_COOKIE: &str = "sterk_anoniem";

/// Who is asking, and what a form they get must carry.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub actor: Actor,
    pub user_name: Option<String>,
    /// The session's CSRF token, when there is a session.
    pub csrf: Option<String>,
    /// The raw session cookie token, when there is a session.
    pub session_token: Option<String>,
    /// The caller's address, for rate limiting.
    pub client: String,
    /// The caller's browser, as it describes itself (shown on one's list of sessions).
    pub user_agent: String,
    /// A sign-in whose second step is still to come (the actor is anonymous meanwhile).
    pub pending: Option<auth::Pending>,
}

pub(crate) fn raw_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A session cookie's token: 64 hex digits, or nothing.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    raw_cookie(headers, name).filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The anonymous cookie's value, when it has the shape `{32 hex}.{digits}`.
fn anonymous_cookie(headers: &HeaderMap) -> Option<String> {
    raw_cookie(headers, ANONYMOUS_COOKIE)
        .filter(|v| v.len() < 64 && v.chars().all(|c| c.is_ascii_hexdigit() || c == '.'))
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The `Set-Cookie` value for a session token (or, with `None`, one that clears it); its
/// lifetime is the server's.
pub fn session_cookie(token: Option<&str>, secure: bool) -> HeaderValue {
    set_cookie(SESSION_COOKIE, token, auth::SESSION_TTL_MS, secure)
}

/// The `Set-Cookie` value for an anonymous visitor's cookie (or, with `None`, one that clears it).
pub fn anonymous_set_cookie(value: Option<&str>, secure: bool) -> HeaderValue {
    set_cookie(ANONYMOUS_COOKIE, value, auth::ANONYMOUS_TTL_MS, secure)
}

/// A `Set-Cookie` value for `name` (or, with `None`, one that clears it).
pub(crate) fn set_cookie(name: &str, value: Option<&str>, ttl_ms: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let (value, max_age) = value.map_or(("", 0), |v| (v, ttl_ms / 1000));
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .expect("cookie value is ASCII")
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let proxies = (&state.config.trusted_proxies[..], state.config.forwarded_header);
        let client = crate::client::address(peer, &parts.headers, proxies);
        if let Some(token) = bearer(&parts.headers) {
            // A key works on the API only: the account's own pages (new keys, the address, the
            // two-factor setting) need a signed-in session, which two-factor sign-in guards.
            // (Under a nested router the path is the nested one; the original says where it came.)
            let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |o| o.0.path());
            if !path.starts_with("/api/") {
                return Err(WebError::BadToken);
            }
            let actor = auth::actor_for_api_token(&state.app, token).await?.ok_or(WebError::BadToken)?;
            return Ok(Ctx { actor, client, ..Ctx::default() });
        }
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect())
            .unwrap_or_default();
        let visitor = match parts.extensions.get::<Visitor>() {
            Some(v) => Some(v.clone()),
            None => visitor(state, &parts.headers).await?,
        };
        Ok(match visitor {
            Some(Visitor { view, token }) => Ctx { client, user_agent, ..Ctx::default() }.in_session(view, token),
            None => Ctx { client, user_agent, ..Ctx::default() },
        })
    }
}

/// Who sent a request with cookies: the signed-in session (and its token), or an anonymous
/// visitor's signed cookie, also when the session cookie is stale (ended elsewhere, purged),
/// so that such a visitor can still sign in.
#[derive(Clone)]
struct Visitor {
    pub(crate) view: SessionView,
    pub(crate) token: Option<String>,
}

async fn visitor(state: &AppState, headers: &HeaderMap) -> Result<Option<Visitor>, WebError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE)
        && let Some(view) = auth::session(&state.app, &token).await?
    {
        return Ok(Some(Visitor { view, token: Some(token) }));
    }
    let Some(value) = anonymous_cookie(headers) else { return Ok(None) };
    let csrf = auth::anonymous_csrf(&state.app, &value).await?;
    Ok(csrf.map(|csrf_token| Visitor {
        view: SessionView { actor: domain::Actor::anonymous(), csrf_token, user_name: None, pending: None },
        token: None,
    }))
}

impl Ctx {
    /// Makes sure a form can carry a CSRF token: for an anonymous visitor a signed cookie,
    /// nothing stored; returns the cookie to set when a new one was made.
    pub async fn ensure_session(&mut self, state: &AppState) -> Result<Option<HeaderValue>, WebError> {
        if self.csrf.is_some() {
            return Ok(None);
        }
        let (cookie, csrf) = auth::anonymous_token(&state.app).await?;
        self.csrf = Some(csrf);
        Ok(Some(anonymous_set_cookie(Some(&cookie), state.config.secure_cookies)))
    }

    /// The same caller acting in `view`'s session (with its cookie `token`).
    pub fn in_session(self, view: SessionView, token: Option<String>) -> Ctx {
        Ctx {
            actor: view.actor,
            user_name: view.user_name,
            csrf: Some(view.csrf_token),
            session_token: token,
            pending: view.pending,
            ..self
        }
    }

    /// Where the request comes from, for a new session.
    pub fn origin(&self) -> auth::Client<'_> {
        auth::Client { address: &self.client, user_agent: &self.user_agent }
    }
}

pub(crate) fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The request with its visitor, if it carries the right token from the same site.
pub(crate) async fn check_csrf(state: &AppState, req: Request) -> Result<Request, WebError> {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
        && site != "none"
    {
        return Err(WebError::Csrf);
    }
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or_default();
        let host = host.to_str().unwrap_or_default();
        if origin != format!("http://{host}") && origin != format!("https://{host}") {
            return Err(WebError::Csrf);
        }
    }
    let has_cookie = cookie(headers, SESSION_COOKIE).is_some() || anonymous_cookie(headers).is_some();
    let visitor =
        visitor(state, headers).await?.ok_or(if has_cookie { WebError::SessionExpired } else { WebError::Csrf })?;
    let header_token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary = multipart_boundary(content_type);
    let (mut parts, body) = req.into_parts();
    // A form is read here (its token, and no NUL in any field), an upload only as far as its
    // token; everything else passes through unread (uploads and large JSON keep their limits).
    let (sent, body) = if is_form {
        let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| WebError::TooLarge)?;
        if form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(WebError::Nul);
        }
        let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        (header_token.or(token), Body::from(bytes))
    } else if let Some(boundary) = boundary {
        let (token, body) = first_part_token(body, &boundary).await?;
        (header_token.or(token), body)
    } else {
        (header_token, body)
    };
    if !sent.is_some_and(|s| services::auth::constant_time_eq(s.as_bytes(), visitor.view.csrf_token.as_bytes())) {
        return Err(WebError::Csrf);
    }
    parts.extensions.insert(visitor);
    Ok(Request::from_parts(parts, body))
}

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (name.trim().eq_ignore_ascii_case("boundary") && !value.is_empty() && value.len() <= 70).then(|| value.into())
    })
}

/// How much of an upload is read to find its token.
const TOKEN_PEEK_BYTES: usize = 8 * 1024;

/// An upload's token, from its first part named `csrf` (Sterk's upload forms carry it first),
/// and the body as it came: only the first few KiB are read here, the file stays on the wire.
async fn first_part_token(body: Body, boundary: &str) -> Result<(Option<String>, Body), WebError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let token = loop {
        if let Some(found) = token_in(&head, boundary) {
            break found;
        }
        if head.len() >= TOKEN_PEEK_BYTES {
            break None;
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(WebError::BadUpload),
            None => break token_in(&head, boundary).flatten(),
        }
    };
    let head = futures_util::stream::once(async move { Ok::<_, axum::Error>(axum::body::Bytes::from(head)) });
    Ok((token, Body::from_stream(head.chain(stream))))
}

/// `Some(token)` once the first part is read (`Some(None)`: it holds no token), `None` while
/// more bytes are needed.
fn token_in(head: &[u8], boundary: &str) -> Option<Option<String>> {
    let open = format!("--{boundary}\r\n");
    if head.len() < open.len() {
        return None;
    }
    let Some(part) = head.strip_prefix(open.as_bytes()) else { return Some(None) };
    let end_of_headers = find(part, b"\r\n\r\n")?;
    let (headers, rest) = part.split_at(end_of_headers);
    let headers = String::from_utf8_lossy(headers).to_ascii_lowercase();
    if !headers.contains("name=\"csrf\"") {
        return Some(None);
    }
    let value = rest.get(4..)?;
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(value.get(..end).and_then(|v| String::from_utf8(v.to_vec()).ok()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn with_cookie(
    mut response: axum::response::Response,
    cookie: Option<axum::http::HeaderValue>,
) -> axum::response::Response {
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_well_formed_session_cookies() {
        let mut h = HeaderMap::new();
        let t = "a".repeat(64);
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={t}")).unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some(t));
        h.insert(header::COOKIE, HeaderValue::from_static("sterk_sessie=<script>"));
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
    }

    #[test]
    fn constant_time_comparison() {
        assert!(services::auth::constant_time_eq(b"abc", b"abc"));
        assert!(!services::auth::constant_time_eq(b"abc", b"abd"));
        assert!(!services::auth::constant_time_eq(b"abc", b"ab"));
    }
}
