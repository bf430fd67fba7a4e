//! Runs every scenario in `regulations/scenarios/`: a base application with changes, and the
//! expected verdict per rule (or the JSON path of the expected format error).

use std::path::{Path, PathBuf};

use domain::regulation::Regulation;
use domain::regulation::application::Application;
use domain::regulation::check::{self, CheckError, RULE_IDS};
use serde_json::Value;

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../regulations/scenarios")
}

/// Applies `set` (JSON pointer → value; creates a missing object key) and `remove` (pointers).
fn build(scenario: &Value, dir: &Path) -> String {
    let base = dir.join(scenario["base"].as_str().expect("a base file"));
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    if let Some(set) = scenario["set"].as_object() {
        for (pointer, value) in set {
            match doc.pointer_mut(pointer) {
                Some(slot) => *slot = value.clone(),
                None => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap();
                    doc.pointer_mut(parent)
                        .and_then(Value::as_object_mut)
                        .unwrap_or_else(|| panic!("no {parent}"))
                        .insert(key.into(), value.clone());
                }
            }
        }
    }
    if let Some(remove) = scenario["remove"].as_array() {
        for pointer in remove.iter().filter_map(Value::as_str) {
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent).unwrap() {
                Value::Object(map) => {
                    map.remove(key);
                }
                Value::Array(items) => {
                    items.remove(key.parse::<usize>().unwrap());
                }
                _ => panic!("cannot remove {pointer}"),
            }
        }
    }
    doc.to_string()
}

#[test]
fn every_scenario_gives_its_expected_verdicts() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let dir = scenario_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut covered_pass = std::collections::BTreeSet::new();
    let mut covered_fail = std::collections::BTreeSet::new();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let text = build(&scenario, &dir);
        let outcome = Application::from_json(&text).map_err(CheckError::from).and_then(|app| check::check(&reg, &app));
        if let Some(path) = scenario["expect_error"].as_str() {
            match outcome {
                Err(CheckError::Format(e)) => assert_eq!(e.path, path, "{name}: {e}"),
                other => panic!("{name}: expected a format error at {path}, got {other:?}"),
            }
            continue;
        }
        let report = outcome.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.findings.len(), RULE_IDS.len(), "{name}: every rule is reported");
        for (key, expected) in scenario["expect"].as_object().expect("expect") {
            let expected = expected.as_bool().unwrap();
            if key == "passed" {
                assert_eq!(report.passed, expected, "{name}: overall verdict");
                continue;
            }
            let finding =
                report.findings.iter().find(|f| &f.rule == key).unwrap_or_else(|| panic!("{name}: no rule {key}"));
            assert_eq!(finding.passed, expected, "{name}: {key}: {}", finding.message);
            assert!(!finding.message.is_empty() && !finding.trace.is_empty(), "{name}: {key} explains itself");
            if expected {
                covered_pass.insert(key.clone())
            } else {
                covered_fail.insert(key.clone())
            };
        }
    }
    for id in RULE_IDS {
        assert!(covered_pass.contains(id), "no scenario where {id} passes");
        assert!(covered_fail.contains(id), "no scenario where {id} fails");
    }
}

