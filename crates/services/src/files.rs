//! Uploaded files: kept once by their SHA-256 in the data folder, their type read from the
//! content (never from the name), their names made safe to store and send back.

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

/// Keeps the bytes (once per content); returns their SHA-256.
pub fn put(app: &App, bytes: &[u8]) -> Result<String> {
    put_as(app, bytes, "bin")
}

pub fn get(app: &App, sha256: &str) -> Result<Vec<u8>> {
    get_as(app, sha256, "bin")
}

/// Keeps the bytes as `{sha256}.{extension}`, written whole or not at all.
pub(crate) fn put_as(app: &App, bytes: &[u8], extension: &str) -> Result<String> {
    let sha256 = crate::auth::sha256_bytes_hex(bytes);
    let path = app.files_dir.join(format!("{sha256}.{extension}"));
    if !path.exists() {
        std::fs::create_dir_all(&app.files_dir).map_err(|e| ServiceError::File(e.to_string()))?;
        let tmp = app.files_dir.join(format!("{sha256}.{}.tmp", store::new_id()));
        std::fs::write(&tmp, bytes)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| ServiceError::File(e.to_string()))?;
    }
    Ok(sha256)
}

/// The bytes stored under `sha256`: only a hash Sterk could have computed names a file, so
/// a reference that came from a client can never reach another path.
pub(crate) fn get_as(app: &App, sha256: &str, extension: &str) -> Result<Vec<u8>> {
    stored(&app.files_dir, sha256, extension).and_then(|p| std::fs::read(p).ok()).ok_or(ServiceError::NotFound)
}

/// Whether bytes are stored under `sha256` (a well-formed hash only).
pub(crate) fn exists_as(app: &App, sha256: &str, extension: &str) -> bool {
    stored(&app.files_dir, sha256, extension).is_some_and(|p| p.is_file())
}

fn stored(dir: &std::path::Path, sha256: &str, extension: &str) -> Option<std::path::PathBuf> {
    domain::validation::is_sha256_hex(sha256).then(|| dir.join(format!("{sha256}.{extension}")))
}

/// Whether a client may name the stored document `named` (by hash): it is the one already there,
/// or one Sterk stored as `extension`; a client cannot point at any other file.
pub(crate) fn may_name(app: &App, current: Option<&str>, named: Option<&str>, extension: &str) -> bool {
    named.is_none_or(|n| current == Some(n) || exists_as(app, n, extension))
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

    #[test]
    fn only_a_well_formed_hash_names_a_stored_file() {
        let dir = std::env::temp_dir().join(format!("sterk-files-{}", store::new_id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/secret.pdf"), b"%PDF- secret").unwrap();
        for reference in ["../secret", "sub/secret", "../../etc/passwd", &"A".repeat(64), &"a".repeat(63)] {
            assert_eq!(stored(&dir.join("x"), reference, "pdf"), None, "{reference}");
        }
        let sha = "0123456789abcdef".repeat(4);
        assert_eq!(stored(&dir, &sha, "pdf"), Some(dir.join(format!("{sha}.pdf"))));
    }
}
