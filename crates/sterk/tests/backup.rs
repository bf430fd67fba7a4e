//! `sterk backup` while the demo on SQLite serves and takes writes, `sterk restore` into an empty
//! database of the test run's kind (PostgreSQL in the PostgreSQL run), and a second server on the
//! restored database: the API answers the same, the stored file is the same byte for byte, and the
//! hours written during the backup are there up to one moment (a prefix), none after it.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Stopped, add_invoice, api_token, data_dir, fresh_postgres, options, request, serve_with, sign_in};

fn sterk(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sterk"));
    command.arg("--data-dir").arg(dir).args(args).env_remove("STERK_DATABASE_URL");
    if let Some(url) = database_url {
        command.env("STERK_DATABASE_URL", url);
    }
    command.output().expect("run sterk")
}

/// One number from a database by its own client: the SQLite file in `dir`, or PostgreSQL at `url`.
fn count(dir: &Path, url: Option<&str>, query: &str) -> usize {
    let out = match url {
        Some(url) => Command::new("psql").arg(url).args(["-Atc", query]).output(),
        None => Command::new("sqlite3").arg(dir.join("sterk.db")).arg(query).output(),
    }
    .expect("psql or sqlite3");
    assert!(out.status.success(), "{query}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn api(addr: &str, token: &str, path: &str) -> (String, Vec<u8>) {
    let (head, body) = request(addr, &format!("GET {path} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n"), b"");
    (head.lines().next().unwrap_or_default().to_owned(), body)
}

/// The numbers of the load's hours ("Last 17" → 17) a server holds.
fn load_numbers(addr: &str, token: &str) -> Vec<usize> {
    let (status, body) = api(addr, token, "/api/v1/regions/zuid-friesland/hours");
    assert!(status.contains("200"), "{status}");
    let list: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut numbers: Vec<usize> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["record"]["person"].as_str()?.strip_prefix("Last ")?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers
}

#[test]
fn a_backup_made_during_writes_restores_into_an_empty_database_with_the_same_answers_and_files() {
    let source_dir = data_dir("backup-source");
    let (child, source) = serve_with(&source_dir, &[]);
    let _source = Stopped(child);
    let session = sign_in(&source);
    let token = api_token(&source, &session);
    let pdf = b"%PDF-1.4 een factuur die de back-up meeneemt en het terugzetten overleeft";
    let document = add_invoice(&source, &session, pdf);
    let (_, hours_page) = request(
        &source,
        &format!("GET /regio/zuid-friesland/uitvoering/uren HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"),
        b"",
    );
    let organisation = options(&String::from_utf8_lossy(&hours_page), "organisation").into_iter().next().unwrap();

    // Hours are written one by one, each its own transaction, all through the backup.
    let (stop, written) = (AtomicBool::new(false), AtomicUsize::new(0));
    let file = source_dir.with_extension("zip");
    let backup = std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed) + 1;
                let entry = serde_json::json!({ "person": format!("Last {n}"), "organisation": organisation,
                    "activity": "a1", "date": "2026-09-01", "hours": "1", "rate_eur": "50", "external": false });
                let head = format!(
                    "POST /api/v1/regions/zuid-friesland/hours HTTP/1.1\r\nAuthorization: Bearer {token}\r\n\
                     Content-Type: application/json\r\n"
                );
                let (head, body) = request(&source, &head, entry.to_string().as_bytes());
                assert!(head.starts_with("HTTP/1.1 201"), "write {n}: {head}{}", String::from_utf8_lossy(&body));
                written.store(n, Ordering::Relaxed);
            }
        });
        let wait_for = |n: usize| {
            let deadline = Instant::now() + Duration::from_secs(60);
            while written.load(Ordering::Relaxed) < n {
                assert!(Instant::now() < deadline, "the write load stalled");
                std::thread::sleep(Duration::from_millis(10));
            }
        };
        wait_for(5);
        let out = sterk(&source_dir, None, &["backup", file.to_str().unwrap()]);
        let after = written.load(Ordering::Relaxed);
        wait_for(after + 5);
        stop.store(true, Ordering::Relaxed);
        out
    });
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("Back-up geschreven naar") && said.contains("4 bestanden"), "{said}");
    assert!(!file.with_extension("zip.partial").exists(), "no partial archive is left");

    // Restore into an empty database of this run's kind; a second restore is refused.
    let target_dir = data_dir("backup-target");
    let target_url = fresh_postgres("backup");
    let restore = sterk(&target_dir, target_url.as_deref(), &["restore", file.to_str().unwrap()]);
    assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
    assert!(String::from_utf8_lossy(&restore.stdout).contains("gecontroleerd tegen het manifest"));
    let again = sterk(&target_dir, target_url.as_deref(), &["restore", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("de database is niet leeg"));

    let env: Vec<(&str, &str)> = target_url.iter().map(|u| ("STERK_DATABASE_URL", u.as_str())).collect();
    let (child, target) = serve_with(&target_dir, &env);
    let _target = Stopped(child);

    // The same answers from the API (the token and the session were restored with the rest).
    let phases = ["vooraanmelding", "hoofdlijnen", "uitwerking-2025-2026", "uitwerking-2027-2028"];
    let mut paths: Vec<String> = [
        "/api/v1/regions",
        "/api/v1/regions/zuid-friesland",
        "/api/v1/schools",
        "/api/v1/indicators",
        "/api/v1/content",
        "/api/v1/regions/zuid-friesland/school-plans",
        "/api/v1/regions/zuid-friesland/milestones",
        "/api/v1/regions/zuid-friesland/costs",
        "/api/v1/regions/zuid-friesland/assets",
        "/api/v1/regions/zuid-friesland/contributions",
    ]
    .map(String::from)
    .into();
    paths.extend(phases.map(|p| format!("/api/v1/regions/zuid-friesland/applications/{p}")));
    for path in &paths {
        let (a, b) = (api(&source, &token, path), api(&target, &token, path));
        assert_eq!(a.0, b.0, "{path}: the same status");
        assert!(
            a.1 == b.1,
            "{path}: the same answer\n{}\n{}",
            String::from_utf8_lossy(&a.1),
            String::from_utf8_lossy(&b.1)
        );
    }
    let (head, bytes) =
        request(&target, &format!("GET {document} HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"), b"");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(bytes, pdf, "the stored file, byte for byte");

    // The hours of one moment: 1..k with k at least the writes before the backup started and
    // fewer than all writes (the last five came after it ended).
    let all = load_numbers(&source, &token);
    let restored = load_numbers(&target, &token);
    let k = restored.len();
    assert_eq!(restored, (1..=k).collect::<Vec<_>>(), "a prefix of the writes, without gaps");
    assert!(k >= 5 && k + 5 <= all.len(), "{k} of {} writes restored", all.len());
    // One moment across tables too: each write's audit entry (read early in the backup, the
    // records late) is there exactly for the writes restored.
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'execution.record'";
    let source_audited = count(&source_dir, None, audited);
    let restored_audited = count(&target_dir, target_url.as_deref(), audited);
    assert_eq!(source_audited - all.len(), restored_audited - k, "the audit log and the records of the same moment");
}
