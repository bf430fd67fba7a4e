//! The signed cooperation agreement of an application: a PDF stored by its SHA-256, linked from
//! the draft.

use domain::{Actor, FieldErrors};

use crate::applications::{content, update};
use crate::{App, Result, ServiceError};

/// The largest signed agreement accepted.
pub const MAX_AGREEMENT_BYTES: usize = 10 * 1024 * 1024;

/// Stores the signed cooperation agreement (a PDF) and links it to the draft.
pub async fn attach(
    app: &App,
    actor: &Actor,
    (slug, phase): (&str, &str),
    expected_version: i64,
    filename: &str,
    bytes: &[u8],
) -> Result<i64> {
    let mut e = FieldErrors::default();
    if bytes.len() > MAX_AGREEMENT_BYTES {
        e.add(
            "agreement.document",
            format!("Het bestand is te groot: hoogstens {} MiB.", MAX_AGREEMENT_BYTES / 1024 / 1024),
        );
    } else if !bytes.starts_with(b"%PDF-") {
        e.add("agreement.document", "Upload de ondertekende overeenkomst als PDF.");
    }
    e.into_result(())?;
    let sha256 = crate::auth::sha256_bytes_hex(bytes);
    let name: String =
        filename.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"')).take(120).collect();
    let document = domain::regulation::application::Document {
        filename: if name.is_empty() { "samenwerkingsovereenkomst.pdf".into() } else { name },
        sha256: sha256.clone(),
        size: bytes.len() as u64,
    };
    // Check the right to edit, and that the phase is open, before anything is written to disk.
    crate::applications::authorize_edit(app, actor, slug).await?;
    crate::phases::require_open(app, actor, phase)?;
    crate::files::put_as(app, bytes, crate::applications::AGREEMENT_EXTENSION)?;
    update(app, actor, slug, phase, expected_version, move |a| {
        a.agreement.get_or_insert_with(Default::default).document = Some(document);
        Ok(())
    })
    .await
}

/// The signed agreement of the draft (0) or a submitted version.
pub async fn document(app: &App, actor: &Actor, slug: &str, phase: &str, number: i64) -> Result<(String, Vec<u8>)> {
    let (application, _) = content(app, actor, slug, phase, number).await?;
    let doc = application.agreement.and_then(|a| a.document).ok_or(ServiceError::NotFound)?;
    let bytes = crate::files::get_as(app, &doc.sha256, crate::applications::AGREEMENT_EXTENSION)?;
    Ok((doc.filename, bytes))
}
