//! The funder's assessment of an application: its state and history, the scorecards, the
//! decisions with their amounts per year.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, flag, new_id, now_ms, unique};

#[derive(Debug, Clone)]
pub struct AssessmentRow {
    pub id: String,
    pub application_id: String,
    pub state: String,
    pub revision: i64,
    pub taken_by: Option<String>,
    pub taken_by_name: Option<String>,
    /// The open repair request's items, as a JSON array.
    pub request_items: Option<String>,
    pub request_due: Option<String>,
    pub advice: Option<String>,
    pub advice_by_name: Option<String>,
    pub advice_at: Option<i64>,
    pub advice_version: Option<i64>,
}

const SELECT: &str = "SELECT s.id, s.application_id, s.state, s.revision, s.taken_by, t.name AS taken_by_name, s.request_items, \
     s.request_due, s.advice, v.name AS advice_by_name, s.advice_at, s.advice_version FROM assessments s \
     LEFT JOIN users t ON t.id = s.taken_by LEFT JOIN users v ON v.id = s.advice_by";

fn from_row(r: &AnyRow) -> Result<AssessmentRow> {
    Ok(AssessmentRow {
        id: r.try_get("id")?,
        application_id: r.try_get("application_id")?,
        state: r.try_get("state")?,
        revision: r.try_get("revision")?,
        taken_by: r.try_get("taken_by")?,
        taken_by_name: r.try_get("taken_by_name")?,
        request_items: r.try_get("request_items")?,
        request_due: r.try_get("request_due")?,
        advice: r.try_get("advice")?,
        advice_by_name: r.try_get("advice_by_name")?,
        advice_at: r.try_get("advice_at")?,
        advice_version: r.try_get("advice_version")?,
    })
}

pub async fn get(conn: &mut AnyConnection, application_id: &str) -> Result<Option<AssessmentRow>> {
    let sql = format!("{SELECT} WHERE s.application_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(application_id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The application's assessment, made in state `ingediend` when it has none yet.
pub async fn ensure(conn: &mut AnyConnection, application_id: &str) -> Result<AssessmentRow> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO assessments (id, application_id, state, created_at, updated_at) VALUES ($1, $2, 'ingediend', $3, $3) \
         ON CONFLICT (application_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    get(conn, application_id).await?.ok_or(StoreError::NotFound)
}

/// What a step changes besides the state.
#[derive(Debug, Default)]
pub struct Change<'a> {
    /// Who took the application (the first step).
    pub taken_by: Option<&'a str>,
    /// A new repair request (items as JSON, due date), or `None` to keep what is there.
    pub request: Option<(&'a str, &'a str)>,
    /// Record the advice: its text, who wrote it, and the version it is about.
    pub advice: Option<(&'a str, &'a str, i64)>,
}

/// Moves the assessment to `state` when it is still at `revision`, else `Conflict`.
pub async fn set_state(
    conn: &mut AnyConnection,
    id: &str,
    revision: i64,
    state: &str,
    change: &Change<'_>,
) -> Result<()> {
    let now = now_ms();
    let (items, due) = change.request.unzip();
    let (advice, advice_by, advice_version) = match change.advice {
        Some((text, by, version)) => (Some(text), Some(by), Some(version)),
        None => (None, None, None),
    };
    let done = sqlx::query(
        "UPDATE assessments SET state = $3, revision = revision + 1, updated_at = $4, \
         taken_by = COALESCE(taken_by, $5), \
         request_items = CASE WHEN $6 IS NULL THEN request_items ELSE $6 END, \
         request_due = CASE WHEN $6 IS NULL THEN request_due ELSE $7 END, \
         advice = COALESCE($8, advice), advice_by = COALESCE($9, advice_by), \
         advice_at = CASE WHEN $8 IS NULL THEN advice_at ELSE $4 END, \
         advice_version = COALESCE($10, advice_version) \
         WHERE id = $1 AND revision = $2",
    )
    .bind(id)
    .bind(revision)
    .bind(state)
    .bind(now)
    .bind(change.taken_by)
    .bind(items)
    .bind(due)
    .bind(advice)
    .bind(advice_by)
    .bind(advice_version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Conflict) }
}

