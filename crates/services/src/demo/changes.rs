//! Change requests in the demo: Zuid-Friesland's substantial change approved (execution follows
//! it), and Utrecht's waiting for the funder.

use domain::Actor;
use domain::change_request::ChangeState;
use domain::regulation::application::{Activity, Amount, Application, BudgetLine};
use rust_decimal::Decimal;

use super::clock::on;
use super::{DEMO_REGION, demo_actor};
use crate::change_requests as changes;
use crate::{App, Result};

/// One demo change: who, when, what it says, and how the plan changes.
struct DemoChange {
    slug: &'static str,
    started: &'static str,
    description: &'static str,
    edit: fn(&mut Application),
}

const CHANGES: [DemoChange; 2] = [
    DemoChange {
        slug: DEMO_REGION,
        started: "2025-10-01T10:00:00+02:00",
        description: "De coördinatie van de techniekmiddagen kost meer tijd dan begroot: in 2026 gaat € 3.000 van \
                      het activiteitenbudget naar de algemene kosten. De warmtepomp-opstelling is een kwartaal later \
                      in gebruik. (Demo-inhoud.)",
        edit: overhead_and_later,
    },
    DemoChange {
        slug: "utrecht",
        started: "2026-09-10T10:00:00+02:00",
        description: "Een zomerschool techniek voor leerlingen van groep 8 en klas 1 komt erbij, betaald uit het \
                      budget van de techniekmiddagen in 2027. (Demo-inhoud.)",
        edit: summer_school,
    },
];

/// Zuid-Friesland: € 3.000 from the 2026 afternoons to overhead; the a3 milestone a quarter later.
fn overhead_and_later(a: &mut Application) {
    let Some(i) = a.budget.iter().position(|l| l.activity == "a2" && l.year == 2026) else { return };
    let Some(line) = a.budget.get_mut(i) else { return };
    let price = line.unit_price_eur.0;
    let fewer = (Decimal::from(3_000) / price).round();
    line.quantity = Amount(line.quantity.0 - fewer);
    let overhead = BudgetLine {
        category: "overhead".into(),
        description: "Coördinatie techniekmiddagen".into(),
        quantity: Amount(Decimal::ONE),
        unit: "post".into(),
        unit_price_eur: Amount(fewer * price),
        ..line.clone()
    };
    a.budget.push(overhead);
    if let Some(m) = a.activities.iter_mut().find(|x| x.id == "a3").and_then(|x| x.milestones.first_mut()) {
        m.due = jiff::civil::date(2026, 3, 31);
    }
}

/// Utrecht: a new activity with goals of its own, from the 2027 afternoons' budget.
fn summer_school(a: &mut Application) {
    let Some(line) = a.budget.iter_mut().find(|l| l.activity == "a2" && l.year == 2027) else { return };
    let moved = (line.quantity.0 / Decimal::TWO).floor();
    line.quantity = Amount(line.quantity.0 - moved);
    let new_line = BudgetLine {
        activity: "a4".into(),
        description: "Zomerschool (materiaal en begeleiding)".into(),
        quantity: Amount(moved),
        ..line.clone()
    };
    let Some(template) = a.activities.iter().find(|x| x.id == "a2").cloned() else { return };
    a.activities.push(Activity {
        id: "a4".into(),
        title: "Zomerschool techniek voor groep 8 en klas 1".into(),
        goals: "Meer leerlingen kiezen na de zomerschool een technisch profiel.".into(),
        milestones: Vec::new(),
        school_plan: None,
        ..template
    });
    a.budget.push(new_line);
}

pub(super) async fn load(app: &App, assessor: &Actor) -> Result<()> {
    for c in &CHANGES {
        let manager = demo_actor(app, &manager_of(c.slug)).await?;
        let at = on(app, c.started);
        let id = changes::start(&at, &manager, c.slug, "hoofdlijnen", c.description).await?;
        crate::applications::update(
            &at,
            &manager,
            c.slug,
            "hoofdlijnen",
            draft_version(&at, &manager, c.slug).await?,
            |a| {
                (c.edit)(a);
                Ok(())
            },
        )
        .await?;
        let revision = changes::detail(&at, &manager, c.slug, &id).await?.request.revision;
        changes::step(&at, &manager, c.slug, (&id, revision, None), None, "").await?;
        if c.slug == DEMO_REGION {
            let answered = on(app, "2025-10-20T15:00:00+02:00");
            let revision = changes::detail(&answered, assessor, c.slug, &id).await?.request.revision;
            let comment =
                "Akkoord: de verschuiving naar de algemene kosten is onderbouwd en blijft binnen het besluit.";
            changes::step(&answered, assessor, c.slug, (&id, revision, None), Some(ChangeState::Goedgekeurd), comment)
                .await?;
        }
    }
    Ok(())
}

fn manager_of(slug: &str) -> String {
    if slug == DEMO_REGION { super::DEMO_USERS[1].0.to_owned() } else { super::application::manager_email(slug) }
}

async fn draft_version(app: &App, actor: &Actor, slug: &str) -> Result<i64> {
    Ok(crate::applications::get(app, actor, slug, "hoofdlijnen").await?.1)
}
