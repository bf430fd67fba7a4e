//! The demo's applications on main lines: Zuid-Friesland's, and those of the regions whose
//! applications show the funder's side in its other states.

use domain::regulation::application::{
    Activity, Agreement, Amount, Application, BudgetLine, Document, Funding, FundingSource, Milestone,
};
use domain::{OrganisationDraft, OrganisationKind, Region};
use store::{AnyConnection, organisations, regions};

use crate::Result;

/// Adds demo partner organisations (name, kind, place) to the region.
pub(super) async fn add_partners(
    conn: &mut AnyConnection,
    region: &Region,
    partners: &[(&str, OrganisationKind, &str)],
) -> Result<()> {
    for (name, kind, place) in partners {
        let draft = OrganisationDraft {
            name: (*name).into(),
            kind: *kind,
            duo_code: None,
            place: Some((*place).into()),
            website: None,
        };
        let org = organisations::insert(conn, &draft, Some("Demo-organisatie")).await?;
        regions::add_member(conn, &region.id, &org.id).await?;
    }
    Ok(())
}

/// A draft application on main lines for `region`: `vision`, three activities (one per mandatory
/// theme) and a four-year budget with company co-financing, its hours and sessions `scale`
/// percent of the demo region's. Nothing when the region lacks a vmbo, mbo, po or company member.
pub(super) async fn insert_main_lines(
    conn: &mut AnyConnection,
    region: &Region,
    vision: &str,
    scale: i64,
) -> Result<bool> {
    let region = regions::by_id(conn, &region.id).await?.unwrap_or_else(|| region.clone());
    let members = regions::members(conn, &region.id).await?;
    let id_of = |kind: OrganisationKind| members.iter().find(|m| m.kind == kind).map(|m| m.id.clone());
    let (Some(vmbo), Some(mbo), Some(po), Some(company)) = (
        id_of(OrganisationKind::Vmbo),
        id_of(OrganisationKind::Mbo),
        id_of(OrganisationKind::Po),
        id_of(OrganisationKind::Company),
    ) else {
        return Ok(false);
    };
    let at = "2024-09-20T10:00:00+02:00".parse().expect("a valid instant");
    let mut app = crate::applications::from_registry(&region, &members, "hoofdlijnen", at);
    app.lead_applicant = vmbo.clone();
    app.vision = Some(vision.into());
    let activity = |id: &str, title: &str, theme: &str, milestone: (&str, &str)| Activity {
        id: id.into(),
        title: title.into(),
        description: String::new(),
        goals: String::new(),
        target_groups: Vec::new(),
        themes: vec![theme.into()],
        lead: Some(vmbo.clone()),
        partners: vec![mbo.clone(), company.clone()],
        milestones: vec![Milestone { title: milestone.0.into(), due: milestone.1.parse().expect("a valid date") }],
        results: Vec::new(),
        indicators: Vec::new(),
        school_plan: None,
    };
    app.activities = vec![
        activity(
            "a1",
            "Docenten lopen mee in technische bedrijven",
            "personeel",
            ("Eerste tien docenten gestart", "2025-06-30"),
        ),
        activity(
            "a2",
            "Techniekmiddagen voor meisjes op de basisschool",
            "inclusie",
            ("Lesprogramma groep 7–8 klaar", "2025-09-01"),
        ),
        activity(
            "a3",
            "Leerwerkplaats duurzame installatietechniek",
            "duurzaamheid",
            ("Warmtepomp-opstelling in gebruik", "2025-12-31"),
        ),
    ];
    if let Some(activity) = app.activities.get_mut(1) {
        activity.partners = vec![po];
    }
    // What each activity aims at in the theory of change, and how that is measured.
    let aims = [
        (vec!["genoeg-docenten"], vec![]),
        (vec!["meer-meisjes"], vec!["techniek-girls-share"]),
        (vec!["meer-techniek", "aansluiting-mbo"], vec!["techniek-share", "techniek-pass-rate"]),
    ];
    for (a, (results, indicators)) in app.activities.iter_mut().zip(aims) {
        a.results = results.into_iter().map(str::to_owned).collect();
        a.indicators = indicators.into_iter().map(str::to_owned).collect();
    }
    let line =
        |activity: &str, year: i16, category: &str, description: &str, quantity: i64, price: i64, funding: Funding| {
            BudgetLine {
                activity: activity.into(),
                year,
                category: category.into(),
                description: description.into(),
                quantity: Amount((quantity * scale / 100).max(1).into()),
                unit: if category.starts_with("staff") { "uur".into() } else { "post".into() },
                unit_price_eur: Amount(price.into()),
                funding,
                school_plan: None,
                date: None,
            }
        };
    let subsidy = || Funding { source: FundingSource::Subsidy, by: None, in_kind: false };
    for year in 2025..=2028 {
        app.budget.push(line("a1", year, "staff-internal", "Begeleiding docentstages", 600, 60, subsidy()));
        app.budget.push(line("a2", year, "activities", "Techniekmiddagen (materiaal en vervoer)", 24, 300, subsidy()));
        app.budget.push(line("a3", year, "materials", "Verbruiksmaterialen leerwerkplaats", 1, 15000, subsidy()));
        let by = Funding { source: FundingSource::Cofinancing, by: Some(company.clone()), in_kind: true };
        app.budget.push(line(
            "a3",
            year,
            "staff-external",
            "Instructeur van het installatiebedrijf (in natura)",
            60,
            120,
            by,
        ));
    }
    // Zuid-Friesland's lead applicant and company confirm in Sterk (when the demo submits).
    let in_sterk = if region.slug == super::DEMO_REGION { vec![vmbo.clone(), company.clone()] } else { Vec::new() };
    app.agreement = Some(agreement(conn, &region, &app, &in_sterk).await?);
    store::applications::insert(conn, &region.id, "hoofdlijnen", &app.canonical_json(), None).await?;
    Ok(true)
}