#[test]
fn messages_carry_dutch_numbers_and_traces_carry_dated_parameters() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let text = std::fs::read_to_string(scenario_dir().join("../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
    let report = check::check(&reg, &Application::from_json(&text).unwrap()).unwrap();
    let cof = report.findings.iter().find(|f| f.rule == "cofinancing-minimum").unwrap();
    assert_eq!(
        cof.message,
        "Cofinanciering door bedrijven is € 20.000,00: 11,0% van de subsidiabele kosten (€ 181.000,00); minimaal 10,0% vereist."
    );
    let param = cof.trace.iter().find(|t| t.name == "parameter cofinancing-minimum-share").unwrap();
    assert_eq!(param.valid_from.unwrap().to_string(), "2025-01-01");
    assert_eq!(report.totals.cofinancing_share.0.to_string(), "0.1105");
    let rate = report.findings.iter().find(|f| f.rule == "rate-internal").unwrap();
    let cap = rate.trace.iter().find(|t| t.name == "parameter rate-internal-max").unwrap();
    assert_eq!((cap.value.as_str(), cap.verified), ("€ 60,00 per uur", Some(false)));
    let max = report.findings.iter().find(|f| f.rule == "region-maximum").unwrap();
    assert!(max.message.contains("€ 159.000,00") && max.message.contains("€ 2.500.000,00"), "{}", max.message);
    let text_report = check::render_text(&report, &reg);
    assert!(text_report.contains("Uitslag: voldoet aan alle blokkerende regels"));
    assert!(text_report.contains("geldig vanaf 1 juli 2023, niet geverifieerd"));
}

#[test]
fn an_excess_rate_is_own_cost_not_subsidy() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(scenario_dir().join("rate-internal-above-cap.json")).unwrap())
            .unwrap();
    let text = build(&scenario, &scenario_dir());
    let report = check::check(&reg, &Application::from_json(&text).unwrap()).unwrap();
    assert_eq!(report.totals.subsidy_requested.0.to_string(), "159000.00", "the subsidy stays as at the cap");
    let finding = report.findings.iter().find(|f| f.rule == "rate-internal").unwrap();
    assert!(finding.message.contains("€ 4,00 komt voor eigen rekening"), "{}", finding.message);
    assert_eq!(finding.field.as_deref(), Some("budget[0].unit_price_eur"));
}

#[test]
fn partners_agree_in_sterk_or_on_the_signed_document_and_again_after_a_change() {
    use domain::regulation::application::{Agreement, Confirmation};
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let text = std::fs::read_to_string(scenario_dir().join("../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
    let mut app = Application::from_json(&text).unwrap();
    let finding = |app: &Application, rule: &str| {
        check::check(&reg, app).unwrap().findings.into_iter().find(|f| f.rule == rule).unwrap()
    };
    // Only the terms, no document: every party confirms in Sterk.
    let terms = app.agreement.as_ref().unwrap().text.clone();
    app.agreement = Some(Agreement { text: terms, ..Agreement::default() });
    assert!(!finding(&app, "required-parts").passed);
    let confirm = |app: &Application, org: &str, at: &str| Confirmation {
        organisation: org.into(),
        by: "A. de Vries".into(),
        at: at.parse().unwrap(),
        fingerprint: app.agreement_fingerprint(),
    };
    let ids: Vec<String> = app.organisations.iter().map(|o| o.id.clone()).collect();
    let all: Vec<Confirmation> = ids.iter().map(|id| confirm(&app, id, "2024-09-20T10:00:00Z")).collect();
    app.agreement.as_mut().unwrap().confirmations = all;
    assert!(finding(&app, "required-parts").passed);
    assert!(finding(&app, "mandatory-partners").passed);
    // The text changes: every confirmation is of an earlier version now.
    app.agreement.as_mut().unwrap().text = Some("Een andere tekst.".into());
    let parts = finding(&app, "required-parts");
    assert!(!parts.passed);
    assert!(parts.message.contains("de overeenkomst is gewijzigd nadat"), "{}", parts.message);
    assert_eq!(parts.field.as_deref(), Some("agreement"));
    let partners = finding(&app, "mandatory-partners");
    assert!(!partners.passed && partners.message.contains("mbo"), "{}", partners.message);
    // All but the company confirm again; the company's old confirmation does not count.
    let company = app.organisations.iter().find(|o| o.kind.code() == "company").unwrap().id.clone();
    for id in ids.iter().filter(|id| **id != company) {
        let again = confirm(&app, id, "2024-09-25T10:00:00Z");
        app.agreement.as_mut().unwrap().confirmations.push(again);
    }
    let parts = finding(&app, "required-parts");
    assert!(!parts.passed && parts.message.contains("Installatietechniek Jansen BV"), "{}", parts.message);
    // Late, the company confirms too.
    let late = confirm(&app, &company, "2024-09-30T13:00:00Z");
    app.agreement.as_mut().unwrap().confirmations.push(late);
    assert!(finding(&app, "required-parts").passed);
    // In the pre-registration the agreement is not asked: the kinds taking part suffice.
    let mut pre = app.clone();
    pre.phase = "vooraanmelding".into();
    pre.agreement = None;
    assert!(finding(&pre, "mandatory-partners").passed);
}
