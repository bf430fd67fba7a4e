//! Writes a settlement letter (vaststellingsbrief) to the file named on the command line, for the
//! test command's PDF validators: the demo, dated before the period ends, settles no grant.
//! Usage: `cargo run -p docs --example settlement_letter -- OUT.pdf`.

use domain::execution::Settlement;
use domain::regulation::Regulation;
use domain::settlement::Adjustment;
use rust_decimal::Decimal;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("geef het bestand om naar te schrijven")?;
    let reg = Regulation::builtin("sto-2025-2028")?;
    let euro = |n: i64| Decimal::new(n * 100, 2);
    let verdict = Settlement {
        granted: euro(812_000),
        realised_subsidy: euro(790_500),
        realised_eligible: euro(1_130_000),
        cofinancing: euro(339_500),
        cofinancing_required: euro(339_000),
        shortfall: Decimal::ZERO,
        settled: euro(790_500),
        received: euro(730_800),
        to_repay: euro(-59_700),
    };
    let adjustments = [Adjustment {
        description: "Uren projectleider boven het maximumtarief".into(),
        amount: euro(-2_400),
        reason: "Het uurtarief is begrensd op het maximum van de regeling.".into(),
    }];
    let letter = docs::letter::SettlementLetter {
        region: "Zuid-Friesland",
        lead_applicant: "Stichting Voortgezet Onderwijs Zuid-Friesland",
        reference: "STO-2029-0042",
        decided_on: jiff::civil::date(2029, 3, 14),
        verdict: &verdict,
        adjustments: &adjustments,
        final_amount: euro(788_100),
        received: euro(730_800),
    };
    std::fs::write(&out, docs::letter::settlement_pdf(&reg, &letter)?)?;
    Ok(())
}
