//! `cargo bench -p domain`: checking an application of 1,000 activities and 20,000 budget lines.

use std::hint::black_box;
use std::time::{Duration, Instant};

use domain::regulation::Regulation;
use domain::regulation::application::{Activity, Amount, Application, BudgetLine, Funding, FundingSource};
use domain::regulation::check;
use rust_decimal::Decimal;

/// The example application, grown to national scale.
fn large_application() -> Application {
    let mut app = Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
    let themes = ["personeel", "inclusie", "duurzaamheid"];
    app.activities = (0..1000)
        .map(|i| Activity {
            id: format!("a{i}"),
            title: format!("Activiteit {i}"),
            description: String::new(),
            goals: String::new(),
            target_groups: Vec::new(),
            themes: vec![themes[i % 3].to_owned()],
            lead: Some("vmbo-1".into()),
            partners: vec!["mbo-1".into()],
            milestones: Vec::new(),
        })
        .collect();
    let categories = ["staff-internal", "staff-external", "materials", "activities", "depreciation", "overhead"];
    app.budget = (0..20_000)
        .map(|i| BudgetLine {
            activity: format!("a{}", i % 1000),
            year: 2025 + (i % 4) as i16,
            category: categories[i % categories.len()].to_owned(),
            description: "regel".into(),
            quantity: Amount(Decimal::from(10 + i % 90)),
            unit: "uur".into(),
            unit_price_eur: Amount(Decimal::new(4_500 + (i % 120) as i64 * 100, 2)),
            funding: if i % 9 == 0 {
                Funding { source: FundingSource::Cofinancing, by: Some("bedrijf-1".into()), in_kind: i % 2 == 0 }
            } else {
                Funding { source: FundingSource::Subsidy, by: None, in_kind: false }
            },
        })
        .collect();
    app.region.maximum_eur = Some(Amount(Decimal::from(1_000_000_000)));
    app.region.name = "Grootregio".into();
    app
}

fn main() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let app = large_application();
    let report = check::check(&reg, &app).unwrap();
    assert_eq!(report.findings.len(), check::RULE_IDS.len());
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            black_box(check::check(&reg, black_box(&app)).unwrap());
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "check: 1,000 activities, 20,000 budget lines: median {:.2} ms, min {:.2} ms, max {:.2} ms (50 runs)",
        times[25].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[49].as_secs_f64() * 1e3
    );
}
