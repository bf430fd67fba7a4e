//! Every parser of user input takes any text without panicking: amounts and Dutch numbers,
//! dates, school years, DUO codes, whole applications, pupils files,
//! names turned into web addresses. Where a value parses, it means what it says.

use domain::fmt::{decimal_nl, parse_date_nl, parse_decimal_nl};
use domain::monitoring::school_year_start;
use domain::organisation::OrganisationInput;
use domain::regulation::allocate::parse_pupils;
use domain::regulation::application::Application;
use domain::{DuoCode, FieldErrors, slugify, validation};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Text a hostile form or file may hold: any characters, and lookalikes of the real formats.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        "[0-9€.,;\\-/ \u{202e}\u{0}\"\n\r]{0,24}",
        "[0-9]{1,4}[-/.€é][0-9]{1,4}[-/.€é]?[0-9]{0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn numbers_and_amounts(text in hostile()) {
        if let Some(d) = parse_decimal_nl(&text) {
            // What parses survives the way Sterk writes it back.
            prop_assert_eq!(parse_decimal_nl(&decimal_nl(d)), Some(d.normalize()));
        }
    }

    #[test]
    fn written_amounts_read_back(cents in any::<i64>()) {
        let d = Decimal::new(cents / 1000, 2);
        prop_assert_eq!(parse_decimal_nl(&decimal_nl(d)), Some(d));
    }

    #[test]
    fn dates_school_years_and_codes(text in hostile()) {
        if let Some(date) = parse_date_nl(&text) {
            prop_assert!((1900..=2200).contains(&date.year()) || text.contains(&date.year().to_string()));
        }
        if let Some(start) = school_year_start(&text) {
            prop_assert_eq!(text.trim(), format!("{start}-{}", start + 1));
        }
        if let Some(code) = DuoCode::parse(&text) {
            prop_assert_eq!(code.as_str().len(), 6);
        }
        let slug = slugify(&text);
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        let mut e = FieldErrors::default();
        let _ = validation::email(&mut e, "email", &text, true);
    }

    #[test]
    fn pupil_tables(lines in proptest::collection::vec(hostile(), 0..6)) {
        let _ = parse_pupils(&lines.join("\n"));
    }

    #[test]
    fn applications_and_organisations(text in hostile(), field in hostile()) {
        let _ = Application::from_json(&text);
        let _ = Application::from_json(&format!("{{\"format\":\"sterk.application/1\",\"vision\":{}}}", serde_json::json!(field)));
        let input = OrganisationInput { name: text.clone(), duo_code: field.clone(), ..OrganisationInput::default() };
        let _ = input.validate();
    }
}

#[test]
fn json_nested_ten_thousand_deep_is_refused_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Application::from_json(&deep).is_err());
    let deep_object = format!("{{\"vision\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Application::from_json(&deep_object).is_err());
}

/// Names from addresses and files are matched against the domain's own lists, never trusted.
#[test]
fn record_kinds_and_target_groups_name_only_their_own() {
    use domain::execution::RecordKind;
    use domain::regulation::application::TargetGroup;
    for k in RecordKind::ALL {
        assert_eq!(RecordKind::from_path(k.path()), Some(k));
        assert_eq!(RecordKind::from_api_path(k.api_path()), Some(k));
    }
    for hostile in ["", "uren/../kosten", "UREN", "hours\0", "mijlpalen"] {
        assert_eq!(RecordKind::from_path(hostile), None, "{hostile:?}");
    }
    for g in TargetGroup::ALL {
        assert_eq!(TargetGroup::parse(g.code()), Some(g));
        assert_eq!(TargetGroup::label_of(g.code()), g.label());
    }
    assert_eq!(
        TargetGroup::label_of("<b>onbekend</b>"),
        "<b>onbekend</b>",
        "an unknown code is shown as typed (escaped by the page)"
    );
}
