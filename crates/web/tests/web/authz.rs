//! The authorisation matrix: every state-changing route × every role × own region / other region.

use axum::http::{Method, StatusCode};
use domain::{Actor, Grant, OrganisationKind, Role};
use serde_json::json;

use crate::common::{ADMIN, ASSESSOR, Client, LEAD, MANAGER, OBSERVER, PARTNER, SCHOOL, state};

const OWN: &str = "zuid-friesland";
const OTHER: &str = "utrecht";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Admin,
    Manager,
    Lead,
    School,
    Partner,
    Assessor,
    Observer,
}

impl Who {
    fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Admin => Some(ADMIN),
            Who::Manager => Some(MANAGER),
            Who::Lead => Some(LEAD),
            Who::School => Some(SCHOOL),
            Who::Partner => Some(PARTNER),
            Who::Assessor => Some(ASSESSOR),
            Who::Observer => Some(OBSERVER),
        }
    }
}

/// What a case needs to know about the region it runs against.
struct Fixture {
    slug: String,
    version: i64,
    vmbo_id: String,
    other_member_id: String,
    /// A member of this region that another region shares (an mbo serving several regions).
    shared_id: String,
    /// The id of the region maximum in force (empty: none), as the form carries it.
    maximum: String,
}

fn admin() -> Actor {
    Actor {
        user_id: Some("test".into()),
        grants: vec![Grant { role: Role::NationalAdmin, region_id: None, organisation_id: None, signatory: false }],
        system: false,
    }
}

async fn fixture(st: &web::AppState, slug: &str) -> Fixture {
    let page = services::regions::page(&st.app, &admin(), slug).await.expect("region");
    let (mut shared_id, mut vmbo) = (String::new(), Vec::new());
    for m in &page.members {
        let (_, member_of) = services::organisations::get(&st.app, &admin(), &m.id).await.expect("organisation");
        if member_of.len() > 1 {
            shared_id = m.id.clone();
        } else if m.kind == OrganisationKind::Vmbo {
            vmbo.push(m);
        }
    }
    Fixture {
        slug: slug.to_owned(),
        version: page.region.version,
        vmbo_id: vmbo.first().expect("a vmbo member").id.clone(),
        other_member_id: vmbo.last().expect("a vmbo member").id.clone(),
        shared_id,
        // None for an archived region (an earlier case archives it).
        maximum: services::maximums::history(&st.app, "sto-2025-2028", slug)
            .await
            .ok()
            .and_then(|(_, rows)| rows.first().map(|m| m.id.clone()))
            .unwrap_or_default(),
    }
}

/// Makes one member of each region a member of the other too, so each has a shared organisation.
async fn share_an_organisation(st: &web::AppState) {
    for (from, to) in [(OWN, OTHER), (OTHER, OWN)] {
        let page = services::regions::page(&st.app, &admin(), from).await.expect("region");
        let org = page.members.iter().rev().find(|m| m.kind == OrganisationKind::Vmbo).expect("a school");
        services::regions::add_member(&st.app, &admin(), to, &org.id).await.expect("shared");
    }
}

enum Body {
    Form(Vec<(String, String)>),
    Json(Method, serde_json::Value),
}

