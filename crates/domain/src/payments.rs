//! The payment register: advances planned from a decision, what the funder paid, final payments
//! and repayments; and what a region has received, per year, for its annual accounts.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::fmt::{date_nl, euro_nl};
use crate::regulation::{Regulation, RegulationError};

/// The parameter that says in how many instalments a budget year's advance is paid.
pub const INSTALMENTS: &str = "advance-instalments-per-year";
/// The parameter that says which share of the decided amount is paid in advance.
pub const ADVANCE_SHARE: &str = "advance-share";
const MAX_REFERENCE: usize = 100;
const MAX_NOTE: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentKind {
    /// An advance on the decided amount (voorschot).
    Voorschot,
    /// The payment after the settlement (eindbetaling).
    Eindbetaling,
    /// Money the region pays back (terugvordering).
    Terugvordering,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 3] = [PaymentKind::Voorschot, PaymentKind::Eindbetaling, PaymentKind::Terugvordering];

    pub fn code(self) -> &'static str {
        match self {
            PaymentKind::Voorschot => "voorschot",
            PaymentKind::Eindbetaling => "eindbetaling",
            PaymentKind::Terugvordering => "terugvordering",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentKind::Voorschot => "Voorschot",
            PaymentKind::Eindbetaling => "Eindbetaling",
            PaymentKind::Terugvordering => "Terugvordering",
        }
    }

    pub fn parse(code: &str) -> Option<PaymentKind> {
        let code = code.trim().to_lowercase();
        PaymentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What the payment adds to what the region has received: a repayment takes it back.
    pub fn signed(self, amount: Decimal) -> Decimal {
        if self == PaymentKind::Terugvordering { -amount } else { amount }
    }
}

/// An advance to plan: its budget year, date and amount in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub year: i16,
    pub planned_on: Date,
    pub cents: i64,
}

/// The advances a decision's amounts per year give: the advance share of each year's amount, less
/// what was paid in advance for that year already (under an earlier decision), in equal
/// instalments (the cents that do not divide go to the first), each on the first day of its part
/// of the year, and never before the decision.
pub fn schedule(
    reg: &Regulation,
    amounts: &BTreeMap<i16, Decimal>,
    paid: &BTreeMap<i16, Decimal>,
    decided_on: Date,
) -> Result<Vec<Planned>, RegulationError> {
    let (instalments, _) = reg.decimal_at(INSTALMENTS, decided_on)?;
    let (share, _) = reg.decimal_at(ADVANCE_SHARE, decided_on)?;
    let n = i64::try_from(instalments.trunc().mantissa()).unwrap_or(1).clamp(1, 12);
    let mut out = Vec::new();
    for (year, amount) in amounts {
        let due = crate::fmt::round_cents(*amount * share) - paid.get(year).copied().unwrap_or_default();
        let total = i64::try_from((due * Decimal::ONE_HUNDRED).trunc().mantissa()).unwrap_or(0);
        if total <= 0 {
            continue;
        }
        for k in 0..n {
            let cents = total / n + if k == 0 { total % n } else { 0 };
            let month = i8::try_from(1 + k * 12 / n).unwrap_or(1);
            let start = Date::new(*year, month, 1).map_err(|e| RegulationError::Invalid(e.to_string()))?;
            out.push(Planned { year: *year, planned_on: start.max(decided_on), cents });
        }
    }
    Ok(out)
}

/// A payment as typed in the register's form, the API or an imported row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaymentInput {
    pub kind: String,
    #[serde(default)]
    pub year: Option<i16>,
    #[serde(default)]
    pub planned_on: Option<Date>,
    #[serde(default)]
    pub paid_on: Option<Date>,
    /// In euros; `None` when what was typed is not a number.
    pub amount: Option<Decimal>,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

/// A payment as text (a form or the API): dates as `2025-01-15` or `15-01-2025`, the amount in
/// Dutch or plain notation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaymentText {
    pub kind: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub planned_on: String,
    #[serde(default)]
    pub paid_on: String,
    pub amount: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

impl PaymentText {
    /// The typed values, with what could not be read (a year, a date) as field errors.
    fn parse(&self) -> (PaymentInput, FieldErrors) {
        let mut e = FieldErrors::default();
        let year = match self.year.trim() {
            "" => None,
            y => y.parse::<i16>().map_err(|_| e.add("year", format!("\"{y}\" is geen jaartal."))).ok(),
        };
        let mut date = |field: &str, raw: &str| match raw.trim() {
            "" => None,
            d => crate::fmt::parse_date_nl(d)
                .ok_or(())
                .map_err(|()| e.add(field, format!("\"{d}\" is geen datum (voorbeeld: 15-01-2025).")))
                .ok(),
        };
        let planned_on = date("planned_on", &self.planned_on);
        let paid_on = date("paid_on", &self.paid_on);
        let input = PaymentInput {
            kind: self.kind.clone(),
            year,
            planned_on,
            paid_on,
            amount: crate::fmt::parse_decimal_nl(&self.amount),
            reference: self.reference.clone(),
            note: self.note.clone(),
        };
        (input, e)
    }

