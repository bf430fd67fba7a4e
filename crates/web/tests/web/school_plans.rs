//! School plans through the router: the workflow and its status codes, the approval that puts
//! the plan into the application exactly once, who sees which plan, and the school leader's
//! endorsement. The browser forms and uploads are in `form`, mail in `mail`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{ADMIN, Client, LEAD, MANAGER, PARTNER, SCHOOL, state, upload_form};

mod form;
mod mail;

const PLANS: &str = "/api/v1/regions/zuid-friesland/school-plans";

/// A school of the demo region (the first vmbo school).
async fn school_id(c: &mut Client) -> String {
    let region = c.get("/api/v1/regions/zuid-friesland").await.json();
    region["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "vmbo")
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .expect("a vmbo school in the demo region")
}

fn plan(school: &str, price: &str) -> Value {
    json!({
        "title": "Technieklab Heerenveen",
        "organisation": school,
        "theme": "duurzaamheid",
        "vision_fit": "Past in lijn 3 van de visie.",
        "goals": "Dertig leerlingen per jaar in het lab.",
        "cooperation": "Met het ROC en een installateur.",
        "activities": [{ "id": "a1", "title": "Lab inrichten", "themes": ["duurzaamheid"],
                         "milestones": [{ "title": "Lab open", "due": "2025-09-01" }] }],
        "budget": [
            { "activity": "a1", "year": 2025, "category": "materials", "description": "Werkbanken",
              "quantity": "4", "unit": "stuk", "unit_price_eur": price, "funding": { "source": "subsidy" } },
            { "activity": "a1", "year": 2026, "category": "staff-internal", "description": "Begeleiding",
              "quantity": "100", "unit": "uur", "unit_price_eur": "55", "funding": { "source": "subsidy" } }
        ]
    })
}

async fn create(c: &mut Client, price: &str) -> (String, String) {
    let school = school_id(c).await;
    let res = c.json(Method::POST, PLANS, &plan(&school, price)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["state"], "concept");
    let id = res.json()["id"].as_str().unwrap().to_owned();
    (id, school)
}

async fn move_to(c: &mut Client, id: &str, to: &str, comment: &str) -> crate::common::Response {
    c.json(Method::POST, &format!("/api/v1/school-plans/{id}/transitions"), &json!({ "to": to, "comment": comment }))
        .await
}

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

/// The demo school contact, with a new plan of theirs submitted to the region.
async fn submitted_plan(st: &web::AppState) -> (Client, String) {
    let mut school = signed_in(st, SCHOOL).await;
    let (id, _) = create(&mut school, "100").await;
    submit(st, &mut school, &id).await;
    (school, id)
}

/// The school sends the plan to its management; the lead applicant, who signs for the demo
/// school, endorses it to the region. The contact alone cannot.
async fn submit(st: &web::AppState, school: &mut Client, id: &str) {
    assert_eq!(move_to(school, id, "bij-schoolleiding", "").await.status, StatusCode::OK);
    assert_eq!(move_to(school, id, "ingediend", "").await.status, StatusCode::FORBIDDEN);
    let mut leader = signed_in(st, LEAD).await;
    let res = move_to(&mut leader, id, "ingediend", "").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

/// Replaces a plan with `If-Match: etag`; the status.
async fn put(c: &mut Client, id: &str, etag: String, body: Value) -> StatusCode {
    let req = axum::http::Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v1/school-plans/{id}"))
        .header("content-type", "application/json")
        .header("if-match", etag)
        .header("x-csrf-token", c.csrf.clone().unwrap_or_default())
        .header("cookie", format!("sterk_sessie={}", c.cookie.clone().unwrap()))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    tower::ServiceExt::oneshot(c.router.clone(), req).await.unwrap().status()
}

/// Uploads a file to the plan page at `url` through its form.
async fn upload(c: &mut Client, url: &str, name: &str, bytes: Vec<u8>) -> crate::common::Response {
    let page = c.get(url).await;
    let (body, ct) = upload_form(&crate::common::version_of(&page.body), name, &bytes);
    c.send(Method::POST, &format!("{url}/bijlagen"), Some(&ct), body).await
}

/// The lines of the draft that came from `plan_id`, and the draft's subsidy lines in all.
async fn lines_from(c: &mut Client, plan_id: &str) -> (usize, usize) {
    let app = c.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await.json();
    let budget = app["budget"].as_array().unwrap();
    (budget.iter().filter(|l| l["school_plan"] == plan_id).count(), budget.len())
}

#[tokio::test]
async fn submit_return_resubmit_approve_puts_the_lines_into_the_application_once() {
    let st = state().await;
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let (id, school_org) = create(&mut school, "1250.50").await;

    // Only the region may review; a school contact cannot skip ahead.
    assert_eq!(move_to(&mut school, &id, "in-behandeling", "").await.status, StatusCode::CONFLICT);
    submit(&st, &mut school, &id).await;
    assert_eq!(move_to(&mut school, &id, "goedgekeurd", "").await.status, StatusCode::FORBIDDEN);

    // Returning needs a comment; the school then edits and submits again.
    let res = move_to(&mut pm, &id, "teruggestuurd", " ").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["message"], "Geef een toelichting: die is verplicht bij teruggestuurd.");
    let res = move_to(&mut pm, &id, "teruggestuurd", "Graag een lagere prijs per werkbank.").await;
    assert_eq!(res.json()["state"], "teruggestuurd");
    let current = school.get(&format!("/api/v1/school-plans/{id}")).await;
    let etag = current.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(put(&mut school, &id, etag.clone(), plan(&school_org, "990")).await, StatusCode::OK);
    assert_eq!(put(&mut school, &id, etag, plan(&school_org, "980")).await, StatusCode::CONFLICT, "a stale version");
    submit(&st, &mut school, &id).await;

    let (before, total_before) = lines_from(&mut pm, &id).await;
    assert_eq!(before, 0);
    let res = move_to(&mut pm, &id, "goedgekeurd", "").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (after, total_after) = lines_from(&mut pm, &id).await;
    assert_eq!((after, total_after), (2, total_before + 2));
    let app = pm.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await.json();
    let line = app["budget"].as_array().unwrap().iter().find(|l| l["school_plan"] == id.as_str()).unwrap().clone();
    assert_eq!(line["unit_price_eur"], "990", "the edited price, not the first one");
    assert!(app["activities"].as_array().unwrap().iter().any(|a| a["school_plan"] == id.as_str()));

    // Approving again is not a step of the workflow, and the money is not counted twice.
    let res = move_to(&mut pm, &id, "goedgekeurd", "").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"], "Een deelplan met status goedgekeurd kan niet naar goedgekeurd.");
    assert_eq!(lines_from(&mut pm, &id).await, (2, total_before + 2));
    // An approved plan is no longer editable.
    let res = school.get(&format!("/api/v1/school-plans/{id}")).await;
    let etag = res.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(put(&mut school, &id, etag, plan(&school_org, "1")).await, StatusCode::UNPROCESSABLE_ENTITY);

    // The history keeps every step with who and the comment; the workspace shows where lines came from.
    let history = res.json()["history"].as_array().unwrap().clone();
    let steps: Vec<&str> = history.iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["bij-schoolleiding", "ingediend", "teruggestuurd", "bij-schoolleiding", "ingediend", "goedgekeurd"]
    );
    assert_eq!(history[1]["by"], "Demo Penvoerder", "the school's management endorsed it");
    assert_eq!(history[2]["comment"], "Graag een lagere prijs per werkbank.");
    assert_eq!(history[2]["by"], "Demo Programmamanager");
    let ws = pm.get("/regio/zuid-friesland/aanvragen/hoofdlijnen").await;
    ws.assert_contains(&format!("href=\"/regio/zuid-friesland/deelplannen/{id}\">(deelplan)</a>"));
}

