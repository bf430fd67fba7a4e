//! Reports in the demo: Utrecht's progress report on 2025 submitted and accepted; Zuid-Friesland's
//! is past its date, so its reminder and the portfolio show it as late, while its approved school
//! plan already has its own short report for it. Both reported their own results on 2025
//! (`indicators/reported.toml`); Utrecht's are locked by its submitted report. Demo figures.

use domain::Actor;
use domain::reports::ReportState;

use super::clock::on;
use super::demo_actor;
use crate::{App, Result};

pub(super) async fn load(app: &App, assessor: &Actor) -> Result<()> {
    let slug = "utrecht";
    let manager = demo_actor(app, &super::application::manager_email(slug)).await?;
    let figures = |a: &str, b: &str, c: &str, d: &str| {
        ["docenten-geschoold", "po-leerlingen-bereikt", "bedrijven-partner", "meisjes-bereikt"]
            .iter()
            .zip([a, b, c, d])
            .map(|(id, v)| ((*id).to_owned(), v.to_owned()))
            .collect::<Vec<_>>()
    };
    let entered = on(app, "2026-03-02T10:00:00+01:00");
    crate::reported::set_year(&entered, &manager, slug, 2025, &figures("64", "2.150", "38", "410")).await?;
    let pm = demo_actor(app, super::DEMO_USERS[1].0).await?;
    crate::reported::set_year(&entered, &pm, super::DEMO_REGION, 2025, &figures("23", "860", "17", "")).await?;
    let submitted = on(app, "2026-03-20T11:00:00+01:00");
    crate::reports::submit(&submitted, &manager, slug, ("voortgang-2025", 0)).await?;
    let accepted = on(app, "2026-04-10T15:00:00+02:00");
    let (_, list) = crate::reports::list(&accepted, assessor, slug).await?;
    let revision = list.iter().find(|o| o.obligation.id == "voortgang-2025").map_or(0, |o| o.revision);
    crate::reports::answer(&accepted, assessor, slug, ("voortgang-2025", revision), ReportState::Geaccepteerd, "")
        .await?;
    plan_report(app).await
}

/// Zuid-Friesland's approved school plan reports on 2025, written by the school.
async fn plan_report(app: &App) -> Result<()> {
    let school = demo_actor(app, super::DEMO_USERS[3].0).await?;
    let plan = {
        let mut conn = app.db.conn().await?;
        let region =
            store::regions::by_slug(&mut conn, super::DEMO_REGION).await?.ok_or(crate::ServiceError::NotFound)?;
        let plans = store::school_plans::for_region(&mut conn, &region.id).await?;
        plans.into_iter().find(|p| p.state == "goedgekeurd").map(|p| p.id)
    };
    let Some(plan) = plan else { return Ok(()) };
    let report = domain::reports::plan::PlanReport {
        done: "Zes lessen techniekroute in groep 8 en twee bouwdagen met het installatiebedrijf. (Demo-inhoud.)".into(),
        results: "48 leerlingen deden mee; 19 kozen voor een technische snuffelstage in klas 1.".into(),
        spent: rust_decimal::Decimal::new(1_295_000, 2),
    };
    let written = on(app, "2026-02-10T14:00:00+01:00");
    crate::plan_reports::save(&written, &school, (&plan, "voortgang-2025", 0), &report).await
}