const AGREEMENT_TEXT: &str = include_str!("../../../../data/demo/samenwerkingsovereenkomst.txt");
const SIGNED_AGREEMENT: &[u8] = include_bytes!("../../../../data/demo/samenwerkingsovereenkomst-getekend.pdf");

/// The region's cooperation agreement: the demo's text, and a copy signed on paper by every party
/// but those in `in_sterk`, who confirm in Sterk.
async fn agreement(
    conn: &mut AnyConnection,
    region: &Region,
    app: &Application,
    in_sterk: &[String],
) -> Result<Agreement> {
    let lead = app.organisation(&app.lead_applicant).map_or("", |o| o.name.as_str());
    let sha256 = crate::files::put(conn, SIGNED_AGREEMENT).await?;
    store::files::add_agreement(conn, &region.id, &sha256).await?;
    Ok(Agreement {
        text: Some(AGREEMENT_TEXT.replace("{regio}", &region.name).replace("{penvoerder}", lead)),
        signed_by: app.organisations.iter().map(|o| o.id.clone()).filter(|id| !in_sterk.contains(id)).collect(),
        document: Some(Document {
            filename: "samenwerkingsovereenkomst-getekend.pdf".into(),
            sha256,
            size: SIGNED_AGREEMENT.len() as u64,
        }),
        confirmations: Vec::new(),
    })
}

/// The lead applicant and the company confirm the cooperation agreement in Sterk (the other
/// parties signed the uploaded copy), and the lead applicant submits.
pub(super) async fn confirm_and_submit(app: &crate::App) -> Result<()> {
    let lead = super::demo_actor(app, super::DEMO_USERS[2].0).await?;
    let partner = super::demo_actor(app, super::DEMO_USERS[4].0).await?;
    let key = (super::DEMO_REGION, "hoofdlijnen");
    let (application, version) = crate::applications::get(app, &lead, key.0, key.1).await?;
    let fingerprint = application.agreement_fingerprint();
    for (who, address) in [(&lead, "192.0.2.14"), (&partner, "198.51.100.7")] {
        let from = crate::auth::Client { address, user_agent: "Firefox op Windows (demo)" };
        let org = who.grants.iter().find(|g| g.signatory).and_then(|g| g.organisation_id.as_deref()).unwrap_or("");
        crate::cosigning::confirm(app, who, from, key, org, &fingerprint).await?;
    }
    crate::applications::submit(app, &lead, key.0, key.1, version).await?;
    Ok(())
}

/// The manager of a region besides the demo region: who submits its applications in the demo
/// (`programmamanager-{slug}@sterk.example`, the demo password).
pub(super) fn manager_email(slug: &str) -> String {
    format!("programmamanager-{slug}@sterk.example")
}

