//! The programme as a whole: per submitted application the decided subsidy and what was paid on it.

use sqlx::{AnyConnection, Row};

use crate::Result;

/// Per application with a current decision: (application id, decided cents, paid cents). Paid
/// counts the payments made on any of its decisions (a withdrawn one's too: that money went);
/// repayments subtract. (PostgreSQL sums BIGINT to NUMERIC: cast back.)
pub async fn amounts(conn: &mut AnyConnection) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT s.application_id, \
         CAST(COALESCE((SELECT SUM(a.amount_cents) FROM decisions d JOIN decision_amounts a ON a.decision_id = d.id \
                   WHERE d.assessment_id = s.id AND d.withdrawn_at IS NULL), 0) AS BIGINT) AS decided, \
         CAST(COALESCE((SELECT SUM(CASE WHEN p.kind = 'terugvordering' THEN -p.amount_cents ELSE p.amount_cents END) \
                   FROM payments p JOIN decisions d ON d.id = p.decision_id \
                   WHERE d.assessment_id = s.id AND p.paid_on IS NOT NULL), 0) AS BIGINT) AS paid \
         FROM assessments s",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("application_id")?, r.try_get::<i64, _>("decided")?, r.try_get::<i64, _>("paid")?)))
        .collect()
}

/// The programme per budget year: (year, decided cents on current decisions, paid cents on
/// payments for that year with repayments subtracted).
pub async fn per_year(conn: &mut AnyConnection) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT y.year, \
         CAST(COALESCE((SELECT SUM(a.amount_cents) FROM decision_amounts a JOIN decisions d ON d.id = a.decision_id \
                   WHERE a.year = y.year AND d.withdrawn_at IS NULL), 0) AS BIGINT) AS decided, \
         CAST(COALESCE((SELECT SUM(CASE WHEN p.kind = 'terugvordering' THEN -p.amount_cents ELSE p.amount_cents END) \
                   FROM payments p WHERE p.year = y.year AND p.paid_on IS NOT NULL), 0) AS BIGINT) AS paid \
         FROM (SELECT DISTINCT year FROM decision_amounts UNION SELECT DISTINCT year FROM payments \
               WHERE year IS NOT NULL) y ORDER BY y.year",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>("year")?, r.try_get::<i64, _>("decided")?, r.try_get::<i64, _>("paid")?)))
        .collect()
}
