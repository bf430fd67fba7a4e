//! The funder's pages and API through the router: the queue and review are the funder's (and the
//! ministry's to read), the region sees where its application stands and the decision's letter,
//! and the transitions answer 409, 403 and 422 as the table says.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{ASSESSOR, Client, MANAGER, OBSERVER, state};

const MAIN: &str = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

#[tokio::test]
async fn the_queue_and_review_are_the_funders_and_the_region_sees_its_decision() {
    let st = state().await;
    let mut assessor = signed_in(&st, ASSESSOR).await;
    let queue = assessor.get("/beoordeling").await;
    assert_eq!(queue.status, StatusCode::OK);
    queue.assert_contains("/beoordeling/zuid-friesland/hoofdlijnen");
    let filtered = assessor.get("/beoordeling?status=bezwaar").await;
    filtered.assert_contains("Geen aanvragen met deze filters");
    let review = assessor.get("/beoordeling/zuid-friesland/hoofdlijnen").await;
    assert_eq!(review.status, StatusCode::OK);
    review.assert_contains("DUS-I/STO/2025/0107");
    review.assert_contains("Helder onderbouwd");
    review.assert_contains("Gemiddelde score per criterium");

    let mut ministry = signed_in(&st, OBSERVER).await;
    assert_eq!(ministry.get("/beoordeling").await.status, StatusCode::OK, "the ministry reads the queue");
    let read = ministry.get("/beoordeling/zuid-friesland/hoofdlijnen").await;
    assert!(
        !read.body.contains("Besluit vastleggen")
            && !read.body.contains("action=\"/beoordeling/zuid-friesland/hoofdlijnen/status\""),
        "but changes nothing"
    );

    let mut manager = signed_in(&st, MANAGER).await;
    assert_eq!(manager.get("/beoordeling").await.status, StatusCode::FORBIDDEN);
    assert_eq!(manager.get("/beoordeling/zuid-friesland/hoofdlijnen").await.status, StatusCode::FORBIDDEN);
    let workspace = manager.get("/regio/zuid-friesland/aanvragen/hoofdlijnen").await;
    workspace.assert_contains("Bij DUS-I");
    workspace.assert_contains("Besluit DUS-I/STO/2025/0107");
    workspace.assert_contains("Bezwaar maken");
    let letter = manager.get("/regio/zuid-friesland/aanvragen/hoofdlijnen/besluit.pdf").await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.bytes.starts_with(b"%PDF"), "a PDF");
}

#[tokio::test]
async fn transitions_answer_409_for_a_missing_step_403_for_a_role_and_422_for_a_missing_comment() {
    let st = state().await;
    let mut assessor = signed_in(&st, ASSESSOR).await;
    let steps = format!("{MAIN}/transitions");
    let missing = assessor.json(Method::POST, &steps, &json!({ "to": "ingediend" })).await;
    assert_eq!(missing.status, StatusCode::CONFLICT, "{}", missing.body);
    let region_step = assessor.json(Method::POST, &steps, &json!({ "to": "bezwaar", "comment": "x" })).await;
    assert_eq!(region_step.status, StatusCode::FORBIDDEN, "an objection is the region's: {}", region_step.body);
    let unknown = assessor.json(Method::POST, &steps, &json!({ "to": "onzin" })).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut manager = signed_in(&st, MANAGER).await;
    let no_comment = manager.json(Method::POST, &steps, &json!({ "to": "bezwaar", "comment": " " })).await;
    assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_comment.body);
    assert_eq!(no_comment.headers["content-type"], "application/problem+json");
    assert!(no_comment.body.contains("comment"), "{}", no_comment.body);
    let seen = manager.get(&format!("{MAIN}/assessment")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.json()["state"], "besloten");
    assert_eq!(seen.json()["decision"]["reference"], "DUS-I/STO/2025/0107");
    assert!(seen.json()["scorecards"].is_null(), "the region sees no scores");

    let mut ministry = signed_in(&st, OBSERVER).await;
    let read = ministry.get(&format!("{MAIN}/assessment")).await;
    assert_eq!(read.json()["scorecards"].as_array().map(Vec::len), Some(2));
    let write = ministry.json(Method::POST, &steps, &json!({ "to": "in-behandeling" })).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    let decide = ministry.json(Method::POST, &format!("{MAIN}/decision"), &json!({})).await;
    assert_eq!(decide.status, StatusCode::FORBIDDEN, "refused before the body is read: {}", decide.body);
}

#[tokio::test]
async fn out_of_procedure_before_the_due_date_is_refused_on_the_page_with_the_date() {
    use domain::assessment::{AssessmentState, StepInput};
    let st = state().await;
    // The region submits its plan for 2027 and 2028; DUS-I takes it and asks for more.
    let actor = |email: &'static str| {
        let app = st.app.clone();
        async move {
            let mut conn = app.db.conn().await.unwrap();
            let id = store::users::id_by_email(&mut conn, email).await.unwrap().unwrap();
            services::auth::actor_for_user(&app, &id).await.unwrap()
        }
    };
    let (manager, assessor_actor) = (actor(MANAGER).await, actor(ASSESSOR).await);
    let phase = "uitwerking-2027-2028";
    let (mut plan, _) =
        services::applications::content(&st.app, &manager, "zuid-friesland", "hoofdlijnen", 1).await.unwrap();
    plan.phase = phase.into();
    plan.budget.retain(|l| l.year >= 2027);
    services::applications::import(&st.app, &manager, "zuid-friesland", &plan.canonical_json(), None).await.unwrap();
    let (_, v) = services::applications::get(&st.app, &manager, "zuid-friesland", phase).await.unwrap();
    let lead = actor(crate::common::LEAD).await;
    services::applications::submit(&st.app, &lead, "zuid-friesland", phase, v).await.unwrap();
    let key = ("zuid-friesland", phase);
    services::assessments::step(
        &st.app,
        &assessor_actor,
        key,
        AssessmentState::InBehandeling,
        StepInput::default(),
        None,
    )
    .await
    .unwrap();
    let request = StepInput {
        items: vec!["Begroting".into()],
        due: Some(jiff::civil::date(2024, 10, 20)),
        ..StepInput::default()
    };
    services::assessments::step(&st.app, &assessor_actor, key, AssessmentState::AanvullingGevraagd, request, None)
        .await
        .unwrap();

    let mut assessor = signed_in(&st, ASSESSOR).await;
    let page = format!("/beoordeling/zuid-friesland/{phase}");
    let shown = assessor.get(&page).await;
    assert!(!shown.body.contains("Buiten behandeling stellen</button>"), "no button before the due date");
    let res = assessor
        .post(&format!("{page}/status"), &[("to", "buiten-behandeling"), ("comment", "Niets ontvangen.")])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    res.assert_contains("loopt nog tot en met 20 oktober 2024");
    let workspace = signed_in(&st, MANAGER).await.get(&format!("/regio/zuid-friesland/aanvragen/{phase}")).await;
    workspace.assert_contains("Gevraagd, uiterlijk op 20 oktober 2024");
}
