//! A person's notifications, and the outbox of sent and waiting mail.

use crate::AppState;
use crate::layout::Layout;
use crate::layout::ms;
use crate::page::{Page, html};
use crate::session::Ctx;
use askama::Template;
use axum::extract::State;

pub struct NotificationView {
    pub at: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub status: &'static str,
    pub error: String,
}

fn notification_view(n: services::mail::Notification) -> NotificationView {
    NotificationView {
        at: ms(n.created_at),
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
        link: n.link,
        status: match n.status.as_str() {
            "sent" => "verzonden",
            "failed" => "niet verzonden",
            "pending" => "wacht op verzending",
            "sending" => "wordt verzonden",
            _ => "in de uitbak",
        },
        error: n.error.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "deelplannen/notifications.html")]
pub struct NotificationsPage {
    pub l: Layout,
    pub heading: &'static str,
    pub intro: &'static str,
    pub items: Vec<NotificationView>,
    pub show_recipient: bool,
}

pub async fn mine(State(st): State<AppState>, ctx: Ctx) -> Page {
    let items = services::mail::mine(&st.app, &ctx.actor).await?;
    html(NotificationsPage {
        l: Layout::new("Meldingen", &ctx, "beheer"),
        heading: "Mijn meldingen",
        intro: "Berichten die Sterk u stuurde over deelplannen, aanvragen en termijnen, nieuwste eerst.",
        items: items.into_iter().map(notification_view).collect(),
        show_recipient: false,
    })
}

pub async fn outbox(State(st): State<AppState>, ctx: Ctx) -> Page {
    let items = services::mail::all(&st.app, &ctx.actor, None).await?;
    html(NotificationsPage {
        l: Layout::new("Uitbak", &ctx, "beheer"),
        heading: "Uitbak en verzonden berichten",
        intro: "Alle berichten van Sterk. Zonder SMTP-server (STERK_SMTP_URL) blijven ze hier in de uitbak staan; met een server ziet u of ze verzonden zijn.",
        items: items.into_iter().map(notification_view).collect(),
        show_recipient: true,
    })
}
