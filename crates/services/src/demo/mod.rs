//! The demo data set: the real regions and schools shipped in `data/`, plus demo content
//! (partners, a region profile) and one demo user per role. Loaded once; loading again is a no-op.

use domain::region::RegionProfileInput;
use domain::{OrganisationKind, Region, Role};
use serde::Deserialize;
use store::{AnyConnection, regions, settings, users};

use crate::auth::hash_password;
use crate::{App, Result};

mod application;
mod assessment;
mod changes;
mod clock;
mod joining;
mod plans;
mod registry;
mod reports;

const KNOWLEDGE_BASE: &str = include_str!("../../../../data/demo/knowledge-base.toml");
const MAXIMUMS_CSV: &str = include_str!("../../../../data/demo/region-maximums.csv");
const MARKER: &str = "demo_loaded";

const ZUID_FRIESLAND_VISION: &str = "Zuid-Friesland wil dat elke leerling techniek ziet, voelt en kiest.\n\n\
     We leiden docenten op in bedrijven, brengen techniek naar de basisschool en bouwen samen \
     met het installatiebedrijf een leerwerkplaats voor duurzame technieken. (Demo-inhoud.)";

/// When the demo's history took place.
const HISTORY: &str = "2024-09-30T12:00:00+02:00";

/// The password of every demo account (printed at start-up; demo only).
pub const DEMO_PASSWORD: &str = "sterk-demo-2025";
/// The region the demo's region manager, lead applicant, school contact and partner belong to.
pub const DEMO_REGION: &str = "zuid-friesland";

/// One demo account per role.
pub const DEMO_USERS: [(&str, &str, Role); 8] = [
    ("beheerder@sterk.example", "Demo Landelijk Beheerder", Role::NationalAdmin),
    ("programmamanager@sterk.example", "Demo Programmamanager", Role::RegionManager),
    ("penvoerder@sterk.example", "Demo Penvoerder", Role::LeadApplicant),
    ("school@sterk.example", "Demo Contactpersoon School", Role::SchoolContact),
    ("partner@sterk.example", "Demo Partner", Role::Partner),
    ("beoordelaar@sterk.example", "Demo Beoordelaar DUS-I", Role::Assessor),
    ("beoordelaar2@sterk.example", "Demo Tweede Beoordelaar DUS-I", Role::Assessor),
    ("ministerie@sterk.example", "Demo Ministerie van OCW", Role::Observer),
];

/// Dates what this process writes in the demo's time, moving on from the moment the first
/// instance on this database started it (kept in the settings), so that every instance on one
/// database keeps the same time: a form one instance hands out is still valid on another.
pub async fn start_clock(app: &App) -> Result<()> {
    let machine = jiff::Timestamp::now().as_millisecond();
    let mut conn = app.db.conn().await?;
    store::settings::get_or_insert(&mut conn, DEMO_CLOCK_SETTING, &app.now().to_string()).await?;
    let first = store::settings::get_or_insert(&mut conn, "demo_clock_started_at", &machine.to_string()).await?;
    let started = first.parse::<i64>().unwrap_or(machine);
    store::set_clock(app.now().as_millisecond() + (machine - started));
    Ok(())
}

/// The setting that keeps the demo's clock, so that commands run on a demo database later (an
/// exported report's "opgesteld op") date things as the demo's server does.
const DEMO_CLOCK_SETTING: &str = "demo_clock";

/// Puts `app` on the demo's clock where the database is a demo's (the clock set and the demo
/// loaded); returns that clock, or `None` and leaves `app` alone.
pub async fn resume_clock(app: &mut App) -> Result<Option<jiff::Timestamp>> {
    let (stored, loaded) = {
        let mut conn = app.db.conn().await?;
        (store::settings::get(&mut conn, DEMO_CLOCK_SETTING).await?, settings::get(&mut conn, MARKER).await?)
    };
    let Some(at) = stored.and_then(|s| s.parse::<jiff::Timestamp>().ok()).filter(|_| loaded.is_some()) else {
        return Ok(None);
    };
    app.clock = Some(at);
    start_clock(app).await?;
    Ok(Some(at))
}

