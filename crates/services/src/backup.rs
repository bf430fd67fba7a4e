//! Backup and restore: every table and every stored file of one consistent moment in a ZIP
//! archive, with a manifest of counts and hashes, loadable into an empty database of either kind
//! (the way from the embedded SQLite to PostgreSQL).
//!
//! The archive holds `manifest.json`, `tables/{table}.jsonl` (one JSON object per row, columns
//! by name; a binary value as `{"sha256": "…"}`) and `files/{sha256}` (each binary value once).
//! A table's hash is the SHA-256 of its rows' SHA-256s in sorted order, so it does not depend on
//! the order a database returns rows in; a restore recomputes every hash from the database it
//! loaded and commits only when all agree.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::snapshot::{self, Kind, Table, Value};
use store::{AnyConnection, Db};
use zip::write::SimpleFileOptions;

/// The archive format this build writes and reads.
pub const FORMAT: &str = "sterk.backup/1";

/// A manifest larger than this is not one Sterk wrote.
const MAX_MANIFEST: u64 = 4 * 1024 * 1024;

/// Rows per INSERT and file bytes per INSERT: within both databases' parameter limits, and no
/// more than a few files in memory at once.
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// The largest row line and stored file a restore reads: far above what Sterk stores (uploads are
/// at most 10 MiB), so a damaged or hostile archive cannot make it allocate without bound.
const MAX_LINE: u64 = 64 * 1024 * 1024;
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Store(#[from] store::StoreError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("het archief: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The archive is not a Sterk backup, is damaged, or does not fit this build or database.
    #[error("{0}")]
    Refused(String),
}

type Result<T> = std::result::Result<T, BackupError>;

