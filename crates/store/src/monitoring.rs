//! Open data for monitoring: DUO exam results per school year, location and programme.

use domain::monitoring::pupils::PupilRow;
use domain::monitoring::{Count, ExamRow};
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms};

/// Rows per INSERT statement (sqlx matches numbered parameters by name, quadratic per statement).
const BATCH: usize = 16;

/// Counts as stored: comma-separated, `<5` where masked.
fn cells_text<'a>(cells: impl IntoIterator<Item = &'a Count>) -> String {
    cells
        .into_iter()
        .map(|c| match c {
            Count::Known(n) => n.to_string(),
            Count::Masked => "<5".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_cells<const N: usize>(text: &str) -> Result<[Count; N]> {
    let cells: Vec<Count> = text
        .split(',')
        .map(|c| match c {
            "<5" => Ok(Count::Masked),
            n => n.parse().map(Count::Known).map_err(|_| StoreError::Corrupt(format!("aantal {n}"))),
        })
        .collect::<Result<_>>()?;
    cells.try_into().map_err(|_| StoreError::Corrupt(format!("aantallen {text}")))
}

/// Replaces the school years `years` with `rows`, in the caller's transaction: importing the same
/// file twice changes nothing; a newer file for the same years replaces them.
pub async fn replace_exam_years(conn: &mut AnyConnection, years: &[String], rows: &[ExamRow]) -> Result<()> {
    for y in years {
        sqlx::query("DELETE FROM duo_exam_results WHERE school_year = $1").bind(y).execute(&mut *conn).await?;
    }
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO duo_exam_results (school_year, location, inspection_code, programme, school_type, counts) \
             VALUES {}",
            crate::placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.school_year.clone())
                .bind(r.location.clone())
                .bind(r.inspection_code.clone())
                .bind(r.programme.clone())
                .bind(r.school_type.clone())
                .bind(cells_text(r.candidates.iter().chain(&r.passed)));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored exam rows of one school type (`VMBO`, `HAVO`, `VWO`), with what the indicators
/// read (year, location, programme, counts; names left empty).
pub async fn exam_rows(conn: &mut AnyConnection, school_type: &str) -> Result<Vec<ExamRow>> {
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
        let [a, b, c, d, e, f] = parse_cells::<6>(&r.try_get::<String, _>("counts")?)?;
        let (candidates, passed) = ([a, b, c], [d, e, f]);
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

/// Replaces the school years `years` of the pupils file with `rows`, in the caller's transaction.
pub async fn replace_pupil_years(conn: &mut AnyConnection, years: &[String], rows: &[PupilRow]) -> Result<()> {
    for y in years {
        sqlx::query("DELETE FROM duo_pupils WHERE school_year = $1").bind(y).execute(&mut *conn).await?;
    }
    for (n, chunk) in rows.chunks(BATCH).enumerate() {
        let sql = format!(
            "INSERT INTO duo_pupils (school_year, line, location, track, sector, programme, counts) VALUES {}",
            crate::placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, r) in chunk.iter().enumerate() {
            q = q
                .bind(r.school_year.clone())
                .bind((n * BATCH + i) as i64)
                .bind(r.location.clone())
                .bind(r.track.clone())
                .bind(r.sector.clone())
                .bind(r.programme.clone())
                .bind(cells_text(r.pupils.iter().flatten()));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored pupils rows (names left empty).
pub async fn pupil_rows(conn: &mut AnyConnection) -> Result<Vec<PupilRow>> {
    let rows = sqlx::query(
        "SELECT school_year, location, track, sector, programme, counts FROM duo_pupils ORDER BY school_year, line",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let location: String = r.try_get("location")?;
        let [a, b, c, d] = parse_cells::<4>(&r.try_get::<String, _>("counts")?)?;
        out.push(PupilRow {
            school_year: r.try_get("school_year")?,
            location,
            track: r.try_get("track")?,
            sector: r.try_get("sector")?,
            programme: r.try_get("programme")?,
            institution: String::new(),
            name: String::new(),
            municipality: String::new(),
            pupils: [[a, b], [c, d]],
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
/// What changes with every import of open data: (imports, the latest import's time).
pub type ImportsKey = (i64, i64);

pub async fn imports_key(conn: &mut AnyConnection) -> Result<ImportsKey> {
    let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(imported_at), 0) AS latest FROM open_data_imports")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("n")?, row.try_get("latest")?))
}

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
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE duo_locations SET vmbo = 1 WHERE code IN (SELECT location FROM duo_exam_results WHERE school_type = 'VMBO')",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Keeps the exam file's locations (name and municipality) beside the locations file's: new ones
/// are added, known ones keep their names and get their vmbo mark.
pub async fn remember_exam_locations(conn: &mut AnyConnection, rows: &[ExamRow]) -> Result<()> {
    let mut seen: std::collections::BTreeMap<&str, (&str, &str, bool)> = std::collections::BTreeMap::new();
    for r in rows {
        let entry = seen.entry(&r.location).or_insert((&r.name, &r.municipality, false));
        entry.2 |= r.school_type == domain::monitoring::SCHOOL_TYPE;
    }
    let seen: Vec<_> = seen.into_iter().collect();
    for chunk in seen.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO duo_locations (code, name, place, municipality, vmbo) VALUES {} \
             ON CONFLICT (code) DO UPDATE SET vmbo = excluded.vmbo",
            crate::placeholders(chunk.len(), 5)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (code, (name, municipality, vmbo)) in chunk {
            q = q.bind(*code).bind(*name).bind("").bind(*municipality).bind(i64::from(*vmbo));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