#[derive(Debug, Clone)]
pub struct StepRow {
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
    pub detail: String,
    pub by_name: Option<String>,
    pub at: i64,
}

pub async fn add_step(
    conn: &mut AnyConnection,
    assessment_id: &str,
    (from, to): (&str, &str),
    (comment, detail): (&str, &str),
    by: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessment_steps (id, assessment_id, from_state, to_state, comment, detail, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(assessment_id)
    .bind(from)
    .bind(to)
    .bind(comment)
    .bind(detail)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The steps, oldest first.
pub async fn steps(conn: &mut AnyConnection, assessment_id: &str) -> Result<Vec<StepRow>> {
    let rows = sqlx::query(
        "SELECT s.from_state, s.to_state, s.comment, s.detail, u.name AS by_name, s.at FROM assessment_steps s \
         LEFT JOIN users u ON u.id = s.by_user WHERE s.assessment_id = $1 ORDER BY s.at, s.id",
    )
    .bind(assessment_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StepRow {
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                comment: r.try_get("comment")?,
                detail: r.try_get("detail")?,
                by_name: r.try_get("by_name")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct CardRow {
    pub assessor_id: String,
    pub assessor_name: String,
    pub conflict: bool,
    pub scores: String,
    pub submitted_at: Option<i64>,
}

/// An assessor's declaration; `Duplicate` when they already made one.
/// Whether `assessor` declared a conflict of interest on any of the region's applications.
pub async fn conflict_in_region(conn: &mut AnyConnection, region_id: &str, assessor: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM scorecards c JOIN assessments s ON s.id = c.assessment_id \
         JOIN applications a ON a.id = s.application_id WHERE a.region_id = $1 AND c.assessor_id = $2 AND c.conflict = 1",
    )
    .bind(region_id)
    .bind(assessor)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn declare(conn: &mut AnyConnection, assessment_id: &str, assessor: &str, conflict: bool) -> Result<()> {
    sqlx::query("INSERT INTO scorecards (assessment_id, assessor_id, conflict, declared_at) VALUES ($1, $2, $3, $4)")
        .bind(assessment_id)
        .bind(assessor)
        .bind(flag(conflict))
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(unique)?;
    Ok(())
}

/// Stores the scores (JSON) of a card not yet handed in; `submit` hands it in. `Conflict` when
/// the card is missing, conflicted or already in.
pub async fn save_scores(
    conn: &mut AnyConnection,
    assessment_id: &str,
    assessor: &str,
    scores: &str,
    submit: bool,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE scorecards SET scores = $3, submitted_at = $4 \
         WHERE assessment_id = $1 AND assessor_id = $2 AND conflict = 0 AND submitted_at IS NULL",
    )
    .bind(assessment_id)
    .bind(assessor)
    .bind(scores)
    .bind(submit.then(now_ms))
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Conflict) }
}

/// Hands every handed-in scorecard back (a supplement came in: the new version is scored anew;
/// the scores stay as a start).
pub async fn reopen_scorecards(conn: &mut AnyConnection, assessment_id: &str) -> Result<u64> {
    let done = sqlx::query("UPDATE scorecards SET submitted_at = NULL WHERE assessment_id = $1 AND conflict = 0")
        .bind(assessment_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn scorecards(conn: &mut AnyConnection, assessment_id: &str) -> Result<Vec<CardRow>> {
    let rows = sqlx::query(
        "SELECT c.assessor_id, u.name AS assessor_name, c.conflict, c.scores, c.submitted_at FROM scorecards c \
         JOIN users u ON u.id = c.assessor_id WHERE c.assessment_id = $1 ORDER BY c.declared_at, c.assessor_id",
    )
    .bind(assessment_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CardRow {
                assessor_id: r.try_get("assessor_id")?,
                assessor_name: r.try_get("assessor_name")?,
                conflict: r.try_get::<i64, _>("conflict")? != 0,
                scores: r.try_get("scores")?,
                submitted_at: r.try_get("submitted_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: String,
    pub reference: String,
    pub decided_on: String,
    pub outcome: String,
    pub conditions: String,
    pub version_number: i64,
    pub objection_until: String,
    pub maximum: Option<String>,
    pub decided_by_name: String,
    pub created_at: i64,
    pub withdrawn_at: Option<i64>,
    /// (year, eurocents), by year.
    pub amounts: Vec<(i16, i64)>,
}

pub struct NewDecision<'a> {
    pub assessment_id: &'a str,
    pub reference: &'a str,
    pub decided_on: &'a str,
    pub outcome: &'a str,
    pub conditions: &'a str,
    pub version_number: i64,
    pub objection_until: &'a str,
    pub maximum: Option<&'a str>,
    pub decided_by: &'a str,
    pub amounts: &'a [(i16, i64)],
}

/// Records a decision; `Duplicate` when the reference is taken.
pub async fn insert_decision(conn: &mut AnyConnection, d: &NewDecision<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO decisions (id, assessment_id, reference, decided_on, outcome, conditions, version_number, \
         objection_until, maximum, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(d.assessment_id)
    .bind(d.reference)
    .bind(d.decided_on)
    .bind(d.outcome)
    .bind(d.conditions)
    .bind(d.version_number)
    .bind(d.objection_until)
    .bind(d.maximum)
    .bind(d.decided_by)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .map_err(unique)?;
    for (year, cents) in d.amounts {
        sqlx::query("INSERT INTO decision_amounts (decision_id, year, amount_cents) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(i64::from(*year))
            .bind(cents)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Withdraws the current decision (a founded objection); returns its id.
pub async fn withdraw_decision(conn: &mut AnyConnection, assessment_id: &str) -> Result<Option<String>> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM decisions WHERE assessment_id = $1 AND withdrawn_at IS NULL")
            .bind(assessment_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = &id {
        sqlx::query("UPDATE decisions SET withdrawn_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now_ms())
            .execute(conn)
            .await?;
    }
    Ok(id)
}

const DECISIONS: &str = "SELECT d.id, d.reference, d.decided_on, d.outcome, d.conditions, d.version_number, \
     d.objection_until, d.maximum, u.name AS decided_by_name, d.created_at, d.withdrawn_at, s.application_id, a.year, \
     a.amount_cents FROM decisions d JOIN assessments s ON s.id = d.assessment_id JOIN users u ON u.id = d.decided_by \
     LEFT JOIN decision_amounts a ON a.decision_id = d.id";

/// Decisions with their amounts from one statement's rows (ordered by decision, then year),
/// each with its application's id.
fn decisions_of(rows: &[AnyRow]) -> Result<Vec<(String, DecisionRow)>> {
    let mut out: Vec<(String, DecisionRow)> = Vec::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        if out.last().is_none_or(|(_, d)| d.id != id) {
            let row = DecisionRow {
                id,
                reference: r.try_get("reference")?,
                decided_on: r.try_get("decided_on")?,
                outcome: r.try_get("outcome")?,
                conditions: r.try_get("conditions")?,
                version_number: r.try_get("version_number")?,
                objection_until: r.try_get("objection_until")?,
                maximum: r.try_get("maximum")?,
                decided_by_name: r.try_get("decided_by_name")?,
                created_at: r.try_get("created_at")?,
                withdrawn_at: r.try_get("withdrawn_at")?,
                amounts: Vec::new(),
            };
            out.push((r.try_get("application_id")?, row));
        }
        let year: Option<i64> = r.try_get("year")?;
        if let (Some(year), Some((_, d))) = (year, out.last_mut()) {
            d.amounts.push((i16::try_from(year).unwrap_or_default(), r.try_get("amount_cents")?));
        }
    }
    Ok(out)
}

/// Every current (not withdrawn) decision of the programme, with its application's id, by date.
pub async fn all_current_decisions(conn: &mut AnyConnection) -> Result<Vec<(String, DecisionRow)>> {
    let sql = format!("{DECISIONS} WHERE d.withdrawn_at IS NULL ORDER BY d.decided_on, d.created_at, d.id, a.year");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(conn).await?;
    decisions_of(&rows)
}

/// Every decision on the assessment, oldest first (the current one has no `withdrawn_at`).
pub async fn decisions(conn: &mut AnyConnection, assessment_id: &str) -> Result<Vec<DecisionRow>> {
    let sql = format!("{DECISIONS} WHERE d.assessment_id = $1 ORDER BY d.created_at, d.id, a.year");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(assessment_id).fetch_all(conn).await?;
    Ok(decisions_of(&rows)?.into_iter().map(|(_, d)| d).collect())
}

/// The current decision on each of the region's applications: (application id, decision).
pub async fn current_decisions(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<(String, DecisionRow)>> {
    let sql = format!(
        "{DECISIONS} JOIN applications p ON p.id = s.application_id \
         WHERE p.region_id = $1 AND d.withdrawn_at IS NULL ORDER BY d.created_at, d.id, a.year"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    decisions_of(&rows)
}

/// The region's open repair requests: (phase, items as JSON, due date).
pub async fn open_requests(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT a.phase, s.request_items, s.request_due FROM assessments s JOIN applications a ON a.id = s.application_id \
         WHERE a.region_id = $1 AND s.state = 'aanvulling-gevraagd' AND s.request_items IS NOT NULL \
         AND s.request_due IS NOT NULL ORDER BY s.request_due",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("phase")?, r.try_get("request_items")?, r.try_get("request_due")?))).collect()
}

/// One submitted application in the funder's queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub application_id: String,
    pub region_id: String,
    pub region_name: String,
    pub region_slug: String,
    pub phase: String,
    /// `None`: submitted, not yet touched by the funder (state `ingediend`).
    pub state: Option<String>,
    pub first_submitted_at: i64,
    pub last_submitted_at: i64,
    pub versions: i64,
    pub request_due: Option<String>,
    pub taken_by_name: Option<String>,
    pub outcome: Option<String>,
}

/// Every application with a submitted version, with its assessment where there is one.
pub async fn queue(conn: &mut AnyConnection) -> Result<Vec<QueueRow>> {
    let rows = sqlx::query(
        "SELECT a.id AS application_id, r.id AS region_id, r.name AS region_name, r.slug AS region_slug, a.phase, \
         s.state, MIN(v.submitted_at) AS first_submitted_at, MAX(v.submitted_at) AS last_submitted_at, \
         COUNT(v.number) AS versions, s.request_due, t.name AS taken_by_name, \
         (SELECT d.outcome FROM decisions d WHERE d.assessment_id = s.id AND d.withdrawn_at IS NULL) AS outcome \
         FROM applications a JOIN regions r ON r.id = a.region_id \
         JOIN application_versions v ON v.application_id = a.id \
         LEFT JOIN assessments s ON s.application_id = a.id LEFT JOIN users t ON t.id = s.taken_by \
         WHERE r.archived = 0 \
         GROUP BY a.id, r.id, r.name, r.slug, a.phase, s.id, s.state, s.request_due, t.name \
         ORDER BY MIN(v.submitted_at), r.name, a.phase",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(QueueRow {
                application_id: r.try_get("application_id")?,
                region_id: r.try_get("region_id")?,
                region_name: r.try_get("region_name")?,
                region_slug: r.try_get("region_slug")?,
                phase: r.try_get("phase")?,
                state: r.try_get("state")?,
                first_submitted_at: r.try_get("first_submitted_at")?,
                last_submitted_at: r.try_get("last_submitted_at")?,
                versions: r.try_get("versions")?,
                request_due: r.try_get("request_due")?,
                taken_by_name: r.try_get("taken_by_name")?,
                outcome: r.try_get("outcome")?,
            })
        })
        .collect()
}
