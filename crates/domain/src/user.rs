//! Users and their passwords' rules.

use serde::Serialize;

use crate::access::Grant;
use crate::validation::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub grants: Vec<Grant>,
}

pub const MIN_PASSWORD_LEN: usize = 12;

/// A new password must be long enough and typed the same twice.
pub fn check_new_password(errors: &mut FieldErrors, field: &str, password: &str, repeated: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(field, format!("Kies een wachtwoord van minstens {MIN_PASSWORD_LEN} tekens."));
    } else if password.len() > 1024 {
        errors.add(field, "Dit wachtwoord is te lang.");
    } else if password != repeated {
        errors.add("password_repeat", "De twee wachtwoorden zijn niet gelijk.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        let mut e = FieldErrors::default();
        check_new_password(&mut e, "password", "kort", "kort");
        assert!(e.get("password").unwrap().contains("12"));
        let mut e = FieldErrors::default();
        check_new_password(&mut e, "password", "lang genoeg wachtwoord", "lang genoeg wachtwoord!");
        assert!(e.get("password_repeat").is_some());
        let mut e = FieldErrors::default();
        check_new_password(&mut e, "password", "lang genoeg wachtwoord", "lang genoeg wachtwoord");
        assert!(e.is_empty());
    }
}