/// Loads the demo set unless it was loaded before; returns whether anything was loaded.
pub async fn load(app: &App) -> Result<bool> {
    // The demo's history happened inside the window for applications on main lines, whatever
    // clock the server runs on: plans approved then, the application submitted then.
    let app = &App { clock: Some(HISTORY.parse().expect("a valid instant")), ..app.clone() };
    let mut tx = app.db.begin().await?;
    if settings::get(&mut tx, MARKER).await?.is_some() {
        return Ok(false);
    }
    let loaded = registry::load(&mut tx).await?;
    let demo_region = loaded.iter().find(|r| r.slug == DEMO_REGION).cloned();
    if let Some(region) = &demo_region {
        load_demo_content(&mut tx, region).await?;
    }
    load_users(&mut tx, demo_region.as_ref(), loaded.iter().find(|r| r.slug == "utrecht")).await?;
    if let Some(region) = &demo_region {
        application::insert_main_lines(&mut tx, region, ZUID_FRIESLAND_VISION, 100).await?;
    }
    for other in &application::OTHER_REGIONS {
        if let Some(region) = loaded.iter().find(|r| r.slug == other.slug) {
            application::add_partners(&mut tx, region, &other.partners).await?;
            application::add_manager(&mut tx, region, &hash_password(DEMO_PASSWORD)).await?;
            application::add_lead_signatory(&mut tx, region, &hash_password(DEMO_PASSWORD)).await?;
            application::insert_main_lines(&mut tx, region, other.vision, other.scale).await?;
        }
    }
    settings::set(&mut tx, MARKER, "1").await?;
    // Every demo account signs in with the one password, so a newcomer sees each role at once;
    // the national team turns two-factor sign-in back on at /beheer/gebruikers.
    settings::set(&mut tx, crate::security::SETTING, "off").await?;
    tx.commit().await?;
    load_maximums(app).await?;
    joining::load(app, demo_region.as_ref()).await?;
    if demo_region.is_some() {
        plans::load(app).await?;
        load_demo_execution(app).await?;
        assessment::load(app).await?;
        // The region's own ambition for the share of techniek: a baseline and two targets.
        for (year, kind, value) in
            [("2023-2024", "baseline", "16,8"), ("2025-2026", "target", "18"), ("2027-2028", "target", "20")]
        {
            let key = ("techniek-share", year, kind);
            crate::monitoring::set_target(app, &domain::Actor::system(), DEMO_REGION, key, value).await?;
        }
    }
    load_knowledge_base(app).await?;
    Ok(true)
}

/// The region maximum table as the demo starts it (`data/demo/region-maximums.csv`), entered by
/// the demo's national team: amounts public sources name, and examples; none verified.
async fn load_maximums(app: &App) -> Result<()> {
    #[derive(Deserialize)]
    struct Row {
        region: String,
        amount_eur: rust_decimal::Decimal,
        source: String,
    }
    let national = demo_actor(app, DEMO_USERS[0].0).await?;
    let regulation = crate::applications::REGULATION;
    for row in csv::Reader::from_reader(MAXIMUMS_CSV.as_bytes()).deserialize::<Row>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/demo/region-maximums.csv: {e}")))?;
        let input = domain::regulation::maximum::MaximumInput {
            amount: Some(row.amount_eur),
            source: &row.source,
            verified: false,
            reason: "",
        };
        match crate::maximums::set(app, &national, (regulation, &row.region), &input, None).await {
            Err(crate::ServiceError::NotFound) => {} // a region the registry does not hold
            other => other?,
        }
    }
    Ok(())
}

/// The knowledge base's demo items (`data/demo/knowledge-base.toml`).
async fn load_knowledge_base(app: &App) -> Result<()> {
    #[derive(Deserialize)]
    struct File {
        items: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(default)]
        region: Option<String>,
        #[serde(flatten)]
        draft: domain::content::Draft,
    }
    let file: File = toml::from_str(KNOWLEDGE_BASE)
        .map_err(|e| store::StoreError::Corrupt(format!("data/demo/knowledge-base.toml: {e}")))?;
    for e in file.items {
        crate::content::create(app, &domain::Actor::system(), e.region.as_deref(), e.draft).await?;
    }
    Ok(())
}

