//! Crash safety with the real binary: `kill -9` while a 100,000-line hours import writes, while a
//! DUO import writes, during application submissions and during a backup. Afterwards nothing is
//! half written (every table's count and hash, from a backup's manifest, equals the state before,
//! or for submissions each frozen version has its audit entry) and the server starts. On SQLite,
//! or on PostgreSQL in the test command's PostgreSQL run.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Stopped, data_dir, fresh_postgres, get, request, serve_with, sign_in};

/// One test's database: a SQLite file in its data folder, or a fresh PostgreSQL database.
struct Target {
    dir: PathBuf,
    url: Option<String>,
}

impl Target {
    /// A database with the demo loaded (a server started once and stopped).
    fn with_demo(name: &str, env: &[(&str, &str)]) -> Target {
        let target = Target { dir: data_dir(name), url: fresh_postgres(name) };
        std::fs::create_dir_all(&target.dir).unwrap();
        let (child, addr) = serve_with(&target.dir, &target.env_with(env));
        assert!(get(&addr, "/regios").starts_with("HTTP/1.1 200"));
        drop(Stopped(child));
        target
    }

    fn env_with<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut env: Vec<(&str, &str)> = self.url.iter().map(|u| ("STERK_DATABASE_URL", u.as_str())).collect();
        env.extend_from_slice(extra);
        env
    }

    fn sterk(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sterk"));
        command.arg("--data-dir").arg(&self.dir).args(args).env_remove("STERK_DATABASE_URL");
        command.envs(self.env_with(&[]));
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = self.sterk(args).output().expect("run sterk");
        assert!(out.status.success(), "sterk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    /// One value from the database, by its own command-line client.
    fn sql(&self, query: &str) -> String {
        let out = match &self.url {
            Some(url) => Command::new("psql").arg(url).args(["-Atc", query]).output(),
            None => Command::new("sqlite3").arg(self.dir.join("sterk.db")).arg(query).output(),
        }
        .expect("the database's client (psql or sqlite3)");
        assert!(out.status.success(), "{query}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Whether another connection is inside a write transaction: on SQLite it holds the write lock
    /// (taking it without waiting fails), on PostgreSQL a session holds a transaction id.
    fn writing(&self) -> bool {
        match &self.url {
            Some(_) => {
                self.sql(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                ) != "0"
            }
            None => !Command::new("sqlite3")
                .args(["-cmd", ".timeout 0"])
                .arg(self.dir.join("sterk.db"))
                .arg("BEGIN IMMEDIATE; ROLLBACK;")
                .output()
                .expect("sqlite3")
                .status
                .success(),
        }
    }

    /// Every table's count and hash, from the manifest of a backup made now.
    fn state(&self) -> serde_json::Value {
        let file = self.dir.join("state.zip");
        self.run(&["backup", file.to_str().unwrap()]);
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
        let mut text = String::new();
        archive.by_name("manifest.json").unwrap().read_to_string(&mut text).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        manifest["tables"].clone()
    }

    /// The server starts on the database and serves.
    fn serves(&self) {
        let (child, addr) = serve_with(&self.dir, &self.env_with(&[]));
        let _server = Stopped(child);
        assert!(get(&addr, "/regios").starts_with("HTTP/1.1 200"), "the server starts after the crash");
    }
}

/// Waits until `child` writes (`writing`), lets it write a moment longer and kills it with SIGKILL. Fails when the command ends before it was caught writing.
fn kill_while_writing(mut child: Child, writing: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !writing() {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("ended ({status}) before it was caught writing: {err}");
        }
        assert!(Instant::now() < deadline, "never started writing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "still writing when killed");
    child.kill().unwrap();
    child.wait().unwrap();
}

fn hours_file(dir: &Path) -> PathBuf {
    let mut text = String::from("Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief;Extern\n");
    let first = jiff::civil::date(2025, 1, 6);
    for i in 0..99_999 {
        let day = first.checked_add(jiff::Span::new().days(i % 300)).unwrap();
        text.push_str(&format!("{day};Medewerker {};05AC00;a1;1;50;nee\n", i % 500));
    }
    let file = dir.join("uren.csv");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_hours_import_killed_while_it_writes_leaves_nothing_and_a_whole_one_stores_every_line() {
    let target = Target::with_demo("crash-hours", &[]);
    let file = hours_file(&target.dir);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 100_000);
    let before = target.state();
    let records = || target.sql("SELECT COUNT(*) FROM execution_records").parse::<u64>().unwrap();
    let stored = records();

    let child = target.sterk(&["import", "hours", "zuid-friesland", file.to_str().unwrap()]).spawn().unwrap();
    kill_while_writing(child, || target.writing());
    assert_eq!(target.state(), before, "every table as before the import");
    target.serves();

    let out = target.run(&["import", "hours", "zuid-friesland", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("99.999 regels"));
    assert_eq!(records(), stored + 99_999);
}

#[test]
fn a_duo_import_or_a_backup_killed_midway_changes_nothing() {
    let target = Target::with_demo("crash-duo", &[]);
    let before = target.state();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");
    let child = target.sterk(&["import", "duo-exams", file]).spawn().unwrap();
    kill_while_writing(child, || target.writing());
    assert_eq!(target.state(), before, "the exam years as before the import");

    // A backup killed while it writes its archive leaves no file that looks like a backup.
    let archive = target.dir.join("backup.zip");
    let child = target.sterk(&["backup", archive.to_str().unwrap()]).spawn().unwrap();
    let partial = target.dir.join(format!("backup.zip.{}.partial", child.id()));
    kill_while_writing(child, || partial.exists());
    assert!(!archive.exists(), "no archive under the backup's name");
    let out = target.run(&["backup", archive.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Back-up geschreven"));
    assert!(archive.exists(), "the next backup completes");
    assert_eq!(target.state(), before);
    target.serves();
}

/// The head of a submission of the application at `path` on its current version, signed in as the
/// region manager with the session's CSRF token.
fn submit_head(addr: &str, path: &str) -> String {
    // The lead applicant's signatory submits.
    let cookie = format!("Cookie: sterk_sessie={}\r\n", common::sign_in_as(addr, "penvoerder@sterk.example"));
    let (head, _) = request(addr, &format!("GET {path} HTTP/1.1\r\n{cookie}"), b"");
    let etag = head.lines().find_map(|l| l.strip_prefix("etag: ")).expect("an ETag").to_owned();
    let (_, page) = request(addr, &format!("GET /beheer HTTP/1.1\r\n{cookie}"), b"");
    format!("POST {path}/submit HTTP/1.1\r\n{cookie}X-CSRF-Token: {}\r\nIf-Match: {etag}\r\n", common::csrf(&page))
}

#[test]
fn submissions_cut_off_by_a_kill_are_whole_or_absent() {
    // The demo's plan on broad lines can be submitted on 30 September 2024.
    let clock = [("STERK_CLOCK", "2024-09-30T12:00:00+02:00")];
    let target = Target::with_demo("crash-submit", &clock);
    let path = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    for delay_ms in [0, 1, 2, 4, 8, 16, 32] {
        let (mut child, addr) = serve_with(&target.dir, &target.env_with(&clock));
        let head = submit_head(&addr, path);
        // Connected before the kill, so the request reaches the server however short the delay;
        // the answer may never come.
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        std::thread::scope(|s| {
            s.spawn(move || {
                let sent = write!(stream, "{head}Host: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = sent.and_then(|()| stream.read_to_end(&mut Vec::new()));
            });
            std::thread::sleep(Duration::from_millis(delay_ms));
            child.kill().unwrap();
        });
        child.wait().unwrap();
        let versions = target.sql("SELECT COUNT(*) FROM application_versions");
        let audited = target.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'application.submit'");
        assert_eq!(
            versions, audited,
            "after a kill {delay_ms} ms into a submission: each version with its audit entry"
        );
    }
    // The server starts, and a submission that is not cut off is stored whole.
    let before: u64 = target.sql("SELECT COUNT(*) FROM application_versions").parse().unwrap();
    let (child, addr) = serve_with(&target.dir, &target.env_with(&clock));
    let _server = Stopped(child);
    let (head, body) = request(&addr, &submit_head(&addr, path), b"");
    assert!(head.starts_with("HTTP/1.1 201"), "{head}{}", String::from_utf8_lossy(&body));
    let after: u64 = target.sql("SELECT COUNT(*) FROM application_versions").parse().unwrap();
    assert_eq!(after, before + 1);
}

#[test]
fn a_stop_signal_lets_a_running_import_finish_then_exits_0() {
    let target = Target::with_demo("stop-import", &[]);
    let file = std::fs::read(hours_file(&target.dir)).unwrap();
    let records = || target.sql("SELECT COUNT(*) FROM execution_records").parse::<u64>().unwrap();
    let stored = records();
    let (mut child, addr) = serve_with(&target.dir, &target.env_with(&[]));
    let session = sign_in(&addr);
    let cookie = format!("Cookie: sterk_sessie={session}\r\n");
    let (_, page) = request(&addr, &format!("GET /regio/zuid-friesland/uitvoering/uren HTTP/1.1\r\n{cookie}"), b"");
    let boundary = "sterkgrens";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"uren.csv\"\r\nContent-Type: text/csv\r\n\r\n",
        common::csrf(&page)
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let head = format!(
        "POST /regio/zuid-friesland/uitvoering/uren/import HTTP/1.1\r\n{cookie}\
         Content-Type: multipart/form-data; boundary={boundary}\r\n"
    );
    let answer = std::thread::scope(|s| {
        let upload = s.spawn(|| request(&addr, &head, &body).0);
        let deadline = Instant::now() + Duration::from_secs(120);
        while !target.writing() {
            assert!(Instant::now() < deadline && !upload.is_finished(), "the import was not caught writing");
            std::thread::sleep(Duration::from_millis(20));
        }
        let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(term.success());
        upload.join().unwrap()
    });
    assert!(answer.starts_with("HTTP/1.1 303"), "the running import finished: {answer}");
    let status = child.wait().unwrap();
    assert!(status.success(), "exit 0 after the stop signal: {status}");
    assert_eq!(records(), stored + 99_999, "every line of the import stored");
}