    /// Reads and checks the payment: every problem, each at its field.
    pub fn validate(&self, reg: &Regulation, today: Date) -> Result<Payment, FieldErrors> {
        let (input, mut e) = self.parse();
        match validate(reg, &input, today) {
            Ok(p) => e.into_result(p),
            Err(more) => {
                for f in more.iter() {
                    if e.get(&f.field).is_none() {
                        e.add(&f.field, f.message.clone());
                    }
                }
                Err(e)
            }
        }
    }
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub kind: PaymentKind,
    pub year: Option<i16>,
    pub planned_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub cents: i64,
    pub reference: Option<String>,
    pub note: String,
}

/// Checks a payment: a known kind, a year of the regulation (required for an advance), a planned
/// or paid date (a paid date not after today), an amount above zero in whole cents.
pub fn validate(reg: &Regulation, input: &PaymentInput, today: Date) -> Result<Payment, FieldErrors> {
    let mut e = FieldErrors::default();
    let kind = PaymentKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "Kies de soort: voorschot, eindbetaling of terugvordering.");
    }
    match input.year {
        Some(y) if !reg.years.contains(&y) => e.add(
            "year",
            format!(
                "{y} is geen begrotingsjaar van de regeling ({}–{}).",
                reg.years.first().copied().unwrap_or_default(),
                reg.years.last().copied().unwrap_or_default()
            ),
        ),
        None if kind == Some(PaymentKind::Voorschot) => e.add("year", "Kies het begrotingsjaar van het voorschot."),
        _ => {}
    }
    match (input.planned_on, input.paid_on) {
        (None, None) => e.add("planned_on", "Vul de geplande of de betaalde datum in."),
        (_, Some(paid)) if paid > today => {
            e.add("paid_on", format!("De betaaldatum ligt na vandaag ({}); plan de betaling dan.", date_nl(today)));
        }
        _ => {}
    }
    let cents = match input.amount {
        Some(a) if a > Decimal::ZERO && a.round_dp(2) == a => {
            let cents = a
                .checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|c| i64::try_from(c.trunc().mantissa()).ok())
                .filter(|c| *c < i64::MAX / 1_000);
            if cents.is_none() {
                e.add("amount", format!("{} is te groot voor een betaling.", euro_nl(a)));
            }
            cents
        }
        Some(_) => {
            e.add("amount", "Het bedrag is meer dan € 0 en in hele centen.");
            None
        }
        None => {
            e.add("amount", "Vul het bedrag in euro's in, bijvoorbeeld 250.000,00.");
            None
        }
    };
    let reference = crate::validation::optional(&mut e, "reference", "het kenmerk", &input.reference, MAX_REFERENCE);
    let note = crate::validation::optional(&mut e, "note", "de toelichting", &input.note, MAX_NOTE);
    match (kind, cents) {
        (Some(kind), Some(cents)) if e.is_empty() => Ok(Payment {
            kind,
            year: input.year,
            planned_on: input.planned_on,
            paid_on: input.paid_on,
            cents,
            reference,
            note: note.unwrap_or_default(),
        }),
        _ => Err(e),
    }
}

/// One line of the annual accounts note: the purpose-bound subsidy in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualLine {
    pub year: i16,
    /// Received in the year (paid dates in it; repayments subtract).
    pub received: Decimal,
    pub spent: Decimal,
    /// Received so far less spent so far: still to spend (negative: spent ahead of payment).
    pub balance: Decimal,
}

