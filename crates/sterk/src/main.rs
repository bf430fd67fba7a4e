//! `sterk`: the one binary of Sterk Techniekonderwijs.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use domain::Actor;
use services::regulations::Regulations;
use services::{App, ServiceError};
use store::Db;

#[derive(Parser)]
#[command(name = "sterk", version, about = "Sterk Techniekonderwijs: het platform voor de STO-regio's")]
struct Cli {
    /// Folder for the SQLite database and uploads.
    #[arg(long, global = true, env = "STERK_DATA_DIR", default_value = "./sterk-data")]
    data_dir: PathBuf,
    /// Database URL; `postgres://…` selects PostgreSQL. Default: SQLite in the data folder.
    #[arg(long, global = true, env = "STERK_DATABASE_URL")]
    database_url: Option<String>,
    /// Folder whose `{id}.toml` / `{id}-region-maximums.csv` replace the shipped regulation files.
    #[arg(long, global = true, env = "STERK_REGULATIONS_DIR")]
    regulations_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the web site and API.
    Serve {
        #[arg(long, env = "STERK_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Load the demo data set (once; starting again does not duplicate it).
        #[arg(long, env = "STERK_DEMO")]
        demo: bool,
        /// Submit and check applications as if it were this moment (RFC 3339), e.g. for a demo or a
        /// training; with --demo the default is 15 September 2026 12:00: inside the window for the
        /// detailed plan 2027–2028, a year and a half into the execution of the demo's plan.
        #[arg(long, env = "STERK_CLOCK")]
        clock: Option<String>,
        /// Mark cookies Secure: `auto` does so unless bound to a loopback address over plain HTTP.
        #[arg(long, env = "STERK_SECURE_COOKIES", value_enum, default_value = "auto")]
        secure_cookies: SecureCookies,
        /// Reverse proxies (CIDRs, comma-separated) whose Forwarded/X-Forwarded-For headers name
        /// the client for the sign-in limits; without it the socket address is the client.
        #[arg(long, env = "STERK_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        /// The header the trusted proxies write: x-forwarded-for or forwarded (RFC 7239).
        #[arg(long, env = "STERK_FORWARDED_HEADER", default_value = "x-forwarded-for")]
        forwarded_header: String,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Check an application (sterk.application/1 JSON) against its regulation.
    /// Exit 0: no blocking rule failed; 1: one did; 2: the file is malformed.
    Check {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// The 2020–2023 allocation per region from pupil numbers (CSV `region,bb_kb_pupils,gl_pupils`).
    Allocate {
        #[arg(long, default_value = "sto-2020-2023")]
        regulation: String,
        #[arg(long)]
        pupils: PathBuf,
        #[arg(long, value_enum, default_value = "csv")]
        format: AllocateFormat,
    },
    /// Export a region's application: the sterk.application/1 JSON.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Import a region's application from a sterk.application/1 JSON file (replaces the draft).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Send the reminders that are due before the regulation's deadlines (the server does this every hour).
    /// Lead times in days from STERK_REMINDER_DAYS (default 14,3).
    Reminders {
        /// Act as if it were this moment (RFC 3339).
        #[arg(long, env = "STERK_CLOCK")]
        clock: Option<String>,
    },
    /// The indicators from open data for a scope: national, region:{slug} or location:{duo_code}.
    Indicators {
        #[arg(long, default_value = "national")]
        scope: String,
        /// One school year, e.g. 2023-2024; all years when left out.
        #[arg(long)]
        year: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: IndicatorFormat,
    },
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportKindArg {
    Progress,
    Final,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormatArg {
    Pdf,
    Xlsx,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// A region's progress report (one year) or final accounts, as PDF or XLSX.
    Report {
        slug: String,
        #[arg(long, value_enum)]
        kind: ReportKindArg,
        /// The year a progress report covers (2025 to 2028).
        #[arg(long)]
        period: Option<i16>,
        #[arg(long, value_enum, default_value = "pdf")]
        format: ReportFormatArg,
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    Application {
        /// The region's web address, e.g. zuid-friesland.
        slug: String,
        /// vooraanmelding, hoofdlijnen, uitwerking-2025-2026 or uitwerking-2027-2028.
        phase: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// The file to write; standard output when left out.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Xlsx,
    Pdf,
}

#[derive(Subcommand)]
enum ImportCommand {
    Application {
        slug: String,
        file: PathBuf,
    },
    /// DUO's exam candidates and passes file (examenkandidaten-en-geslaagden), all or nothing;
    /// the school years it holds replace those stored.
    DuoExams {
        file: PathBuf,
    },
    /// DUO's pupils per school location file (leerlingen vo per vestiging), all or nothing; the
    /// school years it holds replace those stored.
    DuoPupils {
        file: PathBuf,
        /// The school year when the file has no SCHOOLJAAR or PEILDATUM column (e.g. 2023-2024);
        /// else read from a year in the file name (`…-2023.csv`: counted 1 October 2023).
        #[arg(long)]
        school_year: Option<String>,
    },
    /// DUO's school locations file (vestigingen), all or nothing; enriches the registry's
    /// organisations (name, place, municipality) by DUO code.
    DuoLocations {
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum IndicatorFormat {
    Json,
    Csv,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum AllocateFormat {
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SecureCookies {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add a user with a role (or add the role to an existing user): first-time set-up without the demo.
    Add {
        #[arg(long)]
        email: String,
        /// national_admin, region_manager, lead_applicant, school_contact or partner.
        #[arg(long)]
        role: String,
        /// The region's web address (slug); not for national_admin.
        #[arg(long, default_value = "")]
        region: String,
        /// The organisation id the user acts for (a school contact's school, a partner's company).
        #[arg(long, default_value = "")]
        organisation: String,
        #[arg(long, default_value = "")]
        name: String,
        /// The password; a random one is generated and printed when left out.
        #[arg(long, env = "STERK_USER_PASSWORD")]
        password: Option<String>,
    },
}

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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fout: {e}");
            return ExitCode::FAILURE;
        }
    };
    match &cli.command {
        Command::Check { file, format } => return check(&cli, file, *format),
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

/// Exit 2 for anything that keeps the file from being checked: unreadable, malformed, unknown regulation.
fn check(cli: &Cli, file: &PathBuf, format: CheckFormat) -> ExitCode {
    let malformed = |message: String| {
        eprintln!("fout: {message}");
        ExitCode::from(2)
    };
    let regs = match regulations(cli) {
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

async fn open(cli: &Cli) -> anyhow::Result<(Db, usize)> {
    let url = match cli.database_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => url.to_owned(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("kan de datamap {} niet aanmaken", cli.data_dir.display()))?;
            format!("sqlite://{}", cli.data_dir.join("sterk.db").display())
        }
    };
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("kan geen verbinding maken met de database ({})", redact(&url)))?;
    let applied = db.migrate().await.context("migraties mislukt")?;
    Ok((db, applied))
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
        Command::Serve { bind, demo, clock, secure_cookies, trusted_proxies, forwarded_header } => {
            let proxies = web::parse_trusted_proxies(trusted_proxies)
                .map_err(|e| anyhow::anyhow!("STERK_TRUSTED_PROXIES: {e}"))?;
            let header = forwarded_header.parse().map_err(|e| anyhow::anyhow!("STERK_FORWARDED_HEADER: {e}"))?;
            serve(&cli, *bind, *demo, clock.as_deref(), (*secure_cookies, proxies, header)).await
        }
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
            let (db, _) = open(&cli).await?;
            let app = App::with_regulations(db, regulations(&cli)?);
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
            let (db, _) = open(&cli).await?;
            let app = App::with_regulations(db, regulations(&cli)?);
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
        Command::Import { command: ImportCommand::DuoExams { file } } => import_duo(&cli, file, None).await,
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

/// DUO's real exam file (data/duo/), loaded with the demo so the indicators have figures.
const DEMO_DUO_EXAMS: &[u8] = include_bytes!("../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");

/// The moment the demo pretends it is: the window for the detailed plan 2027–2028 is open and
/// the demo region has run its plan since 2025 (milestones achieved, late and overdue).
const DEMO_CLOCK: &str = "2026-09-15T12:00:00+02:00";

async fn serve(
    cli: &Cli,
    bind: SocketAddr,
    demo: bool,
    clock: Option<&str>,
    (secure, trusted_proxies, forwarded_header): (SecureCookies, Vec<web::Cidr>, web::ForwardedHeader),
) -> anyhow::Result<()> {
    let (db, applied) = open(cli).await?;
    let mut app = App::with_regulations(db, regulations(cli)?);
    let uploads = cli.data_dir.join("uploads");
    let moved = services::files::move_uploads(&app, &uploads)
        .await
        .with_context(|| format!("bestanden uit {} naar de database verplaatsen mislukt", uploads.display()))?;
    if moved > 0 {
        println!(
            "{moved} bestanden uit {} naar de database verplaatst (elke SHA-256 gecontroleerd).",
            uploads.display()
        );
    }
    // Bound before the demo loads, so links in its mail name the real port.
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("kan niet luisteren op {bind}"))?;
    configure_mail(&mut app, &format!("http://{}", listener.local_addr()?))?;
    let clock = clock.or(demo.then_some(DEMO_CLOCK));
    if let Some(text) = clock {
        app.clock = Some(parse_clock(text)?);
        // The demo dates what it writes on its own clock too, so its dates and new dates agree.
        // Only the demo: elsewhere sessions, limits and the audit log keep the machine's time.
        if demo {
            services::demo::start_clock(&app).await?;
        }
        println!("Klok voor aanvragen: indienen en controleren alsof het {} is.", domain::fmt::instant_nl(app.now()));
    }
    let reminder_days = services::reminders::days_from_env().map_err(anyhow::Error::msg)?;
    if demo {
        let loaded = services::demo::load(&app).await.context("demo-gegevens laden mislukt")?;
        print_demo_accounts(loaded);
        if !services::monitoring::has_exams(&app).await? {
            let s = services::monitoring::import_exams(&app, &Actor::system(), DEMO_DUO_EXAMS, |_| {}).await?;
            println!("DUO-examenbestand ingelezen: {} regels, {} vestigingen.", s.lines, s.locations);
            let pupils = services::demo::pupils_file(DEMO_DUO_EXAMS);
            let s =
                services::monitoring::import_pupils(&app, &Actor::system(), pupils.as_bytes(), None, |_| {}).await?;
            println!("Leerlingenbestand voor de demo (afgeleid van de examencijfers): {} regels.", s.lines);
        }
    }
    spawn_hourly(app.clone(), reminder_days);
    let secure_cookies = match secure {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => !bind.ip().is_loopback(),
    };
    let config = web::WebConfig { secure_cookies, migrations_applied: applied, trusted_proxies, forwarded_header };
    let state = web::AppState { app, config: Arc::new(config), pages: Arc::new(web::pages::PageCache::enabled()) };
    println!(
        "Sterk draait op http://{} (database: {}, {applied} migraties)",
        listener.local_addr()?,
        state.app.db.kind.name()
    );
    // On SIGTERM or Ctrl-C: no new connections, running requests finish, for at most the grace.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let server = web::serve_with_listener(state, listener, stopped(stopping.clone()));
    let grace = {
        let stopped = stopped(stopping);
        async move {
            stopped.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        }
    };
    tokio::select! {
        served = server => served?,
        () = grace => eprintln!("Na {} s lopen er nog verzoeken; die worden afgebroken.", SHUTDOWN_GRACE.as_secs()),
    }
    eprintln!("Sterk is gestopt.");
    Ok(())
}

/// How long running requests may take to finish after a stop signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

fn parse_clock(text: &str) -> anyhow::Result<jiff::Timestamp> {
    text.parse().with_context(|| format!("--clock \"{text}\" is geen tijdstip (voorbeeld: {DEMO_CLOCK})"))
}

/// Mail over SMTP when `STERK_SMTP_URL` is set (else the outbox), with links to `STERK_BASE_URL`.
fn configure_mail(app: &mut App, default_base: &str) -> anyhow::Result<()> {
    app.mailer = Arc::new(services::mail::Mailer::from_env().map_err(anyhow::Error::msg)?);
    app.base_url = std::env::var("STERK_BASE_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or(default_base.into());
    if matches!(app.mailer.as_ref(), services::mail::Mailer::Outbox) {
        println!("Geen STERK_SMTP_URL: e-mail blijft in de uitbak (/beheer/uitbak).");
    }
    Ok(())
}

/// Every hour: remove expired sessions (so the table does not grow without bound), send the
/// deadline reminders that are due.
fn spawn_hourly(app: App, reminder_days: Vec<i64>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = services::auth::purge_expired_sessions(&app).await {
                tracing::warn!("verlopen sessies opruimen mislukt: {e}");
            }
            if let Err(e) = services::reminders::send_due(&app, &reminder_days).await {
                tracing::warn!("herinneringen versturen mislukt: {e}");
            }
        }
    });
}

/// A service error as a Dutch sentence for the command line.
fn dutch(e: ServiceError, slug: &str, phase: &str) -> String {
    match e {
        ServiceError::NotFound => format!("geen aanvraag gevonden voor regio \"{slug}\" in fase \"{phase}\""),
        ServiceError::Invalid(errors) => errors.to_string(),
        other => other.to_string(),
    }
}

/// A progress bar on standard error: `[#####     ] 6.000 van 12.782 regels`.
/// Imports a DUO file with a progress bar: the exam file (`pupils_year: None`) or the pupils
/// file (`Some(school year if known)`).
async fn import_duo(cli: &Cli, file: &std::path::Path, pupils_year: Option<Option<String>>) -> anyhow::Result<()> {
    let (db, _) = open(cli).await?;
    let app = App::with_regulations(db, regulations(cli)?);
    let bytes = std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
    let total = bytes.iter().filter(|b| **b == b'\n').count().saturating_sub(1).max(1);
    let progress = |n| progress_bar(n, total);
    let actor = Actor::system();
    let summary = match &pupils_year {
        None => services::monitoring::import_exams(&app, &actor, &bytes, progress).await,
        Some(year) => services::monitoring::import_pupils(&app, &actor, &bytes, year.as_deref(), progress).await,
    }
    .map_err(|e| match e {
        ServiceError::Invalid(errors) => anyhow::anyhow!("{}: niets ingelezen.\n{errors}", file.display()),
        e => e.into(),
    })?;
    eprintln!();
    println!(
        "Ingelezen: {} regels, {} vestigingen, schooljaren {}, {} gemaskeerde cellen (1 tot 4).",
        domain::fmt::integer_nl(summary.lines as i64),
        domain::fmt::integer_nl(summary.locations as i64),
        summary.years.join(", "),
        domain::fmt::integer_nl(summary.masked_cells as i64)
    );
    Ok(())
}

/// The count year in a DUO file name (`01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv`).
fn year_in_file_name(file: &std::path::Path) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    let last = stem.rsplit(['-', '_', ' ']).next()?;
    (last.len() == 4 && last.chars().all(|c| c.is_ascii_digit())).then(|| last.to_owned())
}

fn progress_bar(done: usize, total: usize) {
    let filled = (done * 30 / total).min(30);
    eprint!(
        "\rInlezen [{}{}] {} van {} regels",
        "#".repeat(filled),
        " ".repeat(30 - filled),
        domain::fmt::integer_nl(done as i64),
        domain::fmt::integer_nl(total as i64)
    );
}

/// Indicators as JSON (`{ scope, indicators: [...] }`), CSV or a text table.
fn indicator_output(scope: &str, values: &[domain::monitoring::Value], format: IndicatorFormat) -> String {
    let value_text = |v: &domain::monitoring::Value| v.value.map(|d| d.to_string()).unwrap_or_default();
    match format {
        IndicatorFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({ "scope": scope, "indicators": values }))
                .expect("serialises")
                + "\n"
        }
        IndicatorFormat::Csv => {
            let mut out = String::from("scope,id,year,known,masked_cells,low,high,value\n");
            for v in values {
                out.push_str(&format!(
                    "{scope},{},{},{},{},{},{},{}\n",
                    v.id,
                    v.year,
                    v.known,
                    v.masked_cells,
                    v.low,
                    v.high,
                    value_text(v)
                ));
            }
            out
        }
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

fn print_demo_accounts(loaded: bool) {
    println!(
        "{}",
        if loaded {
            "Demo-gegevens geladen: regio's en scholen uit data/, plus demo-inhoud."
        } else {
            "Demo-gegevens waren al geladen."
        }
    );
    println!("Demo-accounts (wachtwoord voor allemaal: {}):", services::demo::DEMO_PASSWORD);
    for (email, _, role) in services::demo::DEMO_USERS {
        let region = if role.is_national() { String::new() } else { format!(" ({})", services::demo::DEMO_REGION) };
        println!("  {:<34} {}{region}", email, role.label());
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