fn refused(message: impl Into<String>) -> BackupError {
    BackupError::Refused(message.into())
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    /// RFC 3339, UTC.
    pub made_at: String,
    pub sterk_version: String,
    /// The kind of database the backup was made from: sqlite or postgresql.
    pub database: String,
    pub migrations: Vec<MigrationSum>,
    pub tables: Vec<TableSum>,
    pub files: FilesSum,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MigrationSum {
    pub version: i64,
    pub checksum: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableSum {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FilesSum {
    pub count: u64,
    pub bytes: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A row as its JSON line (columns by name, binary values by their hash).
fn row_line(table: &Table, values: &[Value]) -> String {
    let map: BTreeMap<&str, serde_json::Value> = table
        .columns
        .iter()
        .zip(values)
        .map(|((name, _), v)| {
            let json = match v {
                Value::Null => serde_json::Value::Null,
                Value::Int(i) => (*i).into(),
                Value::Text(s) => s.as_str().into(),
                Value::Bytes(b) => serde_json::json!({ "sha256": sha256_hex(b) }),
            };
            (name.as_str(), json)
        })
        .collect();
    serde_json::to_string(&map).expect("a map of JSON values serialises")
}

/// Collects a table's row hashes into its sum.
#[derive(Default)]
struct Summer(Vec<[u8; 32]>);

impl Summer {
    fn add(&mut self, line: &str) {
        self.0.push(Sha256::digest(line.as_bytes()).into());
    }

    fn finish(mut self, name: &str) -> TableSum {
        self.0.sort_unstable();
        let mut all = Sha256::new();
        self.0.iter().for_each(|h| all.update(h));
        TableSum { name: name.to_owned(), rows: self.0.len() as u64, sha256: hex(&all.finalize()) }
    }
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub manifest: Manifest,
    pub archive_bytes: u64,
}

/// Writes a backup of `db` to `path`: one consistent moment while others keep writing. The archive
/// is written beside `path` under a temporary name and renamed when complete, so an interrupted
/// backup never leaves a file that looks like one. `progress` hears each table as it is done.
pub async fn backup(db: &Db, path: &Path, mut progress: impl FnMut(&TableSum)) -> Result<Written> {
    // Names of this process's own: two backups to one path do not write into each other's files.
    let partial = with_suffix(path, &format!(".{}.partial", std::process::id()));
    let spool_path = with_suffix(path, &format!(".{}.rows", std::process::id()));
    let _scratch = Scratch([partial.clone(), spool_path.clone()]);
    let file = private_file(&partial)?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let mut tx = snapshot::begin_consistent(db).await?;
    // The first read takes the snapshot: everything below sees this moment.
    let migrations = applied_migrations(&mut tx).await?;
    let tables = snapshot::tables(&mut tx, db.kind).await?;
    let mut written_files = HashSet::new();
    let mut files = FilesSum::default();
    let mut sums = Vec::new();
    for table in &tables {
        let mut spool = BufWriter::new(private_file(&spool_path)?);
        let mut summer = Summer::default();
        let mut rows = snapshot::rows(&mut tx, table);
        while let Some(values) = rows.try_next().await? {
            for v in &values {
                if let Value::Bytes(b) = v {
                    let sha = sha256_hex(b);
                    if written_files.insert(sha.clone()) {
                        zip.start_file(format!("files/{sha}"), stored())?;
                        zip.write_all(b).map_err(io("het archief"))?;
                        files.count += 1;
                        files.bytes += b.len() as u64;
                    }
                }
            }
            let line = row_line(table, &values);
            summer.add(&line);
            spool.write_all(line.as_bytes()).and_then(|()| spool.write_all(b"\n")).map_err(io("tijdelijk bestand"))?;
        }
        drop(rows);
        spool.flush().map_err(io("tijdelijk bestand"))?;
        drop(spool);
        zip.start_file(format!("tables/{}.jsonl", table.name), compressed())?;
        let mut spooled = File::open(&spool_path).map_err(io("tijdelijk bestand"))?;
        std::io::copy(&mut spooled, &mut zip).map_err(io("het archief"))?;
        let sum = summer.finish(&table.name);
        progress(&sum);
        sums.push(sum);
    }
    tx.rollback().await.map_err(store::StoreError::from)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        made_at: jiff::Timestamp::from_millisecond(store::now_ms()).unwrap_or_default().to_string(),
        sterk_version: env!("CARGO_PKG_VERSION").into(),
        database: db.kind.name().into(),
        migrations,
        tables: sums,
        files,
    };
    zip.start_file("manifest.json", compressed())?;
    zip.write_all(serde_json::to_string_pretty(&manifest).expect("a manifest serialises").as_bytes())
        .map_err(io("het archief"))?;
    let file = zip.finish()?.into_inner().map_err(|e| io("het archief")(e.into_error()))?;
    file.sync_all().map_err(io("het archief"))?;
    let archive_bytes = file.metadata().map_err(io("het archief"))?.len();
    std::fs::rename(&partial, path).map_err(io(format!("kan {} niet schrijven", path.display())))?;
    Ok(Written { manifest, archive_bytes })
}

/// Temporary files removed however the backup ends (after the rename the archive is not among them).
struct Scratch([PathBuf; 2]);

impl Drop for Scratch {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new file only its owner may read: a backup holds password hashes, personal data and
/// signed agreements.
fn private_file(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(format!("kan {} niet schrijven", path.display())))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn stored() -> SimpleFileOptions {
    // Stored files are mostly PDFs and images, compressed already.
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true)
}

fn compressed() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true)
}

/// Reads and checks the manifest of the archive at `path`.
pub fn manifest(path: &Path) -> Result<Manifest> {
    let mut archive = open(path)?;
    read_manifest(&mut archive)
}

fn open(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>> {
    let file = File::open(path).map_err(io(format!("kan {} niet lezen", path.display())))?;
    zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| refused(format!("{} is geen back-up van Sterk (geen leesbaar ZIP-archief: {e})", path.display())))
}

fn read_manifest<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Result<Manifest> {
    let entry = archive
        .by_name("manifest.json")
        .map_err(|_| refused("dit archief is geen back-up van Sterk: manifest.json ontbreekt"))?;
    let mut text = String::new();
    entry.take(MAX_MANIFEST).read_to_string(&mut text).map_err(io("manifest.json"))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| refused(format!("manifest.json is onleesbaar: {e}")))?;
    if manifest.format != FORMAT {
        return Err(refused(format!(
            "deze back-up heeft het formaat \"{}\"; deze versie van Sterk leest \"{FORMAT}\"",
            manifest.format
        )));
    }
    Ok(manifest)
}

/// What a restore loaded.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// Migrations applied after loading, to bring an older backup up to this build.
    pub migrated_after: usize,
}

