//! Errors of the web layer: what went wrong, its status and its Dutch explanation. Pages render
//! them (`page.rs`), the API answers them as problem details (`api.rs`); a service's refusal
//! reaches both through `?` alone.

use axum::http::StatusCode;
use domain::FieldErrors;
use domain::regulation::check::Finding;
use services::ServiceError;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    Forbidden,
    NotSignedIn,
    Csrf,
    SessionExpired,
    TooLarge,
    /// A form or file that broke off or is not multipart.
    BadUpload,
    /// Text with a NUL character, which nothing stores.
    Nul,
    BadToken,
    RateLimited(u64),
    /// Input that breaks a rule: each field's Dutch message (422).
    Invalid(FieldErrors),
    /// Someone else saved a newer version since the form was loaded (409).
    Conflict,
    /// A step the workflow does not take from the current state (409).
    NotAllowed(String),
    /// Submitting refused: the blocking rules that fail (422).
    SubmitRefused(Vec<Finding>),
    Internal(String),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Denied(domain::Denied::NotSignedIn) => WebError::NotSignedIn,
            ServiceError::Denied(domain::Denied::Forbidden) => WebError::Forbidden,
            ServiceError::BadCredentials => WebError::NotSignedIn,
            ServiceError::RateLimited(m) => WebError::RateLimited(m),
            ServiceError::Invalid(e) => WebError::Invalid(e),
            ServiceError::Conflict => WebError::Conflict,
            ServiceError::NotAllowed(m) => WebError::NotAllowed(m),
            ServiceError::SubmitRefused(f) => WebError::SubmitRefused(f),
            e @ (ServiceError::Store(_) | ServiceError::File(_)) => WebError::Internal(e.to_string()),
        }
    }
}

impl From<domain::Denied> for WebError {
    fn from(d: domain::Denied) -> Self {
        ServiceError::from(d).into()
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::Csrf | WebError::SessionExpired => StatusCode::FORBIDDEN,
            WebError::NotSignedIn | WebError::BadToken => StatusCode::UNAUTHORIZED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadUpload | WebError::Nul => StatusCode::BAD_REQUEST,
            WebError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Invalid(_) | WebError::SubmitRefused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict | WebError::NotAllowed(_) => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the error names one by one: each field's message, or each failing rule.
    pub fn items(&self) -> Vec<(String, String)> {
        match self {
            WebError::Invalid(e) => e.iter().map(|f| (f.field.clone(), f.message.clone())).collect(),
            WebError::SubmitRefused(findings) => findings
                .iter()
                .map(|f| (f.field.clone().unwrap_or_else(|| f.rule.clone()), format!("{}: {}", f.rule, f.message)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A Dutch title and explanation for people.
    pub fn message(&self) -> (&'static str, String) {
        match self {
            WebError::NotFound => ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres, of zoek de regio via het overzicht.".into()),
            WebError::Forbidden => ("Geen toegang", "U hebt geen rechten voor deze pagina of handeling. Denkt u dat dit niet klopt? Neem contact op met de programmamanager van uw regio.".into()),
            WebError::NotSignedIn => ("Inloggen nodig", "Log in om verder te gaan.".into()),
            WebError::Csrf => ("Verzoek geweigerd", "Dit formulier kon niet worden gecontroleerd. Laad de pagina opnieuw en probeer het nog eens.".into()),
            WebError::SessionExpired => ("Sessie verlopen", "Uw sessie is verlopen. Laad de pagina opnieuw en probeer het nog eens.".into()),
            WebError::TooLarge => ("Te veel gegevens", "Het verzoek is te groot. Verstuur minder tekst of een kleiner bestand (uploads: hoogstens 10 MiB).".into()),
            WebError::Nul => ("Ongeldig teken", format!("{}.", domain::validation::capitalise(domain::validation::NUL_MESSAGE))),
            WebError::BadUpload => ("Niet goed aangekomen", "Het formulier of bestand kwam niet goed aan. Kies het bestand opnieuw en probeer het nog eens.".into()),
            WebError::BadToken => ("Ongeldige sleutel", "De API-sleutel is onbekend of ingetrokken.".into()),
            WebError::RateLimited(m) => ("Te veel pogingen", format!("Er is te vaak geprobeerd in te loggen. Probeer het over {m} minuten opnieuw.")),
            WebError::Invalid(_) => ("Niet opgeslagen", "Wat u invulde voldoet niet aan de regels hieronder; er is niets opgeslagen. Ga terug naar het formulier (wat u typte staat er nog), pas het aan en probeer het opnieuw.".into()),
            WebError::Conflict => ("Intussen gewijzigd", "Iemand anders heeft dit intussen gewijzigd; uw wijziging is niet opgeslagen. Laad de pagina opnieuw om de nieuwste versie te zien en breng uw wijziging daarin aan.".into()),
            WebError::NotAllowed(m) => ("Niet mogelijk", format!("{}.", domain::validation::capitalise(m.trim_end_matches('.')))),
            WebError::SubmitRefused(_) => ("Indienen geweigerd", "Indienen geweigerd: deze blokkerende regels voldoen niet.".into()),
            WebError::Internal(_) => ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het misgaan, meld het dan aan de beheerder.".into()),
        }
    }
}
