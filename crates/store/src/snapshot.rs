//! Every table as plain rows, for a backup and its restore on either database kind: the tables
//! in the order their foreign keys allow (a table after those it refers to), each column's kind,
//! each row's values. The catalog is read from the database, so a table a migration adds is in
//! the next backup without a change here.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::{Stream, StreamExt};
use sqlx::any::AnyTypeInfoKind;
use sqlx::{AnyConnection, Row, ValueRef};

use crate::{DbKind, Result, StoreError};

/// Tables a backup leaves out: the migration ledger (the manifest records the migrations and a
/// restore applies them) and the data version (a counter the caches of running instances
/// follow, raised by the restore's own writes).
pub const NOT_DATA: &[&str] = &["_sqlx_migrations", "data_version"];

/// What a column holds; the schema uses only these three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bytes,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// A table with its columns in the database's order.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<(String, Kind)>,
}

/// The data tables, each after the tables its foreign keys point to.
pub async fn tables(conn: &mut AnyConnection, kind: DbKind) -> Result<Vec<Table>> {
    let (names_sql, refs_sql) = match kind {
        DbKind::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT m.name, f.\"table\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'",
        ),
        DbKind::Postgres => (
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            "SELECT cl.relname::text, rf.relname::text FROM pg_constraint c \
             JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()",
        ),
    };
    let names: Vec<String> = sqlx::query_scalar(names_sql).fetch_all(&mut *conn).await?;
    let refs: Vec<(String, String)> = sqlx::query_as(refs_sql).fetch_all(&mut *conn).await?;
    let names: BTreeSet<String> = names.into_iter().filter(|n| !NOT_DATA.contains(&n.as_str())).collect();
    let mut tables = Vec::new();
    for name in dependency_order(&names, &refs)? {
        let columns = columns(conn, kind, &name).await?;
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// Kahn's order over the foreign keys (alphabetical among equals, so both kinds agree).
fn dependency_order(names: &BTreeSet<String>, refs: &[(String, String)]) -> Result<Vec<String>> {
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = names.iter().map(|n| (n.as_str(), BTreeSet::new())).collect();
    for (from, to) in refs {
        if from != to
            && names.contains(to)
            && let Some(set) = needs.get_mut(from.as_str())
        {
            set.insert(to.as_str());
        }
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<&str> = needs.iter().filter(|(_, n)| n.is_empty()).map(|(t, _)| *t).collect();
        if ready.is_empty() {
            return Err(StoreError::Corrupt(format!("kringverwijzing tussen de tabellen {:?}", needs.keys())));
        }
        for t in ready {
            needs.remove(t);
            needs.values_mut().for_each(|n| {
                n.remove(t);
            });
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

async fn columns(conn: &mut AnyConnection, kind: DbKind, table: &str) -> Result<Vec<(String, Kind)>> {
    let sql = match kind {
        DbKind::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        DbKind::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(table).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(name, declared)| {
            let declared = declared.to_ascii_uppercase();
            let kind = if declared.contains("INT") {
                Kind::Int
            } else if declared.contains("BYTEA") || declared.contains("BLOB") {
                Kind::Bytes
            } else {
                Kind::Text
            };
            (name, kind)
        })
        .collect())
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every row of `table`, one at a time (a table of files is not held in memory at once).
pub fn rows<'c>(conn: &'c mut AnyConnection, table: &Table) -> impl Stream<Item = Result<Vec<Value>>> + 'c {
    let list = table.columns.iter().map(|(c, _)| quoted(c)).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT {list} FROM {}", quoted(&table.name));
    let width = table.columns.len();
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(conn).map(move |row| {
        let row = row?;
        (0..width).map(|i| value(&row, i)).collect::<Result<Vec<_>>>()
    })
}

fn value(row: &sqlx::any::AnyRow, i: usize) -> Result<Value> {
    let kind = row.try_get_raw(i)?.type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => Value::Int(i64::from(row.try_get::<bool, _>(i)?)),
        k if k.is_integer() => Value::Int(row.try_get(i)?),
        AnyTypeInfoKind::Text => Value::Text(row.try_get(i)?),
        AnyTypeInfoKind::Blob => Value::Bytes(row.try_get(i)?),
        other => return Err(StoreError::Corrupt(format!("kolom {i} heeft een onverwacht type: {other:?}"))),
    })
}

/// The number of rows in `table`.
pub async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(conn).await?)
}

/// The first data table that holds rows, with how many: `None` for a database with nothing in it
/// (no tables at all, or only the schema).
pub async fn first_filled(conn: &mut AnyConnection, kind: DbKind) -> Result<Option<(String, i64)>> {
    for t in tables(conn, kind).await? {
        let n = count(conn, &t.name).await?;
        if n > 0 {
            return Ok(Some((t.name, n)));
        }
    }
    Ok(None)
}

/// Deletes every row of `tables`, the last first (so no foreign key is left dangling).
pub async fn clear(conn: &mut AnyConnection, tables: &[Table]) -> Result<()> {
    for t in tables.iter().rev() {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", quoted(&t.name)))).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts `rows` (each with the table's columns, in order) in one statement; a value of another
/// kind than its column is refused with the table and column named.
pub async fn insert(conn: &mut AnyConnection, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let list = table.columns.iter().map(|(c, _)| quoted(c)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO {} ({list}) VALUES {}",
        quoted(&table.name),
        crate::placeholders(rows.len(), table.columns.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in rows {
        if row.len() != table.columns.len() {
            return Err(StoreError::Corrupt(format!("een rij van {} heeft niet alle kolommen", table.name)));
        }
        for ((column, kind), v) in table.columns.iter().zip(row) {
            query = match (kind, v) {
                (Kind::Int, Value::Null) => query.bind(None::<i64>),
                (Kind::Text, Value::Null) => query.bind(None::<String>),
                (Kind::Bytes, Value::Null) => query.bind(None::<Vec<u8>>),
                (Kind::Int, Value::Int(i)) => query.bind(*i),
                (Kind::Text, Value::Text(s)) => query.bind(s.clone()),
                (Kind::Bytes, Value::Bytes(b)) => query.bind(b.clone()),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "{}.{column}: de waarde past niet bij het soort kolom ({kind:?})",
                        table.name
                    )));
                }
            };
        }
    }
    query.execute(conn).await?;
    Ok(())
}

/// Starts a transaction that sees one moment of the database while others keep writing: on
/// PostgreSQL a repeatable-read, read-only transaction; on SQLite (write-ahead log) a read
/// transaction, whose snapshot is taken by its first read.
pub async fn begin_consistent(db: &crate::Db) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = db.begin_read().await?;
    if db.kind == DbKind::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_after_those_they_refer_to() {
        let names: BTreeSet<String> = ["users", "regions", "sessions", "role_grants"].map(String::from).into();
        let refs = [("sessions", "users"), ("role_grants", "users"), ("role_grants", "regions"), ("users", "users")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()));
        let order = dependency_order(&names, &refs).unwrap();
        assert_eq!(order, ["regions", "users", "role_grants", "sessions"]);
    }

    #[test]
    fn a_circle_is_an_error_not_a_hang() {
        let names: BTreeSet<String> = ["a", "b"].map(String::from).into();
        let refs = [("a", "b"), ("b", "a")].map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert!(dependency_order(&names, &refs).is_err());
    }
}
