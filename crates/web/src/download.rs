//! Files handed out: one `Content-Disposition` for every download, encoded by RFC 6266 so no
//! name (quotes, CR/LF, non-ASCII, right-to-left marks) can break or bend the header.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded`.
pub fn attachment(name: &str) -> HeaderValue {
    // Bidirectional controls would let "fdp.exe" show as "exe.pdf": they never reach a name.
    let name: String = name.chars().filter(|c| !is_bidi_control(*c)).collect();
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' { c } else { '_' })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A download: its bytes, type and name.
pub fn file(content_type: &str, name: &str, bytes: impl IntoResponse) -> Response {
    let content_type =
        HeaderValue::from_str(content_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    ([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, attachment(name))], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_the_header() {
        let h = attachment("a\"b.pdf");
        assert_eq!(h.to_str().unwrap(), "attachment; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf");
        let h = attachment("x\r\nSet-Cookie: y.pdf");
        assert!(!h.to_str().unwrap().contains('\n'));
        let h = attachment("begroting é\u{202e}fdp.exe");
        assert_eq!(
            h.to_str().unwrap(),
            "attachment; filename=\"begroting _fdp.exe\"; filename*=UTF-8''begroting%20%C3%A9fdp.exe"
        );
    }
}
