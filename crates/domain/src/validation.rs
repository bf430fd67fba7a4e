//! Field-level validation errors, in Dutch, keyed by the form field they belong to.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(Vec<FieldError>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, for rendering beside that field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was added, else the collected errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

/// A NUL character, which no text Sterk keeps may hold (PostgreSQL refuses it), as sent in a
/// form or file (`\0`) or escaped in JSON (`\u0000`).
pub fn has_nul(text: &str) -> bool {
    text.contains('\0') || text.to_ascii_lowercase().contains("\\u0000")
}

/// The Dutch message for a refused NUL character.
pub const NUL_MESSAGE: &str =
    "de invoer bevat een NUL-teken (\\0 of \\u0000), dat Sterk niet verwerkt; verwijder het en probeer het opnieuw";

/// A stored file's name as Sterk computes it: a SHA-256 in 64 lowercase hex digits, never a path.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Trims and checks a required text field with a maximum length in characters.
pub fn required(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> String {
    let value = value.trim().to_owned();
    if value.is_empty() {
        errors.add(field, format!("Vul {label} in."));
    } else {
        max_len(errors, field, label, &value, max);
    }
    value
}

/// Trims an optional text field; an empty value becomes `None`.
pub fn optional(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    max_len(errors, field, label, value, max);
    Some(value.to_owned())
}

fn max_len(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize) {
    let len = value.chars().count();
    if len > max {
        errors.add(field, format!("{} is te lang: {len} tekens, het maximum is {max}.", capitalise(label)));
    }
}

/// An e-mail address in the usual local@domain.tld shape; returned lower-cased.
pub fn email(errors: &mut FieldErrors, field: &str, value: &str, required_field: bool) -> Option<String> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        if required_field {
            errors.add(field, "Vul een e-mailadres in.");
        }
        return None;
    }
    if !is_email(&value) {
        errors.add(field, format!("\"{value}\" is geen geldig e-mailadres (voorbeeld: naam@school.nl)."));
        return None;
    }
    Some(value)
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        && !domain.contains('@')
}

/// The sentence with its first letter in capitals.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_field_reports_dutch_message_and_trims() {
        let mut e = FieldErrors::default();
        assert_eq!(required(&mut e, "name", "de naam", "  Twente ", 10), "Twente");
        assert!(e.is_empty());
        required(&mut e, "name", "de naam", "   ", 10);
        assert_eq!(e.get("name"), Some("Vul de naam in."));
    }

    #[test]
    fn too_long_value_names_the_length() {
        let mut e = FieldErrors::default();
        required(&mut e, "name", "de naam", "abcdef", 5);
        assert_eq!(e.get("name"), Some("De naam is te lang: 6 tekens, het maximum is 5."));
    }

    #[test]
    fn email_shapes() {
        let mut e = FieldErrors::default();
        assert_eq!(email(&mut e, "e", " Piet@School.NL ", true).as_deref(), Some("piet@school.nl"));
        assert!(e.is_empty());
        for bad in ["piet", "piet@school", "@school.nl", "pi et@school.nl", "a@b@c.nl"] {
            let mut e = FieldErrors::default();
            assert!(email(&mut e, "e", bad, true).is_none(), "{bad}");
            assert!(e.get("e").is_some());
        }
    }
}
