//! `cargo bench -p docs`: the XLSX workbook and the PDF of an application of 200 activities
//! and 5,000 budget lines.

use std::time::{Duration, Instant};

use docs::pdf::{VersionLabel, application_pdf};
use docs::xlsx::write_budget;
use domain::regulation::{Regulation, sample};

fn time(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[0])
}

fn main() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    let app = sample::large_application(200, 5_000);
    let (median, min) = time(10, || {
        std::hint::black_box(write_budget(&reg, &app).unwrap());
    });
    println!(
        "xlsx: 200 activities, 5,000 lines: median {:.0} ms, min {:.0} ms",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
    let version = VersionLabel { label: "Versie 1".into(), sha256: "0".repeat(64) };
    let pdf = application_pdf(&reg, &app, &version).unwrap();
    let (median, min) = time(5, || {
        std::hint::black_box(application_pdf(&reg, &app, &version).unwrap());
    });
    println!(
        "pdf: 200 activities, 5,000 lines ({} KiB): median {:.0} ms, min {:.0} ms",
        pdf.len() / 1024,
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}
