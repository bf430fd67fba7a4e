//! Joining and finding in the demo: the national team's corrections to the municipalities a region
//! covers (`data/demo/coverage.csv`), a school and a company waiting to join Zuid-Friesland, and
//! questions through the contact form, one answered.

use domain::Region;
use serde::Deserialize;
use store::contact_messages::{self, ContactMessage};
use store::join_requests::{self, JoinRequestRow};

use super::{DEMO_USERS, demo_actor};
use crate::{App, Result};

const COVERAGE_CSV: &str = include_str!("../../../../data/demo/coverage.csv");

pub(super) async fn load(app: &App, region: Option<&Region>) -> Result<()> {
    let national = demo_actor(app, DEMO_USERS[0].0).await?;
    #[derive(Deserialize)]
    struct Row {
        region: String,
        municipality: String,
    }
    for row in csv::Reader::from_reader(COVERAGE_CSV.as_bytes()).deserialize::<Row>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/demo/coverage.csv: {e}")))?;
        crate::coverage::set(app, &national, &row.region, &row.municipality, Some(true)).await?;
    }
    let Some(region) = region else { return Ok(()) };
    let mut tx = app.db.begin().await?;
    let request = |kind: &str,
                   duo_code: Option<&str>,
                   organisation: &str,
                   kvk: Option<&str>,
                   (name, email, message): (&str, &str, &str)| {
        JoinRequestRow {
            id: String::new(),
            region_id: region.id.clone(),
            kind: kind.to_owned(),
            duo_code: duo_code.map(str::to_owned),
            organisation_name: organisation.to_owned(),
            kvk: kvk.map(str::to_owned),
            contact_name: name.to_owned(),
            contact_email: email.to_owned(),
            message: message.to_owned(),
            created_at: 0,
        }
    };
    let school = request(
        "school",
        Some("12VI08"),
        "Nordwin College",
        None,
        (
            "Sietske Dijkstra",
            "s.dijkstra@nordwin.example",
            "Wij willen met onze groene techniekroute aansluiten bij de regio.",
        ),
    );
    let company = request(
        "company",
        None,
        "Bouwbedrijf Hoekstra (demo)",
        Some("87654321"),
        ("Pieter Hoekstra", "pieter@hoekstra-bouw.example", "Twee stageplekken per jaar en gastlessen over houtbouw."),
    );
    for r in [school, company] {
        join_requests::insert(&mut tx, &r).await?;
    }
    let question = |region_id: Option<String>, (name, email, subject, body): (&str, &str, &str, &str)| ContactMessage {
        id: String::new(),
        region_id,
        name: name.to_owned(),
        email: email.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        created_at: 0,
        answer: None,
        answered_at: None,
    };
    let open = question(
        Some(region.id.clone()),
        (
            "Jan de Boer",
            "jan.deboer@example.nl",
            "Open dag techniek",
            "Mag ik als ouder meekijken bij de techniekdag in Heerenveen?",
        ),
    );
    contact_messages::insert(&mut tx, &open).await?;
    let national_question = question(
        None,
        (
            "Fatima el Amrani",
            "f.elamrani@example.nl",
            "Regio voor Vlieland?",
            "Onze school staat op Vlieland. Bij welke regio horen wij?",
        ),
    );
    let id = contact_messages::insert(&mut tx, &national_question).await?;
    let answer =
        "Vlieland valt nog onder geen regio. Wij brengen u in contact met de regio's in Noord-Holland en Fryslân.";
    contact_messages::answer(&mut tx, &id, answer, national.user_id.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}
