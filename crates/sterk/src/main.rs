//! `sterk`: the one binary of Sterk Techniekonderwijs.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use domain::Actor;
use services::regulations::Regulations;
use services::{App, ServiceError};
use store::Db;

mod backup;
mod cli;
mod imports;
mod serve;

use cli::*;
use imports::{import_duo, year_in_file_name};
use serve::{configure_mail, parse_clock, serve};

/// glibc gives threads that allocate arenas of their own (up to eight per core): under load that
/// is memory held, not used. Two serve the two tokio workers and the blocking pool as fast
/// (bench/public.sh on 2 cores: RSS after the load 171 MiB → 140 MiB, the same req/s). An
/// operator's `MALLOC_ARENA_MAX` wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: sets one allocator parameter, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    // A backup reads whole tables on purpose: sqlx's warnings about slow statements are noise there.
    let quiet = matches!(cli.command, Command::Backup { .. } | Command::Restore { .. });
    let default_filter = if quiet { "info,sqlx=error" } else { "info,sqlx=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into());
    // STERK_LOG_FORMAT=json: one JSON object per line, with the request's span (its id) in each.
    if std::env::var("STERK_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        // Colours only for a person at a terminal: a log file or journal gets plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        tracing_subscriber::fmt().with_ansi(ansi).with_env_filter(filter).init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fout: {e}");
            return ExitCode::FAILURE;
        }
    };
    match &cli.command {
        Command::Check { file, format } => return check(&cli, &runtime, file, *format),
        Command::Allocate { regulation, pupils, format } => return allocate(&cli, regulation, pupils, *format),
        _ => {}
    }
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn regulations(cli: &Cli) -> anyhow::Result<Regulations> {
    Ok(Regulations::load(cli.regulations_dir.as_deref())?)
}

