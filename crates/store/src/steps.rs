//! The history rows of the workflows whose steps share one shape (change requests and reports):
//! from, to, comment, who and when.

use sqlx::AnyConnection;

use crate::{Result, new_id};

/// Which workflow's history.
#[derive(Debug, Clone, Copy)]
pub enum History {
    ChangeRequest,
    Report,
}

impl History {
    fn insert(self) -> &'static str {
        match self {
            History::ChangeRequest => {
                "INSERT INTO change_request_steps (id, change_request_id, from_state, to_state, comment, by_user, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            }
            History::Report => {
                "INSERT INTO report_steps (id, report_id, from_state, to_state, comment, by_user, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            }
        }
    }
}

/// Records one step of `history` for the record `id`, at `at` (Unix ms).
pub(crate) async fn record(
    conn: &mut AnyConnection,
    (history, id): (History, &str),
    (from, to): (&str, &str),
    (comment, by): (&str, Option<&str>),
    at: i64,
) -> Result<()> {
    sqlx::query(history.insert())
        .bind(new_id())
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(comment)
        .bind(by)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}