/// The main-lines application submitted, and a first year
/// of execution: hours (one rate above the cap), invoices, equipment, company contributions, a
/// milestone achieved (the change requests come with the funder's demo, after the decision).
async fn load_demo_execution(app: &App) -> Result<()> {
    use domain::execution::{Asset, Contribution, ContributionKind, CostEntry, HourEntry};
    use jiff::civil::date;
    use rust_decimal::Decimal;
    let manager = demo_actor(app, DEMO_USERS[1].0).await?;
    application::confirm_and_submit(app).await?;
    let ledger = crate::execution::ledger(app, &manager, DEMO_REGION).await?;
    let of_kind = |k: OrganisationKind| ledger.members.iter().find(|m| m.kind == k).map(|m| m.id.clone());
    let (Some(school), Some(company)) = (of_kind(OrganisationKind::Vmbo), of_kind(OrganisationKind::Company)) else {
        return Ok(());
    };
    let d = |n: i64| Decimal::from(n);
    let hours = |day, person: &str, activity: &str, h: i64, rate: i64, external| {
        crate::execution::Record::Hours(HourEntry {
            person: person.into(),
            organisation: school.clone(),
            activity: activity.into(),
            date: day,
            hours: d(h),
            rate_eur: d(rate),
            external,
            note: String::new(),
        })
    };
    use crate::execution::Record;
    let records = vec![
        hours(date(2025, 2, 12), "M. de Boer", "a1", 6, 58, false),
        hours(date(2025, 3, 19), "M. de Boer", "a1", 7, 58, false),
        hours(date(2025, 4, 9), "S. Visser", "a2", 5, 60, false),
        hours(date(2025, 5, 14), "Techniekcoach (ingehuurd)", "a2", 8, 150, true),
        Record::Cost(CostEntry {
            invoice_number: "2025-0142".into(),
            invoice_date: date(2025, 4, 2),
            supplier: "Technische Unie".into(),
            description: "Bouwpakketten voor de techniekmiddagen".into(),
            category: "materials".into(),
            activity: "a2".into(),
            organisation: school.clone(),
            amount_eur: d(1_840),
            vat_eur: Decimal::new(38_640, 2),
            vat_recoverable: false,
        }),
        Record::Asset(Asset {
            description: "Warmtepomp-opstelling voor de leerwerkplaats".into(),
            activity: "a3".into(),
            organisation: school.clone(),
            purchase_date: date(2025, 3, 1),
            purchase_price_eur: d(24_000),
            life_months: 96,
            project_share: Decimal::new(75, 2),
        }),
        Record::Contribution(Contribution {
            company: company.clone(),
            activity: "a3".into(),
            date: date(2025, 6, 20),
            kind: ContributionKind::InKind,
            amount_eur: d(7_200),
            basis: "60 uur instructeur × € 120".into(),
            evidence: "Urenstaat juni 2025".into(),
        }),
        Record::Contribution(Contribution {
            company,
            activity: "a3".into(),
            date: date(2025, 9, 1),
            kind: ContributionKind::Cash,
            amount_eur: d(2_500),
            basis: String::new(),
            evidence: "Bankafschrift 1 september 2025".into(),
        }),
    ];
    let labelled = records.into_iter().map(|r| (String::new(), r)).collect();
    crate::execution::add_all(app, &manager, DEMO_REGION, labelled, None).await?;
    if let Some(m) = ledger.approved.activities.iter().find(|a| a.id == "a1").and_then(|a| a.milestones.first()) {
        let mut conn = app.db.conn().await?;
        let p = store::execution::Progress {
            activity: "a1".into(),
            title: m.title.clone(),
            achieved_on: Some("2025-06-20".into()),
            evidence: "Verslag van de tiende docentstage".into(),
        };
        // Written directly: the milestone was reached after the demo clock's day.
        store::execution::set_progress(&mut conn, &ledger.region.id, &p, None).await?;
    }
    Ok(())
}

async fn demo_actor(app: &App, email: &str) -> Result<domain::Actor> {
    let mut conn = app.db.conn().await?;
    let id = users::id_by_email(&mut conn, email).await?.ok_or(crate::ServiceError::NotFound)?;
    crate::auth::actor_for_user(app, &id).await
}

/// Partners and a filled-in profile for the demo region, so every page has something to show.
async fn load_demo_content(conn: &mut AnyConnection, region: &Region) -> Result<()> {
    let partners = [
        ("Mbo College Zuidwest (demo)", OrganisationKind::Mbo, "Heerenveen"),
        ("Basisschool De Techniekboom (demo)", OrganisationKind::Po, "Wolvega"),
        ("Installatiebedrijf Van der Meer (demo)", OrganisationKind::Company, "Heerenveen"),
        ("Gemeente Heerenveen", OrganisationKind::Municipality, "Heerenveen"),
    ];
    application::add_partners(conn, region, &partners).await?;
    let profile = RegionProfileInput {
        description: "In Zuid-Friesland werken de vmbo-scholen in Heerenveen, Wolvega en Gorredijk samen met het mbo, \
            basisscholen en het regionale bedrijfsleven aan techniekonderwijs dat past bij de regio. Leerlingen maken \
            kennis met techniek in echte werkplaatsen, docenten scholen zich bij in bedrijven en we investeren samen \
            in duurzame installatietechniek. (Demo-inhoud.)"
            .into(),
        contact_name: "Demo Programmamanager".into(),
        contact_role: "Programmamanager STO Zuid-Friesland".into(),
        contact_email: "programmamanager@sterk.example".into(),
        contact_phone: "0513 123 456".into(),
        theme_tags: "Techniekpersoneel, Gender en inclusie, Duurzaamheid, Oriëntatie in het po".into(),
    }
    .validate()
    .expect("demo profile is valid");
    regions::update_profile(conn, &region.id, region.version, &profile).await?;
    Ok(())
}

