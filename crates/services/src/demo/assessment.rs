//! The funder's side in the demo, taken through the services on the dates it happened: the main
//! lines of four regions assessed by two assessors and decided in January 2025 (Zuid-Friesland
//! and Utrecht granted, Zuidoost-Brabant in part, Almere rejected), the advances of 2025 and 2026
//! paid, and in September 2026 two detailed applications for 2027–2028 at the funder: Utrecht's
//! being assessed, Zuidoost-Brabant's with a repair request. (Zuid-Friesland's detailed plans
//! stay the region's to write: the tests and the walkthrough start them.)

use domain::Actor;
use domain::assessment::decision::{DecisionInput, Outcome};
use domain::assessment::scoring::Score;
use domain::assessment::{AssessmentState, StepInput};
use domain::regulation::application::Amount;
use rust_decimal::Decimal;

use super::clock::on;
use super::{DEMO_REGION, DEMO_USERS, demo_actor};
use crate::assessments::{self as funder, decisions, scoring};
use crate::{App, Result};

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

/// How one region's main lines went at the funder.
struct MainLines<'a> {
    slug: &'a str,
    reference: &'a str,
    outcome: Outcome,
    /// The share of what was asked that is granted, in percent.
    granted: i64,
    marks: [[(i64, &'a str); 2]; 2],
    advice: &'a str,
    conditions: &'a str,
}

const CONDITIONS: &str = "De regio rapporteert jaarlijks over de voortgang op de drie thema's.\n\n\
                          Een wezenlijke wijziging van het activiteitenplan meldt de penvoerder vooraf bij DUS-I.";

const MAIN_LINES: [MainLines<'static>; 4] = [
    MainLines {
        slug: DEMO_REGION,
        reference: "DUS-I/STO/2025/0107",
        outcome: Outcome::Toegekend,
        granted: 100,
        marks: [
            [(4, "Helder onderbouwd en passend bij de regio."), (4, "Goed uitgewerkt.")],
            [(4, "Overtuigend; de partners zijn concreet benoemd."), (3, "Voldoende, op onderdelen nog algemeen.")],
        ],
        advice: "Toekennen. De regio toont een gedragen visie, concrete samenwerking met mbo, basisscholen en \
                 bedrijven, en aandacht voor alle drie de thema's. (Demo-inhoud.)",
        conditions: CONDITIONS,
    },
    MainLines {
        slug: "utrecht",
        reference: "DUS-I/STO/2025/0112",
        outcome: Outcome::Toegekend,
        granted: 100,
        marks: [
            [(4, "Sterke doorlopende leerlijn."), (4, "Realistische begroting.")],
            [(3, "Goed, de rol van het po kan scherper."), (4, "Bedrijven dragen aantoonbaar bij.")],
        ],
        advice: "Toekennen. (Demo-inhoud.)",
        conditions: CONDITIONS,
    },
    MainLines {
        slug: "zuidoost-brabant",
        reference: "DUS-I/STO/2025/0098",
        outcome: Outcome::DeelsToegekend,
        granted: 85,
        marks: [
            [(3, "Passend, maar de materiaalkosten zijn ruim begroot."), (3, "Voldoende.")],
            [(3, "De begroting is op onderdelen niet onderbouwd."), (2, "Prijs maal hoeveelheid ontbreekt deels.")],
        ],
        advice: "Deels toekennen: de materiaalkosten zijn hoger dan de activiteiten vragen. (Demo-inhoud.)",
        conditions: "Toegekend is 85% van het gevraagde bedrag: de materiaalkosten zijn verlaagd.\n\n\
                     De regio rapporteert jaarlijks over de voortgang op de drie thema's.",
    },
    MainLines {
        slug: "almere",
        reference: "DUS-I/STO/2025/0131",
        outcome: Outcome::Afgewezen,
        granted: 0,
        marks: [
            [(1, "De visie blijft algemeen en noemt geen doelen."), (2, "Onvoldoende uitgewerkt.")],
            [(2, "Samenwerking met het po ontbreekt nagenoeg."), (1, "Geen onderbouwing per activiteit.")],
        ],
        advice: "Afwijzen: de aanvraag maakt niet duidelijk wat de regio wil bereiken en hoe. De regio kan in een \
                 volgend tijdvak opnieuw aanvragen. (Demo-inhoud.)",
        conditions: "De aanvraag voldoet niet aan het beoordelingskader: de regionale visie en de onderbouwing per \
                     activiteit ontbreken.",
    },
];

async fn steps(app: &App) -> Result<()> {
    let assessor = demo_actor(app, DEMO_USERS[5].0).await?;
    let second = demo_actor(app, DEMO_USERS[6].0).await?;
    for (i, m) in MAIN_LINES.iter().enumerate() {
        if m.slug != DEMO_REGION {
            // Zuid-Friesland's was submitted with its plans; the others on the last day.
            let lead = demo_actor(app, &super::application::lead_email(m.slug)).await?;
            let submitted = on(app, &format!("2024-10-01T1{}:00:00+02:00", i + 1));
            let (_, version) = crate::applications::get(&submitted, &lead, m.slug, "hoofdlijnen").await?;
            crate::applications::submit(&submitted, &lead, m.slug, "hoofdlijnen", version).await?;
        }
        main_lines(app, (&assessor, &second), m).await?;
    }
    advances_paid(app, &assessor).await?;
    detailed(app, &assessor).await?;
    super::changes::load(app, &assessor).await?;
    super::reports::load(app, &assessor).await
}

async fn main_lines(app: &App, (assessor, second): (&Actor, &Actor), m: &MainLines<'_>) -> Result<()> {
    let key = (m.slug, "hoofdlijnen");
    let taken = on(app, "2024-10-03T09:30:00+02:00");
    funder::step(&taken, assessor, key, AssessmentState::InBehandeling, StepInput::default(), None).await?;
    for ((who, when), marks) in
        [(assessor, "2024-11-12T14:00:00+01:00"), (second, "2024-11-19T10:15:00+01:00")].into_iter().zip(&m.marks)
    {
        let t = on(app, when);
        scoring::declare(&t, who, key, false).await?;
        scoring::save_scores(&t, who, key, scores(&t, marks)?, true).await?;
    }
    scoring::advise(&on(app, "2024-12-10T16:00:00+01:00"), assessor, key, m.advice).await?;
    let decided = on(app, "2025-01-15T11:00:00+01:00");
    let review = scoring::review(&decided, assessor, m.slug, "hoofdlijnen").await?;
    let share = |a: Decimal| domain::fmt::round_cents(a * Decimal::new(m.granted, 2));
    let input = DecisionInput {
        reference: m.reference.into(),
        decided_on: jiff::civil::date(2025, 1, 15),
        outcome: m.outcome,
        amounts: review.requested.iter().map(|(y, a)| (*y, Amount(share(*a)))).collect(),
        conditions: m.conditions.into(),
    };
    decisions::decide(&decided, assessor, key, input).await?;
    Ok(())
}

/// The advances of 2025 and 2026 paid two weeks after they were planned, with the funder's
/// payment references.
async fn advances_paid(app: &App, assessor: &Actor) -> Result<()> {
    for (n, m) in MAIN_LINES.iter().enumerate() {
        let register = crate::payments::register(&on(app, "2026-09-01T09:00:00+02:00"), assessor, m.slug).await?;
        for p in register.payments.iter().filter(|p| p.year.is_some_and(|y| y <= 2026)) {
            let Some(planned) = p.planned_on.as_deref().and_then(|d| d.parse::<jiff::civil::Date>().ok()) else {
                continue;
            };
            let paid = planned.checked_add(jiff::Span::new().days(14)).unwrap_or(planned);
            let text = domain::payments::PaymentText {
                kind: p.kind.clone(),
                year: p.year.map(|y| y.to_string()).unwrap_or_default(),
                planned_on: planned.to_string(),
                paid_on: paid.to_string(),
                amount: domain::fmt::decimal_nl(Decimal::new(p.amount_cents, 2)),
                reference: format!("BET-{}-{:04}", paid.year(), 101 + n),
                note: String::new(),
            };
            let at = on(app, &format!("{paid}T10:00:00+01:00"));
            crate::payments::update(&at, assessor, (m.slug, &p.id, p.revision), &text).await?;
        }
    }
    Ok(())
}

/// September 2026: Utrecht's and Zuidoost-Brabant's detailed applications for 2027–2028 at the
/// funder, the first being assessed, the second with a repair request due at the month's end.
async fn detailed(app: &App, assessor: &Actor) -> Result<()> {
    let phase = "uitwerking-2027-2028";
    for (slug, day) in [("utrecht", "08"), ("zuidoost-brabant", "03")] {
        let lead = demo_actor(app, &super::application::lead_email(slug)).await?;
        let at = on(app, &format!("2026-09-{day}T10:00:00+02:00"));
        let (mut a, _) = crate::applications::content(&at, &lead, slug, "hoofdlijnen", 1).await?;
        a.phase = phase.into();
        a.budget.retain(|l| l.year >= 2027);
        crate::applications::import(&at, &lead, slug, &a.canonical_json(), None).await?;
        let (_, version) = crate::applications::get(&at, &lead, slug, phase).await?;
        crate::applications::submit(&at, &lead, slug, phase, version).await?;
        let taken = on(app, &format!("2026-09-{day}T14:00:00+02:00"));
        funder::step(&taken, assessor, (slug, phase), AssessmentState::InBehandeling, StepInput::default(), None)
            .await?;
    }
    let request = StepInput {
        comment: "Wij hebben uw uitwerking ontvangen; er ontbreken nog twee onderdelen.".into(),
        items: vec![
            "De onderbouwing van de materiaalkosten per activiteit (prijs maal hoeveelheid).".into(),
            "De ondertekende samenwerkingsovereenkomst met het nieuwe bedrijf.".into(),
        ],
        due: Some(jiff::civil::date(2026, 9, 30)),
    };
    let asked = on(app, "2026-09-09T11:00:00+02:00");
    funder::step(&asked, assessor, ("zuidoost-brabant", phase), AssessmentState::AanvullingGevraagd, request, None)
        .await?;
    Ok(())
}
