//! Persistence for Sterk on one code path for SQLite and PostgreSQL (sqlx `Any`).
//!
//! Functions take a `&mut AnyConnection` so the services decide what runs in one transaction.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod account_requests;
pub mod account_tokens;
pub mod agreement_confirmations;
pub mod applications;
pub mod assessments;
pub mod audit;
pub mod change_requests;
pub mod changes;
pub mod contact_messages;
pub mod content;
pub mod coverage;
pub mod execution;
pub mod files;
pub mod join_requests;
mod legacy;
pub mod limits;
pub mod maximums;
pub mod monitoring;
pub mod notifications;
pub mod organisations;
pub mod payments;
pub mod plan_reports;
pub mod portfolio;
pub mod regions;
pub mod reported_results;
pub mod reports;
pub mod school_plans;
pub mod sessions;
pub mod settings;
pub mod settlements;
pub mod snapshot;
pub mod sso;
pub(crate) mod steps;
pub mod two_factor;
pub mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
pub use sqlx::{self, AnyConnection, AnyPool, Transaction};
use sqlx::{Any, Executor};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read it (optimistic lock).
    #[error("changed by someone else")]
    Conflict,
    /// A unique constraint refused the write.
    #[error("duplicate")]
    Duplicate,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique-constraint violation to `Duplicate`, everything else to `Db`.
pub(crate) fn unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
        _ => StoreError::Db(e),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgresql",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// How often a connection or transaction was taken: what a cached page must not do.
    touches: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Db {
    /// Connects to `postgres://…` or `sqlite://…` (the file is created when missing).
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else {
            DbKind::Sqlite
        };
        let options = AnyPoolOptions::new().max_connections(if kind == DbKind::Sqlite { 8 } else { 16 });
        let options = if kind == DbKind::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                        .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let url = if kind == DbKind::Sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        } else {
            url.to_owned()
        };
        let pool = options.connect(&url).await?;
        Ok(Db { pool, kind, touches: Default::default() })
    }

    /// Applies every migration not yet applied; returns how many are applied in all.
    pub async fn migrate(&self) -> Result<usize> {
        MIGRATOR.run(&self.pool).await?;
        legacy::move_explanations(&self.pool).await?;
        legacy::move_received(&self.pool).await?;
        changes::install_triggers(&self.pool, self.kind).await?;
        self.migrations_applied().await
    }

    /// Applies the migrations up to and including `version` only (a restore loads a backup into
    /// the schema it was made with, then [`Db::migrate`] brings it up to date).
    pub async fn migrate_to(&self, version: i64) -> Result<usize> {
        MIGRATOR.run_to(version, &self.pool).await?;
        changes::install_triggers(&self.pool, self.kind).await?;
        self.migrations_applied().await
    }

    /// The migrations this build ships: (version, checksum).
    pub fn shipped_migrations() -> Vec<(i64, Vec<u8>)> {
        MIGRATOR.migrations.iter().map(|m| (m.version, m.checksum.to_vec())).collect()
    }

    /// The migrations applied to this database: (version, checksum), oldest first.
    pub async fn applied_migrations(conn: &mut AnyConnection) -> Result<Vec<(i64, Vec<u8>)>> {
        Ok(sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
            .fetch_all(conn)
            .await?)
    }

    /// How many migrations this build ships.
    pub fn migrations_shipped() -> usize {
        MIGRATOR.migrations.len()
    }

    pub async fn migrations_applied(&self) -> Result<usize> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as usize)
    }

    /// A transaction that may write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), waiting for it up to the busy timeout: a transaction that read first and then
    /// wants to write while another writer committed meanwhile fails at once ("database is
    /// locked"), which a busy timeout cannot help (two API clients recording hours at the same
    /// time lost half their writes that way, bench/mixed.sh).
    pub async fn begin(&self) -> Result<Transaction<'static, Any>> {
        self.touched();
        Ok(match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DbKind::Postgres => self.pool.begin().await?,
        })
    }

    /// A transaction that only reads, seeing one moment (on SQLite without the write lock).
    pub async fn begin_read(&self) -> Result<Transaction<'static, Any>> {
        self.touched();
        Ok(self.pool.begin().await?)
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        self.touched();
        Ok(self.pool.acquire().await?)
    }

    fn touched(&self) {
        self.touches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How often this process took a connection or a transaction so far (tests count queries by it).
    pub fn touches(&self) -> u64 {
        self.touches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A fresh, migrated database for one test: a temporary SQLite file, or, when
    /// `TEST_DATABASE_URL` names a PostgreSQL server, a new database on it.
    pub async fn fresh_for_test() -> Result<Db> {
        Ok(Db::fresh_for_template().await?.0)
    }

    /// [`Db::fresh_for_test`] and its address, to keep it as a template once prepared.
    pub async fn fresh_for_template() -> Result<(Db, String)> {
        let url = Db::new_for_test(None).await?;
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        Ok((db, url))
    }

    /// A new database for one test with nothing in it, not even the schema (for a restore).
    pub async fn empty_for_test() -> Result<Db> {
        Db::connect(&Db::new_for_test(None).await?).await
    }

    /// The address of a new test database: empty, or a copy of `template` (a test database made
    /// before, closed): PostgreSQL copies it with `CREATE DATABASE … TEMPLATE`, SQLite with `VACUUM INTO`.
    async fn new_for_test(template: Option<&str>) -> Result<String> {
        let name = format!("sterk_t_{}", uuid::Uuid::now_v7().simple());
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                let admin = Db::connect(&base).await?;
                let from = template
                    .and_then(|t| t.split('?').next())
                    .and_then(|t| t.rsplit('/').next())
                    .map(|t| format!(" TEMPLATE {t}"));
                let sql = format!("CREATE DATABASE {name}{}", from.unwrap_or_default());
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin.pool).await?;
                admin.pool.close().await;
                Ok(replace_db_name(&base, &name))
            }
            _ => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                if let Some(template) = template {
                    let source = Db::connect(template).await?;
                    let into = path.display().to_string().replace('\'', "''");
                    sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{into}'"))).execute(&source.pool).await?;
                    source.pool.close().await;
                }
                Ok(format!("sqlite://{}", path.display()))
            }
        }
    }

    /// Closes this test database and keeps it to copy: for tests that each need the same
    /// prepared data (the demo set), made once per process.
    pub async fn into_template(self, url: String) -> TestTemplate {
        self.pool.close().await;
        TestTemplate { url }
    }
}

