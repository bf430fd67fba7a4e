//! Backup and restore on the test run's database kind: a round trip keeps every table's count and
//! hash; a damaged archive, a newer one or a database that is not empty is refused, and a refused
//! restore leaves no data behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use services::App;
use services::backup::{self, BackupError};
use store::Db;

async fn source() -> (App, PathBuf) {
    let app = App::new(Db::fresh_for_test().await.unwrap());
    services::demo::load(&app).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    services::files::put(&mut tx, b"%PDF-1.4 een opgeslagen bestand").await.unwrap();
    tx.commit().await.unwrap();
    let file = std::env::temp_dir().join(format!("sterk-backup-{}.zip", store::new_id()));
    backup::backup(&app.db, &file, |_| {}).await.unwrap();
    (app, file)
}

/// A copy of the archive at `from` with `change` applied to each entry's bytes.
fn rewrite(from: &Path, change: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> PathBuf {
    let to = from.with_extension(format!("{}.zip", store::new_id()));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(&to).unwrap());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&change(&name, bytes)).unwrap();
    }
    out.finish().unwrap();
    to
}

fn replace(bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(from), "{from} is in the entry");
    text.replacen(from, to, 1).into_bytes()
}

async fn refused(archive: &Path) -> String {
    let db = Db::empty_for_test().await.unwrap();
    let outcome = backup::restore(&db, archive, |_| {}).await;
    let Err(BackupError::Refused(message)) = outcome else { panic!("refused: {outcome:?}") };
    let mut conn = db.conn().await.unwrap();
    assert_eq!(store::snapshot::first_filled(&mut conn, db.kind).await.unwrap(), None, "nothing was loaded");
    message
}

#[tokio::test]
async fn a_backup_restores_every_table_and_file_with_the_same_hashes() {
    let (app, file) = source().await;
    let manifest = backup::manifest(&file).unwrap();
    // This test's file, the demo's submitted report (its PDF and workbook) and the signed
    // cooperation agreement the demo regions uploaded (one file, the same bytes for each).
    assert_eq!(manifest.files.count, 4);
    assert!(manifest.tables.iter().any(|t| t.name == "stored_files" && t.rows == 4));
    assert!(!manifest.tables.iter().any(|t| t.name == "_sqlx_migrations" || t.name == "data_version"));
    let target = Db::empty_for_test().await.unwrap();
    let restored = backup::restore(&target, &file, |_| {}).await.unwrap();
    assert_eq!(restored.migrated_after, 0);
    assert_eq!(backup::sums(&target).await.unwrap(), backup::sums(&app.db).await.unwrap());
    let mut conn = target.conn().await.unwrap();
    let sha = services::auth::sha256_bytes_hex(b"%PDF-1.4 een opgeslagen bestand");
    assert_eq!(store::files::get(&mut conn, &sha).await.unwrap().unwrap(), b"%PDF-1.4 een opgeslagen bestand");

    // Into a database that holds data: refused, nothing changed.
    let again = backup::restore(&target, &file, |_| {}).await;
    assert!(matches!(&again, Err(BackupError::Refused(m)) if m.contains("niet leeg")), "{again:?}");
}

#[tokio::test]
async fn a_changed_row_a_damaged_file_or_a_newer_backup_is_refused_and_loads_nothing() {
    let (_, file) = source().await;
    let row = rewrite(&file, |name, bytes| {
        if name == "tables/regions.jsonl" { replace(bytes, "Zuid-Friesland", "Noord-Friesland") } else { bytes }
    });
    let message = refused(&row).await;
    assert!(message.contains("tabel regions") && message.contains("niets teruggezet"), "{message}");

    let damaged = rewrite(&file, |name, bytes| {
        let ours = bytes.windows(10).any(|w| w == b"opgeslagen");
        if name.starts_with("files/") && ours { replace(bytes, "opgeslagen", "vervalst") } else { bytes }
    });
    assert!(refused(&damaged).await.contains("beschadigd"));

    let newer = rewrite(&file, |name, bytes| {
        if name != "manifest.json" {
            return bytes;
        }
        let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        manifest["migrations"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({ "version": 99990101000000_i64, "checksum": "00" }));
        serde_json::to_vec(&manifest).unwrap()
    });
    assert!(refused(&newer).await.contains("nieuwere versie van Sterk"));

    // More rows than the manifest names: refused while loading, not after filling the disk.
    let extra = rewrite(&file, |name, mut bytes| {
        if name == "tables/regions.jsonl" {
            let first = bytes.split(|b| *b == b'\n').next().unwrap().to_vec();
            for _ in 0..1000 {
                bytes.extend_from_slice(&first);
                bytes.push(b'\n');
            }
        }
        bytes
    });
    assert!(refused(&extra).await.contains("meer rijen dan het manifest"));

    // A value of the wrong shape (a deep array where a text belongs) is named, not parsed whole.
    let deep = rewrite(&file, |name, bytes| {
        if name != "tables/regions.jsonl" {
            return bytes;
        }
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        replace(bytes, "\"Zuid-Friesland", &format!("{nested}, \"x\": \"Zuid-Friesland"))
    });
    assert!(refused(&deep).await.contains("tables/regions.jsonl, regel"));

    let not_a_backup = file.with_extension("txt");
    std::fs::write(&not_a_backup, "geen archief").unwrap();
    assert!(refused(&not_a_backup).await.contains("geen back-up van Sterk"));
}