struct Case {
    name: &'static str,
    path: String,
    body: Body,
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

/// Every state-changing route, filled in for one region.
fn cases(f: &Fixture) -> Vec<Case> {
    let s = &f.slug;
    let v = f.version.to_string();
    vec![
        Case {
            name: "region.create",
            path: "/beheer/regios/nieuw".into(),
            body: form(&[("name", &format!("Nieuw {s}")), ("province", "Zeeland")]),
        },
        Case {
            name: "region.profile",
            path: format!("/beheer/regios/{s}"),
            body: form(&[("version", &v), ("description", "Bewerkt")]),
        },
        Case {
            name: "region.identity",
            path: format!("/beheer/regios/{s}/identiteit"),
            body: form(&[("version", &v), ("name", "Hernoemd"), ("slug", s), ("province", "Utrecht")]),
        },
        Case { name: "region.archive", path: format!("/beheer/regios/{s}/archiveren"), body: form(&[]) },
        Case { name: "region.restore", path: format!("/beheer/regios/{s}/herstellen"), body: form(&[]) },
        Case {
            name: "membership.add",
            path: format!("/beheer/regios/{s}/deelnemers"),
            body: form(&[("organisation_id", &f.vmbo_id)]),
        },
        Case {
            name: "membership.lead",
            path: format!("/beheer/regios/{s}/penvoerder"),
            body: form(&[("organisation_id", &f.vmbo_id)]),
        },
        Case {
            name: "organisation.update",
            path: format!("/beheer/organisaties/{}", f.vmbo_id),
            body: form(&[("name", "Hernoemde school"), ("kind", "vmbo"), ("duo_code", "")]),
        },
        Case {
            name: "organisation.update.shared",
            path: format!("/beheer/organisaties/{}", f.shared_id),
            body: form(&[("name", "Overgenomen school"), ("kind", "vmbo"), ("duo_code", "")]),
        },
        Case {
            name: "plan.other_school",
            path: format!("/regio/{s}/deelplannen/nieuw"),
            body: form(&[("title", "Namens een andere school"), ("organisation", &f.other_member_id)]),
        },
        Case {
            name: "membership.remove",
            path: format!("/beheer/regios/{s}/deelnemers/{}/verwijderen", f.other_member_id),
            body: form(&[]),
        },
        Case {
            name: "user.invite",
            path: "/beheer/gebruikers".into(),
            body: form(&[("email", &format!("nieuw-{s}@school.example")), ("role", "partner"), ("region", s)]),
        },
        Case {
            // Too long a description: refused as invalid once authorised, so nothing starts.
            name: "change.start",
            path: format!("/regio/{s}/uitvoering/wijzigingen"),
            body: form(&[("phase", "hoofdlijnen"), ("description", &"x".repeat(10_001))]),
        },
        Case {
            name: "maximum.set",
            path: format!("/beheer/maxima/{s}"),
            body: form(&[
                ("replaced", &f.maximum),
                ("amount", "3.000.000,00"),
                ("source", "Bijlage 3"),
                ("reason", "Gecorrigeerd"),
            ]),
        },
        Case {
            name: "payment.add",
            path: format!("/regio/{s}/betalingen"),
            body: form(&[
                ("kind", "terugvordering"),
                ("paid_on", "2024-09-01"),
                ("amount", "10,00"),
                ("reference", &format!("TV-{s}-{}", f.version)),
            ]),
        },
        Case {
            name: "api.payment.add",
            path: format!("/api/v1/regions/{s}/payments"),
            body: Body::Json(
                Method::POST,
                json!({ "kind": "terugvordering", "paid_on": "2024-09-01", "amount": "10.00", "reference": format!("API-{s}") }),
            ),
        },
        Case {
            name: "api.region.patch",
            path: format!("/api/v1/regions/{s}"),
            body: Body::Json(Method::PATCH, json!({ "version": f.version, "description": "Via de API" })),
        },
    ]
}

/// Cases that do not depend on a region, done once per role.
fn account_cases() -> Vec<Case> {
    vec![
        Case {
            name: "organisation.create",
            path: "/beheer/organisaties/nieuw".into(),
            body: form(&[("name", "Bedrijf X"), ("kind", "company")]),
        },
        Case {
            name: "api.region.create",
            path: "/api/v1/regions".into(),
            body: Body::Json(Method::POST, json!({ "name": "Via API", "province": "Zeeland" })),
        },
        Case { name: "account.token", path: "/account/sleutels".into(), body: form(&[("name", "sleutel")]) },
        Case {
            name: "account.password",
            path: "/account/wachtwoord".into(),
            body: form(&[("current", "fout"), ("password", "x"), ("password_repeat", "x")]),
        },
    ]
}

/// Form routes whose guard authorises before the body is read (see `src/guard.rs`).
const GUARDED: [&str; 2] = ["maximum.set", "payment.add"];

/// The policy under test, spelled out as a table.
fn allowed(who: Who, case: &str, own: bool) -> bool {
    match who {
        Who::Anonymous => false,
        // The national team reads plans but does not write them, nor keeps the funder's payments.
        // Nor changes a region's decided plan.
        Who::Admin => !matches!(case, "plan.other_school" | "payment.add" | "api.payment.add" | "change.start"),
        Who::Manager => match case {
            "region.profile"
            | "membership.add"
            | "membership.lead"
            | "organisation.update"
            | "membership.remove"
            | "user.invite"
            | "plan.other_school"
            | "change.start"
            | "api.region.patch" => own,
            "organisation.create" | "account.token" | "account.password" => true,
            _ => false,
        },
        // The funder's staff keep the payment register of every region and change nothing else of it.
        Who::Assessor => matches!(case, "account.token" | "account.password" | "payment.add" | "api.payment.add"),
        // The lead applicant changes its own region's decided plan with the manager.
        Who::Lead if case == "change.start" => own,
        // The ministry reads every region but changes none of it.
        Who::Lead | Who::School | Who::Partner | Who::Observer => {
            matches!(case, "account.token" | "account.password")
        }
    }
}

async fn run(c: &mut Client, case: &Case) -> (StatusCode, String) {
    let res = match &case.body {
        Body::Form(pairs) => {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post(&case.path, &pairs).await
        }
        Body::Json(method, value) => c.json(method.clone(), &case.path, value).await,
    };
    (res.status, res.location().to_owned())
}

fn check(who: Who, case: &Case, own: bool, (status, location): (StatusCode, String)) {
    let what = format!("{who:?} {} on {} region ({status}, {location})", case.name, if own { "own" } else { "other" });
    let is_api = case.path.starts_with("/api/");
    if allowed(who, case.name, own) {
        assert!(
            status.is_success() || status.is_redirection() || status == StatusCode::UNPROCESSABLE_ENTITY,
            "expected allowed: {what}"
        );
        assert_ne!(location, "/inloggen", "expected allowed: {what}");
    } else if who == Who::Anonymous && GUARDED.contains(&case.name) {
        // Authorised before the body is read: a plain 401, no redirect that a client could follow.
        assert_eq!(status, StatusCode::UNAUTHORIZED, "expected 401: {what}");
    } else if who == Who::Anonymous && !is_api {
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/inloggen"),
            "expected sign-in redirect: {what}"
        );
    } else if who == Who::Anonymous {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "expected 401: {what}");
    } else {
        assert_eq!(status, StatusCode::FORBIDDEN, "expected 403: {what}");
    }
}

