//! The `sterk` binary as a user runs it: exit codes, messages, and a demo start that is idempotent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sterk-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn sterk(dir: &PathBuf, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sterk"));
    // The CLI tests use their own SQLite files; PostgreSQL is covered by the router tests.
    cmd.arg("--data-dir").arg(dir).args(args).env_remove("STERK_DATABASE_URL");
    cmd.output().expect("run sterk")
}

#[test]
fn migrate_then_add_users_from_the_cli() {
    let dir = data_dir("users");
    let out = sterk(&dir, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 migraties toegepast"));

    let out = sterk(&dir, &["users", "add", "--email", "beheer@sto.example", "--role", "national_admin"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Wachtwoord: "), "a generated password is printed: {stdout}");

    let out = sterk(
        &dir,
        &["users", "add", "--email", "pm@sto.example", "--role", "region_manager", "--region", "bestaat-niet"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Er is geen regio met webadres \"bestaat-niet\""));

    let out = sterk(&dir, &["users", "add", "--email", "pm@sto.example", "--role", "koning"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Kies een rol."));
}

/// Starts `sterk serve` on a free port; returns the process and its address.
fn serve(dir: &PathBuf) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sterk"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env_remove("STERK_DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sterk");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("Sterk draait op http://") {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            assert!(printed.contains("beheerder@sterk.example"), "demo accounts are printed: {printed}");
            return (child, addr);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("sterk did not start: {printed}");
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serving_the_demo_twice_does_not_duplicate_anything() {
    let dir = data_dir("demo");
    for _ in 0..2 {
        let (mut child, addr) = serve(&dir);
        let health = get(&addr, "/healthz");
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        let regions = get(&addr, "/api/v1/regions");
        assert_eq!(regions.matches("\"slug\"").count(), 50, "50 regions, however often started");
        let zf = get(&addr, "/api/v1/regions/zuid-friesland");
        assert_eq!(zf.matches("\"kind\":\"vmbo\"").count(), 7);
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
