//! Execution and accountability: caps by the day worked, depreciation, cash counted once, the
//! settlement as the rules engine's verdict, and totals that equal the sum of their lines.

use domain::execution::{
    Asset, Contribution, ContributionKind, CostEntry, HourEntry, MilestoneState, Records, realisation, realised, settle,
};
use domain::regulation::application::Application;
use domain::regulation::{DatedValue, ParamValue, Regulation, check};
use jiff::civil::{Date, date};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn approved() -> Application {
    Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap()
}

const YEARS: &[i16] = &[2025, 2026, 2027, 2028];

fn reg() -> Regulation {
    Regulation::builtin("sto-2025-2028").unwrap()
}

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn hours(day: Date, h: i64, rate: i64, external: bool) -> HourEntry {
    HourEntry {
        person: "J. de Vries".into(),
        organisation: "vmbo-1".into(),
        activity: "a1".into(),
        date: day,
        hours: d(h),
        rate_eur: d(rate),
        external,
        note: String::new(),
    }
}

fn invoice(amount: i64, vat: i64, recoverable: bool) -> CostEntry {
    CostEntry {
        invoice_number: "F-2025-001".into(),
        invoice_date: date(2025, 3, 12),
        supplier: "Technische Unie".into(),
        description: "Lesmateriaal".into(),
        category: "materials".into(),
        activity: "a2".into(),
        organisation: "vmbo-1".into(),
        amount_eur: d(amount),
        vat_eur: d(vat),
        vat_recoverable: recoverable,
    }
}

fn contribution(kind: ContributionKind, amount: i64) -> Contribution {
    Contribution {
        company: "bedrijf-1".into(),
        activity: "a3".into(),
        date: date(2025, 5, 1),
        kind,
        amount_eur: d(amount),
        basis: "40 uur × € 75".into(),
        evidence: "brief".into(),
    }
}

#[test]
fn hours_above_the_cap_count_up_to_the_cap_valid_on_the_day_worked() {
    let mut reg = reg();
    // A raise of the internal cap from 1 August 2026: hours before it keep the old cap.
    let p = reg.parameters.iter_mut().find(|p| p.id == "rate-internal-max").unwrap();
    p.values.push(DatedValue {
        valid_from: date(2026, 8, 1),
        value: ParamValue::Decimal(domain::regulation::application::Amount(d(65))),
        source: "test".into(),
        verified: true,
        note: None,
    });
    let records = Records {
        hours: vec![hours(date(2026, 7, 31), 10, 70, false), hours(date(2026, 8, 1), 10, 70, false)],
        ..Records::default()
    };
    let r = realisation(&reg, &approved(), &records, (YEARS, date(2026, 9, 1))).unwrap();
    assert_eq!(r.lines[0].eligible, d(600));
    assert_eq!(r.lines[0].own_cost, d(100));
    assert_eq!(r.lines[1].eligible, d(650));
    let why = r.lines[0].explanation.as_deref().unwrap();
    assert!(why.contains("€ 70,00") && why.contains("€ 60,00") && why.contains("31 juli 2026"), "{why}");
    assert!(why.contains("rate-internal-max"), "{why}");
    assert!(r.lines[1].explanation.as_deref().unwrap().contains("€ 65,00"));
}

#[test]
fn external_hours_use_the_external_cap_and_vat_counts_only_when_not_reclaimed() {
    let records = Records {
        hours: vec![hours(date(2025, 4, 1), 8, 150, true)],
        costs: vec![invoice(1000, 210, false), invoice(1000, 210, true)],
        ..Records::default()
    };
    let r = realisation(&reg(), &approved(), &records, (YEARS, date(2025, 6, 1))).unwrap();
    assert_eq!(r.lines[0].eligible, d(8 * 135));
    assert_eq!(r.lines[1].eligible, d(1210));
    assert_eq!(r.lines[2].eligible, d(1000));
}

