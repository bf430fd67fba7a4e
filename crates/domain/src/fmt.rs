//! Dutch presentation of dates and numbers (1 oktober 2024; 1.234).

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use rust_decimal::{Decimal, RoundingStrategy};

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
    let month = MONTHS.get(usize::try_from(date.month() - 1).unwrap_or_default()).copied().unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

/// Europe/Amsterdam, where the programme's dates and times are read.
pub fn amsterdam() -> TimeZone {
    TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC)
}

/// A local date and time: "1 oktober 2024 om 16:00".
pub fn datetime_nl(at: jiff::civil::DateTime) -> String {
    format!("{} om {:02}:{:02}", date_nl(at.date()), at.hour(), at.minute())
}

/// The calendar date in Europe/Amsterdam at an instant.
pub fn date_in_amsterdam(at: Timestamp) -> Date {
    at.to_zoned_datetime(amsterdam()).date()
}

/// "1 oktober 2024 om 16:00", in Europe/Amsterdam.
pub fn instant_nl(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(amsterdam());
    format!("{} om {:02}:{:02}", date_nl(zoned.date()), zoned.hour(), zoned.minute())
}

/// Like [`instant_nl`], with seconds when they are not zero: "1 oktober 2024 om 16:00:01".
pub fn instant_nl_exact(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(amsterdam());
    if zoned.second() == 0 {
        instant_nl(at)
    } else {
        format!("{} om {:02}:{:02}:{:02}", date_nl(zoned.date()), zoned.hour(), zoned.minute(), zoned.second())
    }
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

/// Rounds to whole cents, half away from zero (as bookkeeping does).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// "€ 1.234,56" (rounded to cents).
pub fn euro_nl(amount: Decimal) -> String {
    format!("€ {}", amount_nl(amount))
}

/// "1.234,56": an amount as a Dutch form field holds it (rounded to cents, no currency sign).
pub fn amount_nl(amount: Decimal) -> String {
    let cents = round_cents(amount);
    let sign = if cents.is_sign_negative() && !cents.is_zero() { "-" } else { "" };
    let abs = cents.abs();
    let whole = abs.trunc();
    let fraction = ((abs - whole) * Decimal::ONE_HUNDRED).trunc();
    let whole: i64 = whole.try_into().unwrap_or(i64::MAX);
    format!("{sign}{},{:02}", integer_nl(whole), fraction)
}

/// A share as a Dutch percentage with one decimal, truncated so that a share just under a
/// minimum never shows as the minimum: 0.09999 → "9,9%".
pub fn percent_nl(fraction: Decimal) -> String {
    let pct = (fraction * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::ToZero);
    format!("{}%", format!("{pct:.1}").replace('.', ","))
}

/// A plain decimal in Dutch notation without trailing zeros: 400 → "400", 12.5 → "12,5".
pub fn decimal_nl(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

/// Reads a number as people type it: "1.234,56", "1234,56", "1234.56", "€ 60", "€ 85,-",
/// "85 euro" or "EUR 1.250,--".
pub fn parse_decimal_nl(input: &str) -> Option<Decimal> {
    let mut t: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    for currency in ["€", "euro", "eur"] {
        if let Some(rest) = t.strip_prefix(currency).or_else(|| t.strip_suffix(currency)) {
            t = rest.to_owned();
            break;
        }
    }
    // Whole euros written with a dash for the cents.
    for dash in [",--", ",-", ",—", ",–", ".--", ".-"] {
        if let Some(rest) = t.strip_suffix(dash) {
            t = rest.to_owned();
            break;
        }
    }
    if t.is_empty() {
        return None;
    }
    let normalised = if t.contains(',') || dots_group_thousands(&t) { t.replace('.', "").replace(',', ".") } else { t };
    normalised.parse().ok()
}

/// `2025-03-15`, `15-03-2025` or `15/03/2025`; an XLSX date cell arrives as `2025-03-15`.
pub fn parse_date_nl(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let raw = raw.split([' ', 'T']).next().unwrap_or(raw);
    if let Ok(d) = raw.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = raw.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 => Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok(),
        _ => None,
    }
}

/// "4.000" and "1.234.567" as a Dutch reader means them: every group after the first has three
/// digits and the first does not start with 0 ("0.125" and "12.5" stay decimals).
fn dots_group_thousands(t: &str) -> bool {
    let groups: Vec<&str> = t.trim_start_matches('-').split('.').collect();
    let Some((first, rest)) = groups.split_first() else { return false };
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && rest.iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_type_them() {
        let d = |s: &str| parse_decimal_nl(s).map(|d| d.to_string());
        assert_eq!(d("1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(d("60,00").as_deref(), Some("60.00"));
        assert_eq!(d("€ 135").as_deref(), Some("135"));
        assert_eq!(d("400").as_deref(), Some("400"));
        assert_eq!(d("12.5").as_deref(), Some("12.5"));
        assert_eq!(d("4.000").as_deref(), Some("4000"));
        assert_eq!(d("1.234.567").as_deref(), Some("1234567"));
        assert_eq!(d("0.125").as_deref(), Some("0.125"));
        assert_eq!(d("1234.567").as_deref(), Some("1234.567"));
        assert_eq!(d("€ 85,-").as_deref(), Some("85"));
        assert_eq!(d("€85,--").as_deref(), Some("85"));
        assert_eq!(d("85 euro").as_deref(), Some("85"));
        assert_eq!(d("EUR 1.250,-").as_deref(), Some("1250"));
        assert_eq!(d("1.234,56 €").as_deref(), Some("1234.56"));
        assert_eq!(d("twaalf"), None);
        assert_eq!(d("€"), None);
        assert_eq!(d(",-"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn dutch_money_and_percentages() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(euro_nl(d("1234.56")), "€ 1.234,56");
        assert_eq!(euro_nl(d("368640080")), "€ 368.640.080,00");
        assert_eq!(euro_nl(d("0.005")), "€ 0,01");
        assert_eq!(euro_nl(d("-12.5")), "€ -12,50");
        assert_eq!(percent_nl(d("0.098")), "9,8%");
        assert_eq!(percent_nl(d("0.1")), "10,0%");
        assert_eq!(percent_nl(d("0.09999")), "9,9%");
        assert_eq!(decimal_nl(d("400.00")), "400");
        assert_eq!(decimal_nl(d("12.50")), "12,5");
    }

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
