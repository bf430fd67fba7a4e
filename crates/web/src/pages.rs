//! The page cache: what an anonymous visitor gets from a public page or the public API is the
//! same for everyone until the data changes, so the answer is kept, headers and all, with gzip
//! and brotli made once, and served without touching the database or any other layer. Entries
//! carry the data version they were made at (`services::data_version`, raised by the database in
//! the same transaction as every write); a background task reads the version twice a second, and
//! every write request through this instance reads it at once, so a change shows here
//! immediately and on other instances within half a second (plus the time to make the indicators
//! again, when their inputs changed: the previous pages are served meanwhile). Pages that depend on the clock (what
//! is published today, upcoming events) are made again after [`MAX_AGE`]. Anything personal
//! bypasses it: a request with a cookie or a token, and an answer that sets a cookie, is private
//! or has a tag of its own.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
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
const MAX_TOTAL_BYTES: usize = 48 * 1024 * 1024;
/// Addresses with a query (a search, a filter) or an escape (`%2D` reads as `-`) are kept apart,
/// in a budget of their own, and only once asked for twice: anyone can make up endless ones, and
/// those must neither push the pages out nor have the server compress every made-up address.
const MAX_QUERIED_BYTES: usize = 16 * 1024 * 1024;
/// How many queried addresses asked for once are remembered (hashed) before starting again.
const MAX_SEEN: usize = 4096;
/// Longer addresses (search terms) are served but not kept.
const MAX_KEY_LEN: usize = 256;
/// How often the background task reads the data version.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// The longest the pages wait for the indicators before moving to a version made elsewhere.
const PREPARE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(3);
/// The longest a page is kept at one data version: what is published or upcoming moves with time.
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Default)]
pub struct PageCache {
    enabled: AtomicBool,
    /// The newest data version read (it only grows); meaningful while `readable`.
    version: AtomicI64,
    readable: AtomicBool,
    entries: RwLock<Entries>,
    queried: RwLock<Entries>,
    seen: std::sync::Mutex<HashSet<u64>>,
    /// The pages being made now, by data version and key, for the visitors waiting on them.
    filling: std::sync::Mutex<HashMap<(i64, String), (Filling, usize)>>,
}

type Filling = Arc<tokio::sync::OnceCell<Option<Arc<Entry>>>>;

/// A visitor's part in making a page, counted; when the last part ends (done, or the visitors
/// gone) later visitors find the page kept, or make it again.
struct Making<'a> {
    pages: &'a PageCache,
    id: (i64, String),
    cell: Filling,
}

impl Drop for Making<'_> {
    /// The last visitor waiting (or making) takes the making off the list.
    fn drop(&mut self) {
        let mut filling = self.pages.filling.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, waiting)) = filling.get_mut(&self.id) {
            *waiting -= 1;
            if *waiting == 0 {
                filling.remove(&self.id);
            }
        }
    }
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
    /// The route that made the page, named on each answer from the cache (for `/metrics`).
    route: Option<crate::observe::Route>,
    /// Brotli and gzip first when made, identity last.
    variants: Vec<Variant>,
}

impl Entry {
    fn size(&self) -> usize {
        self.variants.iter().map(|v| v.body.len()).sum()
    }

    /// The page for this request, naming the route that made it.
    fn respond(&self, request: &HeaderMap) -> Response {
        let mut response = self.variant_for(request);
        if let Some(route) = &self.route {
            response.extensions_mut().insert(route.clone());
        }
        response
    }

