//! The data version: a counter raised by every write to data that a public page can show, in the
//! same transaction as the write (database triggers, installed here for each database kind), so
//! that cached pages on every instance know when they are stale.

use sqlx::{AnyConnection, AnyPool};

use crate::{DbKind, Result};

/// Tables whose writes never change a public page: sign-in state, limits, mail and the audit
/// log change all the time and would empty every cache for nothing.
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
];

/// The current data version.
pub async fn data_version(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT v FROM data_version WHERE id = 1").fetch_one(conn).await?)
}

/// Installs (again) the triggers on every table that is not quiet; idempotent.
pub(crate) async fn install_triggers(pool: &AnyPool, kind: DbKind) -> Result<()> {
    let catalog = match kind {
        DbKind::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        DbKind::Postgres => "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
    };
    let tables: Vec<String> = sqlx::query_scalar(catalog).fetch_all(pool).await?;
    let tables = tables.into_iter().filter(|t| !QUIET.contains(&t.as_str()) && is_identifier(t));
    let mut tx = pool.begin().await?;
    let mut statements = Vec::new();
    match kind {
        DbKind::Sqlite => {
            for table in tables {
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
            statements.push(
                "CREATE OR REPLACE FUNCTION sterk_data_changed() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; RETURN NULL; END $$"
                    .to_owned(),
            );
            for table in tables {
                statements.push(format!(
                    "CREATE OR REPLACE TRIGGER sterk_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION sterk_data_changed()"
                ));
            }
        }
    }
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
