//! `sterk serve`: the web site and API, its background jobs and its orderly stop.

use std::sync::Arc;

use anyhow::Context;
use domain::Actor;
use services::App;

use crate::{Cli, Command, SecureCookies, open, regulations};

/// DUO's real exam file (data/duo/), loaded with the demo so the indicators have figures.
const DEMO_DUO_EXAMS: &[u8] = include_bytes!("../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");

/// The moment the demo pretends it is: the window for the detailed plan 2027–2028 is open and
/// the demo region has run its plan since 2025 (milestones achieved, late and overdue).
const DEMO_CLOCK: &str = "2026-09-15T12:00:00+02:00";

pub(crate) async fn serve(cli: &Cli) -> anyhow::Result<()> {
    let Command::Serve { bind, demo, clock, secure_cookies, trusted_proxies, forwarded_header, metrics_bind } =
        &cli.command
    else {
        unreachable!("called for sterk serve")
    };
    let (bind, demo, clock) = (*bind, *demo, clock.as_deref());
    let trusted_proxies =
        web::parse_trusted_proxies(trusted_proxies).map_err(|e| anyhow::anyhow!("STERK_TRUSTED_PROXIES: {e}"))?;
    let forwarded_header = forwarded_header.parse().map_err(|e| anyhow::anyhow!("STERK_FORWARDED_HEADER: {e}"))?;
    let metrics_token = std::env::var("STERK_METRICS_TOKEN").ok().filter(|t| !t.trim().is_empty());
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
    let secure_cookies = match secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => !bind.ip().is_loopback(),
    };
    let config = web::WebConfig {
        secure_cookies,
        migrations_applied: applied,
        trusted_proxies,
        forwarded_header,
        metrics_token,
    };
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
    let jobs = spawn_hourly(state.app.clone(), reminder_days, stopped(stopping.clone()));
    if let Some(address) = metrics_bind {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("kan niet luisteren op {address} (STERK_METRICS_BIND)"))?;
        println!("Meetwaarden voor Prometheus op http://{address}/metrics");
        tokio::spawn(web::serve_metrics(state.clone(), listener, stopped(stopping.clone())));
    }
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
    // A job that is running finishes its step (each commits on its own); none starts any more.
    if tokio::time::timeout(SHUTDOWN_GRACE, jobs).await.is_err() {
        eprintln!("De achtergrondtaak liep na {} s nog; die wordt afgebroken.", SHUTDOWN_GRACE.as_secs());
    }
    eprintln!("Sterk is gestopt.");
    Ok(())
}

/// How long running requests may take to finish after a stop signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

pub(crate) fn parse_clock(text: &str) -> anyhow::Result<jiff::Timestamp> {
    text.parse().with_context(|| format!("--clock \"{text}\" is geen tijdstip (voorbeeld: {DEMO_CLOCK})"))
}

/// Mail over SMTP when `STERK_SMTP_URL` is set (else the outbox), with links to `STERK_BASE_URL`;
/// the single sign-on providers from `STERK_OIDC_FILE` and `STERK_OIDC_*`.
pub(crate) fn configure_mail(app: &mut App, default_base: &str) -> anyhow::Result<()> {
    app.mailer = Arc::new(services::mail::Mailer::from_env().map_err(anyhow::Error::msg)?);
    app.base_url =
        std::env::var("STERK_BASE_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or(default_base.into()).into();
    if matches!(app.mailer.as_ref(), services::mail::Mailer::Outbox) {
        println!("Geen STERK_SMTP_URL: e-mail blijft in de uitbak (/beheer/uitbak).");
    }
    app.sso = Arc::new(services::sso::Providers::from_env().map_err(anyhow::Error::msg)?);
    for p in &app.sso.list {
        println!("Inloggen via {} ({}): {}", p.id, p.name, p.issuer);
    }
    Ok(())
}

/// Every hour: remove expired sessions (so the table does not grow without bound), send the
/// deadline reminders that are due (each reminder once across instances: a unique key). Stops
/// between runs once `stop` completes, never inside one.
fn spawn_hourly(
    app: App,
    reminder_days: Vec<i64>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = &mut stop => return,
            }
            let purged = services::auth::purge_expired_sessions(&app).await;
            if let Err(e) = &purged {
                tracing::warn!("verlopen sessies opruimen mislukt: {e}");
            }
            app.metrics.job("session-purge", purged.is_ok());
            let reminded = services::reminders::send_due(&app, &reminder_days).await;
            if let Err(e) = &reminded {
                tracing::warn!("herinneringen versturen mislukt: {e}");
            }
            app.metrics.job("reminders", reminded.is_ok());
        }
    })
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
