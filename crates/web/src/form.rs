//! Reading a posted form: its fields as pairs (repeated fields such as check boxes kept), and
//! text for a link's query string.

use axum::body::Bytes;

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

    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub(crate) fn version(&self) -> i64 {
        self.get("version").parse().unwrap_or(-1)
    }
}

/// Text for a query string.
pub(crate) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
