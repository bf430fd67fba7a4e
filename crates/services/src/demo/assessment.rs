//! The funder's side in the demo, taken through the services on the dates it happened: the main
//! lines of Zuid-Friesland assessed by two assessors and granted in January 2025. (Its detailed
//! plans stay the region's to write: the tests and the walkthrough start them.)

use domain::Actor;
use domain::assessment::decision::{DecisionInput, Outcome};
use domain::assessment::scoring::Score;
use domain::assessment::{AssessmentState, StepInput};
use domain::regulation::application::Amount;

use super::{DEMO_REGION, DEMO_USERS, demo_actor};
use crate::assessments::{self as funder, decisions, scoring};
use crate::{App, Result};

/// `app` at `instant`, with everything stored stamped at that moment too.
fn on(app: &App, instant: &str) -> App {
    let at: jiff::Timestamp = instant.parse().expect("a valid instant");
    store::set_clock(at.as_millisecond());
    App { clock: Some(at), ..app.clone() }
}

fn scores(app: &App, marks: &[(i64, &str)]) -> Result<Vec<Score>> {
    let reg = app.current_regulation()?;
    Ok(reg
        .criteria
        .iter()
        .zip(marks.iter().cycle())
        .map(|(c, (score, why))| Score { criterion: c.id.clone(), score: *score, motivation: (*why).to_owned() })
        .collect())
}

pub(super) async fn load(app: &App) -> Result<()> {
    // The process's clock is moved to each step's moment and back afterwards.
    let was = store::now_ms();
    let started = std::time::Instant::now();
    let result = steps(app).await;
    store::set_clock(was + i64::try_from(started.elapsed().as_millis()).unwrap_or_default());
    result
}

async fn steps(app: &App) -> Result<()> {
    let assessor = demo_actor(app, DEMO_USERS[5].0).await?;
    let second = demo_actor(app, DEMO_USERS[6].0).await?;
    main_lines(app, (&assessor, &second)).await
}

async fn main_lines(app: &App, (assessor, second): (&Actor, &Actor)) -> Result<()> {
    let key = (DEMO_REGION, "hoofdlijnen");
    let taken = on(app, "2024-10-03T09:30:00+02:00");
    funder::step(&taken, assessor, key, AssessmentState::InBehandeling, StepInput::default(), None).await?;
    type Marks<'a> = [(&'a Actor, &'a str, [(i64, &'a str); 2]); 2];
    let marks: Marks = [
        (
            assessor,
            "2024-11-12T14:00:00+01:00",
            [(4, "Helder onderbouwd en passend bij de regio."), (4, "Goed uitgewerkt.")],
        ),
        (
            second,
            "2024-11-19T10:15:00+01:00",
            [(4, "Overtuigend; de partners zijn concreet benoemd."), (3, "Voldoende, op onderdelen nog algemeen.")],
        ),
    ];
    for (who, when, marks) in marks {
        let t = on(app, when);
        scoring::declare(&t, who, key, false).await?;
        scoring::save_scores(&t, who, key, scores(&t, &marks)?, true).await?;
    }
    let advice = "Toekennen. De regio toont een gedragen visie, concrete samenwerking met mbo, basisscholen en \
                  bedrijven, en aandacht voor alle drie de thema's. (Demo-inhoud.)";
    scoring::advise(&on(app, "2024-12-10T16:00:00+01:00"), assessor, key, advice).await?;
    let decided = on(app, "2025-01-15T11:00:00+01:00");
    let review = scoring::review(&decided, assessor, DEMO_REGION, "hoofdlijnen").await?;
    let input = DecisionInput {
        reference: "DUS-I/STO/2025/0107".into(),
        decided_on: jiff::civil::date(2025, 1, 15),
        outcome: Outcome::Toegekend,
        amounts: review.requested.iter().map(|(y, a)| (*y, Amount(*a))).collect(),
        conditions: "De regio rapporteert jaarlijks over de voortgang op de drie thema's.\n\n\
                     Een wezenlijke wijziging van het activiteitenplan meldt de penvoerder vooraf bij DUS-I."
            .into(),
    };
    decisions::decide(&decided, assessor, key, input).await?;
    Ok(())
}
