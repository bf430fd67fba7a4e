//! Reports in the demo: Utrecht's progress report on 2025 submitted and accepted; Zuid-Friesland's
//! is past its date, so its reminder and the portfolio show it as late.

use domain::Actor;
use domain::reports::ReportState;

use super::assessment::on;
use super::demo_actor;
use crate::{App, Result};

pub(super) async fn load(app: &App, assessor: &Actor) -> Result<()> {
    let slug = "utrecht";
    let manager = demo_actor(app, &super::application::manager_email(slug)).await?;
    let submitted = on(app, "2026-03-20T11:00:00+01:00");
    crate::reports::submit(&submitted, &manager, slug, ("voortgang-2025", 0)).await?;
    let accepted = on(app, "2026-04-10T15:00:00+02:00");
    let (_, list) = crate::reports::list(&accepted, assessor, slug).await?;
    let revision = list.iter().find(|o| o.obligation.id == "voortgang-2025").map_or(0, |o| o.revision);
    crate::reports::answer(&accepted, assessor, slug, ("voortgang-2025", revision), ReportState::Geaccepteerd, "").await
}
