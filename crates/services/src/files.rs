//! Uploaded files: kept once by their SHA-256 in the data folder, their type read from the
//! content (never from the name), their names made safe to store and send back.

use domain::regulation::application::Application;
use store::AnyConnection;

use crate::{App, Result, ServiceError, invalid};

/// The largest upload accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Documents a plan or an invoice may carry: (MIME type, extension).
pub const DOCUMENTS: [(&str, &str); 9] = [
    ("application/pdf", "pdf"),
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    ("application/vnd.oasis.opendocument.text", "odt"),
    ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    ("application/vnd.oasis.opendocument.presentation", "odp"),
];

/// A checked upload: its type by content and a safe name with the matching extension.
#[derive(Debug, Clone)]
pub struct Checked {
    pub content_type: &'static str,
    pub filename: String,
}

/// Refuses files that are too large or of a type not in `allowed`, with a Dutch message on `field`.
pub fn check(field: &str, filename: &str, bytes: &[u8], allowed: &[(&'static str, &'static str)]) -> Result<Checked> {
    if bytes.len() > MAX_BYTES {
        return Err(invalid(field, "Het bestand is te groot: hoogstens 10 MiB."));
    }
    let kind = infer::get(bytes).map(|k| k.mime_type());
    let Some((mime, ext)) = allowed.iter().find(|(m, _)| Some(*m) == kind) else {
        return Err(invalid(
            field,
            "Dit soort bestand kan niet als bijlage: kies een PDF, een afbeelding (PNG of JPEG) of een kantoorbestand \
             (Word, Excel, PowerPoint of OpenDocument).",
        ));
    };
    Ok(Checked { content_type: mime, filename: safe_name(filename, ext) })
}

/// The type of a stored document, read from its content.
pub fn content_type(bytes: &[u8]) -> &'static str {
    let kind = infer::get(bytes).map(|k| k.mime_type());
    DOCUMENTS.iter().find(|(m, _)| Some(*m) == kind).map_or("application/octet-stream", |(m, _)| m)
}

/// A file name safe to store and to send back: no paths, no control or quoting characters, and
/// the extension of what the content is.
fn safe_name(name: &str, extension: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let clean: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '(' | ')') { c } else { '_' })
        .take(100)
        .collect();
    let clean = clean.trim().trim_matches('_');
    format!("{}.{extension}", if clean.is_empty() { "bijlage" } else { clean })
}

/// Keeps the bytes (once per content) in the caller's transaction, the one that writes the record
/// naming them; returns their SHA-256.
pub async fn put(conn: &mut AnyConnection, bytes: &[u8]) -> Result<String> {
    let sha256 = crate::auth::sha256_bytes_hex(bytes);
    store::files::put(conn, &sha256, content_type(bytes), bytes).await?;
    Ok(sha256)
}

/// The bytes stored under `sha256`, on the caller's connection (a request holds one at a time):
/// only a hash Sterk computed names a file.
pub async fn get(conn: &mut AnyConnection, sha256: &str) -> Result<Vec<u8>> {
    if !domain::validation::is_sha256_hex(sha256) {
        return Err(ServiceError::NotFound);
    }
    store::files::get(conn, sha256).await?.ok_or(ServiceError::NotFound)
}

/// Moves the files an earlier Sterk kept in `dir` (`{sha256}.{extension}`) into the database,
/// each hash checked against its bytes, and notes which region uploaded each agreement (from the
/// applications that name it). All or nothing; the folder is renamed, not removed, when done.
/// Returns how many files were moved.
pub async fn move_uploads(app: &App, dir: &std::path::Path) -> Result<usize> {
    let Ok(listing) = std::fs::read_dir(dir) else { return Ok(0) };
    let mut tx = app.db.begin().await?;
    let mut moved = 0;
    for entry in listing {
        let path = entry.map_err(|e| ServiceError::File(e.to_string()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some((sha256, "bin" | "pdf")) = name.split_once('.') else { continue };
        // Only plain files Sterk wrote: no link is followed, no pipe read.
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return Err(ServiceError::File(format!("{}: geen gewoon bestand; niets verplaatst", path.display())));
        }
        let bytes = std::fs::read(&path).map_err(|e| ServiceError::File(format!("{name}: {e}")))?;
        if !domain::validation::is_sha256_hex(sha256) || crate::auth::sha256_bytes_hex(&bytes) != sha256 {
            return Err(ServiceError::File(format!(
                "{}: de inhoud past niet bij de naam (SHA-256); niets verplaatst",
                path.display()
            )));
        }
        store::files::put(&mut tx, sha256, content_type(&bytes), &bytes).await?;
        moved += 1;
    }
    for (region_id, content) in store::applications::all_contents(&mut tx).await? {
        let named = domain::regulation::application::Application::from_json(&content)
            .ok()
            .and_then(|a| a.agreement?.document)
            .map(|d| d.sha256);
        if let Some(sha256) = named
            && store::files::exists(&mut tx, &sha256).await?
        {
            store::files::add_agreement(&mut tx, &region_id, &sha256).await?;
        }
    }
    tx.commit().await?;
    // A name not taken yet: an earlier move's folder stays as it was.
    let done = (0..)
        .map(|n| {
            dir.with_extension(if n == 0 { "moved-to-database".to_owned() } else { format!("moved-to-database-{n}") })
        })
        .find(|d| !d.exists())
        .expect("a free name");
    std::fs::rename(dir, &done).map_err(|e| ServiceError::File(format!("{}: {e}", dir.display())))?;
    Ok(moved)
}

/// A changed draft may name (by hash) only its own agreement or one its region uploaded, on every
/// path that writes a draft (the API, a JSON or workbook import, a form): no other stored file.
pub(crate) async fn own_agreement_only(
    conn: &mut AnyConnection,
    region_id: &str,
    before: &Application,
    after: &Application,
) -> Result<()> {
    let named = |a: &Application| a.agreement.as_ref().and_then(|g| g.document.as_ref()).map(|d| d.sha256.clone());
    let Some(sha256) = named(after).filter(|n| named(before).as_ref() != Some(n)) else { return Ok(()) };
    if store::files::is_agreement_of(conn, region_id, &sha256).await? {
        return Ok(());
    }
    Err(crate::invalid(
        "agreement.document.sha256",
        "Dit document is niet in Sterk opgeslagen: upload de overeenkomst opnieuw.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_safe_and_carry_the_real_type() {
        assert_eq!(safe_name("../../etc/passwd.pdf", "pdf"), "passwd.pdf");
        assert_eq!(safe_name("C:\\Users\\x\\Begroting 2025.xlsx", "xlsx"), "Begroting 2025.xlsx");
        assert_eq!(safe_name("<script>.exe", "png"), "script.png");
        assert_eq!(safe_name("", "pdf"), "bijlage.pdf");
    }
}
