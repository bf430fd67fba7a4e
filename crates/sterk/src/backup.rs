//! `sterk backup FILE` and `sterk restore FILE`.

use std::path::Path;

use services::backup::{self, BackupError, TableSum};
use store::Db;

fn announce(verb: &str) -> impl FnMut(&TableSum) {
    let verb = verb.to_owned();
    move |t| {
        if t.rows > 0 {
            eprintln!("  {verb} {:<28} {:>10} rijen", t.name, domain::fmt::integer_nl(t.rows as i64));
        }
    }
}

fn summary(manifest: &backup::Manifest) -> String {
    let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    format!(
        "{} tabellen, {} rijen, {} bestanden ({}), {} migraties",
        manifest.tables.len(),
        domain::fmt::integer_nl(rows as i64),
        domain::fmt::integer_nl(manifest.files.count as i64),
        mebibytes(manifest.files.bytes),
        manifest.migrations.len()
    )
}

/// "3,4 MiB".
fn mebibytes(bytes: u64) -> String {
    let tenths = (bytes * 10).div_ceil(1 << 20);
    format!("{},{} MiB", domain::fmt::integer_nl((tenths / 10) as i64), tenths % 10)
}

fn dutch(e: BackupError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub(crate) async fn write(db: &Db, file: &Path) -> anyhow::Result<()> {
    eprintln!("Back-up van de database ({}) naar {} …", db.kind.name(), file.display());
    let written = backup::backup(db, file, announce("bewaard")).await.map_err(dutch)?;
    println!(
        "Back-up geschreven naar {} ({}): {}.",
        file.display(),
        mebibytes(written.archive_bytes),
        summary(&written.manifest)
    );
    Ok(())
}

pub(crate) async fn restore(db: &Db, file: &Path) -> anyhow::Result<()> {
    let manifest = backup::manifest(file).map_err(dutch)?;
    eprintln!(
        "Terugzetten van {} (gemaakt {} uit {}) in de database ({}) …",
        file.display(),
        manifest.made_at,
        manifest.database,
        db.kind.name()
    );
    let restored = backup::restore(db, file, announce("gecontroleerd")).await.map_err(dutch)?;
    println!("Teruggezet en gecontroleerd tegen het manifest: {}.", summary(&restored.manifest));
    if restored.migrated_after > 0 {
        println!("Daarna {} nieuwere migraties toegepast.", restored.migrated_after);
    }
    Ok(())
}
