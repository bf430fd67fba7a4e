//! A large application built from the shipped example, for benchmarks and load tests.

use rust_decimal::Decimal;

use super::application::{Activity, Amount, Application, BudgetLine, Funding, FundingSource};

/// The example application grown to `activities` activities and `lines` budget lines.
pub fn large_application(activities: usize, lines: usize) -> Application {
    let mut app = Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json"))
        .expect("the shipped example parses");
    let themes = ["personeel", "inclusie", "duurzaamheid"];
    app.activities = (0..activities)
        .map(|i| Activity {
            id: format!("a{i}"),
            title: format!("Activiteit {i}: techniek in de regio"),
            description: "Leerlingen werken aan echte opdrachten van bedrijven.".into(),
            goals: String::new(),
            target_groups: Vec::new(),
            themes: themes.get(i % themes.len()).map(|t| (*t).to_owned()).into_iter().collect(),
            lead: Some("vmbo-1".into()),
            partners: vec!["mbo-1".into()],
            milestones: Vec::new(),
            results: Vec::new(),
            indicators: Vec::new(),
            school_plan: None,
        })
        .collect();
    let categories = ["staff-internal", "staff-external", "materials", "activities", "depreciation", "overhead"];
    app.budget = (0..lines)
        .map(|i| BudgetLine {
            activity: format!("a{}", i % activities.max(1)),
            year: 2025 + (i % 4) as i16,
            category: categories.get(i % categories.len()).copied().unwrap_or_default().to_owned(),
            description: format!("Regel {i}"),
            quantity: Amount(Decimal::from(10 + i % 90)),
            unit: "uur".into(),
            unit_price_eur: Amount(Decimal::new(4_500 + (i % 120) as i64 * 100, 2)),
            funding: if i % 9 == 0 {
                Funding { source: FundingSource::Cofinancing, by: Some("bedrijf-1".into()), in_kind: i % 2 == 0 }
            } else {
                Funding { source: FundingSource::Subsidy, by: None, in_kind: false }
            },
            school_plan: None,
            date: None,
        })
        .collect();
    app.region.maximum_eur = Some(Amount(Decimal::from(1_000_000_000)));
    app
}
