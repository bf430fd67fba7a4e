//! Invariants of the checks, over many generated variations of the example application.

use domain::regulation::Regulation;
use domain::regulation::application::{Amount, Application, BudgetLine, Funding, FundingSource};
use domain::regulation::check;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn example() -> Application {
    let text = include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json");
    Application::from_json(text).unwrap()
}

fn cents(c: u32) -> Amount {
    Amount(Decimal::new(i64::from(c), 2))
}

fn cofinancing_passes(reg: &Regulation, app: &Application) -> bool {
    let report = check::check(reg, app).unwrap();
    report.findings.iter().find(|f| f.rule == "cofinancing-minimum").unwrap().passed
}

proptest! {
    // Amounts are in cents.
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Adding company co-financing never turns a passed minimum into a failure.
    #[test]
    fn more_company_cofinancing_never_fails_the_minimum(
        subsidy_price in 0u32..500_000_000,
        extra in 1u32..100_000_000,
        year in 2025i16..=2028,
        in_kind: bool,
    ) {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app = example();
        app.budget[2].unit_price_eur = cents(subsidy_price);
        let before = cofinancing_passes(&reg, &app);
        app.budget.push(BudgetLine {
            activity: "a3".into(),
            year,
            category: "materials".into(),
            description: "extra bijdrage".into(),
            quantity: Amount(Decimal::ONE),
            unit: "post".into(),
            unit_price_eur: cents(extra),
            funding: Funding { source: FundingSource::Cofinancing, by: Some("bedrijf-1".into()), in_kind },
            school_plan: None,
            date: None,
        });
        prop_assert!(!before || cofinancing_passes(&reg, &app));
    }

    /// Lowering any rate never raises the subsidy requested.
    #[test]
    fn lowering_a_rate_never_raises_the_subsidy(line in 0usize..18, price in 0u32..3_000_000, cut in 0u32..3_000_000) {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app = example();
        app.budget[line].unit_price_eur = cents(price);
        let before = check::check(&reg, &app).unwrap().totals.subsidy_requested;
        app.budget[line].unit_price_eur = cents(price.saturating_sub(cut));
        let after = check::check(&reg, &app).unwrap().totals.subsidy_requested;
        prop_assert!(after <= before, "{:?} > {:?}", after, before);
    }
}
