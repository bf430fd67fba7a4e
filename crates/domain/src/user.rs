//! Users and their passwords' rules.

use serde::Serialize;

use crate::access::{Grant, Role};
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

/// Whether these grants call for two-factor sign-in, when the installation requires it (its
/// setting) for the people who decide about the money: national administrators and the funder's staff.
pub fn second_factor_required(grants: &[Grant], required_by_setting: bool) -> bool {
    required_by_setting && grants.iter().any(|g| matches!(g.role, Role::NationalAdmin | Role::Assessor))
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

    #[test]
    fn two_factor_is_required_of_national_admins_and_the_funder_when_set() {
        let grant = |role| Grant { role, region_id: None, organisation_id: None, signatory: false };
        assert!(second_factor_required(&[grant(Role::Partner), grant(Role::NationalAdmin)], true));
        assert!(second_factor_required(&[grant(Role::Assessor)], true));
        assert!(!second_factor_required(&[grant(Role::Assessor)], false));
        for role in [Role::RegionManager, Role::LeadApplicant, Role::SchoolContact, Role::Partner, Role::Observer] {
            assert!(!second_factor_required(&[grant(role)], true), "{role:?}");
        }
    }
}
