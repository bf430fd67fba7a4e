//! What the exchange format's parts share: the error that names where a file is malformed, and
//! instants written as text with their offset.

/// A malformed file: where (a JSON path such as `budget[3].unit_price_eur`) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FormatError {
    pub path: String,
    pub message: String,
}

impl FormatError {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> FormatError {
        FormatError { path: path.into(), message: message.into() }
    }
}

pub(crate) mod timestamp_text {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "\"{text}\" is geen tijdstip met tijdzone (voorbeeld: 2024-09-30T14:00:00+02:00)"
            ))
        })
    }
}