    /// The best variant the client accepts, or 304 when it has that one already.
    fn variant_for(&self, request: &HeaderMap) -> Response {
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

    /// Reads the data version from the database and serves at it from now on: pages made at an
    /// older one are stale. Says whether it moved (or became readable).
    pub async fn refresh(&self, app: &services::App) -> bool {
        match self.read(app).await {
            Some(v) => self.advance(v),
            None => false,
        }
    }

    /// The data version in the database, or `None` (and the cache paused) when it cannot be read.
    async fn read(&self, app: &services::App) -> Option<i64> {
        match services::data_version(app).await {
            Ok(v) => Some(v),
            // Without the version nothing kept can be trusted: pages are made for every request.
            Err(e) => {
                if self.readable.swap(false, Ordering::AcqRel) {
                    tracing::warn!("data version unreadable, page cache paused: {e}");
                }
                None
            }
        }
    }

    /// Serves at version `v` from now on. Reads may finish out of order: the version only grows.
    fn advance(&self, v: i64) -> bool {
        let moved = self.version.fetch_max(v, Ordering::AcqRel) < v;
        let was_readable = self.readable.swap(true, Ordering::AcqRel);
        if !was_readable {
            tracing::info!("page cache: data version {v}");
        }
        moved || !was_readable
    }

    /// After a write through this instance: the writer sees the change at once, and the
    /// indicators are made again in the background.
    async fn after_write(&self, app: &services::App) {
        if self.refresh(app).await {
            let app = app.clone();
            tokio::spawn(async move { services::monitoring::prepare(&app).await });
        }
    }

    /// A change made elsewhere (another instance, an import on the command line): the indicators
    /// are made first and the pages move to the new version after, so visitors get the previous
    /// pages for that moment instead of waiting for the computing.
    pub async fn notice(&self, app: &services::App) {
        let Some(v) = self.read(app).await else { return };
        if self.current().is_none_or(|at| at < v) {
            // Bounded: changes from elsewhere show even when the indicators take long.
            let _ = tokio::time::timeout(PREPARE_AT_MOST, services::monitoring::prepare(app)).await;
        }
        self.advance(v);
    }

    /// The data version to serve and fill at, while it can be read.
    fn current(&self) -> Option<i64> {
        self.readable.load(Ordering::Acquire).then(|| self.version.load(Ordering::Acquire))
    }

    /// Where a key's entry lives, and how large that store may grow.
    fn store(&self, key: &str) -> (&RwLock<Entries>, usize) {
        if made_up(key) { (&self.queried, MAX_QUERIED_BYTES) } else { (&self.entries, MAX_TOTAL_BYTES) }
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Entry>> {
        let entries = self.store(key).0.read().ok()?;
        entries.map.get(key).filter(|e| e.version == version && e.made.elapsed() < MAX_AGE).cloned()
    }

    /// The making of the page at `key` to wait on (or to do).
    fn making(&self, version: i64, key: &str) -> Making<'_> {
        let id = (version, key.to_owned());
        let mut filling = self.filling.lock().unwrap_or_else(|e| e.into_inner());
        let (cell, waiting) = filling.entry(id.clone()).or_default();
        *waiting += 1;
        Making { pages: self, id, cell: cell.clone() }
    }

    /// Whether a new answer at `key` is worth keeping: every path, and a query asked for before.
    fn worth_keeping(&self, key: &str) -> bool {
        if !made_up(key) {
            return true;
        }
        // Keyed per process (SipHash with a random key): no one can aim at a collision.
        static HASHER: std::sync::LazyLock<std::hash::RandomState> = std::sync::LazyLock::new(Default::default);
        let hash = HASHER.hash_one(key);
        let Ok(mut seen) = self.seen.lock() else { return false };
        if seen.len() >= MAX_SEEN {
            seen.clear();
        }
        !seen.insert(hash)
    }

    fn put(&self, key: String, entry: Arc<Entry>) {
        let (store, limit) = self.store(&key);
        let Ok(mut entries) = store.write() else { return };
        if entries.map.get(&key).is_some_and(|old| old.version > entry.version) {
            return;
        }
        let size = entry.size();
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes = entries.bytes.saturating_sub(old.size());
        }
        if entries.bytes + size > limit {
            // Full: start again (stale entries go first this way; a LRU is not worth its keep here).
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.map.insert(key, entry);
    }
}

/// Whether anyone could write this address in endless variants: a query, or an escape.
fn made_up(key: &str) -> bool {
    key.contains(['?', '%'])
}

/// The cache key of a request anyone would get the same answer to, or `None`.
fn key(req: &Request) -> Option<&str> {
    let headers = req.headers();
    let personal = headers.contains_key(header::COOKIE) || headers.contains_key(header::AUTHORIZATION);
    let path = req.uri().path();
    let own_rules = path.starts_with("/static/") || path == "/healthz" || path == "/readyz";
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
    let route = parts.extensions.get::<crate::observe::Route>().cloned();
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
    Some(Entry { version, made: std::time::Instant::now(), route, variants })
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
        pages.after_write(&st.app).await;
        return response;
    }
    let (Some(key), Some(version)) = (key(&req), pages.current()) else { return next.run(req).await };
    // The version is read before rendering: a write committed meanwhile leaves this entry
    // stale, never wrong.
    if let Some(entry) = pages.get(key, version) {
        return entry.respond(req.headers());
    }
    let key = key.to_owned();
    if !pages.worth_keeping(&key) {
        return next.run(req).await;
    }
    // Many visitors at once (a newsletter link, the moment the data changed): one makes the
    // page, the others wait for it.
    let request_headers = req.headers().clone();
    let making = pages.making(version, &key);
    let (mut own, mut unkept) = (Some((req, next)), None);
    let made = making.cell.get_or_init(|| fill(pages, &key, version, &mut own, &mut unkept)).await.clone();
    drop(making);
    if let Some(response) = unkept {
        return response;
    }
    match (made, own) {
        (Some(entry), _) => entry.respond(&request_headers),
        // Made by another visitor and not kept (an error, a cookie): made again for this one.
        (None, Some((req, next))) => next.run(req).await,
        (None, None) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Makes the page for the visitors waiting at `key`: kept when it may be, else handed back to
/// the one who made it in `unkept`.
async fn fill(
    pages: &PageCache,
    key: &str,
    version: i64,
    own: &mut Option<(Request, Next)>,
    unkept: &mut Option<Response>,
) -> Option<Arc<Entry>> {
    let (req, next) = own.take()?;
    let response = next.run(req).await;
    if !keepable(&response) {
        *unkept = Some(response);
        return None;
    }
    let entry = Arc::new(entry(version, response).await?);
    pages.put(key.to_owned(), entry.clone());
    Some(entry)
}

/// Reads the data version every [`REFRESH_EVERY`], for changes made through other instances.
pub fn spawn_refresher(state: AppState) {
    tokio::spawn(async move {
        loop {
            state.pages.notice(&state.app).await;
            tokio::time::sleep(REFRESH_EVERY).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_of(bytes: usize) -> Arc<Entry> {
        let variant = Variant {
            coding: None,
            body: Bytes::from(vec![b'x'; bytes]),
            headers: HeaderMap::new(),
            etag: HeaderValue::from_static("\"t\""),
        };
        Arc::new(Entry { version: 1, made: std::time::Instant::now(), route: None, variants: vec![variant] })
    }

    #[test]
    fn made_up_queries_never_push_the_pages_out() {
        let cache = PageCache::enabled();
        cache.put("/regios".into(), entry_of(1024));
        for i in 0..100 {
            cache.put(format!("/zoeken?q={i}"), entry_of(1024 * 1024));
        }
        assert!(cache.get("/regios", 1).is_some());
        let queried = cache.queried.read().unwrap();
        assert!(queried.bytes <= MAX_QUERIED_BYTES, "{}", queried.bytes);
    }

    #[test]
    fn a_query_is_worth_keeping_the_second_time_a_path_at_once() {
        let cache = PageCache::enabled();
        assert!(cache.worth_keeping("/agenda"));
        assert!(!cache.worth_keeping("/zoeken?q=a"));
        assert!(cache.worth_keeping("/zoeken?q=a"));
        assert!(!cache.worth_keeping("/zoeken?q=b"));
    }
}
