//! Asking to join a region: a school not yet taking part, or a company that wants to be a
//! partner. What a request must hold, checked here; who decides, in `access`.

use crate::validation::{self, FieldErrors};

/// Who asks to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    School,
    Company,
}

impl JoinKind {
    pub fn code(self) -> &'static str {
        match self {
            JoinKind::School => "school",
            JoinKind::Company => "company",
        }
    }

    pub fn parse(code: &str) -> Option<JoinKind> {
        [JoinKind::School, JoinKind::Company].into_iter().find(|k| k.code() == code)
    }
}

/// A request as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct JoinInput {
    /// A school's DUO location code, chosen from the region's list.
    #[serde(default)]
    pub school: String,
    /// A company's name.
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub kvk: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// A school's message, a company's offer.
    #[serde(default)]
    pub message: String,
}

/// A request that holds what its kind needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    pub kind: JoinKind,
    pub duo_code: Option<String>,
    pub company: Option<String>,
    pub kvk: Option<String>,
    pub name: String,
    pub email: String,
    pub message: String,
}

/// A KvK number has eight digits; people type it with spaces or dots ("1234 5678").
pub fn kvk_number(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) && digits != "00000000").then_some(digits)
}

impl JoinInput {
    pub fn validate(&self, kind: JoinKind) -> Result<JoinRequest, FieldErrors> {
        let mut e = FieldErrors::default();
        let (duo_code, company, kvk, message) = match kind {
            JoinKind::School => {
                let code = crate::DuoCode::parse(self.school.trim());
                if code.is_none() {
                    e.add("school", "Kies uw school uit de lijst.");
                }
                let message = validation::optional(&mut e, "message", "het bericht", &self.message, 2_000);
                (code.map(|c| c.as_str().to_owned()), None, None, message.unwrap_or_default())
            }
            JoinKind::Company => {
                let company = validation::required(&mut e, "company", "de naam van het bedrijf", &self.company, 160);
                let kvk = kvk_number(&self.kvk);
                if kvk.is_none() {
                    e.add("kvk", "Vul het KvK-nummer in: acht cijfers, zoals 12345678.");
                }
                let offer = validation::required(&mut e, "message", "wat uw bedrijf biedt", &self.message, 2_000);
                (None, Some(company), kvk, offer)
            }
        };
        let name = validation::required(&mut e, "name", "uw naam", &self.name, 120);
        let email = validation::email(&mut e, "email", &self.email, true);
        e.into_result(())?;
        Ok(JoinRequest { kind, duo_code, company, kvk, name, email: email.unwrap_or_default(), message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kvk_numbers_have_eight_digits() {
        assert_eq!(kvk_number("1234 5678").as_deref(), Some("12345678"));
        assert_eq!(kvk_number("12.34.56.78").as_deref(), Some("12345678"));
        assert_eq!(kvk_number("1234567"), None);
        assert_eq!(kvk_number("1234567a"), None);
        assert_eq!(kvk_number("00000000"), None);
        assert_eq!(kvk_number("１２３４５６７８"), None, "full-width digits are not ASCII digits");
    }

    #[test]
    fn each_kind_needs_its_own_fields() {
        let company = JoinInput {
            company: "Van der Meer".into(),
            kvk: "1234 5678".into(),
            name: "Anna".into(),
            email: "anna@example.nl".into(),
            message: "Stages".into(),
            ..JoinInput::default()
        };
        let ok = company.validate(JoinKind::Company).unwrap();
        assert_eq!(ok.kvk.as_deref(), Some("12345678"));
        let e = JoinInput { kvk: "123".into(), ..company.clone() }.validate(JoinKind::Company).unwrap_err();
        assert!(e.get("kvk").unwrap().contains("acht cijfers"));
        let e = company.validate(JoinKind::School).unwrap_err();
        assert!(e.get("school").is_some());
        let school = JoinInput { school: "12vi08".into(), ..company }.validate(JoinKind::School).unwrap();
        assert_eq!(school.duo_code.as_deref(), Some("12VI08"));
        assert_eq!(school.company, None);
    }
}
