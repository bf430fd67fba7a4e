//! Spam protection for the public forms (asking to join, contact), without third-party services:
//! a field people do not see and robots fill in, a minimum time to fill the form in (from a stamp
//! the server signed when it showed the form), and a limit per address.

use crate::AppState;
use crate::error::WebError;
use crate::form::Pairs;
use crate::session::Ctx;

/// The hidden field: a robot that fills in every field fills in this one too.
pub const HONEYPOT: &str = "website";
/// The stamp's field.
pub const STAMP: &str = "formulier_getoond";
/// Faster than this, no person has read and filled in the form.
pub const MIN_FILL_MS: i64 = 2_000;
/// Older than this, the form is shown again (with what was typed).
pub const MAX_AGE_MS: i64 = 24 * 60 * 60 * 1000;
/// Messages from one address per 15 minutes, per kind of form.
pub const PER_ADDRESS: i64 = 5;
/// Messages from everyone together per 15 minutes, per kind of form: each one mails people, so a
/// flood from many addresses must not become a flood of mail.
pub const FROM_EVERYONE: i64 = 60;

/// What the guard concludes about a posted form.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Store it.
    Person,
    /// Say thank you and store nothing: telling a robot why only teaches it.
    Robot,
    /// Too fast, or a stamp that is missing or stale: show the form again with what was typed.
    Again(&'static str),
}

/// A fresh stamp for a form of kind `form` being shown.
pub async fn stamp(st: &AppState, form: &str) -> Result<String, WebError> {
    Ok(services::auth::form_stamp(&st.app, form).await?)
}

/// Judges a posted form; counts it against the address's limit (`form` names the kind of form),
/// which refuses with 429 past [`PER_ADDRESS`].
pub async fn judge(st: &AppState, ctx: &Ctx, form: &str, f: &Pairs) -> Result<Verdict, WebError> {
    services::ratelimit::count(&st.app, &format!("{form}:{}", ctx.client), PER_ADDRESS).await?;
    if !f.get(HONEYPOT).is_empty() {
        return Ok(Verdict::Robot);
    }
    services::ratelimit::count(&st.app, &format!("{form}:*"), FROM_EVERYONE).await?;
    Ok(match services::auth::form_age_ms(&st.app, form, &f.get(STAMP)).await? {
        None => Verdict::Again("Het formulier was niet compleet. Controleer uw gegevens en verstuur het opnieuw."),
        Some(age) if age < MIN_FILL_MS => {
            Verdict::Again("Dat ging wel erg snel. Controleer uw gegevens en verstuur het formulier opnieuw.")
        }
        Some(age) if age > MAX_AGE_MS => {
            Verdict::Again("Het formulier stond meer dan een dag open. Controleer uw gegevens en verstuur het opnieuw.")
        }
        Some(_) => Verdict::Person,
    })
}
