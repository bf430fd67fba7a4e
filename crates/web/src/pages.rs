//! The page cache: what an anonymous visitor gets from a public page or the public API is the
//! same for everyone until the data changes, so its bytes are kept, with gzip and brotli made
//! once, and served without touching the database. Entries carry the data version they were
//! made at (`services::data_version`, raised by the database in the same transaction as every
//! write); a background task reads the version twice a second, and every write request through
//! this instance reads it at once, so a change shows here immediately and on other instances
//! within half a second. Anything personal bypasses it: a request with a cookie or a token, and
//! an answer that sets a cookie.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes, HttpBody, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::AppState;

/// The largest page kept, and all pages together (identity and compressed variants).
const MAX_PAGE_BYTES: u64 = 2 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;
/// Longer addresses (search terms) are served but not kept.
const MAX_KEY_LEN: usize = 256;
/// How often the background task reads the data version.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Default)]
pub struct PageCache {
    enabled: AtomicBool,
    version: AtomicI64,
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

struct Entry {
    version: i64,
    content_type: HeaderValue,
    /// Other headers the page answered with (a download's name, its own cache rule).
    headers: Vec<(header::HeaderName, HeaderValue)>,
    etag: String,
    identity: Bytes,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
}

impl Entry {
    fn size(&self) -> usize {
        self.identity.len() + self.gzip.as_ref().map_or(0, Bytes::len) + self.brotli.as_ref().map_or(0, Bytes::len)
    }