#[tokio::test]
async fn who_sees_and_moves_a_plan() {
    let st = state().await;
    let (_, id) = submitted_plan(&st).await;
    let path = format!("/api/v1/school-plans/{id}");

    for (who, sees, may_review) in
        [(LEAD, true, false), (ADMIN, true, false), (PARTNER, false, false), (MANAGER, true, true)]
    {
        let mut c = signed_in(&st, who).await;
        let res = c.get(&path).await;
        assert_eq!(res.status == StatusCode::OK, sees, "{who} reading");
        let res = move_to(&mut c, &id, "in-behandeling", "").await;
        let expected = match (sees, may_review) {
            (_, true) => StatusCode::OK,
            (true, false) => StatusCode::FORBIDDEN,
            (false, _) => StatusCode::NOT_FOUND,
        };
        assert_eq!(res.status, expected, "{who} reviewing: {}", res.body);
        if res.status == StatusCode::OK {
            assert_eq!(move_to(&mut c, &id, "ingediend", "").await.status, StatusCode::CONFLICT);
        }
    }

    // A school contact elsewhere, or another school contact in the region, sees nothing of it.
    services::users::add_from_cli(
        &st.app,
        "andere@school.example",
        "Andere School",
        ("school_contact", "zuid-friesland", ""),
        Some("sterk-demo-2025"),
    )
    .await
    .unwrap();
    let mut other = Client::new(st.clone());
    other.login("andere@school.example").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    let mine = other.get(PLANS).await.json();
    assert!(mine.as_array().unwrap().iter().all(|p| p["id"] != id.as_str()));
    assert_eq!(Client::new(st.clone()).get(&path).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_board_shows_plans_by_state_against_the_room_left_and_filters() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/deelplannen").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Gevraagd tegenover de ruimte");
    page.assert_contains("Maximum van de regio");
    // The demo has plans in three states the region sees; a draft and a plan at the school's
    // management are the school's own still.
    for title in ["Techniekroute van groep 8 naar klas 2", "Girls in tech-dag", "Duurzame leerwerkplaats"] {
        page.assert_contains(title);
    }
    assert!(!page.body.contains("Gastlessen robotica") && !page.body.contains("Technieklokaal onderbouw"));
    let mut school = Client::new(pm.state.clone());
    school.login(SCHOOL).await;
    let own = school.get("/regio/zuid-friesland/deelplannen").await;
    own.assert_contains("Gastlessen robotica");
    own.assert_contains("Technieklokaal onderbouw");
    own.assert_contains("Bij de schoolleiding");
    let submitted = pm.get("/regio/zuid-friesland/deelplannen?status=ingediend").await;
    submitted.assert_contains("Girls in tech-dag");
    assert!(!submitted.body.contains("Duurzame leerwerkplaats"));
    let themed = pm.get("/regio/zuid-friesland/deelplannen?theme=duurzaamheid").await;
    themed.assert_contains("Duurzame leerwerkplaats");
    assert!(!themed.body.contains("Girls in tech-dag"));
}

