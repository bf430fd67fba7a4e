//! The page cache: anonymous visitors get public pages without a database query once the page is
//! kept; a write shows at once; nothing personal is kept or shared; signed-in pages take a small,
//! fixed number of queries.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use crate::common::{Client, MANAGER, state};

/// The SQL statements run so far in this process, as sqlx reports each one (target `sqlx::query`).
static QUERIES: AtomicU64 = AtomicU64::new(0);

struct CountQueries;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target().starts_with("sqlx::query") {
            QUERIES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Counts statements, where each test runs in a process of its own (nextest, as the test command
/// runs them): under `cargo test` other tests' statements would be counted too, so `None`.
fn count_queries() -> Option<&'static AtomicU64> {
    use tracing_subscriber::layer::SubscriberExt;
    std::env::var_os("NEXTEST").as_ref()?;
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountQueries));
    });
    Some(&QUERIES)
}

/// The state with the page cache on, as the server runs.
async fn cached() -> web::AppState {
    let mut st = state().await;
    st.pages = Arc::new(web::pages::PageCache::enabled());
    st.pages.refresh(&st.app).await;
    st
}

/// An anonymous GET with the given headers: (status, headers, body bytes).
async fn get(
    st: &web::AppState,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(path);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let res = web::router(st.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, to_bytes(body, usize::MAX).await.unwrap().to_vec())
}

const PUBLIC: &[&str] = &[
    "/",
    "/regios",
    "/regios/zuid-friesland",
    "/scholen?q=college",
    "/monitor",
    "/regeling/sto-2025-2028",
    "/nieuws",
    "/agenda",
    "/veelgestelde-vragen",
    "/documenten",
    "/zoeken?q=techniek",
    "/nieuws.atom",
    "/api/v1/regions",
    "/api/v1/indicators?scope=national",
];

