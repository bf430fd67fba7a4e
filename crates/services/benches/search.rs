//! `cargo bench -p services --bench search`: one search over 10,000 published knowledge-base
//! items plus the demo's regions and schools (target p99 under 20 ms), on SQLite; and how long
//! building the index takes after a change.

mod common;

use std::time::{Duration, Instant};

use common::median;
use domain::content::{Details, Draft, Status};
use services::App;
use store::Db;

const WORDS: [&str; 24] = [
    "techniek",
    "regio",
    "leerlingen",
    "samenwerking",
    "mbo",
    "bedrijven",
    "installatie",
    "duurzaam",
    "meisjes",
    "docenten",
    "begroting",
    "subsidie",
    "webinar",
    "werkplaats",
    "robotica",
    "energie",
    "keuzevak",
    "profiel",
    "bouw",
    "zorg",
    "voortgang",
    "verantwoording",
    "borging",
    "techlab",
];

fn text(i: usize, n: usize) -> String {
    (0..n).map(|k| WORDS[(i * 7 + k * 13) % WORDS.len()]).collect::<Vec<_>>().join(" ")
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = App::new(Db::fresh_for_test().await.unwrap());
        services::demo::load(&app).await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        for i in 0..10_000 {
            let draft = Draft {
                title: format!("Bericht {i}: {}", text(i, 4)),
                summary: text(i + 1, 20),
                body: text(i + 2, 120),
                details: Details::Nieuws,
                status: Status::Gepubliceerd,
                publish_on: None,
            };
            store::content::insert(&mut tx, None, &draft, None).await.unwrap();
        }
        tx.commit().await.unwrap();
        let start = Instant::now();
        let hits = services::search::search(&app, "techniek", 20).await.unwrap();
        println!("index opbouwen (10.000 items + regio's en scholen) en eerste zoekvraag: {:?}", start.elapsed());
        assert_eq!(hits.len(), 20);
        let queries: Vec<String> = (0..500)
            .map(|i| match i % 3 {
                0 => WORDS[i % WORDS.len()].to_owned(),
                1 => format!("{} {}", WORDS[i % WORDS.len()], WORDS[(i / 3) % WORDS.len()]),
                _ => "Zuid-Friesland".to_owned(),
            })
            .collect();
        let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
        for q in &queries {
            let start = Instant::now();
            services::search::search(&app, q, 20).await.unwrap();
            times.push(start.elapsed());
        }
        times.sort();
        let p99 = times[times.len() * 99 / 100];
        println!(
            "zoeken, 500 zoekvragen: mediaan {:?}, p99 {p99:?}, langste {:?}",
            median(times.clone()),
            times[times.len() - 1]
        );
    });
}
