//! The data version: a counter raised by every write to data that a public page can show, in the
//! same transaction as the write (database triggers, installed here for each database kind), so
//! that cached pages on every instance know when they are stale.

use sqlx::{AnyConnection, AnyPool};

use crate::{DbKind, Result};

/// Tables whose writes never change a public page: sign-in state, limits, mail and the audit log
/// change all the time, and applications, school plans and execution are shown to signed-in
/// people only; raising the version for them would empty every cache for nothing.
const QUIET: &[&str] = &[
    "_sqlx_migrations",
    "data_version",
    "sessions",
    "api_tokens",
    "audit_log",
    "login_limits",
    "notifications",
    "invitations",
    "account_requests",
    "role_grants",
    "applications",
    "application_versions",
    "school_plans",
    "school_plan_history",
    "school_plan_attachments",
    "execution_records",
    "milestone_progress",
    "change_notices",
    "change_requests",
    "change_request_steps",
    "reports",
    "report_submissions",
    "report_steps",
    "advances_received",
    "payments",
    "settlements",
    "school_plan_reports",
    "activity_explanations",
    "stored_files",
    "agreement_files",
    "agreement_confirmations",
    "join_requests",
    "plan_endorsement_links",
    "contact_messages",
];

/// The current data version.
pub async fn data_version(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT v FROM data_version WHERE id = 1").fetch_one(conn).await?)
}

/// PostgreSQL: the counter is raised once per transaction, when it commits (a deferred constraint
/// trigger), so the version row is locked only while committing: writers do not queue behind
/// each other for the length of their transactions, and cannot deadlock on it.
const PG_FUNCTION: &str = "CREATE OR REPLACE FUNCTION sterk_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('sterk.data_changed', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('sterk.data_changed', txid_current()::text, true);
    UPDATE data_version SET v = v + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$";

/// Installs the triggers missing on tables that are not quiet; existing ones are left alone, so a
/// start takes no lock on a table that has its trigger already.
pub(crate) async fn install_triggers(pool: &AnyPool, kind: DbKind) -> Result<()> {
    let (catalog, present) = match kind {
        DbKind::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sterk_changed_%_DELETE'",
        ),
        DbKind::Postgres => (
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
            "SELECT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'sterk_changed'",
        ),
    };
    let tables: Vec<String> = sqlx::query_scalar(catalog).fetch_all(pool).await?;
    let present: Vec<String> = sqlx::query_scalar(present).fetch_all(pool).await?;
    let missing: Vec<String> = tables
        .into_iter()
        .filter(|t| !QUIET.contains(&t.as_str()) && is_identifier(t) && !present.contains(t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut statements = Vec::new();
    match kind {
        DbKind::Sqlite => {
            for table in &missing {
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    statements.push(format!(
                        "CREATE TRIGGER IF NOT EXISTS sterk_changed_{table}_{op} AFTER {op} ON {table} \
                         BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; END"
                    ));
                }
            }
        }
        DbKind::Postgres => {
            // One installer at a time when several instances start together.
            statements.push("SELECT pg_advisory_xact_lock(741152)".to_owned());
            statements.push(PG_FUNCTION.to_owned());
            for table in &missing {
                statements.push(format!(
                    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                     WHERE t.tgname = 'sterk_changed' AND c.relname = '{table}') THEN \
                     CREATE CONSTRAINT TRIGGER sterk_changed AFTER INSERT OR UPDATE OR DELETE ON {table} \
                     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sterk_data_changed(); END IF; END $$"
                ));
            }
        }
    }
    let mut tx = pool.begin().await?;
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Table names come from the database's own catalog; checked anyway before they enter SQL.
fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
