//! The `sterk` binary as a user runs it: exit codes, messages, and a demo start that is idempotent.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{data_dir, get, serve};

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
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap().count();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{shipped} migraties toegepast")));

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

    // The operator clears a lost second factor; an unknown address is an error.
    let out = sterk(&dir, &["users", "reset-two-factor", "--email", "beheer@sto.example"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stond niet aan"));
    let out = sterk(&dir, &["users", "reset-two-factor", "--email", "niemand@sto.example"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Er is geen gebruiker met e-mailadres niemand@sto.example"));
}

#[test]
fn serving_the_demo_twice_does_not_duplicate_anything() {
    let dir = data_dir("demo");
    for _ in 0..2 {
        let (mut child, addr) = serve(&dir);
        let health = get(&addr, "/healthz");
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        let regions = get(&addr, "/api/v1/regions");
        assert_eq!(regions.matches("\"slug\"").count(), 68, "68 regions, however often started");
        let zf = get(&addr, "/api/v1/regions/zuid-friesland");
        assert_eq!(zf.matches("\"kind\":\"vmbo\"").count(), 7);
        // What the demo writes is dated on its clock (15 September 2026), not the machine's.
        let content = get(&addr, "/api/v1/content?kind=nieuws");
        assert!(content.contains("\"updated_at\":\"2026-09-15T"), "{content}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/hoofdlijnen-voorbeeldregio.json")
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sterk")).args(args).output().expect("run sterk")
}

#[test]
fn check_exits_0_1_or_2_and_reports_every_rule() {
    let ok = run(&["check", example().to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(text.contains("Uitslag: voldoet aan alle blokkerende regels"));
    assert!(text.contains("Cofinanciering bedrijven € 20.000,00 (11,0%)"));

    let json = run(&["check", example().to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 11);

    let dir = data_dir("check");
    std::fs::create_dir_all(&dir).unwrap();
    let late =
        std::fs::read_to_string(example()).unwrap().replace("2024-09-30T14:00:00+02:00", "2024-10-02T09:00:00+02:00");
    let late_file = dir.join("late.json");
    std::fs::write(&late_file, late).unwrap();
    let failed = run(&["check", late_file.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stdout).contains("[FOUT] Ingediend binnen de termijn"));

    let bad = std::fs::read_to_string(example()).unwrap().replacen(
        "\"unit_price_eur\": \"125.00\"",
        "\"unit_price_eur\": \"12,50\"",
        1,
    );
    let bad_file = dir.join("bad.json");
    std::fs::write(&bad_file, bad).unwrap();
    let malformed = run(&["check", bad_file.to_str().unwrap()]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("budget[3].unit_price_eur"));

    assert_eq!(run(&["check", "/bestaat/niet.json"]).status.code(), Some(2));
}

#[test]
fn allocate_computes_the_2020_2023_maxima_as_csv_or_json() {
    let dir = data_dir("allocate");
    std::fs::create_dir_all(&dir).unwrap();
    let pupils = dir.join("pupils.csv");
    std::fs::write(&pupils, "region,bb_kb_pupils,gl_pupils\nTwente,420,130\n").unwrap();
    let csv = run(&["allocate", "--regulation", "sto-2020-2023", "--pupils", pupils.to_str().unwrap()]);
    assert!(csv.status.success());
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "region,bb_kb_pupils,gl_pupils,maximum_2020_2023,transition_2024\nTwente,420,130,7709075.00,1927268.75\n"
    );
    let json = run(&["allocate", "--pupils", pupils.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["total_transition_2024"], "1927268.75");

    std::fs::write(&pupils, "region,bb_kb_pupils,gl_pupils\nTwente,420,veel\n").unwrap();
    let bad = run(&["allocate", "--pupils", pupils.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("rij 2, kolom \"gl_pupils\""));
}

#[test]
fn an_exported_application_imports_back_unchanged() {
    let dir = data_dir("roundtrip");
    let run_in = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sterk"))
            .arg("--data-dir")
            .arg(&dir)
            .args(args)
            .env_remove("STERK_DATABASE_URL")
            .output()
            .unwrap()
    };
    // The demo loads a draft for Zuid-Friesland; start and stop a server to load it.
    let (mut child, _) = serve(&dir);
    child.kill().unwrap();
    child.wait().unwrap();
    let first = dir.join("eerste.json");
    let out = run_in(&[
        "export",
        "application",
        "zuid-friesland",
        "hoofdlijnen",
        "--format",
        "json",
        "-o",
        first.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let imported = run_in(&["import", "application", "zuid-friesland", first.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stdout).contains("nu versie 5"));
    let second = dir.join("tweede.json");
    run_in(&["export", "application", "zuid-friesland", "hoofdlijnen", "-o", second.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&first).unwrap(), std::fs::read_to_string(&second).unwrap());

    let xlsx = dir.join("begroting.xlsx");
    let out = run_in(&[
        "export",
        "application",
        "zuid-friesland",
        "hoofdlijnen",
        "--format",
        "xlsx",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let pdf = dir.join("aanvraag.pdf");
    let out = run_in(&[
        "export",
        "application",
        "zuid-friesland",
        "hoofdlijnen",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    let missing = run_in(&["export", "application", "dordrecht", "hoofdlijnen"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("geen aanvraag gevonden voor regio \"dordrecht\""));
}

#[test]
fn the_final_report_is_exported_as_pdf_and_xlsx_and_a_missing_period_is_refused() {
    let dir = data_dir("report");
    let (mut child, _) = serve(&dir);
    child.kill().unwrap();
    child.wait().unwrap();
    let pdf = dir.join("eind.pdf");
    let out = sterk(
        &dir,
        &["export", "report", "zuid-friesland", "--kind", "final", "--format", "pdf", "-o", pdf.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Eindverantwoording") && text.contains("Zuid-Friesland"), "{text}");
    assert!(text.contains("Vast te stellen subsidie"), "{text}");
    assert!(text.contains("opgesteld op 15 september 2026"), "the demo's clock, not the machine's: {text}");
    let xlsx = dir.join("voortgang.xlsx");
    let out = sterk(
        &dir,
        &[
            "export",
            "report",
            "zuid-friesland",
            "--kind",
            "progress",
            "--period",
            "2025",
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let missing =
        sterk(&dir, &["export", "report", "zuid-friesland", "--kind", "progress", "-o", xlsx.to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("geef --period JAAR"));
    let unknown = sterk(&dir, &["export", "report", "nergens", "--kind", "final", "-o", xlsx.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("er is geen regio \"nergens\""));
}

#[test]
fn duo_exams_import_with_a_summary_and_indicators_come_out_as_json_csv_or_text() {
    let dir = data_dir("duo");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");
    let out = sterk(&dir, &["import", "duo-exams", file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("12.782 regels, 1.236 vestigingen"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("12.782 van 12.782 regels"), "the progress bar ends full");
    let json = sterk(&dir, &["indicators", "--year", "2023-2024", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["scope"], "national");
    let first = &v["indicators"][0];
    for key in ["id", "year", "known", "masked_cells", "low", "high", "value"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    let csv = sterk(&dir, &["indicators", "--format", "csv"]);
    assert!(String::from_utf8_lossy(&csv.stdout).starts_with(
        "scope,indicator,school_year,known_count,masked_cells,lowest_possible,highest_possible,value_on_known_numbers\n"
    ));
    let bad = dir.join("komma.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let refused = sterk(&dir, &["import", "duo-exams", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("regel 1: geen DUO-bestand"));
}

#[test]
fn duo_pupils_take_the_school_year_from_the_file_name_and_a_bad_file_exits_non_zero() {
    let dir = data_dir("duo-pupils");
    std::fs::create_dir_all(&dir).unwrap();
    let header = "BRIN NUMMER;VESTIGINGSNUMMER;ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 3 - MAN;LEER- OF VERBLIJFSJAAR 3 - VROUW;LEER- OF VERBLIJFSJAAR 4 - MAN;LEER- OF VERBLIJFSJAAR 4 - VROUW\n";
    let file = dir.join("01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv");
    std::fs::write(&file, format!("{header}05AC;00;VMBO KL lj 3-4;VMBO KB Mobiliteit en transport;20;<5;18;2\n"))
        .unwrap();
    let out = sterk(&dir, &["import", "duo-pupils", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 regels, 1 vestigingen, schooljaren 2023-2024, 1 gemaskeerde")
    );
    let text = sterk(&dir, &["indicators", "--scope", "location:05AC00", "--format", "text"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Leerlingen leerjaar 3 en 4, profiel Mobiliteit en transport"), "{text}");
    let unnamed = dir.join("leerlingen.csv");
    std::fs::write(&unnamed, format!("{header}05AC;00;VMBO KL lj 3-4;VMBO;20;1;18;2\n")).unwrap();
    let refused = sterk(&dir, &["import", "duo-pupils", unnamed.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("geef het schooljaar op (--school-year 2023-2024)"));
    let given = sterk(&dir, &["import", "duo-pupils", unnamed.to_str().unwrap(), "--school-year", "2024-2025"]);
    assert!(given.status.success(), "{}", String::from_utf8_lossy(&given.stderr));
}

#[test]
fn a_stop_signal_ends_the_server_cleanly_with_exit_0() {
    let dir = data_dir("stop");
    let (mut child, addr) = serve(&dir);
    assert!(get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    assert!(std::net::TcpStream::connect(&addr).is_err(), "no longer listening");
}