/// € 12.000 over five years, half of it used by the project, bought mid-2025.
fn welding_robot() -> Asset {
    Asset {
        description: "Lasrobot".into(),
        activity: "a3".into(),
        organisation: "vmbo-1".into(),
        purchase_date: date(2025, 7, 15),
        purchase_price_eur: d(12_000),
        life_months: 60,
        project_share: Decimal::new(5, 1),
    }
}

#[test]
fn equipment_counts_through_depreciation_within_the_period_never_its_price() {
    let asset = welding_robot();
    let per_year = asset.depreciation(&[2025, 2026, 2027, 2028]);
    assert_eq!(
        per_year.into_iter().collect::<Vec<_>>(),
        vec![(2025, d(600)), (2026, d(1200)), (2027, d(1200)), (2028, d(1200))]
    );
    let records = Records { assets: vec![asset], ..Records::default() };
    let app = realised(&approved(), &records, &[2025, 2026, 2027, 2028]);
    assert!(app.budget.iter().all(|l| l.category == "depreciation"));
    assert_eq!(app.budget.iter().map(|l| l.amount()).sum::<Decimal>(), d(4200));
}

#[test]
fn the_realisation_and_the_provisional_settlement_count_the_same_realised_costs() {
    // Mid-programme: equipment depreciates only in the years begun, for both figures.
    let asset = welding_robot();
    let records = Records { assets: vec![asset], costs: vec![invoice(1000, 0, true)], ..Records::default() };
    let to_date = &[2025, 2026];
    let r = realisation(&reg(), &approved(), &records, (to_date, date(2026, 9, 15))).unwrap();
    let s = settle(&reg(), (&approved(), &Default::default()), &records, (to_date, d(0))).unwrap();
    assert_eq!(r.total.realised, d(1000 + 600 + 1200));
    assert_eq!(s.realised_eligible, r.total.realised);
    assert_eq!(s.cofinancing, r.cofinancing);
}

#[test]
fn a_cash_contribution_is_counted_once_and_in_kind_adds_its_value() {
    let base = Records { costs: vec![invoice(10_000, 0, true)], ..Records::default() };
    let with_cash = Records { contributions: vec![contribution(ContributionKind::Cash, 1_500)], ..base.clone() };
    let with_kind = Records { contributions: vec![contribution(ContributionKind::InKind, 3_000)], ..base.clone() };
    let r = realisation(&reg(), &approved(), &with_cash, (YEARS, date(2025, 6, 1))).unwrap();
    assert_eq!((r.total.realised, r.cofinancing), (d(10_000), d(1_500)));
    assert_eq!(r.per_funder["bedrijf-1"].realised, d(1_500));
    assert_eq!(r.per_funder["subsidie"].realised, d(8_500));
    let r = realisation(&reg(), &approved(), &with_kind, (YEARS, date(2025, 6, 1))).unwrap();
    assert_eq!((r.total.realised, r.cofinancing), (d(13_000), d(3_000)));
}

#[test]
fn a_cofinancing_shortfall_lowers_the_settled_subsidy_and_the_rest_is_repaid() {
    let records = Records {
        costs: vec![invoice(100_000, 0, true)],
        contributions: vec![contribution(ContributionKind::Cash, 6_000)],
        ..Records::default()
    };
    let s = settle(&reg(), (&approved(), &Default::default()), &records, (&reg().years, d(500_000))).unwrap();
    assert_eq!(s.realised_eligible, d(100_000));
    assert_eq!(s.cofinancing_required, d(10_000));
    assert_eq!(s.shortfall, d(4_000));
    assert_eq!(s.realised_subsidy, d(94_000));
    assert_eq!(s.settled, d(90_000));
    assert_eq!(s.to_repay, d(410_000));
    // The grant is what the rules engine says of the approved application.
    let granted = check::check(&reg(), &approved()).unwrap().totals.subsidy_requested.0;
    assert_eq!(s.granted, granted);
}

