//! `cargo bench -p services --bench portfolio`: the national portfolio for 78 regions, each with
//! its main lines decided through the funder's whole procedure and four years of execution
//! (hours and invoices), on SQLite. Target: under 200 ms. Set-up is not measured.

mod common;

use std::time::Instant;

use common::median;
use domain::Actor;
use domain::assessment::AssessmentState;
use domain::assessment::decision::{DecisionInput, Outcome};
use domain::execution::RecordKind;
use domain::region::{RegionIdentityInput, RegionProfileInput};
use domain::regulation::application::Amount;
use domain::regulation::maximum::MaximumInput;
use rust_decimal::Decimal;
use services::App;
use services::assessments::{self as funder, decisions, scoring};
use store::Db;

const REGIONS: usize = 78;

async fn actor(app: &App, email: &str) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let id = store::users::id_by_email(&mut conn, email).await.unwrap().unwrap();
    services::auth::actor_for_user(app, &id).await.unwrap()
}

/// Hours and invoices over the four years, on the region's school.
fn records_csv(school: &str, n: usize) -> String {
    let mut s = String::from("Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief;Extern\n");
    for i in 0..n {
        let (day, month, year) = (1 + i % 28, 1 + (i / 28) % 12, 2025 + i % 4);
        s.push_str(&format!("{day:02}-{month:02}-{year};Medewerker {};{school};a{};6;58;nee\n", i % 40, 1 + i % 3));
    }
    s
}

/// Region `n`: created as a technical region with a maximum, ZF's main lines imported and
/// submitted, taken, scored by both assessors, advised and granted; then four years of hours.
async fn region(app: &App, n: usize, template: &str, people: (&Actor, &Actor, &Actor, &Actor)) -> String {
    let (national, manager, first, second) = people;
    let slug = format!("benchregio-{n}");
    let identity = RegionIdentityInput {
        name: format!("Benchregio {n}"),
        slug: slug.clone(),
        kind: "techniekregio".into(),
        province: ["Fryslân", "Utrecht", "Noord-Brabant", "Gelderland"][n % 4].into(),
    };
    let region = services::regions::create(app, national, &identity, &RegionProfileInput::default()).await.unwrap();
    let input =
        MaximumInput { amount: Some(Decimal::from(4_000_000)), source: "Benchmark", verified: false, reason: "" };
    services::maximums::set(app, national, ("sto-2025-2028", &slug), &input, None).await.unwrap();
    let application: domain::regulation::application::Application = serde_json::from_str(template).unwrap();
    {
        let mut conn = app.db.conn().await.unwrap();
        for o in &application.organisations {
            store::regions::add_member(&mut conn, &region.id, &o.id).await.unwrap();
        }
    }
    let system = Actor { system: true, ..manager.clone() };
    // Submitted within the main lines' window, decided and carried out later.
    let window = App { clock: Some("2024-09-30T12:00:00+02:00".parse().unwrap()), ..app.clone() };
    services::applications::import(&window, &system, &slug, template, None).await.unwrap();
    let (_, version) = services::applications::get(&window, &system, &slug, "hoofdlijnen").await.unwrap();
    services::applications::submit(&window, &system, &slug, "hoofdlijnen", version).await.unwrap();
    let key = (slug.as_str(), "hoofdlijnen");
    funder::step(app, first, key, AssessmentState::InBehandeling, Default::default(), None).await.unwrap();
    for who in [first, second] {
        scoring::declare(app, who, key, false).await.unwrap();
        let reg = app.current_regulation().unwrap();
        let scores = reg
            .criteria
            .iter()
            .map(|c| domain::assessment::scoring::Score {
                criterion: c.id.clone(),
                score: 3,
                motivation: "Voldoende.".into(),
            })
            .collect();
        scoring::save_scores(app, who, key, scores, true).await.unwrap();
    }
    scoring::advise(app, first, key, "Toekennen.").await.unwrap();
    let review = scoring::review(app, first, &slug, "hoofdlijnen").await.unwrap();
    let decision = DecisionInput {
        reference: format!("BENCH/{n}"),
        decided_on: jiff::civil::date(2025, 1, 15),
        outcome: Outcome::Toegekend,
        amounts: review.requested.iter().map(|(y, a)| (*y, Amount(*a))).collect(),
        conditions: String::new(),
    };
    decisions::decide(app, first, key, decision).await.unwrap();
    let school = application.lead_applicant.clone();
    services::execution::import(app, &system, &slug, RecordKind::Hours, records_csv(&school, 400).as_bytes())
        .await
        .unwrap();
    slug
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::fresh_for_test().await.unwrap();
        let mut app = App::new(db);
        app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
        services::demo::load(&app).await.unwrap();
        app.clock = Some("2026-09-15T12:00:00+02:00".parse().unwrap());
        let national = actor(&app, "beheerder@sterk.example").await;
        let manager = actor(&app, "programmamanager@sterk.example").await;
        let first = actor(&app, "beoordelaar@sterk.example").await;
        let second = actor(&app, "beoordelaar2@sterk.example").await;
        let (template, _) =
            services::applications::content(&app, &Actor::system(), "zuid-friesland", "hoofdlijnen", 1).await.unwrap();
        let template = template.canonical_json();
        let before = services::portfolio::portfolio(&app, &national).await.unwrap().rows.len();
        let setup = Instant::now();
        // The demo decided four regions; the others come on top.
        for n in 0..REGIONS - 4 {
            region(&app, n, &template, (&national, &manager, &first, &second)).await;
        }
        let p = services::portfolio::portfolio(&app, &national).await.unwrap();
        let granted = p.rows.iter().filter(|r| r.decided > Decimal::ZERO).count();
        assert_eq!(p.rows.len(), before + REGIONS - 4);
        println!("opzet: {} aanvragen, {granted} met toegekende subsidie, in {:?}", p.rows.len(), setup.elapsed());
        let mut times = Vec::new();
        for _ in 0..11 {
            let start = Instant::now();
            let p = services::portfolio::portfolio(&app, &national).await.unwrap();
            times.push(start.elapsed());
            assert!(p.rows.iter().any(|r| r.realised > Decimal::ZERO));
        }
        println!(
            "portefeuille, {REGIONS} regio's met vier jaar uitvoering: mediaan {:?} (doel < 200 ms; runs: {times:?})",
            median(times.clone())
        );
        let mut xlsx = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            let bytes = services::portfolio::xlsx(&p).unwrap();
            xlsx.push(start.elapsed());
            assert!(bytes.len() > 1000);
        }
        println!("portefeuille als Excel-werkmap: mediaan {:?}", median(xlsx));
    });
}