/// The regulations with the region maximum tables of the database, when there is one (a URL is
/// given or the data folder holds one): a check reads the table the national team keeps; else
/// the file's own `region.maximum_eur` counts.
fn regulations_for_check(cli: &Cli, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Regulations> {
    let regs = regulations(cli)?;
    let url_given = cli.database_url.as_deref().is_some_and(|u| !u.trim().is_empty());
    if !url_given && !cli.data_dir.join("sterk.db").exists() {
        return Ok(regs);
    }
    runtime.block_on(async {
        let (db, _) = open(cli).await?;
        Ok(services::maximums::all_in_force(&App::with_regulations(db, regs)).await?)
    })
}

/// Exit 2 for anything that keeps the file from being checked: unreadable, malformed, unknown regulation.
fn check(cli: &Cli, runtime: &tokio::runtime::Runtime, file: &PathBuf, format: CheckFormat) -> ExitCode {
    let malformed = |message: String| {
        eprintln!("fout: {message}");
        ExitCode::from(2)
    };
    let regs = match regulations_for_check(cli, runtime) {
        Ok(r) => r,
        Err(e) => return malformed(format!("{e:#}")),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return malformed(format!("kan {} niet lezen: {e}", file.display())),
    };
    let (report, reg) = match regs.check_json(&text) {
        Ok(r) => r,
        Err(e) => return malformed(format!("{}: {e}", file.display())),
    };
    match format {
        CheckFormat::Text => print!("{}", domain::regulation::check::render_text(&report, reg)),
        CheckFormat::Json => println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises")),
    }
    if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn allocate(cli: &Cli, regulation: &str, pupils: &PathBuf, format: AllocateFormat) -> ExitCode {
    let outcome = regulations(cli).and_then(|regs| {
        let text = std::fs::read_to_string(pupils).with_context(|| format!("kan {} niet lezen", pupils.display()))?;
        regs.allocate_csv(regulation, &text).with_context(|| pupils.display().to_string())
    });
    match outcome {
        Ok(report) => {
            match format {
                AllocateFormat::Csv => print!("{}", domain::regulation::allocate::to_csv(&report)),
                AllocateFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises"))
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The database named on the command line (SQLite in the data folder by default), migrated.
async fn open(cli: &Cli) -> anyhow::Result<(Db, usize)> {
    let db = connect(cli).await?;
    let applied = db.migrate().await.context("migraties mislukt")?;
    Ok((db, applied))
}

/// Sterk on the database named on the command line, migrated, on the demo's clock where the
/// database is a demo's (so a document made here is dated as the demo's server dates it).
async fn open_app(cli: &Cli) -> anyhow::Result<App> {
    let (db, _) = open(cli).await?;
    let mut app = App::with_regulations(db, regulations(cli)?);
    if let Some(at) = services::demo::resume_clock(&mut app).await? {
        eprintln!("Demodatabase: gedateerd op de klok van de demo, {}.", domain::fmt::instant_nl(at));
    }
    Ok(app)
}

/// The database named on the command line, as it is (a backup and a restore do not migrate first).
async fn connect(cli: &Cli) -> anyhow::Result<Db> {
    let url = match cli.database_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => url.to_owned(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("kan de datamap {} niet aanmaken", cli.data_dir.display()))?;
            format!("sqlite://{}", cli.data_dir.join("sterk.db").display())
        }
    };
    Db::connect(&url).await.with_context(|| format!("kan geen verbinding maken met de database ({})", redact(&url)))
}

/// The URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            format!("{}://…@{}", url.get(..s).unwrap_or_default(), url.get(at + 1..).unwrap_or_default())
        }
        _ => url.to_owned(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Migrate => {
            let (db, applied) = open(&cli).await?;
            println!("Database ({}) bijgewerkt: {applied} migraties toegepast.", db.kind.name());
            Ok(())
        }
        Command::Users { command: UsersCommand::ResetTwoFactor { email } } => {
            let (db, _) = open(&cli).await?;
            let app = App::new(db);
            match services::two_factor::reset(&app, &domain::Actor::system(), email).await {
                Ok(was_on) => {
                    let before = if was_on { "stond aan en is gewist" } else { "stond niet aan" };
                    println!("Inloggen in twee stappen van {email} {before}; de gebruiker is overal afgemeld.");
                    Ok(())
                }
                Err(ServiceError::NotFound) => anyhow::bail!("Er is geen gebruiker met e-mailadres {email}."),
                Err(e) => Err(e.into()),
            }
        }
        Command::Users { command: UsersCommand::Add { email, role, region, organisation, name, password } } => {
            let (db, _) = open(&cli).await?;
            let app = App::new(db);
            match services::users::add_from_cli(&app, email, name, (role, region, organisation), password.as_deref())
                .await
            {
                Ok(generated) => {
                    println!(
                        "Gebruiker {email} heeft nu de rol {role}{}.",
                        if region.is_empty() { String::new() } else { format!(" in {region}") }
                    );
                    if let Some(pw) = generated {
                        println!("Wachtwoord: {pw}");
                    }
                    Ok(())
                }
                Err(ServiceError::Invalid(errors)) => anyhow::bail!("{errors}"),
                Err(e) => Err(e.into()),
            }
        }
        Command::Serve { .. } => serve(&cli).await,
        Command::Check { .. } | Command::Allocate { .. } => unreachable!("handled without a runtime"),
        Command::Reminders { clock } => {
            let (db, _) = open(&cli).await?;
            let mut app = App::with_regulations(db, regulations(&cli)?);
            configure_mail(&mut app, "http://127.0.0.1:8080")?;
            app.clock = clock.as_deref().map(parse_clock).transpose()?;
            let days = services::reminders::days_from_env().map_err(anyhow::Error::msg)?;
            let queued = services::reminders::send_due(&app, &days).await?;
            println!("{queued} nieuwe herinnering(en) op {}.", domain::fmt::instant_nl(app.now()));
            Ok(())
        }
        Command::Export { command: ExportCommand::Application { slug, phase, format, output } } => {
            let app = open_app(&cli).await?;
            let as_format = match format {
                ExportFormat::Json => services::documents::Format::Json,
                ExportFormat::Xlsx => services::documents::Format::Xlsx,
                ExportFormat::Pdf => services::documents::Format::Pdf,
            };
            let (_, version) = services::applications::get(&app, &Actor::system(), slug, phase)
                .await
                .map_err(|e| anyhow::anyhow!(dutch(e, slug, phase)))?;
            let bytes = services::documents::application(&app, &Actor::system(), (slug, phase), 0, as_format)
                .await
                .map_err(|e| anyhow::anyhow!(dutch(e, slug, phase)))?
                .bytes;
            match output {
                Some(path) => {
                    std::fs::write(path, bytes).with_context(|| format!("kan {} niet schrijven", path.display()))?;
                    eprintln!("Aanvraag {slug} {phase} (versie {version}) geschreven naar {}.", path.display());
                }
                None if matches!(format, ExportFormat::Json) => print!("{}", String::from_utf8_lossy(&bytes)),
                None => anyhow::bail!("een Excel- of PDF-bestand gaat naar een bestand: geef -o BESTAND"),
            }
            Ok(())
        }
        Command::Export { command: ExportCommand::Report { slug, kind, period, format, output } } => {
            let app = open_app(&cli).await?;
            let kind = match (kind, period) {
                (ReportKindArg::Final, _) => docs::report::ReportKind::Final,
                (ReportKindArg::Progress, Some(year)) => docs::report::ReportKind::Progress(*year),
                (ReportKindArg::Progress, None) => {
                    anyhow::bail!("een voortgangsrapportage gaat over één jaar: geef --period JAAR")
                }
            };
            let format = match format {
                ReportFormatArg::Pdf => services::execution::ReportFormat::Pdf,
                ReportFormatArg::Xlsx => services::execution::ReportFormat::Xlsx,
            };
            let (_, bytes) =
                services::execution::report(&app, &Actor::system(), slug, kind, format).await.map_err(|e| match e {
                    ServiceError::NotFound => anyhow::anyhow!("er is geen regio \"{slug}\""),
                    e => anyhow::anyhow!(dutch(e, slug, "")),
                })?;
            std::fs::write(output, bytes).with_context(|| format!("kan {} niet schrijven", output.display()))?;
            eprintln!("{} van {slug} geschreven naar {}.", kind.title(), output.display());
            Ok(())
        }
        Command::Export { command: ExportCommand::Decision { slug, phase, output } } => {
            let app = open_app(&cli).await?;
            let (_, pdf) = services::assessments::decisions::letter(&app, &Actor::system(), slug, phase)
                .await
                .map_err(|e| match e {
                    ServiceError::NotFound => {
                        anyhow::anyhow!("er is geen besluit op de aanvraag {phase} van \"{slug}\"")
                    }
                    e => anyhow::anyhow!(dutch(e, slug, phase)),
                })?;
            std::fs::write(output, pdf).with_context(|| format!("kan {} niet schrijven", output.display()))?;
            eprintln!("Besluitbrief {slug} {phase} geschreven naar {}.", output.display());
            Ok(())
        }
        Command::Import { command: ImportCommand::DuoExams { file } } => import_duo(&cli, file, None).await,
        Command::Import { command: ImportCommand::Hours { slug, file } } => {
            imports::import_hours(&cli, slug, file).await
        }
        Command::Backup { file } => backup::write(&connect(&cli).await?, file).await,
        Command::Restore { file } => backup::restore(&connect(&cli).await?, file).await,
        Command::Import { command: ImportCommand::DuoPupils { file, school_year } } => {
            let year = school_year.clone().or_else(|| year_in_file_name(file));
            import_duo(&cli, file, Some(year)).await
        }
        Command::Import { command: ImportCommand::DuoLocations { file } } => {
            let (db, _) = open(&cli).await?;
            let app = App::with_regulations(db, regulations(&cli)?);
            let bytes = std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
            let s =
                services::monitoring::import_locations(&app, &Actor::system(), &bytes).await.map_err(|e| match e {
                    ServiceError::Invalid(errors) => anyhow::anyhow!("{}: niets ingelezen.\n{errors}", file.display()),
                    e => e.into(),
                })?;
            println!(
                "Ingelezen: {} vestigingen; {} organisaties bijgewerkt (naam, plaats, gemeente).",
                domain::fmt::integer_nl(s.locations as i64),
                domain::fmt::integer_nl(s.enriched as i64)
            );
            Ok(())
        }
        Command::Indicators { scope, year, format } => {
            let (db, _) = open(&cli).await?;
            let app = App::with_regulations(db, regulations(&cli)?);
            let parsed = services::monitoring::Scope::parse(scope).with_context(|| {
                format!("--scope \"{scope}\": schrijf national, region:{{webadres}} of location:{{DUO-code}}")
            })?;
            let values =
                services::monitoring::indicators(&app, &parsed, year.as_deref()).await.map_err(|e| match e {
                    ServiceError::NotFound => anyhow::anyhow!("er is geen regio voor --scope \"{scope}\""),
                    e => e.into(),
                })?;
            print!("{}", indicator_output(&parsed.code(), &values, *format));
            Ok(())
        }
        Command::Import { command: ImportCommand::Application { slug, file } } => {
            let (db, _) = open(&cli).await?;
            let app = App::with_regulations(db, regulations(&cli)?);
            let text = std::fs::read_to_string(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
            let (phase, version) = services::applications::import(&app, &Actor::system(), slug, &text, None)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), dutch(e, slug, "")))?;
            println!("Aanvraag {slug} {phase} ingelezen: nu versie {version}.");
            Ok(())
        }
    }
}