#[test]
fn milestones_are_planned_achieved_late_or_overdue() {
    let due = date(2025, 6, 30);
    assert_eq!(MilestoneState::of(due, None, date(2025, 6, 30)), MilestoneState::Planned);
    assert_eq!(MilestoneState::of(due, None, date(2025, 7, 1)), MilestoneState::Overdue);
    assert_eq!(MilestoneState::of(due, Some(date(2025, 6, 1)), date(2026, 1, 1)), MilestoneState::Achieved);
    assert_eq!(MilestoneState::of(due, Some(date(2025, 7, 2)), date(2026, 1, 1)), MilestoneState::AchievedLate);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The realised totals equal the sum of their lines, per year, category, activity and funder;
    /// and the settled subsidy never exceeds the grant or the realised subsidy.
    #[test]
    fn totals_equal_the_sum_of_their_lines(
        entries in proptest::collection::vec((0u8..4, 1i64..400, 1u32..20_000, 0u16..1400, any::<bool>()), 0..60),
    ) {
        let mut records = Records::default();
        for (kind, qty, cents, day, flag) in entries {
            let day = date(2025, 1, 1).checked_add(jiff::Span::new().days(i64::from(day))).unwrap();
            let price = Decimal::new(i64::from(cents), 2);
            match kind {
                0 => records.hours.push(HourEntry { hours: Decimal::new(qty, 1), rate_eur: price, ..hours(day, 0, 0, flag) }),
                1 => records.costs.push(CostEntry { invoice_date: day, amount_eur: price * d(qty), vat_eur: price, ..invoice(0, 0, flag) }),
                2 => records.contributions.push(Contribution { date: day, amount_eur: price, ..contribution(if flag { ContributionKind::Cash } else { ContributionKind::InKind }, 0) }),
                _ => records.assets.push(Asset {
                    description: "x".into(), activity: "a1".into(), organisation: "vmbo-1".into(), purchase_date: day,
                    purchase_price_eur: price * d(qty), life_months: (qty as u32 % 96) + 1, project_share: Decimal::new(qty % 10 + 1, 1),
                }),
            }
        }
        let r = realisation(&reg(), &approved(), &records, (YEARS, date(2026, 6, 1))).unwrap();
        let lines: Decimal = r.lines.iter().map(|l| l.eligible).sum();
        // The total is the settlement's figure: the lines' sum in whole cents.
        prop_assert_eq!(r.total.realised, domain::fmt::round_cents(lines));
        for sums in [r.per_year.values().map(|a| a.realised).sum::<Decimal>(),
                     r.per_category.values().map(|a| a.realised).sum(),
                     r.per_activity.values().map(|a| a.realised).sum(),
                     r.per_funder.values().map(|a| a.realised).sum()] {
            prop_assert_eq!(sums, lines);
        }
        let s = settle(&reg(), (&approved(), &Default::default()), &records, (&reg().years, d(0))).unwrap();
        prop_assert!(s.settled <= s.granted && s.settled <= s.realised_subsidy);
        prop_assert!(s.settled >= Decimal::ZERO);
    }
}

#[test]
fn a_move_to_overhead_dropped_goals_and_dropped_activities_are_substantial() {
    use domain::execution::{BudgetMove, ChangeNotice};
    let reg = reg();
    let small = ChangeNotice {
        description: "Activiteit a2 loopt drie maanden uit.".into(),
        activities_late: vec!["a2".into()],
        moves: vec![BudgetMove {
            from_category: "materials".into(),
            to_category: "activities".into(),
            amount_eur: d(2_000),
        }],
        ..ChangeNotice::default()
    };
    assert!(small.substantial(&reg).is_empty());
    let big = ChangeNotice {
        goals_dropped: vec!["Tien docentstages".into()],
        activities_dropped: vec!["a1".into()],
        moves: vec![BudgetMove {
            from_category: "activities".into(),
            to_category: "overhead".into(),
            amount_eur: d(5_000),
        }],
        ..small
    };
    let why = big.substantial(&reg);
    assert_eq!(why.len(), 3, "{why:?}");
    assert!(why[2].starts_with("€ 5.000,00 verschoven van activiteiten"), "{why:?}");
}