/// Adds a school contact of the demo region, for `school` (an organisation id), and signs them in.
async fn contact_of(st: &web::AppState, email: &str, school: &str) -> Client {
    let role = ("school_contact", "zuid-friesland", school);
    services::users::add_from_cli(&st.app, email, "Docent", role, Some("sterk-demo-2025")).await.unwrap();
    signed_in(st, email).await
}

#[tokio::test]
async fn a_school_sees_its_own_plans_and_only_approved_titles_of_others_and_the_region_reviews_without_editing() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let all = pm.get(PLANS).await.json();
    let of_state = |state: &str| all.as_array().unwrap().iter().find(|p| p["state"] == state).cloned();
    // The region's board lists what the school's management sent on, not drafts.
    assert!(of_state("concept").is_none() && of_state("bij-schoolleiding").is_none());
    let approved = of_state("goedgekeurd").unwrap();
    let mut author = signed_in(&st, SCHOOL).await;
    let own = author.get(PLANS).await.json();
    let draft = own.as_array().unwrap().iter().find(|p| p["state"] == "concept").unwrap().clone();
    let draft_id = draft["id"].as_str().unwrap();
    let draft_url = format!("/regio/zuid-friesland/deelplannen/{draft_id}");

    // The region reads a school's draft but neither edits nor submits it.
    let page = pm.get(&draft_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Plan opslaan") && !page.body.contains("Controleren en indienen"));
    let typed = [("version", "1"), ("title", "Door de regio herschreven")];
    assert_eq!(pm.post(&draft_url, &typed).await.status, StatusCode::FORBIDDEN);
    assert_eq!(move_to(&mut pm, draft_id, "ingediend", "").await.status, StatusCode::FORBIDDEN);

    // A contact of another school sees the approved plan's title, school and theme, no more.
    let region = pm.get("/api/v1/regions/zuid-friesland").await.json();
    let own_school = draft["school_id"].as_str().unwrap();
    let other_school = region["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "vmbo" && m["id"] != own_school)
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .expect("a second school in the demo region");
    let mut other = contact_of(&st, "docent@andere-school.example", &other_school).await;
    let board = other.get("/regio/zuid-friesland/deelplannen").await;
    assert_eq!(board.status, StatusCode::OK);
    board.assert_contains(approved["title"].as_str().unwrap());
    board.assert_contains("Plan van een andere school, goedgekeurd door de regio.");
    assert!(!board.body.contains(draft["title"].as_str().unwrap()), "another school's draft is not listed");
    assert!(!board.body.contains(approved["id"].as_str().unwrap()), "nor is the approved plan opened from here");
    assert_eq!(other.get(&draft_url).await.status, StatusCode::NOT_FOUND);
    let listed = other.get(PLANS).await.json();
    assert!(listed.as_array().unwrap().is_empty(), "the API lists only plans one may open: {listed}");

    // A colleague at the same school reads the school's plans; only the author edits them.
    let mut colleague = contact_of(&st, "collega@school.example", own_school).await;
    let page = colleague.get(&draft_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Plan opslaan"));
    // The new plan form offers the colleague's own school.
    let form = colleague.get("/regio/zuid-friesland/deelplannen/nieuw").await;
    assert!(form.body.contains(&format!("value=\"{own_school}\" selected")), "{}", form.body);
}

#[tokio::test]
async fn after_signing_in_each_person_sees_what_waits_for_them() {
    let mut st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let page = pm.get("/beheer").await;
    page.assert_contains("Wat wacht op u");
    page.assert_contains("1 deelplan van scholen in Zuid-Friesland wacht op uw beoordeling");
    page.assert_contains("href=\"/regio/zuid-friesland/deelplannen?status=ingediend\"");
    // The region's targets and news are one step away for its manager, not for a school.
    page.assert_contains("href=\"/regio/zuid-friesland/doelen\"");
    page.assert_contains("href=\"/beheer/inhoud\"");
    let mut school = signed_in(&st, SCHOOL).await;
    let page = school.get("/beheer").await;
    assert!(!page.body.contains("/regio/zuid-friesland/doelen"));
    page.assert_contains("is nog niet ingediend");
    assert!(!page.body.contains("op uw beoordeling"), "reviewing is the region's work");
    let mut partner = signed_in(&st, PARTNER).await;
    partner.get("/beheer").await.assert_contains("Er wacht nu niets op u.");
    // Three weeks before the detailed plan for 2025 and 2026 is due, it is on the manager's list, marked.
    st.app.clock = Some("2025-03-25T12:00:00+01:00".parse().unwrap());
    let mut pm = signed_in(&st, MANAGER).await;
    let page = pm.get("/beheer").await;
    page.assert_contains(
        "Uitwerking activiteitenplan en begroting 2025 en 2026 van Zuid-Friesland indienen: nog 21 dagen, tot 15 april 2025 om 23:59",
    );
}

#[tokio::test]
async fn a_plan_waits_for_the_school_leader_by_a_mailed_link_before_the_region_sees_it() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let mut school = signed_in(&st, SCHOOL).await;
    let (id, _) = create(&mut school, "100").await;
    let url = format!("/regio/zuid-friesland/deelplannen/{id}");
    // While the school has a signatory in Sterk, they endorse: the author cannot name someone else.
    school.get(&format!("{url}/indienen")).await;
    let own_pick = [("to", "bij-schoolleiding"), ("leader_name", "Ik"), ("leader_email", "ik@example.nl")];
    let res = school.post(&format!("{url}/indienen"), &own_pick).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("heeft tekenbevoegden in Sterk");
    // The region withdraws the lead applicant's mark: now the school has nobody in Sterk.
    let users = pm.get("/beheer/gebruikers").await;
    let form = users.body.split("name=\"email\" value=\"penvoerder@sterk.example\"").nth(1).unwrap();
    let field = |name: &str| {
        form.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned()
    };
    let (region, organisation) = (field("region"), field("organisation"));
    let unmark = [("email", LEAD), ("role", "lead_applicant"), ("region", &region), ("organisation", &organisation)];
    assert_eq!(pm.post("/beheer/gebruikers/tekenbevoegd", &unmark).await.status, StatusCode::SEE_OTHER);

    let page = school.get(&format!("{url}/indienen")).await;
    page.assert_contains("Niemand van de school kan in Sterk namens de school tekenen");
    let existing = [("to", "bij-schoolleiding"), ("leader_name", "Partner"), ("leader_email", PARTNER)];
    let res = school.post(&format!("{url}/indienen"), &existing).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "an account signs in instead");
    let wrong = [("to", "bij-schoolleiding"), ("leader_name", "Mevr. A. Visser"), ("leader_email", "a.visser@")];
    let res = school.post(&format!("{url}/indienen"), &wrong).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("value=\"Mevr. A. Visser\"");
    let typed =
        [("to", "bij-schoolleiding"), ("leader_name", "Mevr. A. Visser"), ("leader_email", "a.visser@kei.example")];
    assert_eq!(school.post(&format!("{url}/indienen"), &typed).await.status, StatusCode::SEE_OTHER);

    // Not on the region's board yet; the link is kept out of the outbox's view.
    assert!(!pm.get(PLANS).await.body.contains(&id));
    let mut admin = signed_in(&st, ADMIN).await;
    assert!(!admin.get("/beheer/uitbak").await.body.contains("/deelplannen/akkoord/"));

    // The school leader without an account reads the plan behind the link and endorses it.
    let link = crate::common::mailed_link(&st, "a.visser@kei.example", "/deelplannen/akkoord/").await;
    let mut leader = Client::new(st.clone());
    let page = leader.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Beste Mevr. A. Visser");
    page.assert_contains("Lab inrichten");
    let back = leader.post(&link, &[("decision", "return"), ("comment", "")]).await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "sending back says why");
    let done = leader.post(&link, &[("decision", "endorse")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.assert_contains("naar de regio gestuurd");
    assert_eq!(leader.get(&link).await.status, StatusCode::NOT_FOUND, "the link works once");

    // Now the region sees it, with who endorsed it and when.
    assert!(pm.get(PLANS).await.body.contains(&id));
    let plan_page = pm.get(&url).await;
    plan_page.assert_contains("Akkoord schoolleiding");
    plan_page.assert_contains(
        "Mevr. A. Visser (a.visser@kei.example), schoolleiding, via e-maillink (adres opgegeven door de schrijver)",
    );
}
