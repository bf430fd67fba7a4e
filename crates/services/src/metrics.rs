//! What the server is doing, for an operator's Prometheus: requests by route and status with their
//! latency, database connections, background job runs and failures, mail waiting to be sent, and
//! how long imports take. One registry per process (each instance is scraped on its own).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::App;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    /// The route's pattern (`/regios/{slug}`), never the address itself: the label set stays small.
    /// Shared, not copied: counting a request allocates nothing once its series exists.
    route: Arc<str>,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

fn latency_buckets() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn import_buckets() -> Histogram {
    // 50 ms to about 13 minutes.
    Histogram::new(exponential_buckets(0.05, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    jobs: Family<JobLabels, Counter>,
    imports: Family<KindLabels, Histogram>,
    connections: Family<StateLabels, Gauge>,
    mail: Family<StateLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sterk");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_buckets as fn() -> Histogram);
        let jobs = Family::<JobLabels, Counter>::default();
        let imports = Family::<KindLabels, Histogram>::new_with_constructor(import_buckets as fn() -> Histogram);
        let connections = Family::<StateLabels, Gauge>::default();
        let mail = Family::<StateLabels, Gauge>::default();
        registry.register("http_requests", "HTTP requests answered, by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer, by route", latency.clone());
        registry.register("job_runs", "Background job runs, by job and outcome (ok or failed)", jobs.clone());
        registry.register("import_duration_seconds", "Time an import took, by kind of file", imports.clone());
        registry.register(
            "db_connections",
            "Database pool connections, by state (idle or in_use)",
            connections.clone(),
        );
        registry.register("mail_messages", "Messages in the outbox, by state (pending, sending, failed)", mail.clone());
        Metrics { registry, requests, latency, jobs, imports, connections, mail }
    }
}

impl Metrics {
    /// Counts an answered request and its time.
    pub fn request(&self, method: &str, route: &Arc<str>, status: u16, started: Instant) {
        // A client may send any method name: those outside HTTP's usual ones share one label.
        let method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
            .into_iter()
            .find(|m| *m == method)
            .unwrap_or("OTHER");
        self.requests.get_or_create(&RequestLabels { method, route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(started.elapsed().as_secs_f64());
    }

    /// Counts a background job's run.
    pub fn job(&self, job: &str, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" }.to_owned();
        self.jobs.get_or_create(&JobLabels { job: job.to_owned(), outcome }).inc();
    }

    /// Records how long an import of `kind` took.
    pub fn import(&self, kind: &str, started: Instant) {
        self.imports.get_or_create(&KindLabels { kind: kind.to_owned() }).observe(started.elapsed().as_secs_f64());
    }

    /// The text format, with the gauges read now.
    pub async fn render(&self, app: &App) -> String {
        let size = app.db.pool.size() as i64;
        let idle = app.db.pool.num_idle() as i64;
        self.connections.get_or_create(&StateLabels { state: "idle".into() }).set(idle);
        self.connections.get_or_create(&StateLabels { state: "in_use".into() }).set(size - idle);
        match mail_by_state(app).await {
            Ok(counts) => {
                for state in ["pending", "sending", "failed"] {
                    let n = counts.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
                    self.mail.get_or_create(&StateLabels { state: state.into() }).set(n);
                }
            }
            Err(e) => tracing::warn!("outbox count for metrics: {e}"),
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}

/// A new id for a request that came without one: this process's start (a UUID v7, so ids sort by
/// time across instances and restarts) and a counter. Made for every request, so kept cheap: no
/// clock or random source per request.
pub fn new_request_id() -> String {
    use std::fmt::Write;
    static PROCESS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| store::new_id().replace('-', "").chars().take(16).collect());
    static NEXT: AtomicU64 = AtomicU64::new(1);
    // Sized once: a growing String would reallocate on the way.
    let mut id = String::with_capacity(34);
    id.push_str(&PROCESS);
    let _ = write!(id, "-{:x}", NEXT.fetch_add(1, Ordering::Relaxed));
    id
}

async fn mail_by_state(app: &App) -> crate::Result<Vec<(String, i64)>> {
    let mut conn = app.db.conn().await?;
    Ok(store::notifications::count_by_status(&mut conn).await?)
}
