//! `cargo bench -p services --bench monitoring`: importing the real DUO exam file (target under
//! 1 s), a pupils file of the same size made from it, and every indicator (exams and pupils) for
//! every region and school year (target under 200 ms), on SQLite.

mod common;

use std::time::Instant;

use common::median;
use domain::Actor;
use services::App;
use store::Db;

const FILE: &[u8] = include_bytes!("../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = App::new(Db::fresh_for_test().await.unwrap());
        services::demo::load(&app).await.unwrap();
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            import::duo::exams(&import::duo::decode(FILE), |_| {}).unwrap();
            times.push(start.elapsed());
        }
        println!("waarvan lezen (zonder opslaan): mediaan {:?}", median(times));
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            services::monitoring::import_exams(&app, &Actor::system(), FILE, |_| {}).await.unwrap();
            times.push(start.elapsed());
        }
        println!(
            "import DUO-examenbestand (12.782 regels, 5 schooljaren): mediaan {:?} (runs: {times:?})",
            median(times.clone())
        );
        let pupils = services::demo::pupils_file(FILE);
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            services::monitoring::import_pupils(&app, &Actor::system(), pupils.as_bytes(), None, |_| {}).await.unwrap();
            times.push(start.elapsed());
        }
        println!(
            "import leerlingenbestand ({} regels): mediaan {:?}",
            pupils.lines().count() - 1,
            median(times.clone())
        );
        let start = Instant::now();
        services::monitoring::computed(&app).await.unwrap();
        println!("alle indicatoren, eerste keer na een import (rijen uit de database): {:?}", start.elapsed());
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..11 {
            let start = Instant::now();
            let all = services::monitoring::computed(&app).await.unwrap();
            times.push(start.elapsed());
            count = all.per_region.iter().map(|(_, v)| v.len()).sum::<usize>();
        }
        println!(
            "alle indicatoren voor alle regio's en schooljaren ({count} waarden), daarna (bewaard tot de gegevens wijzigen): mediaan {:?}",
            median(times)
        );
    });
}
