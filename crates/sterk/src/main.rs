//! `sterk`: the one binary of Sterk Techniekonderwijs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
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
        /// Mark cookies Secure: `auto` does so unless bound to a loopback address over plain HTTP.
        #[arg(long, env = "STERK_SECURE_COOKIES", value_enum, default_value = "auto")]
        secure_cookies: SecureCookies,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
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
        #[arg(long, default_value = "")]
        name: String,
        /// The password; a random one is generated and printed when left out.
        #[arg(long, env = "STERK_USER_PASSWORD")]
        password: Option<String>,
    },
}

fn main() -> ExitCode {
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fout: {e:#}");
            ExitCode::FAILURE
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
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
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
        Command::Users { command: UsersCommand::Add { email, role, region, name, password } } => {
            let (db, _) = open(&cli).await?;
            let app = App::new(db);
            match services::users::add_from_cli(&app, email, name, role, region, password.as_deref()).await {
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
        Command::Serve { bind, demo, secure_cookies } => serve(&cli, *bind, *demo, *secure_cookies).await,
    }
}

async fn serve(cli: &Cli, bind: SocketAddr, demo: bool, secure: SecureCookies) -> anyhow::Result<()> {
    let (db, applied) = open(cli).await?;
    let app = App::new(db);
    if demo {
        let loaded = services::demo::load(&app).await.context("demo-gegevens laden mislukt")?;
        print_demo_accounts(loaded);
    }
    spawn_session_purge(app.clone());
    let secure_cookies = match secure {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => !bind.ip().is_loopback(),
    };
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("kan niet luisteren op {bind}"))?;
    let state = web::AppState { app, config: Arc::new(web::WebConfig { secure_cookies, migrations_applied: applied }) };
    println!(
        "Sterk draait op http://{} (database: {}, {applied} migraties)",
        listener.local_addr()?,
        state.app.db.kind.name()
    );
    web::serve_with_listener(state, listener, shutdown_signal()).await?;
    Ok(())
}

/// Removes expired sessions every hour, so the table does not grow without bound.
fn spawn_session_purge(app: App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = services::auth::purge_expired_sessions(&app).await {
                tracing::warn!("verlopen sessies opruimen mislukt: {e}");
            }
        }
    });
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
