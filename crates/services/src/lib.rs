//! The use cases of Sterk, shared by the web layer and the CLI. Each state change checks the
//! actor's rights with the domain's access policy, validates, writes in one transaction and
//! appends to the audit log.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod account_notices;
pub mod account_requests;
pub mod agreement;
pub mod applications;
pub mod assessments;
pub mod auth;
pub mod backup;
pub mod change_requests;
pub mod contact;
pub mod content;
pub mod cosigning;
pub mod coverage;
pub mod cpu;
pub mod demo;
pub mod documents;
mod drafts;
pub mod execution;
pub mod files;
pub mod joining;
pub mod mail;
pub mod maximums;
pub mod metrics;
pub mod monitoring;
pub mod open_data;
pub mod organisations;
pub mod payments;
pub mod phases;
pub mod plan_reports;
pub mod portfolio;
pub mod ratelimit;
pub mod recovery;
pub mod regions;
pub mod regulations;
pub mod reminders;
pub mod reported;
pub mod reports;
pub mod school_plans;
pub mod search;
pub mod security;
pub mod sessions;
pub mod settlements;
pub mod sso;
pub mod todo;
pub mod two_factor;
pub mod users;

use domain::{Denied, FieldErrors};
use store::{Db, StoreError};

/// Everything a use case can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Denied(#[from] Denied),
    #[error("ongeldige invoer: {0}")]
    Invalid(FieldErrors),
    #[error("niet gevonden")]
    NotFound,
    /// Someone else changed the record since it was read.
    #[error("iemand anders heeft dit intussen gewijzigd")]
    Conflict,
    #[error("e-mailadres of wachtwoord klopt niet")]
    BadCredentials,
    #[error("te veel pogingen; probeer het over {0} minuten opnieuw")]
    RateLimited(u64),
    #[error("opslag: {0}")]
    Store(StoreError),
    /// A file on disk could not be read or written.
    #[error("bestand: {0}")]
    File(String),
    /// A step the workflow does not have from the current state (HTTP 409).
    #[error("{0}")]
    NotAllowed(String),
    /// Submission refused: these blocking rules fail.
    #[error("indienen geweigerd: {} blokkerende regel(s) voldoen niet", .0.len())]
    SubmitRefused(Vec<domain::regulation::check::Finding>),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict => ServiceError::Conflict,
            e => ServiceError::Store(e),
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<store::sqlx::Error> for ServiceError {
    fn from(e: store::sqlx::Error) -> Self {
        ServiceError::Store(StoreError::Db(e))
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The data version: raised in the same transaction by every write a public page can show
/// (`store::changes`), so a page cache knows when its pages are stale.
pub async fn data_version(app: &App) -> Result<i64> {
    Ok(store::changes::data_version(&mut *app.db.conn().await?).await?)
}

/// Whether the database is ready for traffic: it answers and has every migration this build
/// ships; else why not, in Dutch.
pub async fn readiness(app: &App) -> std::result::Result<(), String> {
    let shipped = store::Db::migrations_shipped();
    match app.db.migrations_applied().await {
        Ok(n) if n >= shipped => Ok(()),
        Ok(n) => Err(format!("{n} van {shipped} migraties toegepast")),
        Err(e) => {
            tracing::warn!("readiness: database: {e}");
            Err("de database antwoordt niet".to_owned())
        }
    }
}

/// Stored data that cannot be read back: a broken installation, not bad input.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(e.to_string()))
}

/// The region at `slug`, unless it is archived.
pub(crate) async fn live_region(conn: &mut store::AnyConnection, slug: &str) -> Result<domain::Region> {
    store::regions::by_slug(conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)
}

/// A field error for one field, as a service error.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    ServiceError::Invalid(e)
}

/// The application: the database plus process-wide state (the regulations, caches, the mailer).
#[derive(Clone)]
pub struct App {
    pub db: Db,
    /// A fixed "now" for submissions and deadline checks (demo and tests); `None` is the real clock.
    pub clock: Option<jiff::Timestamp>,
    pub regulations: std::sync::Arc<regulations::Regulations>,
    pub mailer: std::sync::Arc<mail::Mailer>,
    /// The address people reach Sterk at, for links in e-mail (`STERK_BASE_URL`). Shared, not
    /// copied: every request clones the app, and that clone allocates nothing.
    pub base_url: std::sync::Arc<str>,
    /// DUO's rows in memory until the next import.
    pub open_data: std::sync::Arc<monitoring::OpenDataCache>,
    /// The indicators of the nation and every region, computed once per data version.
    pub indicators: std::sync::Arc<monitoring::IndicatorCache>,
    /// The search index in memory until what it holds changes.
    pub search: std::sync::Arc<search::SearchCache>,
    /// What this process has done, for `/metrics`.
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// The single sign-on providers (OpenID Connect), with their metadata while fresh.
    pub sso: std::sync::Arc<sso::Providers>,
    /// The key that signs anonymous visitors' form tokens, read from the database once.
    pub signing_key: std::sync::Arc<tokio::sync::OnceCell<[u8; 32]>>,
}

impl App {
    /// The regulation with `id`: one the installation ships or loads (a missing one is a broken
    /// installation, not a missing page).
    pub fn regulation(&self, id: &str) -> Result<&domain::regulation::Regulation> {
        self.regulations
            .get(id)
            .ok_or_else(|| ServiceError::Store(StoreError::Corrupt(format!("regeling {id} ontbreekt"))))
    }

    /// The regulation applications are written against now.
    pub fn current_regulation(&self) -> Result<&domain::regulation::Regulation> {
        self.regulation(applications::REGULATION)
    }

    /// An application with the shipped regulations.
    pub fn new(db: Db) -> App {
        App::with_regulations(db, regulations::Regulations::builtin())
    }

    pub fn with_regulations(db: Db, regulations: regulations::Regulations) -> App {
        App {
            db,
            clock: None,
            regulations: std::sync::Arc::new(regulations),
            open_data: std::sync::Arc::default(),
            indicators: std::sync::Arc::default(),
            search: std::sync::Arc::default(),
            metrics: std::sync::Arc::default(),
            signing_key: std::sync::Arc::default(),
            sso: std::sync::Arc::default(),
            mailer: std::sync::Arc::new(mail::Mailer::Outbox),
            base_url: "http://127.0.0.1:8080".into(),
        }
    }

    /// The moment applications are submitted and checked at.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.unwrap_or_else(jiff::Timestamp::now)
    }

    /// Today in the regulation's time zone, at the app's clock.
    pub fn today(&self) -> Result<jiff::civil::Date> {
        Ok(self.now().to_zoned_datetime(self.current_regulation()?.time_zone()).date())
    }
}
