//! Messages after a save: the handler redirects with a one-time message sealed by the server
//! in a cookie, and the next page shows it once. No text travels in the address, so no crafted
//! link can make Sterk say what it did not.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::page::Page;
use crate::session::{raw_cookie, set_cookie};

pub const COOKIE: &str = "sterk_melding";

/// The message the previous request left: what was done, and what deserves attention.
#[derive(Debug, Default)]
pub struct Flash {
    pub notice: Option<String>,
    pub warning: Option<String>,
}

/// To `to`, with `notice` shown once on the page there.
pub async fn redirect(st: &AppState, to: &str, notice: &str) -> Page {
    with_warning(st, to, notice, None).await
}

/// To `to`, with `notice` and, when there is one, `warning` shown once on the page there.
pub async fn with_warning(st: &AppState, to: &str, notice: &str, warning: Option<&str>) -> Page {
    // One cookie, two lines: the notice, then the warning (a notice never holds a line break
    // that matters; it is shown as one paragraph).
    let text = match warning {
        Some(w) => format!("{}\n{w}", notice.replace('\n', " ")),
        None => notice.replace('\n', " "),
    };
    let sealed = services::auth::seal_message(&st.app, &text).await?;
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(COOKIE, Some(&sealed), services::auth::MESSAGE_TTL_MS, st.config.secure_cookies),
    );
    Ok(response)
}

impl FromRequestParts<AppState> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let Some(sealed) = raw_cookie(&parts.headers, COOKIE) else { return Ok(Flash::default()) };
        let text = services::auth::open_message(&st.app, &sealed).await.ok().flatten().unwrap_or_default();
        let mut lines = text.splitn(2, '\n').map(str::to_owned).filter(|l| !l.is_empty());
        Ok(Flash { notice: lines.next(), warning: lines.next() })
    }
}

/// Clears the message once a page (anything but a redirect) has answered the request that
/// carried it, so it shows exactly once.
pub async fn clear_when_shown(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let carried = raw_cookie(req.headers(), COOKIE).is_some();
    let mut response = next.run(req).await;
    let redirect = response.status().is_redirection();
    let sets_new =
        response.headers().get_all(header::SET_COOKIE).iter().any(|c| c.as_bytes().starts_with(b"sterk_melding="));
    if carried && !redirect && !sets_new {
        response.headers_mut().append(header::SET_COOKIE, set_cookie(COOKIE, None, 0, st.config.secure_cookies));
    }
    response
}