    /// The best variant the client accepts, or 304 when it has this one already.
    fn respond(&self, request: &HeaderMap) -> Response {
        let accepts = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let accepts =
            |coding: &str| accepts.split(',').any(|part| part.split(';').next().map(str::trim) == Some(coding));
        let (body, encoding) = match (&self.brotli, &self.gzip) {
            (Some(br), _) if accepts("br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts("gzip") => (gz.clone(), Some("gzip")),
            _ => (self.identity.clone(), None),
        };
        let etag = format!("\"{}{}\"", self.etag, encoding.map(|e| format!("-{e}")).unwrap_or_default());
        let fresh = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|sent| sent.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        let mut response =
            if fresh { StatusCode::NOT_MODIFIED.into_response() } else { Body::from(body).into_response() };
        let headers = response.headers_mut();
        if !fresh {
            headers.insert(header::CONTENT_TYPE, self.content_type.clone());
            for (name, value) in &self.headers {
                headers.insert(name.clone(), value.clone());
            }
            if let Some(e) = encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
        }
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("public, no-cache"));
        response
    }
}

impl PageCache {
    /// A cache that keeps pages (the server); a default one passes every request through (tests
    /// that do not test the cache).
    pub fn enabled() -> PageCache {
        PageCache { enabled: AtomicBool::new(true), ..PageCache::default() }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Reads the data version from the database; pages made at an older one are stale.
    pub async fn refresh(&self, app: &services::App) {
        match services::data_version(app).await {
            Ok(v) => self.version.store(v, Ordering::Release),
            // Without the version nothing kept can be trusted: stop serving from the cache.
            Err(e) => {
                tracing::warn!("data version unreadable, page cache emptied: {e}");
                self.version.store(i64::MIN, Ordering::Release);
            }
        }
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Entry>> {
        let entries = self.entries.read().ok()?;
        entries.map.get(key).filter(|e| e.version == version).cloned()
    }

    fn put(&self, key: String, entry: Arc<Entry>) {
        let Ok(mut entries) = self.entries.write() else { return };
        let size = entry.size();
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes = entries.bytes.saturating_sub(old.size());
        }
        if entries.bytes + size > MAX_TOTAL_BYTES {
            // Full: start again (stale entries go first this way; a LRU is not worth its keep here).
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.map.insert(key, entry);
    }
}

/// The cache key of a request anyone would get the same answer to, or `None`.
fn key(req: &Request) -> Option<String> {
    let headers = req.headers();
    let personal = headers.contains_key(header::COOKIE) || headers.contains_key(header::AUTHORIZATION);
    let path = req.uri().path();
    let own_rules = path.starts_with("/static/") || path == "/healthz";
    if req.method() != Method::GET || personal || own_rules {
        return None;
    }
    let key = req.uri().path_and_query().map(|p| p.as_str().to_owned())?;
    (key.len() <= MAX_KEY_LEN).then_some(key)
}

/// Whether an answer may be kept for everyone: a complete public page, nothing personal.
fn keepable(response: &Response) -> bool {
    let headers = response.headers();
    let small = response.body().size_hint().upper().is_some_and(|n| n <= MAX_PAGE_BYTES);
    response.status() == StatusCode::OK
        && small
        && !headers.contains_key(header::SET_COOKIE)
        && headers.get(header::CACHE_CONTROL).is_none_or(|v| !v.as_bytes().starts_with(b"no-store"))
        && headers.contains_key(header::CONTENT_TYPE)
}

fn compressible(content_type: &HeaderValue) -> bool {
    let t = content_type.as_bytes();
    ["text/", "application/json", "application/xml", "application/atom+xml", "image/svg+xml"]
        .iter()
        .any(|p| t.starts_with(p.as_bytes()))
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

fn brotli(bytes: &[u8]) -> Option<Bytes> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        writer.write_all(bytes).ok()?;
    }
    Some(Bytes::from(out))
}

/// Makes an entry from a rendered answer: its bytes, a strong ETag, and the compressed variants.
async fn entry(version: i64, response: Response) -> Option<Entry> {
    let (parts, body) = response.into_parts();
    let identity = to_bytes(body, usize::try_from(MAX_PAGE_BYTES).ok()?).await.ok()?;
    let content_type = parts.headers.get(header::CONTENT_TYPE)?.clone();
    let headers = [header::CONTENT_DISPOSITION, header::CACHE_CONTROL]
        .into_iter()
        .filter_map(|name| parts.headers.get(&name).map(|v| (name, v.clone())))
        .collect();
    let etag = Sha256::digest(&identity).iter().take(12).map(|b| format!("{b:02x}")).collect();
    let squeeze = compressible(&content_type) && identity.len() > 512;
    let (gzip, brotli) = if squeeze {
        let bytes = identity.clone();
        tokio::task::spawn_blocking(move || (gzip(&bytes), brotli(&bytes))).await.ok()?
    } else {
        (None, None)
    };
    Some(Entry { version, content_type, headers, etag, identity, gzip, brotli })
}

/// The middleware: serves anonymous GETs from the cache, fills it, and after a write through this
/// instance reads the data version at once.
pub async fn serve(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let pages = &st.pages;
    if !pages.is_enabled() {
        return next.run(req).await;
    }
    if !crate::session::is_safe(req.method()) {
        let response = next.run(req).await;
        pages.refresh(&st.app).await;
        return response;
    }
    let Some(key) = key(&req) else { return next.run(req).await };
    // Read before rendering: a write committed meanwhile leaves this entry stale, never wrong.
    let version = pages.version.load(Ordering::Acquire);
    if let Some(entry) = pages.get(&key, version) {
        return entry.respond(req.headers());
    }
    let request_headers = req.headers().clone();
    let response = next.run(req).await;
    if !keepable(&response) {
        return response;
    }
    match entry(version, response).await {
        Some(entry) => {
            let entry = Arc::new(entry);
            if version != i64::MIN {
                pages.put(key, entry.clone());
            }
            entry.respond(&request_headers)
        }
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Reads the data version every [`REFRESH_EVERY`], for changes made through other instances.
pub fn spawn_refresher(state: AppState) {
    tokio::spawn(async move {
        loop {
            state.pages.refresh(&state.app).await;
            tokio::time::sleep(REFRESH_EVERY).await;
        }
    });
}