async fn matrix_for(who: Who) {
    let st = state().await;
    share_an_organisation(&st).await;
    let mut c = Client::new(st.clone());
    match who.email() {
        Some(email) => c.login(email).await,
        None => c.anonymous_with_session().await,
    }
    for (slug, own) in [(OWN, true), (OTHER, false)] {
        let count = cases(&fixture(&st, slug).await).len();
        for i in 0..count {
            // Recomputed per case: earlier cases change versions and memberships.
            let f = fixture(&st, slug).await;
            let case = &cases(&f)[i];
            let outcome = run(&mut c, case).await;
            check(who, case, own, outcome);
        }
    }
    for case in account_cases() {
        let outcome = run(&mut c, &case).await;
        check(who, &case, true, outcome);
    }
}

#[tokio::test]
async fn matrix_anonymous() {
    matrix_for(Who::Anonymous).await;
}

#[tokio::test]
async fn matrix_national_admin() {
    matrix_for(Who::Admin).await;
}

#[tokio::test]
async fn matrix_region_manager() {
    matrix_for(Who::Manager).await;
}

#[tokio::test]
async fn matrix_lead_applicant() {
    matrix_for(Who::Lead).await;
}

#[tokio::test]
async fn matrix_school_contact() {
    matrix_for(Who::School).await;
}

#[tokio::test]
async fn matrix_partner() {
    matrix_for(Who::Partner).await;
}

#[tokio::test]
async fn matrix_assessor() {
    matrix_for(Who::Assessor).await;
}

#[tokio::test]
async fn matrix_observer() {
    matrix_for(Who::Observer).await;
}

/// The funder's staff and the ministry read any region's application, plans and records.
#[tokio::test]
async fn the_funder_and_the_ministry_read_every_regions_application_plans_and_records() {
    let st = state().await;
    for email in [ASSESSOR, OBSERVER] {
        let mut c = Client::new(st.clone());
        c.login(email).await;
        for path in [
            format!("/api/v1/regions/{OWN}/applications/hoofdlijnen"),
            format!("/api/v1/regions/{OWN}/school-plans"),
            format!("/api/v1/regions/{OWN}/hours"),
            format!("/regio/{OWN}/aanvragen/hoofdlijnen"),
            format!("/regio/{OTHER}/deelplannen"),
        ] {
            assert_eq!(c.get(&path).await.status, StatusCode::OK, "{email} reads {path}");
        }
    }
}
