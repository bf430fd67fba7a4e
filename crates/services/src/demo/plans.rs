//! School plans in the demo, made through the services as people would.

use domain::OrganisationKind;
use store::regions;

use super::{DEMO_REGION, DEMO_USERS, demo_actor};
use crate::{App, Result};

/// School plans in every state of the workflow, made through the services as people would:
/// one approved (its lines are in the application), one submitted, one returned, one concept;
/// and a teacher's request for an account.
pub(super) async fn load(app: &App) -> Result<()> {
    use domain::regulation::application::{Activity, Amount, BudgetLine, Funding, FundingSource, Milestone};
    use domain::school_plan::{PlanState, SchoolPlan};
    let school = demo_actor(app, DEMO_USERS[3].0).await?;
    let manager = demo_actor(app, DEMO_USERS[1].0).await?;
    let members = {
        let mut conn = app.db.conn().await?;
        let region = regions::by_slug(&mut conn, DEMO_REGION).await?.ok_or(crate::ServiceError::NotFound)?;
        regions::members(&mut conn, &region.id).await?
    };
    let of_kind = |k: OrganisationKind| members.iter().filter(move |m| m.kind == k).map(|m| m.id.clone());
    let schools: Vec<String> = of_kind(OrganisationKind::Vmbo).collect();
    // The demo school contact writes every plan, for the one school they act for.
    let Some(own_school) = school.grants.iter().find_map(|g| g.organisation_id.clone()) else {
        return Ok(());
    };
    let company = of_kind(OrganisationKind::Company).next();
    let subsidy = || Funding { source: FundingSource::Subsidy, by: None, in_kind: false };
    let plan = |title: &str, theme: &str, lines: &[(i16, &str, &str, i64, i64)]| SchoolPlan {
        title: title.into(),
        organisation: own_school.clone(),
        theme: theme.into(),
        vision_fit: "Sluit aan bij de regiovisie: meer leerlingen kiezen techniek als ze het vroeg en echt beleven."
            .into(),
        goals: "Twintig procent meer leerlingen kiest in klas 3 een technisch profiel.".into(),
        cooperation: "Met twee basisscholen in de wijk, het ROC en een installatiebedrijf uit de regio.".into(),
        activities: vec![Activity {
            id: "a1".into(),
            title: title.into(),
            description: "Leerlingen werken aan echte opdrachten, begeleid door docenten en vakmensen.".into(),
            goals: String::new(),
            target_groups: vec!["onderbouw".into()],
            themes: vec![theme.into()],
            lead: None,
            partners: Vec::new(),
            milestones: vec![Milestone {
                title: "Eerste lessenserie gegeven".into(),
                due: jiff::civil::date(2025, 6, 30),
            }],
            results: vec!["meer-techniek".into()],
            indicators: vec!["techniek-share".into()],
            school_plan: None,
        }],
        budget: lines
            .iter()
            .map(|(year, category, description, quantity, price)| BudgetLine {
                activity: "a1".into(),
                year: *year,
                category: (*category).into(),
                description: (*description).into(),
                quantity: Amount((*quantity).into()),
                unit: if category.starts_with("staff") { "uur".into() } else { "post".into() },
                unit_price_eur: Amount((*price).into()),
                funding: subsidy(),
                school_plan: None,
                date: None,
            })
            .collect(),
    };
    let mut approved = plan(
        "Techniekroute van groep 8 naar klas 2",
        "personeel",
        &[
            (2025, "staff-internal", "Lessen ontwikkelen en geven", 160, 58),
            (2025, "materials", "Bouwpakketten", 1, 4_500),
        ],
    );
    if let (Some(company), Some(first)) = (company, approved.budget.first().cloned()) {
        approved.budget.push(BudgetLine {
            funding: Funding { source: FundingSource::Cofinancing, by: Some(company), in_kind: true },
            description: "Vakman van het installatiebedrijf in de les".into(),
            ..first
        });
    }
    let submitted =
        plan("Girls in tech-dag", "inclusie", &[(2025, "activities", "Dag met workshops en vervoer", 2, 3_200)]);
    let returned =
        plan("Duurzame leerwerkplaats", "duurzaamheid", &[(2026, "materials", "Zonnepanelen-opstelling", 1, 18_000)]);
    let concept = plan("Gastlessen robotica", "personeel", &[(2026, "staff-external", "Gastdocent robotica", 40, 85)]);
    let at_management =
        plan("Technieklokaal onderbouw", "duurzaamheid", &[(2026, "materials", "Werkbanken en gereedschap", 6, 1_450)]);
    // Every plan passes the school's management (the lead applicant signs for the demo school).
    let steps: [(&SchoolPlan, &[(PlanState, &str)]); 5] = [
        (
            &approved,
            &[
                (PlanState::BijSchoolleiding, ""),
                (PlanState::Ingediend, ""),
                (PlanState::InBehandeling, ""),
                (PlanState::Goedgekeurd, "Mooi plan; past in lijn 1 van de visie."),
            ],
        ),
        (&submitted, &[(PlanState::BijSchoolleiding, ""), (PlanState::Ingediend, "")]),
        (
            &returned,
            &[
                (PlanState::BijSchoolleiding, ""),
                (PlanState::Ingediend, ""),
                (PlanState::Teruggestuurd, "Welk bedrijf draagt bij? Vul de cofinanciering aan."),
            ],
        ),
        (&concept, &[]),
        (&at_management, &[(PlanState::BijSchoolleiding, "")]),
    ];
    let leader = demo_actor(app, DEMO_USERS[2].0).await?;
    for (p, path) in steps {
        let id = crate::school_plans::create(app, &school, DEMO_REGION, p.clone()).await?;
        for (to, comment) in path {
            let by = match to {
                PlanState::BijSchoolleiding => &school,
                PlanState::Ingediend => &leader,
                _ => &manager,
            };
            crate::school_plans::transition(app, by, &id, *to, comment).await?;
        }
    }
    if let Some(organisation) = schools.first() {
        let input = crate::account_requests::RequestInput {
            name: "Sanne de Vries".into(),
            email: "s.devries@school.example".into(),
            organisation: organisation.clone(),
            message: "Ik ben docent techniek en wil een deelplan voor de onderbouw indienen.".into(),
        };
        crate::account_requests::request(app, DEMO_REGION, &input).await?;
    }
    Ok(())
}