/// Loads the backup at `path` into `db`, which must hold no data. All or nothing: the rows are
/// loaded in one transaction that commits only when every table's count and hash match the
/// manifest; then the migrations this build has beyond the backup's are applied.
pub async fn restore(db: &Db, path: &Path, mut progress: impl FnMut(&TableSum)) -> Result<Restored> {
    let mut tables_zip = open(path)?;
    let manifest = read_manifest(&mut tables_zip)?;
    let mut files_zip = open(path)?;
    let last = check_migrations(&manifest)?;
    {
        let mut conn = db.conn().await?;
        if let Some((table, n)) = snapshot::first_filled(&mut conn, db.kind).await? {
            return Err(refused(format!(
                "de database is niet leeg (tabel {table} heeft {n} rijen): zet een back-up terug in een lege database"
            )));
        }
    }
    db.migrate_to(last).await?;
    let mut tx = db.begin().await?;
    let applied = applied_migrations(&mut tx).await?;
    if applied != manifest.migrations {
        return Err(refused(format!(
            "de database heeft {} migraties, de back-up {}: zet hem terug in een lege database",
            applied.len(),
            manifest.migrations.len()
        )));
    }
    // Checked again inside the transaction: nothing written since the first look is deleted.
    if let Some((table, n)) = snapshot::first_filled(&mut tx, db.kind).await? {
        return Err(refused(format!("de database is niet leeg (tabel {table} heeft {n} rijen)")));
    }
    let tables = snapshot::tables(&mut tx, db.kind).await?;
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut expected: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    expected.sort_unstable();
    let mut have = names.clone();
    have.sort_unstable();
    if expected != have {
        return Err(refused(format!(
            "de tabellen in de back-up ({expected:?}) passen niet bij de database ({have:?})"
        )));
    }
    snapshot::clear(&mut tx, &tables).await?;
    for table in &tables {
        let want = manifest.tables.iter().find(|t| t.name == table.name).map_or(0, |t| t.rows);
        load_table(&mut tx, (table, want), &mut tables_zip, &mut files_zip).await?;
    }
    for table in &tables {
        let sum = sum_of(&mut tx, table).await?;
        let want = manifest.tables.iter().find(|t| t.name == table.name).expect("the names were compared");
        if &sum != want {
            return Err(refused(format!(
                "tabel {}: na het terugzetten {} rijen met hash {}, volgens het manifest {} rijen met hash {}; \
                 niets teruggezet",
                table.name, sum.rows, sum.sha256, want.rows, want.sha256
            )));
        }
        progress(&sum);
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    let before = db.migrations_applied().await?;
    let after = db.migrate().await?;
    Ok(Restored { manifest, migrated_after: after - before })
}

/// The migrations applied to the database, as the manifest lists them.
async fn applied_migrations(conn: &mut AnyConnection) -> Result<Vec<MigrationSum>> {
    let applied = Db::applied_migrations(conn).await?;
    Ok(applied.into_iter().map(|(version, checksum)| MigrationSum { version, checksum: hex(&checksum) }).collect())
}

/// The backup's migrations must be this build's first ones, unchanged; returns the last version.
fn check_migrations(manifest: &Manifest) -> Result<i64> {
    let shipped = Db::shipped_migrations();
    if manifest.migrations.len() > shipped.len() {
        return Err(refused(format!(
            "de back-up is gemaakt met een nieuwere versie van Sterk ({} migraties, deze versie kent er {}): \
             zet hem terug met die versie",
            manifest.migrations.len(),
            shipped.len()
        )));
    }
    for (m, (version, checksum)) in manifest.migrations.iter().zip(&shipped) {
        if m.version != *version || m.checksum != hex(checksum) {
            return Err(refused(format!(
                "migratie {} in de back-up is niet die van deze versie van Sterk (versie {version}): \
                 zet hem terug met de versie waarmee hij gemaakt is",
                m.version
            )));
        }
    }
    manifest.migrations.last().map(|m| m.version).ok_or_else(|| refused("de back-up noemt geen migraties"))
}

/// Loads a table's rows, refusing more than the manifest's `rows` (a damaged or hostile archive
/// does not fill the disk inside the transaction).
async fn load_table<R: Read + Seek>(
    conn: &mut AnyConnection,
    (table, rows): (&Table, u64),
    tables_zip: &mut zip::ZipArchive<R>,
    files_zip: &mut zip::ZipArchive<R>,
) -> Result<()> {
    let entry_name = format!("tables/{}.jsonl", table.name);
    let entry =
        tables_zip.by_name(&entry_name).map_err(|_| refused(format!("{entry_name} ontbreekt in de back-up")))?;
    let mut reader = BufReader::new(entry);
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    let mut number = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line).map_err(io(entry_name.clone()))?;
        if n == 0 {
            break;
        }
        number += 1;
        if number > rows {
            return Err(refused(format!("{entry_name} heeft meer rijen dan het manifest noemt ({rows})")));
        }
        if line.last() != Some(&b'\n') && n as u64 == MAX_LINE {
            return Err(refused(format!("{entry_name}, regel {number}: langer dan {MAX_LINE} bytes")));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| refused(format!("{entry_name}, regel {number}: geen UTF-8")))?
            .trim_end_matches('\n');
        let values =
            parse_row(table, text, files_zip).map_err(|e| refused(format!("{entry_name}, regel {number}: {e}")))?;
        batch_bytes += n + values.iter().map(|v| if let Value::Bytes(b) = v { b.len() } else { 0 }).sum::<usize>();
        batch.push(values);
        if batch.len() >= BATCH_ROWS || batch_bytes >= BATCH_BYTES {
            snapshot::insert(conn, table, &batch).await?;
            batch.clear();
            batch_bytes = 0;
        }
    }
    snapshot::insert(conn, table, &batch).await?;
    Ok(())
}

