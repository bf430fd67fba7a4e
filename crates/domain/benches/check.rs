//! `cargo bench -p domain`: checking an application of 1,000 activities and 20,000 budget lines.

use std::hint::black_box;
use std::time::{Duration, Instant};

use domain::regulation::Regulation;
use domain::regulation::{check, sample};

fn main() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let mut app = sample::large_application(1000, 20_000);
    app.region.name = "Grootregio".into();
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
