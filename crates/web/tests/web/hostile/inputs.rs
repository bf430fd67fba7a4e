//! What a hostile client sends: texts for fields, and the bodies and files that carry them.

use std::sync::OnceLock;

/// Text a hostile client puts in a field: too long, not UTF-8, NUL, traversal and quotes,
/// header and calendar line breaks, right-to-left override, a multibyte character where digits go.
pub(super) fn hostile_texts() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("1 MB in één veld", "x".repeat(1_000_000).into_bytes()),
        ("geen UTF-8", vec![b'a', 0xff, 0xfe, 0xc3, b'(']),
        ("NUL", b"a\0b".to_vec()),
        ("../ en aanhalingstekens", b"../../etc/passwd\"'<script>".to_vec()),
        ("CR/LF", b"a\r\nSet-Cookie: x=1\r\nEND:VEVENT\r\nBEGIN:VEVENT".to_vec()),
        ("rechts-naar-links", "\u{202e}gnp.exe".as_bytes().to_vec()),
        ("meerbytes in cijfers", "20€2026".as_bytes().to_vec()),
    ]
}

/// Field names the forms use, so each hostile value reaches whatever the handler reads.
const FIELDS: [&str; 32] = [
    "email",
    "password",
    "password_repeat",
    "current",
    "name",
    "title",
    "description",
    "summary",
    "body",
    "vision",
    "organisation",
    "organisation_id",
    "role",
    "region",
    "kind",
    "theme",
    "comment",
    "to",
    "school_year",
    "indicator",
    "value",
    "date",
    "hours",
    "rate",
    "quantity",
    "unit_price_eur",
    "category",
    "activity",
    "slug",
    "province",
    "message",
    "note",
];

pub(super) fn form_body(csrf: &str, version: i64, value: &[u8]) -> Vec<u8> {
    let mut body = format!("csrf={csrf}&version={version}").into_bytes();
    for f in FIELDS {
        body.extend_from_slice(format!("&{f}=").as_bytes());
        // Percent-encode all but the invalid bytes, which go in raw as a broken client sends them.
        for b in value {
            if b.is_ascii_alphanumeric() || *b >= 0x80 {
                body.push(*b);
            } else {
                body.extend_from_slice(format!("%{b:02X}").as_bytes());
            }
        }
    }
    body
}

pub(super) fn json_body(value: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(value);
    let mut fields = serde_json::Map::new();
    for f in FIELDS {
        fields.insert(f.to_owned(), serde_json::Value::String(text.clone().into_owned()));
    }
    let mut body = serde_json::Value::Object(fields).to_string().into_bytes();
    if std::str::from_utf8(value).is_err() {
        body.extend_from_slice(value); // and the bytes themselves, unescaped
    }
    body
}

/// The hostile files, made once for the whole suite.
pub(super) fn hostile_files() -> &'static [(&'static str, &'static str, Vec<u8>)] {
    static FILES: OnceLock<Vec<(&'static str, &'static str, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        use import::sheet::fixtures;
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes();
        vec![
            ("verre cel", "begroting.xlsx", fixtures::far_cell()),
            ("pakt uit tot 1 GiB", "begroting.xlsx", fixtures::inflating(1025)),
            ("1.000.000 regels", "uren.xlsx", fixtures::rows(1_000_000)),
            ("geneste entiteiten", "begroting.xlsx", fixtures::entities()),
            ("JSON 10.000 diep", "aanvraag.json", deep),
            ("geen UTF-8", "uren.csv", vec![b'D', b'a', b't', b'u', b'm', b'\n', 0xff, 0xfe, 0x00, b'\n']),
            ("naam met ../, quotes, CR/LF en RLO", "../../\"evil\r\n\u{202e}fdp.exe", b"%PDF-1.4\0\0".to_vec()),
        ]
    })
}

pub(super) fn multipart(version: &str, filename: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    let boundary = "sterkgrens";
    let name = filename.replace(['\r', '\n'], " ");
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"note\"\r\n\r\n\u{202e}notitie\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        name.replace('"', "%22")
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}