/// Who may sign for the lead applicant of a region besides the demo region, and so submits its
/// applications in the demo (`penvoerder-{slug}@sterk.example`, the demo password).
pub(super) fn lead_email(slug: &str) -> String {
    format!("penvoerder-{slug}@sterk.example")
}

/// Gives the region a demo signatory for its lead applicant, the first vmbo member as in
/// [`insert_main_lines`] (see [`lead_email`]).
pub(super) async fn add_lead_signatory(conn: &mut AnyConnection, region: &Region, password_hash: &str) -> Result<()> {
    let members = regions::members(conn, &region.id).await?;
    let Some(lead) = members.iter().find(|m| m.kind == OrganisationKind::Vmbo) else { return Ok(()) };
    let email = lead_email(&region.slug);
    let id = match store::users::id_by_email(conn, &email).await? {
        Some(id) => id,
        None => store::users::insert(conn, &email, &format!("Demo Penvoerder {}", region.name), password_hash).await?,
    };
    let scope = store::users::Scope { region_id: Some(&region.id), organisation_id: Some(&lead.id) };
    store::users::grant(conn, &id, domain::Role::LeadApplicant, scope).await?;
    store::users::set_signatory(conn, &id, (domain::Role::LeadApplicant, &region.id, &lead.id), true).await?;
    Ok(())
}

/// Gives the region a demo manager (see [`manager_email`]).
pub(super) async fn add_manager(conn: &mut AnyConnection, region: &Region, password_hash: &str) -> Result<()> {
    let email = manager_email(&region.slug);
    let id = match store::users::id_by_email(conn, &email).await? {
        Some(id) => id,
        None => {
            store::users::insert(conn, &email, &format!("Demo Programmamanager {}", region.name), password_hash).await?
        }
    };
    let scope = store::users::Scope { region_id: Some(&region.id), organisation_id: None };
    store::users::grant(conn, &id, domain::Role::RegionManager, scope).await?;
    Ok(())
}

/// A region whose main-lines application the demo takes to another state at the funder.
pub(super) struct OtherRegion {
    pub slug: &'static str,
    pub partners: [(&'static str, OrganisationKind, &'static str); 3],
    pub vision: &'static str,
    /// Its budget's hours and sessions, in percent of Zuid-Friesland's.
    pub scale: i64,
}

/// Regions the funder's queue shows besides Zuid-Friesland: being assessed, decided in part, rejected.
pub(super) const OTHER_REGIONS: [OtherRegion; 3] = [
    OtherRegion {
        slug: "utrecht",
        partners: [
            ("Techniekcollege Utrecht (demo)", OrganisationKind::Mbo, "Utrecht"),
            ("Basisschool De Uitvinder (demo)", OrganisationKind::Po, "Utrecht"),
            ("Bouwbedrijf Domstad (demo)", OrganisationKind::Company, "Nieuwegein"),
        ],
        vision: "In de regio Utrecht kiest elke vmbo-leerling met kennis van zaken voor techniek: scholen, mbo en \
                 bedrijven maken samen één doorlopende leerlijn van de basisschool tot de werkvloer. (Demo-inhoud.)",
        scale: 130,
    },
    OtherRegion {
        slug: "zuidoost-brabant",
        partners: [
            ("Summa-achtig Mbo Eindhoven (demo)", OrganisationKind::Mbo, "Eindhoven"),
            ("Basisschool Het Lichtpunt (demo)", OrganisationKind::Po, "Veldhoven"),
            ("Hightech Toeleverancier Kempen (demo)", OrganisationKind::Company, "Veldhoven"),
        ],
        vision: "Zuidoost-Brabant verbindt het vmbo met de hightech-industrie van de Brainport: leerlingen werken \
                 aan echte opdrachten van bedrijven en docenten lopen mee in de maakindustrie. (Demo-inhoud.)",
        scale: 110,
    },
    OtherRegion {
        slug: "almere",
        partners: [
            ("Mbo Techniek Flevoland (demo)", OrganisationKind::Mbo, "Almere"),
            ("Basisschool De Polderkei (demo)", OrganisationKind::Po, "Almere"),
            ("Installatietechniek Almere (demo)", OrganisationKind::Company, "Almere"),
        ],
        vision: "Almere wil meer leerlingen in techniek. (Demo-inhoud: een plan dat op hoofdlijnen blijft, \
                 om een afwijzing te laten zien.)",
        scale: 90,
    },
];
