//! Open data for monitoring: DUO exam results per school year, location and programme.

use domain::monitoring::{Count, ExamRow};
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms};

/// Rows per INSERT statement (sqlx matches numbered parameters by name, quadratic per statement).
const BATCH: usize = 16;

fn counts_text(r: &ExamRow) -> String {
    r.candidates
        .iter()
        .chain(&r.passed)
        .map(|c| match c {
            Count::Known(n) => n.to_string(),
            Count::Masked => "<5".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_counts(text: &str) -> Result<([Count; 3], [Count; 3])> {
    let cells: Vec<Count> = text
        .split(',')
        .map(|c| match c {
            "<5" => Ok(Count::Masked),
            n => n.parse().map(Count::Known).map_err(|_| StoreError::Corrupt(format!("aantal {n}"))),
        })
        .collect::<Result<_>>()?;
    match cells.as_slice() {
        [a, b, c, d, e, f] => Ok(([*a, *b, *c], [*d, *e, *f])),
        _ => Err(StoreError::Corrupt(format!("aantallen {text}"))),
    }
}

/// Replaces the school years `years` with `rows`, in the caller's transaction: importing the same
/// file twice changes nothing; a newer file for the same years replaces them.
pub async fn replace_exam_years(conn: &mut AnyConnection, years: &[String], rows: &[ExamRow]) -> Result<()> {
    for y in years {
        sqlx::query("DELETE FROM duo_exam_results WHERE school_year = $1").bind(y).execute(&mut *conn).await?;
    }
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO duo_exam_results (school_year, location, inspection_code, programme, institution, name, \
             municipality, school_type, counts) VALUES {}",
            crate::placeholders(chunk.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.school_year.clone())
                .bind(r.location.clone())
                .bind(r.inspection_code.clone())
                .bind(r.programme.clone())
                .bind(r.institution.clone())
                .bind(r.name.clone())
                .bind(r.municipality.clone())
                .bind(r.school_type.clone())
                .bind(counts_text(r));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored exam rows of one school type (`VMBO`, `HAVO`, `VWO`), with what the indicators
/// read (year, location, programme, counts; names left empty); with `locations`, only theirs.
pub async fn exam_rows(
    conn: &mut AnyConnection,
    school_type: &str,
    locations: Option<&[String]>,
) -> Result<Vec<ExamRow>> {
    let rows = sqlx::query(
        "SELECT school_year, location, programme, counts FROM duo_exam_results WHERE school_type = $1 \
         ORDER BY school_year, location, inspection_code",
    )
    .bind(school_type)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let location: String = r.try_get("location")?;
        if locations.is_some_and(|l| !l.contains(&location)) {
            continue;
        }
        let (candidates, passed) = parse_counts(&r.try_get::<String, _>("counts")?)?;
        out.push(ExamRow {
            school_year: r.try_get("school_year")?,
            location,
            programme: r.try_get("programme")?,
            school_type: school_type.to_owned(),
            inspection_code: String::new(),
            institution: String::new(),
            name: String::new(),
            municipality: String::new(),
            candidates,
            passed,
        });
    }
    Ok(out)
}

pub struct ImportRecord<'a> {
    pub dataset: &'a str,
    pub sha256: &'a str,
    pub lines: usize,
    pub locations: usize,
    pub years: &'a [String],
    pub masked_cells: usize,
}

pub async fn record_import(conn: &mut AnyConnection, r: &ImportRecord<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO open_data_imports (id, dataset, sha256, lines, locations, years, masked_cells, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(r.dataset)
    .bind(r.sha256)
    .bind(r.lines as i64)
    .bind(r.locations as i64)
    .bind(r.years.join(","))
    .bind(r.masked_cells as i64)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// How many imports of `dataset` were made.
pub async fn imports(conn: &mut AnyConnection, dataset: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM open_data_imports WHERE dataset = $1")
        .bind(dataset)
        .fetch_one(conn)
        .await?)
}

/// A region's baseline or target for an indicator in a school year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub indicator: String,
    pub school_year: String,
    /// `baseline` or `target`.
    pub kind: String,
    pub value: String,
}

pub async fn targets(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Target>> {
    let rows = sqlx::query(
        "SELECT indicator, school_year, kind, value FROM indicator_targets WHERE region_id = $1 \
         ORDER BY indicator, school_year, kind",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Target {
                indicator: r.try_get("indicator")?,
                school_year: r.try_get("school_year")?,
                kind: r.try_get("kind")?,
                value: r.try_get("value")?,
            })
        })
        .collect()
}

/// Sets (or with `value` `None` removes) a baseline or target.
pub async fn set_target(
    conn: &mut AnyConnection,
    region_id: &str,
    t: (&str, &str, &str),
    value: Option<&str>,
    by: Option<&str>,
) -> Result<()> {
    let (indicator, year, kind) = t;
    sqlx::query(
        "DELETE FROM indicator_targets WHERE region_id = $1 AND indicator = $2 AND school_year = $3 AND kind = $4",
    )
    .bind(region_id)
    .bind(indicator)
    .bind(year)
    .bind(kind)
    .execute(&mut *conn)
    .await?;
    if let Some(v) = value {
        sqlx::query(
            "INSERT INTO indicator_targets (region_id, indicator, school_year, kind, value, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(region_id)
        .bind(indicator)
        .bind(year)
        .bind(kind)
        .bind(v)
        .bind(by)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces DUO's school locations with `locations` and enriches the registry's organisations
/// that carry those DUO codes (name, place, municipality); returns how many were enriched.
pub async fn replace_locations(
    conn: &mut AnyConnection,
    locations: &[(String, String, String, String)],
) -> Result<u64> {
    sqlx::query("DELETE FROM duo_locations").execute(&mut *conn).await?;
    for chunk in locations.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO duo_locations (code, name, place, municipality) VALUES {}",
            crate::placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (code, name, place, municipality) in chunk {
            q = q.bind(code.clone()).bind(name.clone()).bind(place.clone()).bind(municipality.clone());
        }
        q.execute(&mut *conn).await?;
    }
    let done = sqlx::query(
        "UPDATE organisations SET \
         name = (SELECT l.name FROM duo_locations l WHERE l.code = organisations.duo_code), \
         place = (SELECT l.place FROM duo_locations l WHERE l.code = organisations.duo_code), \
         municipality = (SELECT l.municipality FROM duo_locations l WHERE l.code = organisations.duo_code), \
         updated_at = $1 \
         WHERE duo_code IN (SELECT code FROM duo_locations)",
    )
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
