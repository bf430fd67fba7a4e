//! Reading a posted form: its fields as pairs (repeated fields such as check boxes kept), and a
//! multipart upload's fields and file.

use crate::error::WebError;
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

/// A posted form as pairs, so repeated fields (check boxes) are kept.
#[derive(Default)]
pub(crate) struct Pairs(pub(crate) Vec<(String, String)>);

impl Pairs {
    pub(crate) fn parse(body: &Bytes) -> Pairs {
        Pairs(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    pub(crate) fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub(crate) fn version(&self) -> i64 {
        self.get("version").parse().unwrap_or(-1)
    }
}

/// What a refused form held and why, so the page shows it again as typed, open, each message at
/// its field: `form` names which form on the page it was, `prefix` starts its fields' ids
/// (`{prefix}-{name}`), so the error summary can link to each field.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    form: String,
    prefix: String,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

/// A form field's own name, not a path into the document.
fn is_plain(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Typed {
    pub(crate) fn new(form: impl Into<String>, prefix: impl Into<String>, f: &Pairs) -> Typed {
        Typed { form: form.into(), prefix: prefix.into(), values: f.0.clone(), errors: Vec::new() }
    }

    /// The refusal's messages, each at its field. Only plain keys are this form's fields: a key
    /// with a path (`activities[2].title`) is about another part of the document, shown in the
    /// summary only.
    pub(crate) fn with_errors(mut self, errors: &[(String, String)]) -> Typed {
        if !self.form.is_empty() {
            self.errors = errors.iter().filter(|(k, _)| is_plain(k)).cloned().collect();
        }
        self
    }

    /// Whether `form` is the one refused (open it again).
    pub fn is(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }

    /// The typed value when `form` was refused, else `stored`.
    pub fn value(&self, form: &str, name: &str, stored: &str) -> String {
        if self.is(form) {
            self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
        } else {
            stored.to_owned()
        }
    }

    /// Whether a check box was ticked when `form` was refused, else `stored`.
    pub fn ticked(&self, form: &str, name: &str, value: &str, stored: bool) -> bool {
        if self.is(form) { self.values.iter().any(|(k, v)| k == name && v == value) } else { stored }
    }

    pub fn error(&self, form: &str, name: &str) -> Option<&str> {
        if self.is(form) { self.errors.iter().find(|(k, _)| k == name).map(|(_, m)| m.as_str()) } else { None }
    }

    /// Where the error summary links for `field`: the field itself in the refused form.
    pub fn anchor(&self, field: &str) -> Option<String> {
        (!self.form.is_empty() && is_plain(field)).then(|| format!("{}-{field}", self.prefix))
    }
}

/// A form's field errors as (field, message) pairs, as the templates show them.
pub(crate) fn error_pairs(e: &domain::FieldErrors) -> Vec<(String, String)> {
    e.iter().map(|f| (f.field.clone(), f.message.clone())).collect()
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
}

/// A multipart form as read: the text fields in order, and the file (its name and bytes).
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Bytes)>,
}

impl Upload {
    /// The optimistic-lock version the form carries (-1 when missing).
    pub fn version(&self) -> i64 {
        self.fields.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.trim().parse().ok()).unwrap_or(-1)
    }
}

/// Reads every field; the part named `file` is the file.
pub async fn read(multipart: &mut Multipart) -> Result<Upload, WebError> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            upload.file = Some((filename, field.bytes().await.map_err(refused)?));
        } else {
            let text = field.text().await.map_err(refused)?;
            if domain::validation::has_nul(&text) {
                return Err(WebError::Nul);
            }
            upload.fields.push((name, text));
        }
    }
    Ok(upload)
}

fn refused(e: MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE { WebError::TooLarge } else { WebError::BadUpload }
}

/// An upload form's `version` field and its file (name and bytes).
pub(crate) async fn read_upload(
    multipart: &mut axum::extract::Multipart,
) -> Result<(i64, Option<(String, Bytes)>), WebError> {
    let upload = read(multipart).await?;
    Ok((upload.version(), upload.file))
}