async fn load_users(conn: &mut AnyConnection, region: Option<&Region>, second_region: Option<&Region>) -> Result<()> {
    let hash = hash_password(DEMO_PASSWORD);
    for (email, name, role) in DEMO_USERS {
        if users::id_by_email(conn, email).await?.is_some() {
            continue;
        }
        let id = users::insert(conn, email, name, &hash).await?;
        if role.is_national() {
            users::grant(conn, &id, role, users::Scope::default()).await?;
            continue;
        }
        if let Some(region) = region {
            // The school contact and the lead applicant act for the region's first vmbo school (the
            // lead applicant of its application), the partner for its first company; the lead
            // applicant and the partner may sign for theirs.
            let kind = match role {
                Role::SchoolContact | Role::LeadApplicant => Some(OrganisationKind::Vmbo),
                Role::Partner => Some(OrganisationKind::Company),
                _ => None,
            };
            let members = regions::members(conn, &region.id).await?;
            let organisation = kind.and_then(|k| members.iter().find(|m| m.kind == k)).map(|m| m.id.as_str());
            let scope = users::Scope { region_id: Some(&region.id), organisation_id: organisation };
            users::grant(conn, &id, role, scope).await?;
            if let (Role::LeadApplicant | Role::Partner, Some(org)) = (role, organisation) {
                users::set_signatory(conn, &id, (role, &region.id, org), true).await?;
            }
        }
        // The demo partner works in two regions, as real partners often do.
        if let (Role::Partner, Some(second)) = (role, second_region) {
            users::grant(conn, &id, role, users::Scope { region_id: Some(&second.id), organisation_id: None }).await?;
        }
    }
    Ok(())
}

/// A pupils-per-location file in DUO's older layout, made for the demo from the real exam file
/// (no real pupils file ships): year 4 of a school year is that year's exam candidates, year 3
/// next year's; technical sectors are spread over the technical profiles by location. Demo
/// figures only, so the pupils sections have something to show.
pub fn pupils_file(exam_bytes: &[u8]) -> String {
    let text = import::duo::decode(exam_bytes);
    let Ok((rows, _)) = import::duo::exams(&text, |_| {}) else { return String::new() };
    let mut out = String::from(
        "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;SCHOOLJAAR;\
         ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 3 - MAN;\
         LEER- OF VERBLIJFSJAAR 3 - VROUW;LEER- OF VERBLIJFSJAAR 4 - MAN;LEER- OF VERBLIJFSJAAR 4 - VROUW\n",
    );
    let cell = |c: &domain::monitoring::Count| match c {
        domain::monitoring::Count::Known(n) => n.to_string(),
        domain::monitoring::Count::Masked => "<5".into(),
    };
    let key = |r: &domain::monitoring::ExamRow| (r.location.clone(), r.programme.clone(), r.school_year.clone());
    let by_key: std::collections::HashMap<_, _> = rows.iter().map(|r| (key(r), r)).collect();
    let technical = ["Bouwen, wonen en interieur", "Produceren, installeren en energie", "Media, vormgeving en ICT"];
    for r in rows.iter().filter(|r| r.school_type == domain::monitoring::SCHOOL_TYPE) {
        let Some((track, sector)) = r.vmbo_track_and_sector() else { continue };
        let (school_type, short) = match track {
            "B" => ("VMBO BL lj 3-4", "BB"),
            "K" => ("VMBO KL lj 3-4", "KB"),
            "G" => ("VMBO GL lj 3-4", "GL"),
            "T" => ("VMBO TL lj 3-4", "TL"),
            _ => continue,
        };
        let profile = match sector {
            "techniek" => {
                let spread = r.location.bytes().map(usize::from).sum::<usize>() % technical.len();
                technical.get(spread).copied().unwrap_or_default()
            }
            "zorg en welzijn" => "Zorg en welzijn",
            "economie" => "Economie en ondernemen",
            "landbouw" => "Groen",
            _ => "",
        };
        let next_year = r
            .school_year
            .split_once('-')
            .and_then(|(a, _)| a.parse::<i32>().ok())
            .map(|a| format!("{}-{}", a + 1, a + 2));
        let year3 = next_year
            .and_then(|y| by_key.get(&(r.location.clone(), r.programme.clone(), y)))
            .map_or(&r.candidates, |n| &n.candidates);
        out.push_str(&format!(
            "{};{};{};{};{};{school_type};{sector};VMBO {short} {profile};{};{};{};{}\n",
            r.institution,
            r.location.get(4..).unwrap_or_default(),
            r.name.replace(';', ","),
            r.municipality,
            r.school_year,
            cell(&year3[0]),
            cell(&year3[1]),
            cell(&r.candidates[0]),
            cell(&r.candidates[1]),
        ));
    }
    out
}