/// A JSON line back into the table's values, each binary value read from its file and checked.
fn parse_row<R: Read + Seek>(
    table: &Table,
    line: &str,
    files_zip: &mut zip::ZipArchive<R>,
) -> std::result::Result<Vec<Value>, String> {
    // Each value is read as its column's kind straight from the line (no tree of JSON values: a
    // line of a million nested brackets costs its own bytes, not a gibibyte).
    let mut map: BTreeMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(line).map_err(|e| format!("geen JSON-object: {e}"))?;
    let values = table
        .columns
        .iter()
        .map(|(column, kind)| {
            let raw = map.remove(column).ok_or_else(|| format!("kolom {column} ontbreekt"))?.get();
            let wrong = |e: serde_json::Error| format!("{column}: past niet bij een kolom van soort {kind:?} ({e})");
            Ok(match kind {
                Kind::Int => serde_json::from_str::<Option<i64>>(raw).map_err(wrong)?.map(Value::Int),
                Kind::Text => serde_json::from_str::<Option<String>>(raw).map_err(wrong)?.map(Value::Text),
                Kind::Bytes => match serde_json::from_str::<Option<FileRef>>(raw).map_err(wrong)? {
                    Some(f) => Some(Value::Bytes(read_file(files_zip, &f.sha256)?)),
                    None => None,
                },
            }
            .unwrap_or(Value::Null))
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    match map.keys().next() {
        Some(extra) => Err(format!("kolom {extra} bestaat niet in tabel {}", table.name)),
        None => Ok(values),
    }
}

/// A binary value in a row line: the name of its file in the archive.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRef {
    sha256: String,
}

fn read_file<R: Read + Seek>(files_zip: &mut zip::ZipArchive<R>, sha: &str) -> std::result::Result<Vec<u8>, String> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("\"{sha}\" is geen SHA-256"));
    }
    let entry = files_zip.by_name(&format!("files/{sha}")).map_err(|_| format!("bestand {sha} ontbreekt"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(BATCH_BYTES));
    entry.take(MAX_FILE).read_to_end(&mut bytes).map_err(|e| format!("bestand {sha}: {e}"))?;
    if sha256_hex(&bytes) != sha {
        return Err(format!("bestand {sha} is beschadigd: de inhoud heeft een andere SHA-256"));
    }
    Ok(bytes)
}

/// A table's count and hash as the database holds it now.
async fn sum_of(conn: &mut AnyConnection, table: &Table) -> Result<TableSum> {
    let mut summer = Summer::default();
    let mut rows = snapshot::rows(conn, table);
    while let Some(values) = rows.try_next().await? {
        summer.add(&row_line(table, &values));
    }
    Ok(summer.finish(&table.name))
}

/// Every table's count and hash in `db` now, for comparing a restored database with its source.
pub async fn sums(db: &Db) -> Result<Vec<TableSum>> {
    let mut tx = snapshot::begin_consistent(db).await?;
    let tables = snapshot::tables(&mut tx, db.kind).await?;
    let mut out = Vec::new();
    for table in &tables {
        out.push(sum_of(&mut tx, table).await?);
    }
    tx.rollback().await.map_err(store::StoreError::from)?;
    Ok(out)
}
