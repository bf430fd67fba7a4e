//! The statements a Dutch public service publishes: accessibility (`/toegankelijkheid`, in the
//! model of digitoegankelijk.nl), privacy with the cookies (`/privacy`), and what is open data and
//! how to use it (`/open-data`). The figures they quote
//! (how long a session or a form token lives) come from the constants that set them.

use askama::Template;
use axum::extract::State;

use crate::AppState;

use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

/// The pages the browser tests check with axe-core and HTML_CodeSniffer on every test run
/// (`e2e/tests/sterk.test.mjs` and the feature tests), as the statement lists them.
const CHECKED: [&str; 12] = [
    "de startpagina",
    "Regio's (met de kaart) en elke regiopagina in de test",
    "School zoeken",
    "De regeling en haar artikelen",
    "De monitor (met de kaart) en de veranderingstheorie",
    "Nieuws, agenda, webinars, veelgestelde vragen, documenten en inspiratie",
    "Contact, aanmelden als school en als partner, open data en API",
    "Inloggen, wachtwoord vergeten, tweestapsverificatie",
    "Mijn Sterk en het beheer van regio's, organisaties en gebruikers",
    "De aanvraag, de samenwerkingsovereenkomst en de deelplannen",
    "De uitvoering, verantwoording en vaststelling",
    "De beoordeling door DUS-I en het betalingsregister",
];

#[derive(Template)]
#[template(path = "verklaringen/toegankelijkheid.html")]
pub struct AccessibilityPage {
    pub l: Layout,
    pub checked: &'static [&'static str],
}

pub async fn accessibility(ctx: Ctx) -> Page {
    html(AccessibilityPage {
        l: Layout::new("Toegankelijkheidsverklaring", &ctx, "toegankelijkheid"),
        checked: &CHECKED,
    })
}

/// A cookie as the privacy statement lists it.
pub struct CookieRow {
    pub name: &'static str,
    pub purpose: &'static str,
    pub lifetime: String,
}

#[derive(Template)]
#[template(path = "verklaringen/privacy.html")]
pub struct PrivacyPage {
    pub l: Layout,
    pub cookies: Vec<CookieRow>,
    pub invitation_days: i64,
    pub reset_minutes: i64,
}

fn duration(ms: i64) -> String {
    let minutes = ms / 60_000;
    match minutes {
        m if m % 60 == 0 && m >= 120 => format!("{} uur", m / 60),
        1 => "1 minuut".to_owned(),
        m => format!("{m} minuten"),
    }
}

pub async fn privacy(ctx: Ctx) -> Page {
    use services::auth;
    let cookies = vec![
        CookieRow {
            name: "sterk_sessie",
            purpose: "Houdt u ingelogd; zonder deze cookie kunt u niet inloggen.",
            lifetime: format!("{}, of tot u uitlogt", duration(auth::SESSION_TTL_MS)),
        },
        CookieRow {
            name: "sterk_anoniem",
            purpose: "Beveiligt formulieren die u zonder account verstuurt (contact, aanmelden) tegen misbruik vanaf andere websites.",
            lifetime: duration(auth::ANONYMOUS_TTL_MS),
        },
        CookieRow {
            name: "sterk_melding",
            purpose: "Toont eenmalig een melding op de volgende pagina, zoals „opgeslagen”.",
            lifetime: duration(auth::MESSAGE_TTL_MS),
        },
        CookieRow {
            name: "sterk_sso",
            purpose: "Koppelt het antwoord van uw inlogdienst (zoals die van uw school) aan deze browser.",
            lifetime: duration(services::sso::WAITING_TTL_MS),
        },
    ];
    html(PrivacyPage {
        l: Layout::new("Privacy en cookies", &ctx, "privacy"),
        cookies,
        invitation_days: services::users::INVITATION_TTL_MS / (24 * 60 * 60 * 1000),
        reset_minutes: services::recovery::RESET_TTL_MS / 60_000,
    })
}

#[derive(Template)]
#[template(path = "verklaringen/open-data.html")]
pub struct OpenDataPage {
    pub l: Layout,
    /// Whether the funder's decisions are open data yet (a dated parameter of the regulation).
    pub decisions: bool,
}

pub async fn open_data(State(st): State<AppState>, ctx: Ctx) -> Page {
    let decisions = services::open_data::published(&st.app, st.app.current_regulation()?)?;
    html(OpenDataPage { l: Layout::new("Open data en API", &ctx, "open-data"), decisions })
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(super::duration(12 * 60 * 60 * 1000), "12 uur");
        assert_eq!(super::duration(5 * 60 * 1000), "5 minuten");
        assert_eq!(super::duration(60 * 60 * 1000), "60 minuten");
    }
}
