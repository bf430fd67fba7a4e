//! The page cache: what an anonymous visitor gets from a public page or the public API is the
//! same for everyone until the data changes, so the answer is kept, headers and all, with gzip
//! and brotli made once, and served without touching the database or any other layer. Entries
//! carry the data version they were made at (`services::data_version`, raised by the database in
//! the same transaction as every write); a background task reads the version twice a second, and
//! every write request through this instance reads it at once, so a change shows here
//! immediately and on other instances within half a second. Pages that depend on the clock (what
//! is published today, upcoming events) are made again after [`MAX_AGE`]. Anything personal
//! bypasses it: a request with a cookie or a token, and an answer that sets a cookie, is private
//! or has a tag of its own.

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

/// The largest page kept, and all pages together (every variant counted).
const MAX_PAGE_BYTES: u64 = 2 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;
/// Longer addresses (search terms) are served but not kept.
const MAX_KEY_LEN: usize = 256;
/// How often the background task reads the data version.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// The longest a page is kept at one data version: what is published or upcoming moves with time.
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Default)]
pub struct PageCache {
    enabled: AtomicBool,
    /// The newest data version read (it only grows); meaningful while `readable`.
    version: AtomicI64,
    readable: AtomicBool,
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

/// One encoding of a kept answer, its headers made once.
struct Variant {
    coding: Option<&'static str>,
    body: Bytes,
    headers: HeaderMap,
    etag: HeaderValue,
}

struct Entry {
    version: i64,
    made: std::time::Instant,
    /// Brotli and gzip first when made, identity last.
    variants: Vec<Variant>,
}

impl Entry {
    fn size(&self) -> usize {
        self.variants.iter().map(|v| v.body.len()).sum()
    }

    /// The best variant the client accepts, or 304 when it has that one already.
    fn respond(&self, request: &HeaderMap) -> Response {
        let accepted = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let Some(variant) = self
            .variants
            .iter()
            .find(|v| v.coding.is_none_or(|c| accepted.split(',').any(|part| accepts_coding(part, c))))
        else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        // Weak comparison (RFC 9110, 13.1.2): a proxy may have marked the tag weak.
        let fresh = request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|sent| {
            sent.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.trim_start_matches("W/").as_bytes() == variant.etag.as_bytes())
        });
        if fresh {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            for name in [header::ETAG, header::VARY, header::CACHE_CONTROL] {
                if let Some(v) = variant.headers.get(&name) {
                    response.headers_mut().insert(name, v.clone());
                }
            }
            return response;
        }
        let mut response = Body::from(variant.body.clone()).into_response();
        *response.headers_mut() = variant.headers.clone();
        response
    }
}