/// A prepared test database that each test gets a copy of (see [`Db::into_template`]). It keeps
/// only its address, so tests on other runtimes may copy it.
#[derive(Debug, Clone)]
pub struct TestTemplate {
    url: String,
}

impl TestTemplate {
    pub async fn copy(&self) -> Result<Db> {
        Db::connect(&Db::new_for_test(Some(&self.url)).await?).await
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let head = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => base.get(..i).unwrap_or(base),
        _ => base,
    };
    match query {
        Some(q) => format!("{head}/{name}?{q}"),
        None => format!("{head}/{name}"),
    }
}

/// How far this process's stamps lie from the machine's clock (see [`set_clock`]).
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Dates everything this process stamps as if the machine's clock had read `now` at this moment:
/// the demo server (15 September 2026) dates new items in the demo's time, moving on from there,
/// not in the machine's. Every stamp of this process moves alike, so expiries keep their meaning
/// within it; stamps written by other processes on the same database do not move, so this is for
/// a demo database only.
pub fn set_clock(now_ms_then: i64) {
    CLOCK_OFFSET_MS.store(now_ms_then - machine_ms(), std::sync::atomic::Ordering::Relaxed);
}

fn machine_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Now, as Unix milliseconds UTC (the stored form of every instant).
pub fn now_ms() -> i64 {
    machine_ms() + CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed)
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `($1, $2, …), ($k+1, …)`: placeholders for a multi-row INSERT of `rows` rows of `columns` values.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=columns).map(|c| format!("${}", r * columns + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_value() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3),($4, $5, $6)");
    }

    #[test]
    fn db_name_is_replaced() {
        assert_eq!(replace_db_name("postgres://p@127.0.0.1:5432/postgres", "x"), "postgres://p@127.0.0.1:5432/x");
        assert_eq!(replace_db_name("postgres://p@h/test?sslmode=disable", "x"), "postgres://p@h/x?sslmode=disable");
        assert_eq!(replace_db_name("postgres://p@h", "x"), "postgres://p@h/x");
    }
}
