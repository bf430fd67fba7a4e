//! The results regions report themselves, per indicator and calendar year.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

/// One reported figure: (region id, indicator, year, value).
pub type Figure = (String, String, i64, i64);

/// Every region's figures, or one region's.
pub async fn figures(conn: &mut AnyConnection, region_id: Option<&str>) -> Result<Vec<Figure>> {
    const ALL: &str = "SELECT region_id, indicator, year, value FROM reported_results";
    const ORDER: &str = "ORDER BY region_id, indicator, year";
    let rows = match region_id {
        Some(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{ALL} WHERE region_id = $1 {ORDER}")))
                .bind(id)
                .fetch_all(conn)
                .await?
        }
        None => sqlx::query(sqlx::AssertSqlSafe(format!("{ALL} {ORDER}"))).fetch_all(conn).await?,
    };
    rows.iter()
        .map(|r| Ok((r.try_get("region_id")?, r.try_get("indicator")?, r.try_get("year")?, r.try_get("value")?)))
        .collect()
}

/// Sets a figure, or (`None`) removes it.
pub async fn set(
    conn: &mut AnyConnection,
    (region_id, indicator, year): (&str, &str, i64),
    value: Option<i64>,
    user_id: Option<&str>,
) -> Result<()> {
    sqlx::query("DELETE FROM reported_results WHERE region_id = $1 AND indicator = $2 AND year = $3")
        .bind(region_id)
        .bind(indicator)
        .bind(year)
        .execute(&mut *conn)
        .await?;
    if let Some(value) = value {
        sqlx::query(
            "INSERT INTO reported_results (region_id, indicator, year, value, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(region_id)
        .bind(indicator)
        .bind(year)
        .bind(value)
        .bind(user_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    }
    Ok(())
}