#[tokio::test]
async fn public_pages_are_served_a_second_time_without_a_database_query() {
    let queries = count_queries();
    let st = cached().await;
    for path in PUBLIC {
        let (status, _, first) = get(&st, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if path.contains('?') {
            // An address with a query is kept once it is asked for a second time.
            get(&st, path, &[]).await;
        }
        let before = (st.app.db.touches(), queries.map(|q| q.load(Ordering::Relaxed)));
        let (status, headers, again) = get(&st, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let after = (st.app.db.touches(), queries.map(|q| q.load(Ordering::Relaxed)));
        assert_eq!(after, before, "{path} touched the database the second time");
        assert_eq!(again, first, "{path}: the same bytes");
        assert!(headers.contains_key(header::ETAG), "{path}");
    }
}

#[tokio::test]
async fn an_address_with_a_query_or_an_escape_is_kept_only_once_asked_for_again() {
    let st = cached().await;
    let touches = |st: &web::AppState| st.app.db.touches();
    // `%2D` reads as `-`: the region page under an address anyone can vary endlessly.
    for path in ["/scholen?q=made-up-7f3a", "/regios/zuid%2Dfriesland"] {
        for visit in 1..=3 {
            let before = touches(&st);
            let (status, headers, _) = get(&st, path, &[]).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let read_database = touches(&st) > before;
            assert_eq!(read_database, visit <= 2, "{path}, visit {visit}");
            // Made once it is kept: the first visit gets the page as rendered, without a tag.
            assert_eq!(headers.contains_key(header::ETAG), visit >= 2, "{path}, visit {visit}");
        }
    }
    // A path without a query is kept at once.
    get(&st, "/agenda", &[]).await;
    let before = touches(&st);
    get(&st, "/agenda", &[]).await;
    assert_eq!(touches(&st), before);
}

#[tokio::test]
async fn visitors_arriving_together_wait_for_one_making_of_the_page() {
    let once = cached().await;
    let before = once.app.db.touches();
    get(&once, "/regios", &[]).await;
    let one_making = once.app.db.touches() - before;
    assert!(one_making > 0);

    let st = cached().await;
    let before = st.app.db.touches();
    let visit = || get(&st, "/regios", &[]);
    let answers = tokio::join!(visit(), visit(), visit(), visit(), visit(), visit(), visit(), visit());
    assert_eq!(st.app.db.touches() - before, one_making, "eight visitors, one making");
    let bodies = [answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6, answers.7];
    assert!(bodies.iter().all(|(status, _, body)| *status == StatusCode::OK && *body == bodies[0].2));
}

#[tokio::test]
async fn a_kept_page_answers_304_and_in_brotli_or_gzip_as_asked() {
    let st = cached().await;
    let (_, plain_headers, plain) = get(&st, "/regios/zuid-friesland", &[]).await;
    let etag = plain_headers[header::ETAG].to_str().unwrap().to_owned();
    let (status, headers, body) = get(&st, "/regios/zuid-friesland", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    assert_eq!(headers[header::ETAG], etag.as_str());
    let weak = format!("W/{etag}");
    let (status, _, _) = get(&st, "/regios/zuid-friesland", &[(header::IF_NONE_MATCH, &weak)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED, "a proxy's weak tag matches too");
    assert_eq!(plain_headers[header::VARY], "Accept-Encoding, Cookie");
    let (_, headers, _) = get(&st, "/regios/zuid-friesland", &[(header::ACCEPT_ENCODING, "br;q=0, gzip")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "q=0 refuses brotli");

    let (_, headers, br) = get(&st, "/regios/zuid-friesland", &[(header::ACCEPT_ENCODING, "gzip, deflate, br")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::VARY], "Accept-Encoding, Cookie");
    assert_ne!(headers[header::ETAG], etag.as_str(), "each encoding has its own tag");
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&br[..], 4096).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, plain);
    assert!(br.len() * 3 < plain.len(), "compressed: {} of {}", br.len(), plain.len());

    let (_, headers, gz) = get(&st, "/regios/zuid-friesland", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, plain);
}

#[tokio::test]
async fn a_change_shows_at_once_here_and_after_a_refresh_from_elsewhere() {
    let st = cached().await;
    let (_, _, before) = get(&st, "/regios/zuid-friesland", &[]).await;
    assert!(!String::from_utf8_lossy(&before).contains("Nieuwe visie van de regio."));
    // Through this instance: the write request reads the new data version when it is done.
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let form = pm.get("/beheer/regios/zuid-friesland").await;
    let v = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let res = pm
        .post("/beheer/regios/zuid-friesland", &[("version", &v), ("description", "Nieuwe visie van de regio.")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The indicators are made again at the new version before anyone asks for them.
    let version = services::data_version(&st.app).await.unwrap();
    for _ in 0..200 {
        if st.app.indicators.version() >= Some(version) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(st.app.indicators.version() >= Some(version), "made ahead at version {version}");
    let (_, _, after) = get(&st, "/regios/zuid-friesland", &[]).await;
    assert!(String::from_utf8_lossy(&after).contains("Nieuwe visie van de regio."));

    // Through another instance (here: the services directly): seen once the version is read again.
    let manager = services::auth::actor_for_user(&st.app, &{
        let mut conn = st.app.db.conn().await.unwrap();
        store::users::id_by_email(&mut conn, MANAGER).await.unwrap().unwrap()
    })
    .await
    .unwrap();
    let region = services::regions::page(&st.app, &manager, "zuid-friesland").await.unwrap();
    let input =
        domain::region::RegionProfileInput { description: "Van een andere server.".into(), ..Default::default() };
    services::regions::update_profile(&st.app, &manager, "zuid-friesland", region.region.version, &input)
        .await
        .unwrap();
    // The version is noticed with the indicators made first (the pages move after).
    st.pages.notice(&st.app).await;
    let version = services::data_version(&st.app).await.unwrap();
    assert!(st.app.indicators.version() >= Some(version), "made before the pages moved to {version}");
    let (_, _, elsewhere) = get(&st, "/regios/zuid-friesland", &[]).await;
    assert!(String::from_utf8_lossy(&elsewhere).contains("Van een andere server."));
}

#[tokio::test]
async fn an_answer_with_its_own_tag_keeps_it() {
    // The content API tags an item with its version, for If-Match: that tag is not replaced.
    let st = cached().await;
    let (status, headers, _) =
        get(&st, "/api/v1/content/nieuws/handreiking-sterk-techniekonderwijs-blijvend-borgen", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let own = headers[header::ETAG].to_str().unwrap().to_owned();
    let (_, again, _) =
        get(&st, "/api/v1/content/nieuws/handreiking-sterk-techniekonderwijs-blijvend-borgen", &[]).await;
    assert_eq!(again[header::ETAG], own.as_str());
    assert!(own.trim_matches('"').parse::<i64>().is_ok(), "the version: {own}");
}

#[tokio::test]
async fn nothing_personal_is_kept_or_shared() {
    let st = cached().await;
    // A page that gives a visitor a form token sets a cookie: never kept.
    let (_, headers, first) = get(&st, "/inloggen", &[]).await;
    assert!(headers.contains_key(header::SET_COOKIE));
    let (_, _, second) = get(&st, "/inloggen", &[]).await;
    assert_ne!(first, second, "each visitor gets a token of their own");
    // A signed-in person's requests pass by the cache, also for public pages.
    get(&st, "/regios/zuid-friesland", &[]).await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let before = st.app.db.touches();
    let page = pm.get("/regios/zuid-friesland").await;
    assert!(st.app.db.touches() > before, "a signed-in request is rendered for that person");
    page.assert_contains("Uitloggen");
}

/// Waits until no statement has run for a moment (at most ten seconds), so background work
/// started earlier is not counted as the next page's.
async fn quiet(queries: &AtomicU64) {
    let mut last = queries.load(Ordering::Relaxed);
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let now = queries.load(Ordering::Relaxed);
        if now == last {
            return;
        }
        last = now;
    }
}

#[tokio::test]
async fn signed_in_pages_take_a_small_fixed_number_of_database_queries() {
    let Some(queries) = count_queries() else { return };
    let st = cached().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    // Warm: the indicators and open data are read once per data version, not per page.
    pm.get("/beheer").await;
    for (path, most) in [
        ("/beheer", 30),
        // The agreement adds two, whatever the number of parties: confirmations and signatories.
        ("/regio/zuid-friesland/aanvragen/hoofdlijnen", 13),
        ("/regio/zuid-friesland/deelplannen", 10),
        ("/regio/zuid-friesland/uitvoering", 14),
    ] {
        // The sign-in's write makes the indicators again in the background: not this page's.
        quiet(queries).await;
        let before = queries.load(Ordering::Relaxed);
        assert_eq!(pm.get(path).await.status, StatusCode::OK, "{path}");
        let used = queries.load(Ordering::Relaxed) - before;
        eprintln!("QUERIES {path}: {used}");
        assert!(used <= most, "{path}: {used} statements, at most {most}");
    }
}

#[tokio::test]
async fn static_files_carry_their_content_hash_and_are_kept_for_a_year() {
    let st = cached().await;
    let (_, _, home) = get(&st, "/", &[]).await;
    let home = String::from_utf8(home).unwrap();
    let css = home.split("href=\"/static/sterk.css?v=").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(css.len(), 12, "a short content hash");
    let (status, headers, _) = get(&st, &format!("/static/sterk.css?v={css}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    let (_, headers, _) = get(&st, "/static/sterk.css?v=oud", &[]).await;
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300", "an old address is not kept long");
}