/// The annual accounts note over the years spent in, from what was received per year.
pub fn annual_note(received: &BTreeMap<i16, Decimal>, spent: &BTreeMap<i16, Decimal>) -> Vec<AnnualLine> {
    let mut balance = Decimal::ZERO;
    let years: std::collections::BTreeSet<i16> = spent.keys().chain(received.keys()).copied().collect();
    years
        .into_iter()
        .map(|year| {
            let (r, s) =
                (received.get(&year).copied().unwrap_or_default(), spent.get(&year).copied().unwrap_or_default());
            balance += r - s;
            AnnualLine { year, received: r, spent: s, balance }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn reg() -> Regulation {
        Regulation::builtin("sto-2025-2028").unwrap()
    }

    #[test]
    fn a_decision_plans_one_advance_per_year_not_before_the_decision() {
        let amounts = BTreeMap::from([(2025, Decimal::new(100_000_001, 2)), (2026, Decimal::from(0))]);
        let plan = schedule(&reg(), &amounts, &BTreeMap::new(), date(2025, 1, 15)).unwrap();
        assert_eq!(plan, [Planned { year: 2025, planned_on: date(2025, 1, 15), cents: 100_000_001 }]);
        let none = BTreeMap::new();
        let later = schedule(&reg(), &BTreeMap::from([(2026, Decimal::from(1000))]), &none, date(2025, 1, 15)).unwrap();
        assert_eq!(later[0].planned_on, date(2026, 1, 1));
        // A later decision on a year plans only what was not paid for it yet.
        let paid = BTreeMap::from([(2026, Decimal::from(400))]);
        let rest = schedule(&reg(), &BTreeMap::from([(2026, Decimal::from(1000))]), &paid, date(2025, 6, 1)).unwrap();
        assert_eq!(rest[0].cents, 60_000);
        assert!(
            schedule(&reg(), &BTreeMap::from([(2026, Decimal::from(300))]), &paid, date(2025, 6, 1))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn instalments_split_the_cents_without_losing_one() {
        let mut r = reg();
        let p = r.parameters.iter_mut().find(|p| p.id == INSTALMENTS).unwrap();
        p.values[0].value = crate::regulation::ParamValue::Decimal(crate::regulation::application::Amount(4.into()));
        let plan =
            schedule(&r, &BTreeMap::from([(2026, Decimal::new(1_000_003, 2))]), &BTreeMap::new(), date(2025, 1, 15))
                .unwrap();
        let cents: Vec<i64> = plan.iter().map(|p| p.cents).collect();
        assert_eq!(cents, [250_003, 250_000, 250_000, 250_000]);
        let months: Vec<i8> = plan.iter().map(|p| p.planned_on.month()).collect();
        assert_eq!(months, [1, 4, 7, 10]);
    }

    fn input(kind: &str, year: Option<i16>, paid: Option<Date>, amount: &str) -> PaymentInput {
        PaymentInput { kind: kind.into(), year, paid_on: paid, amount: amount.parse().ok(), ..PaymentInput::default() }
    }

    #[test]
    fn a_payment_is_checked_field_by_field() {
        let today = date(2025, 6, 1);
        let ok =
            validate(&reg(), &input("voorschot", Some(2025), Some(date(2025, 1, 20)), "250000.00"), today).unwrap();
        assert_eq!((ok.kind, ok.cents, ok.reference), (PaymentKind::Voorschot, 25_000_000, None));
        let e = validate(&reg(), &input("gift", Some(2031), None, "-1"), today).unwrap_err();
        for field in ["kind", "year", "planned_on", "amount"] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
        let huge = validate(&reg(), &input("eindbetaling", None, Some(today), "79000000000000000000000000000"), today);
        assert!(huge.unwrap_err().get("amount").unwrap().contains("te groot"), "no overflow panic");
        let e = validate(&reg(), &input("voorschot", None, Some(date(2025, 7, 1)), "1.001"), today).unwrap_err();
        for field in ["year", "paid_on", "amount"] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
        assert!(validate(&reg(), &input("terugvordering", None, Some(today), "5"), today).is_ok());
    }

    #[test]
    fn text_from_a_form_reads_dutch_dates_and_amounts() {
        let t = PaymentText {
            kind: "voorschot".into(),
            year: "2025".into(),
            paid_on: "20-01-2025".into(),
            amount: "1.234,56".into(),
            ..PaymentText::default()
        };
        let p = t.validate(&reg(), date(2025, 6, 1)).unwrap();
        assert_eq!((p.year, p.paid_on, p.cents), (Some(2025), Some(date(2025, 1, 20)), 123_456));
        let bad = PaymentText { year: "twee".into(), planned_on: "gisteren".into(), ..t }
            .validate(&reg(), date(2025, 6, 1))
            .unwrap_err();
        assert!(bad.get("year").unwrap().contains("twee") && bad.get("planned_on").is_some(), "{bad}");
    }

    #[test]
    fn the_annual_note_carries_the_balance_forward() {
        let received = BTreeMap::from([(2025, Decimal::from(1000)), (2026, Decimal::from(500))]);
        let spent =
            BTreeMap::from([(2025, Decimal::from(400)), (2026, Decimal::from(900)), (2027, Decimal::from(300))]);
        let note = annual_note(&received, &spent);
        let balances: Vec<Decimal> = note.iter().map(|l| l.balance).collect();
        assert_eq!(balances, [Decimal::from(600), Decimal::from(200), Decimal::from(-100)]);
        assert_eq!(PaymentKind::Terugvordering.signed(Decimal::ONE), -Decimal::ONE);
    }
}
