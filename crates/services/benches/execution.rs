//! `cargo bench -p services --bench execution`: importing 100,000 hour lines from CSV (target
//! under 2 s), and the final report for a region with 50,000 hour lines and 5,000 invoices
//! (target under 1 s), on SQLite with the demo region.

mod common;

use std::time::Instant;

use common::median;
use domain::Actor;
use domain::execution::RecordKind;
use services::App;
use services::execution::{self as exec, Record, ReportFormat};
use store::Db;

async fn demo() -> App {
    let db = Db::fresh_for_test().await.unwrap();
    let mut app = App::new(db);
    app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
    services::demo::load(&app).await.unwrap();
    app
}

/// A school of the demo region.
async fn school(app: &App) -> String {
    let ledger = exec::ledger(app, &Actor::system(), "zuid-friesland").await.unwrap();
    ledger.members.iter().find(|m| m.kind == domain::OrganisationKind::Vmbo).unwrap().id.clone()
}

fn hours_csv(school: &str, n: usize) -> String {
    let mut s = String::from("Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief;Extern\n");
    for i in 0..n {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let year = 2025 + (i / 336) % 4;
        s.push_str(&format!(
            "{day:02}-{month:02}-{year};Medewerker {};{school};a{};{},5;{};{}\n",
            i % 400,
            1 + i % 3,
            1 + i % 7,
            55 + i % 90,
            if i % 5 == 0 { "ja" } else { "nee" }
        ));
    }
    s
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Import: a fresh region each run, so every run writes 100,000 rows into the same state.
        let mut times = Vec::new();
        for _ in 0..3 {
            let app = demo().await;
            let csv = hours_csv(&school(&app).await, 100_000);
            let start = Instant::now();
            let n = exec::import(&app, &Actor::system(), "zuid-friesland", RecordKind::Hours, csv.as_bytes())
                .await
                .unwrap();
            times.push(start.elapsed());
            assert_eq!(n, 100_000);
        }
        println!(
            "import 100.000 urenregels (CSV, alles-of-niets): mediaan {:?} (runs: {times:?})",
            median(times.clone())
        );

        // Final report: 50,000 hour lines and 5,000 invoices.
        let app = demo().await;
        let school = school(&app).await;
        let csv = hours_csv(&school, 50_000);
        exec::import(&app, &Actor::system(), "zuid-friesland", RecordKind::Hours, csv.as_bytes()).await.unwrap();
        let invoices: Vec<(String, Record)> = (0..5_000)
            .map(|i| {
                (
                    format!("rij {i}"),
                    Record::Cost(domain::execution::CostEntry {
                        invoice_number: format!("F-{i}"),
                        invoice_date: jiff::civil::date(2025 + (i % 4) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8),
                        supplier: "Technische Unie".into(),
                        description: "Materiaal".into(),
                        category: "materials".into(),
                        activity: format!("a{}", 1 + i % 3),
                        organisation: school.clone(),
                        amount_eur: rust_decimal::Decimal::new(10_000 + i as i64, 2),
                        vat_eur: rust_decimal::Decimal::new(2_100, 2),
                        vat_recoverable: i % 2 == 0,
                    }),
                )
            })
            .collect();
        exec::add_all(&app, &Actor::system(), "zuid-friesland", invoices, None).await.unwrap();
        for (format, label) in [(ReportFormat::Pdf, "PDF"), (ReportFormat::Xlsx, "XLSX")] {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..5 {
                let start = Instant::now();
                let (_, bytes) =
                    exec::report(&app, &Actor::system(), "zuid-friesland", docs::report::ReportKind::Final, format)
                        .await
                        .unwrap();
                times.push(start.elapsed());
                size = bytes.len();
            }
            println!(
                "eindverantwoording {label} (50.000 uren, 5.000 facturen): mediaan {:?}, {} kB (runs: {times:?})",
                median(times.clone()),
                size / 1024
            );
        }
    });
}
