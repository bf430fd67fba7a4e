//! An in-process client for the router: a fresh database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` says so) with the demo set, a cookie jar and the CSRF token of the last page.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use services::App;
use services::demo::DEMO_PASSWORD;
use store::Db;
use tower::ServiceExt;
use web::{AppState, WebConfig};

/// The demo set, loaded once per process and copied for each state (loading it takes a second).
static DEMO: tokio::sync::OnceCell<store::TestTemplate> = tokio::sync::OnceCell::const_new();

/// Inside the window for applications on main lines, as the demo does.
const DEMO_CLOCK: &str = "2024-09-30T12:00:00+02:00";

/// The demo with DUO's exam file read (the vmbo locations and their municipalities).
pub async fn with_duo() -> AppState {
    let st = state().await;
    let file = include_bytes!("../../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");
    services::monitoring::import_exams(&st.app, &domain::Actor::system(), file, |_| {}).await.unwrap();
    st
}

pub async fn state() -> AppState {
    let template = DEMO
        .get_or_init(|| async {
            let (db, url) = Db::fresh_for_template().await.expect("test database");
            let mut app = App::new(db.clone());
            app.clock = Some(DEMO_CLOCK.parse().unwrap());
            services::demo::load(&app).await.expect("demo set");
            drop(app);
            db.into_template(url).await
        })
        .await;
    let db = template.copy().await.expect("a copy of the demo database");
    let migrations_applied = db.migrations_applied().await.unwrap();
    let mut app = App::new(db);
    app.clock = Some(DEMO_CLOCK.parse().unwrap());
    AppState {
        app,
        config: Arc::new(WebConfig { secure_cookies: false, migrations_applied, ..WebConfig::default() }),
        pages: Default::default(),
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for files.
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(self.body.contains(needle), "expected {needle:?} in a {} body:\n{}", self.status, self.body);
    }
}

/// Pulls the CSRF token out of a page's form.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// The optimistic-lock version a form carries.
pub fn version_of(html: &str) -> String {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a version field")
        .to_owned()
}

/// A multipart upload form with the optimistic-lock `version` and one file: (body, content type).
pub fn upload_form(version: &str, filename: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    let boundary = "sterkgrens";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

pub struct Client {
    pub router: Router,
    pub state: AppState,
    /// The session cookie's token (signed in).
    pub cookie: Option<String>,
    /// The anonymous visitor's signed cookie.
    pub anonymous: Option<String>,
    /// The one-time message a redirect left for the next page.
    pub message: Option<String>,
    /// The cookie that binds a single sign-on answer to this browser.
    pub sso: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    /// Headers sent with every request until cleared.
    pub extra: Vec<(String, String)>,
    /// The address requests come from, as the server's socket would see it.
    pub peer: Option<std::net::SocketAddr>,
}

impl Client {
    pub fn new(state: AppState) -> Client {
        Client {
            router: web::router(state.clone()),
            state,
            cookie: None,
            anonymous: None,
            message: None,
            sso: None,
            csrf: None,
            bearer: None,
            extra: Vec::new(),
            peer: None,
        }
    }

    pub async fn send(&mut self, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Response {
        let mut req = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        let jar: Vec<String> = [
            ("sterk_sessie", &self.cookie),
            ("sterk_anoniem", &self.anonymous),
            ("sterk_melding", &self.message),
            ("sterk_sso", &self.sso),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
        .collect();
        if !jar.is_empty() {
            req = req.header(header::COOKIE, jar.join("; "));
        }
        if let Some(t) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(peer) = self.peer {
            req = req.extension(axum::extract::ConnectInfo(peer));
        }
        for (name, value) in &self.extra {
            req = req.header(name.as_str(), value.as_str());
        }
        let mut body = body;
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
            // As a browser sends Sterk's upload forms: the token is the first field (unless the
            // test wrote one of its own).
            let has_token = body.windows(11).any(|w| w == b"name=\"csrf\"");
            if let (Some(boundary), Some(csrf), false) =
                (ct.split_once("boundary=").map(|(_, b)| b), &self.csrf, has_token)
            {
                let mut with_token =
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
                        .into_bytes();
                with_token.extend_from_slice(&body);
                body = with_token;
            }
            if ct == "application/json"
                && let Some(csrf) = &self.csrf
            {
                req = req.header("x-csrf-token", csrf);
            }
        }
        let res = self.router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let (name, value) = set.to_str().unwrap().split(';').next().unwrap().split_once('=').unwrap();
            let value = (!value.is_empty()).then(|| value.to_owned());
            match name {
                "sterk_sessie" => self.cookie = value,
                "sterk_anoniem" => self.anonymous = value,
                "sterk_melding" => self.message = value,
                "sterk_sso" => self.sso = value,
                other => panic!("unexpected cookie {other}"),
            }
        }
        let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_of(&body) {
            self.csrf = Some(t);
        }
        Response { status, headers, body, bytes }
    }

    /// A JSON `PUT` with `If-Match`, as an API client with this client's session sends it.
    pub async fn put_if_match(&mut self, path: &str, value: &serde_json::Value, etag: &str) -> Response {
        self.extra = vec![("if-match".into(), etag.into())];
        let res = self.json(Method::PUT, path, value).await;
        self.extra.clear();
        res
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Method::GET, path, None, Vec::new()).await
    }

    /// Posts a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), body.into_bytes()).await
    }

    pub async fn json(&mut self, method: Method, path: &str, value: &serde_json::Value) -> Response {
        self.send(method, path, Some("application/json"), value.to_string().into_bytes()).await
    }

    /// Signs in as a demo account and loads a page so the client holds the session's CSRF token.
    pub async fn login(&mut self, email: &str) {
        self.get("/inloggen").await;
        let res = self.post("/inloggen", &[("email", email), ("password", DEMO_PASSWORD)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "login of {email}: {}", res.body);
        let dash = self.get("/beheer").await;
        assert_eq!(dash.status, StatusCode::OK);
    }

    /// An anonymous visitor with a session (from the sign-in page), so CSRF checks pass.
    pub async fn anonymous_with_session(&mut self) {
        self.get("/inloggen").await;
    }
}

pub const ADMIN: &str = "beheerder@sterk.example";
pub const MANAGER: &str = "programmamanager@sterk.example";
pub const LEAD: &str = "penvoerder@sterk.example";
pub const SCHOOL: &str = "school@sterk.example";
pub const PARTNER: &str = "partner@sterk.example";
pub const ASSESSOR: &str = "beoordelaar@sterk.example";
pub const OBSERVER: &str = "ministerie@sterk.example";

/// The path of the newest link mailed to `to` that starts with `prefix`, read from the stored
/// messages (the outbox hides links into accounts); waits a little for mail written after the answer.
pub async fn mailed_link(st: &AppState, to: &str, prefix: &str) -> String {
    for _ in 0..50 {
        let all = {
            let mut conn = st.app.db.conn().await.unwrap();
            store::notifications::all(&mut conn, None, 500).await.unwrap()
        };
        if let Some(link) =
            all.iter().filter(|n| n.recipient == to).find_map(|n| n.link.find(prefix).map(|at| n.link[at..].to_owned()))
        {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail to {to} with a link to {prefix}")
}

/// A client holding an API token issued to a demo account.
pub async fn token_client(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    let res = c.post("/account/sleutels", &[("name", "koppeling")]).await;
    assert_eq!(res.status, StatusCode::OK);
    let token = res.body.split("<code class=\"sterk-token\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(token.starts_with("sterk_"));
    let mut api = Client::new(st.clone());
    api.bearer = Some(token);
    api
}
