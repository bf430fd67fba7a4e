//! The cooperation agreement's document (a PDF, signed on paper or to confirm in Sterk), stored by its SHA-256, linked from
//! the draft.

use domain::{Actor, FieldErrors};

use crate::applications::{change_draft, content, draft_to_change};
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
        e.add("agreement.document", "Upload de overeenkomst als PDF.");
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
    // The file, the region's claim to it and the draft that names it: one transaction.
    let mut tx = app.db.begin().await?;
    let draft = draft_to_change(app, &mut tx, actor, (slug, phase), expected_version).await?;
    crate::files::put(&mut tx, bytes).await?;
    store::files::add_agreement(&mut tx, &draft.region_id, &sha256).await?;
    let version = change_draft(app, &mut tx, actor, &draft, move |a| {
        a.agreement.get_or_insert_with(Default::default).document = Some(document);
        Ok(())
    })
    .await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(version)
}

/// The signed agreement of the draft (0) or a submitted version.
pub async fn document(app: &App, actor: &Actor, slug: &str, phase: &str, number: i64) -> Result<(String, Vec<u8>)> {
    let (application, _) = content(app, actor, slug, phase, number).await?;
    let doc = application.agreement.and_then(|a| a.document).ok_or(ServiceError::NotFound)?;
    // Only an agreement the region uploaded, whatever the stored content names.
    let mut conn = app.db.conn().await?;
    let region = store::regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    if !store::files::is_agreement_of(&mut conn, &region.id, &doc.sha256).await? {
        return Err(ServiceError::NotFound);
    }
    let bytes = crate::files::get(&mut conn, &doc.sha256).await?;
    Ok((doc.filename, bytes))
}
