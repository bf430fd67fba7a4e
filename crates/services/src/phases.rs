//! The regulation's calendar as it stands now (the app's clock): which phase is open, and the
//! rule that only an open phase is started, changed or submitted.

use domain::Actor;
use domain::regulation::{Phase, Window};
use store::StoreError;

use crate::{App, Result, ServiceError};

/// Where the phase's window stands now (the app's clock).
pub fn window(app: &App, phase: &str) -> Result<Window> {
    let reg = app.current_regulation()?;
    let p = reg.phase(phase).ok_or(ServiceError::NotFound)?;
    Ok(p.window(app.now(), &reg.time_zone()))
}

/// Only an open phase is started, changed or submitted; a closed one keeps its versions to read.
/// The operator's command line (the system actor) may still correct a closed phase's draft.
pub(crate) fn require_open(app: &App, actor: &Actor, phase: &str) -> Result<()> {
    if actor.system {
        return Ok(());
    }
    match window(app, phase)? {
        Window::Open { .. } => Ok(()),
        Window::NotYetOpen { opens } => Err(ServiceError::NotAllowed(format!(
            "Deze fase is nog niet open: aanvragen kan vanaf {}.",
            domain::fmt::datetime_nl(opens)
        ))),
        Window::Closed { closed } => Err(ServiceError::NotAllowed(format!(
            "De termijn van deze fase is gesloten sinds {}. De ingediende versies blijven te lezen.",
            domain::fmt::datetime_nl(closed)
        ))),
    }
}

/// The phase approved school plans go into: the first whose deadline has not passed (else the last).
pub fn current_phase(app: &App) -> Result<&Phase> {
    let reg = app.current_regulation()?;
    let now = app.now();
    let tz = reg.time_zone();
    reg.phases
        .iter()
        .find(|p| !matches!(p.window(now, &tz), Window::Closed { .. }))
        .or(reg.phases.last())
        .ok_or_else(|| ServiceError::Store(StoreError::Corrupt("de regeling heeft geen fasen".into())))
}