/// Whether one part of `Accept-Encoding` ("br;q=0.8") accepts `coding` (q=0 refuses it).
fn accepts_coding(part: &str, coding: &str) -> bool {
    let mut pieces = part.split(';').map(str::trim);
    pieces.next() == Some(coding)
        && pieces.all(|p| p.strip_prefix("q=").is_none_or(|q| q.parse::<f32>().is_ok_and(|q| q > 0.0)))
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

    /// Reads the data version from the database; pages made at an older one are stale. Reads
    /// may finish out of order: the version only grows.
    pub async fn refresh(&self, app: &services::App) {
        match services::data_version(app).await {
            Ok(v) => {
                self.version.fetch_max(v, Ordering::AcqRel);
                if !self.readable.swap(true, Ordering::AcqRel) {
                    tracing::info!("page cache: data version {v}");
                }
            }
            // Without the version nothing kept can be trusted: pages are made for every request.
            Err(e) => {
                if self.readable.swap(false, Ordering::AcqRel) {
                    tracing::warn!("data version unreadable, page cache paused: {e}");
                }
            }
        }
    }

    /// The data version to serve and fill at, while it can be read.
    fn current(&self) -> Option<i64> {
        self.readable.load(Ordering::Acquire).then(|| self.version.load(Ordering::Acquire))
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Entry>> {
        let entries = self.entries.read().ok()?;
        entries.map.get(key).filter(|e| e.version == version && e.made.elapsed() < MAX_AGE).cloned()
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
fn key(req: &Request) -> Option<&str> {
    let headers = req.headers();
    let personal = headers.contains_key(header::COOKIE) || headers.contains_key(header::AUTHORIZATION);
    let path = req.uri().path();
    let own_rules = path.starts_with("/static/") || path == "/healthz";
    if req.method() != Method::GET || personal || own_rules {
        return None;
    }
    req.uri().path_and_query().map(|p| p.as_str()).filter(|k| k.len() <= MAX_KEY_LEN)
}

/// Whether an answer may be kept for everyone: a complete public page, nothing personal, and no
/// tag of its own (the API tags a content item with its version, for `If-Match`).
fn keepable(response: &Response) -> bool {
    let headers = response.headers();
    let small = response.body().size_hint().upper().is_some_and(|n| n <= MAX_PAGE_BYTES);
    let private = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    response.status() == StatusCode::OK
        && small
        && !private
        && !headers.contains_key(header::SET_COOKIE)
        && !headers.contains_key(header::ETAG)
        && headers.contains_key(header::CONTENT_TYPE)
}

fn compressible(content_type: Option<&HeaderValue>) -> bool {
    let t = content_type.map_or(&b""[..], HeaderValue::as_bytes);
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

/// Makes an entry from a rendered answer: its headers (every layer's), a strong ETag per
/// encoding, and the compressed variants.
async fn entry(version: i64, response: Response) -> Option<Entry> {
    let (parts, body) = response.into_parts();
    let identity = to_bytes(body, usize::try_from(MAX_PAGE_BYTES).ok()?).await.ok()?;
    let mut base = parts.headers;
    for name in [header::CONTENT_LENGTH, header::TRANSFER_ENCODING, header::DATE] {
        base.remove(name);
    }
    // A signed-in person gets another page at the same address: shared caches must know.
    base.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Cookie"));
    base.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("public, no-cache"));
    let tag: String = Sha256::digest(&identity).iter().take(12).map(|b| format!("{b:02x}")).collect();
    let (gz, br) = if compressible(base.get(header::CONTENT_TYPE)) && identity.len() > 512 {
        let bytes = identity.clone();
        // A failed compression leaves the page uncompressed, not unanswered.
        tokio::task::spawn_blocking(move || (gzip(&bytes), brotli(&bytes))).await.unwrap_or((None, None))
    } else {
        (None, None)
    };
    let variant = |coding: Option<&'static str>, body: Bytes| {
        let etag =
            HeaderValue::from_str(&format!("\"{tag}{}\"", coding.map(|c| format!("-{c}")).unwrap_or_default())).ok()?;
        let mut headers = base.clone();
        headers.insert(header::ETAG, etag.clone());
        if let Some(c) = coding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
        }
        Some(Variant { coding, body, headers, etag })
    };
    let variants = [br.map(|b| (Some("br"), b)), gz.map(|g| (Some("gzip"), g)), Some((None, identity))]
        .into_iter()
        .flatten()
        .map(|(coding, body)| variant(coding, body))
        .collect::<Option<Vec<_>>>()?;
    Some(Entry { version, made: std::time::Instant::now(), variants })
}

/// The middleware, outermost: serves anonymous GETs from the cache, fills it, and after a write
/// through this instance reads the data version at once.
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
    let (Some(key), Some(version)) = (key(&req), pages.current()) else { return next.run(req).await };
    // The version is read before rendering: a write committed meanwhile leaves this entry
    // stale, never wrong.
    if let Some(entry) = pages.get(key, version) {
        return entry.respond(req.headers());
    }
    let key = key.to_owned();
    let request_headers = req.headers().clone();
    let response = next.run(req).await;
    if !keepable(&response) {
        return response;
    }
    match entry(version, response).await {
        Some(entry) => {
            let entry = Arc::new(entry);
            pages.put(key, entry.clone());
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
