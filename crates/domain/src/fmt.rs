//! Dutch presentation of dates and numbers (1 oktober 2024; 1.234).

use jiff::{Timestamp, civil::Date, tz::TimeZone};

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "1 oktober 2024"
pub fn date_nl(date: Date) -> String {
    format!("{} {} {}", date.day(), MONTHS[(date.month() - 1) as usize], date.year())
}

/// "1 oktober 2024 om 16:00", in Europe/Amsterdam.
pub fn instant_nl(at: Timestamp) -> String {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC);
    let zoned = at.to_zoned_datetime(tz);
    format!("{} om {:02}:{:02}", date_nl(zoned.date()), zoned.hour(), zoned.minute())
}

/// Whole numbers with a dot as thousands separator: 1.234.567
pub fn integer_nl(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_dates() {
        assert_eq!(date_nl(jiff::civil::date(2024, 10, 1)), "1 oktober 2024");
        let at: Timestamp = "2024-10-01T14:00:00Z".parse().unwrap();
        assert_eq!(instant_nl(at), "1 oktober 2024 om 16:00");
    }

    #[test]
    fn dutch_thousands() {
        assert_eq!(integer_nl(0), "0");
        assert_eq!(integer_nl(999), "999");
        assert_eq!(integer_nl(1234), "1.234");
        assert_eq!(integer_nl(-368640080), "-368.640.080");
    }
}