/// A service error as a Dutch sentence for the command line.
fn dutch(e: ServiceError, slug: &str, phase: &str) -> String {
    match e {
        ServiceError::NotFound => format!("geen aanvraag gevonden voor regio \"{slug}\" in fase \"{phase}\""),
        ServiceError::Invalid(errors) => errors.to_string(),
        other => other.to_string(),
    }
}

/// Indicators as JSON (`{ scope, indicators: [...] }`), CSV or a text table.
fn indicator_output(scope: &str, values: &[domain::monitoring::Value], format: IndicatorFormat) -> String {
    match format {
        IndicatorFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({ "scope": scope, "indicators": values }))
                .expect("serialises")
                + "\n"
        }
        IndicatorFormat::Csv => services::monitoring::csv(&[(scope.to_owned(), values)]),
        IndicatorFormat::Text => {
            let names: std::collections::BTreeMap<String, (String, String)> = domain::monitoring::definitions()
                .iter()
                .map(|d| (d.id.clone(), (d.name.clone(), d.unit.clone())))
                .collect();
            let mut out = format!("Indicatoren voor {scope}\n");
            for v in values {
                let (name, unit) = names.get(&v.id).cloned().unwrap_or_default();
                let shown = match (unit.as_str(), v.value) {
                    ("aandeel", Some(d)) => format!("{} (op gepubliceerde aantallen)", domain::fmt::percent_nl(d)),
                    ("aandeel", None) => "onbekend".into(),
                    _ if v.masked_cells > 0 => format!(
                        "{} bekend, {} gemaskeerde cellen: tussen {} en {}",
                        domain::fmt::integer_nl(v.known as i64),
                        v.masked_cells,
                        domain::fmt::integer_nl(v.low as i64),
                        domain::fmt::integer_nl(v.high as i64)
                    ),
                    _ => domain::fmt::integer_nl(v.known as i64),
                };
                out.push_str(&format!("{}  {:<58} {shown}\n", v.year, name));
            }
            out
        }
    }
}
