//! The cooperation agreement of an application as the exchange format holds it: its terms (a text
//! written in Sterk, a document, or both) and how each party agreed to them. A party agrees in
//! Sterk through a person who may sign for it (a confirmation over the agreement's fingerprint,
//! see `terms`), or on paper: the editor ticks the parties whose signature is on the uploaded
//! document, which counts only while there is one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::format::{FormatError, timestamp_text};

/// The longest agreement text accepted (characters).
pub const MAX_TEXT_CHARS: usize = 50_000;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// The terms as written in Sterk: plain text, paragraphs separated by a blank line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The parties whose signature is on the uploaded document.
    #[serde(default)]
    pub signed_by: Vec<String>,
    /// The agreement as uploaded (a PDF), identified by its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Document>,
    /// The confirmations given in Sterk. Sterk writes these from its own records: whatever a file
    /// or a client sends here is replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmations: Vec<Confirmation>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub filename: String,
    pub sha256: String,
    pub size: u64,
}

/// A party's agreement, given in Sterk by one of its signatories.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub organisation: String,
    /// The person who confirmed, as a signatory of the organisation.
    pub by: String,
    #[serde(with = "timestamp_text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The fingerprint of the agreement as it was confirmed.
    pub fingerprint: String,
}

/// The agreement's part of [`Application::validate_structure`].
pub(super) fn validate(
    agreement: &Agreement,
    known_org: impl Fn(String, &str) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    if agreement.text.as_deref().is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS) {
        return Err(FormatError::at("agreement.text", format!("hoogstens {MAX_TEXT_CHARS} tekens")));
    }
    for (j, s) in agreement.signed_by.iter().enumerate() {
        known_org(format!("agreement.signed_by[{j}]"), s)?;
    }
    for (j, c) in agreement.confirmations.iter().enumerate() {
        known_org(format!("agreement.confirmations[{j}].organisation"), &c.organisation)?;
        if !crate::validation::is_sha256_hex(&c.fingerprint) {
            return Err(FormatError::at(
                format!("agreement.confirmations[{j}].fingerprint"),
                "verwacht 64 hexadecimale tekens",
            ));
        }
    }
    if let Some(doc) = &agreement.document {
        if !crate::validation::is_sha256_hex(&doc.sha256) {
            return Err(FormatError::at("agreement.document.sha256", "verwacht 64 hexadecimale tekens"));
        }
        if doc.filename.chars().count() > 255 || doc.filename.chars().any(char::is_control) {
            return Err(FormatError::at(
                "agreement.document.filename",
                "een bestandsnaam van hoogstens 255 tekens, zonder stuurtekens",
            ));
        }
    }
    Ok(())
}
