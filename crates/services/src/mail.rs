//! Notifications by e-mail. Every message is first written to the `notifications` table in the
//! transaction of the change that causes it; after the commit it is sent over SMTP (with
//! `lettre`) when `STERK_SMTP_URL` is set, and otherwise stays in the outbox that national
//! administrators read in the app. Either way the recipient sees it under "Meldingen".

use domain::{Action, Actor};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::AnyConnection;
pub use store::notifications::Notification;
use store::notifications::{self as repo, NewNotification};

use crate::{App, Result};

/// How mail leaves the system.
pub enum Mailer {
    /// No SMTP server configured: messages stay in the outbox.
    Outbox,
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
}

impl Mailer {
    /// From `STERK_SMTP_URL` (for example `smtp://user:pass@mail.example.nl:587?tls=required`,
    /// `smtps://…:465`, or `smtp://127.0.0.1:2525` without TLS on loopback) and `STERK_MAIL_FROM`.
    pub fn from_env() -> Result<Mailer, String> {
        match std::env::var("STERK_SMTP_URL") {
            Ok(url) if !url.trim().is_empty() => {
                let from = std::env::var("STERK_MAIL_FROM").unwrap_or_else(|_| "Sterk <noreply@sterk.local>".into());
                Mailer::smtp(url.trim(), &from)
            }
            _ => Ok(Mailer::Outbox),
        }
    }

    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("STERK_SMTP_URL is ongeldig: {e}"))?
            .build()
            .into();
        let from = from.parse().map_err(|e| format!("STERK_MAIL_FROM is geen e-mailadres: {e}"))?;
        Ok(Mailer::Smtp { transport, from })
    }

    fn initial_status(&self) -> &'static str {
        match self {
            Mailer::Outbox => "outbox",
            Mailer::Smtp { .. } => "pending",
        }
    }
}

/// One message to write: to whom, what, and the page it is about (a path; made absolute).
pub struct Mail<'a> {
    pub user_id: Option<&'a str>,
    pub to: &'a str,
    pub kind: &'a str,
    pub subject: String,
    pub body: String,
    pub path: String,
    pub dedup_key: Option<String>,
}

/// Writes the message in the caller's transaction; `false` when its `dedup_key` was used before.
pub async fn queue(app: &App, conn: &mut AnyConnection, mail: &Mail<'_>) -> Result<bool> {
    let link = format!("{}{}", app.base_url.trim_end_matches('/'), mail.path);
    let body = format!("{}\n\nBekijk het in Sterk: {link}\n\n-- \nSterk Techniekonderwijs", mail.body.trim_end());
    let id = repo::insert(
        conn,
        &NewNotification {
            user_id: mail.user_id,
            recipient: mail.to,
            kind: mail.kind,
            subject: &mail.subject,
            body: &body,
            link: &link,
            status: app.mailer.initial_status(),
            dedup_key: mail.dedup_key.as_deref(),
        },
    )
    .await?;
    Ok(id.is_some())
}

/// Messages whose link lets its reader into an account (a password reset, a new address to
/// confirm): the outbox never shows their link, and it is wiped from the stored message once sent.
pub const SECRET_KINDS: [&str; 3] = ["account.password_reset", "account.email_change", "school_plan.endorsement-link"];
const REDACTED: &str = "[de link staat alleen in de e-mail aan de ontvanger]";

fn redact(mut n: Notification) -> Notification {
    if SECRET_KINDS.contains(&n.kind.as_str()) {
        n.body = n.body.split(n.link.as_str()).collect::<Vec<_>>().join(REDACTED);
        n.link = REDACTED.to_owned();
    }
    n
}

/// What one message says, for everyone it goes to (a letter in the outbox).
pub(crate) struct Letter<'a> {
    pub kind: &'a str,
    pub subject: String,
    pub body: String,
    pub path: String,
}

/// Writes `message` to each of `recipients` (user id, e-mail, name) in the caller's transaction.
pub(crate) async fn queue_to(
    app: &App,
    conn: &mut AnyConnection,
    recipients: &[(String, String, String)],
    message: &Letter<'_>,
) -> Result<()> {
    for (user_id, email, _) in recipients {
        let mail = Mail {
            user_id: Some(user_id),
            to: email,
            kind: message.kind,
            subject: message.subject.clone(),
            body: message.body.clone(),
            path: message.path.clone(),
            dedup_key: None,
        };
        queue(app, conn, &mail).await?;
    }
    Ok(())
}

/// Sends what is waiting (after the commit that queued it); failures are recorded on the message,
/// not returned: the change that caused a message has happened either way.
pub async fn deliver(app: &App) -> Result<usize> {
    let Mailer::Smtp { transport, from } = app.mailer.as_ref() else { return Ok(0) };
    let mut conn = app.db.conn().await?;
    let mut sent = 0;
    for n in repo::pending(&mut conn, 500).await? {
        // Another instance may be sending the same outbox: whoever claims a message sends it.
        if !repo::claim(&mut conn, &n.id).await? {
            continue;
        }
        let outcome = match message(from, &n) {
            Ok(m) => transport.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        app.metrics.job("mail", outcome.is_ok());
        match outcome {
            Ok(()) => {
                repo::mark(&mut conn, &n.id, "sent", None).await?;
                if SECRET_KINDS.contains(&n.kind.as_str()) {
                    let wiped = redact(n.clone());
                    repo::wipe(&mut conn, &n.id, &wiped.body, &wiped.link).await?;
                }
                sent += 1;
            }
            Err(e) => {
                tracing::warn!("mail to {} failed: {e}", n.recipient);
                repo::mark(&mut conn, &n.id, "failed", Some(&e)).await?;
            }
        }
    }
    Ok(sent)
}

fn message(from: &Mailbox, n: &Notification) -> Result<Message, String> {
    let to: Mailbox = n.recipient.parse().map_err(|e| format!("ongeldig adres {}: {e}", n.recipient))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&n.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(n.body.clone())
        .map_err(|e| e.to_string())
}

/// The signed-in user's own messages.
pub async fn mine(app: &App, actor: &Actor) -> Result<Vec<Notification>> {
    actor.require(Action::UseAccount)?;
    let Some(user) = actor.user_id.as_deref() else { return Ok(Vec::new()) };
    let mut conn = app.db.conn().await?;
    Ok(repo::for_user(&mut conn, user, 200).await?)
}

/// Every message (the outbox and what was sent), for the national team.
pub async fn all(app: &App, actor: &Actor, status: Option<&str>) -> Result<Vec<Notification>> {
    actor.require(Action::ReadOutbox)?;
    let mut conn = app.db.conn().await?;
    Ok(repo::all(&mut conn, status, 500).await?.into_iter().map(redact).collect())
}
