//! The demo's steps at their own moments.

use crate::App;

/// `app` at `instant`, with everything stored stamped at that moment too.
pub(super) fn on(app: &App, instant: &str) -> App {
    let at: jiff::Timestamp = instant.parse().expect("a valid instant");
    store::set_clock(at.as_millisecond());
    App { clock: Some(at), ..app.clone() }
}
