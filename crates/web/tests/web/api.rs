use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{ADMIN, Client, MANAGER, PARTNER, state, token_client};

#[tokio::test]
async fn public_reads() {
    let mut c = Client::new(state().await);
    let list = c.get("/api/v1/regions").await.json();
    assert_eq!(list.as_array().unwrap().len(), 68);
    let zf = list.as_array().unwrap().iter().find(|r| r["slug"] == "zuid-friesland").unwrap();
    assert_eq!(zf["province"], "Fryslân");
    assert_eq!(zf["members"], 11);

    let one = c.get("/api/v1/regions/zuid-friesland").await.json();
    assert_eq!(one["contact_name"], "Demo Programmamanager");
    assert!(one["organisations"].as_array().unwrap().iter().any(|o| o["duo_code"] == "05AC00"));

    let schools = c.get("/api/v1/schools?q=heerenveen").await.json();
    assert!(schools.as_array().unwrap().len() >= 4);
    assert!(schools.as_array().unwrap().iter().all(|h| h["takes_part"] == true));
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let mut c = Client::new(state().await);
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/regions", "/api/v1/regions/{slug}", "/api/v1/schools"] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["paths"]["/api/v1/regions/{slug}"]["patch"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // What a client generator needs: unique operation ids, a schema for every answer, and the
    // values every path parameter takes.
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(ids.insert(id.clone()), "operationId {id} twice ({method} {path})");
            for (status, response) in op["responses"].as_object().unwrap() {
                if status != "204" {
                    let content = response["content"].as_object().unwrap_or_else(|| panic!("{method} {path} {status}"));
                    assert!(content.values().all(|c| c["schema"].is_object()), "{method} {path} {status}");
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
                let schema = &p["schema"];
                assert!(schema["examples"][0].is_string(), "{method} {path} {}: an example", p["name"]);
            }
        }
    }
    let kinds = &doc["paths"]["/api/v1/regions/{slug}/{kind}"]["get"]["parameters"][1]["schema"]["enum"];
    assert_eq!(kinds, &json!(["hours", "costs", "assets", "contributions"]));
    let files = &doc["paths"]["/api/v1/regions/{slug}/reports/{file}"]["get"]["parameters"][1]["schema"]["enum"];
    assert!(files.as_array().unwrap().contains(&json!("progress-2025.pdf")), "{files}");
    assert!(files.as_array().unwrap().contains(&json!("final.xlsx")), "{files}");
}

#[tokio::test]
async fn writes_with_a_bearer_token_respect_role_region_and_version() {
    let st = state().await;
    let mut pm = token_client(&st, MANAGER).await;
    let current = pm.get("/api/v1/regions/zuid-friesland").await.json();
    let version = current["version"].as_i64().unwrap();

    let ok = pm
        .json(
            Method::PATCH,
            "/api/v1/regions/zuid-friesland",
            &json!({ "version": version, "theme_tags": ["Duurzaamheid"] }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["theme_tags"], json!(["Duurzaamheid"]));
    assert_eq!(ok.json()["contact_name"], "Demo Programmamanager", "fields left out keep their value");

    let stale = pm
        .json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": version, "description": "x" }))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let invalid = pm
        .json(
            Method::PATCH,
            "/api/v1/regions/zuid-friesland",
            &json!({ "version": version + 1, "contact_email": "nee" }),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json()["fields"][0]["field"], "contact_email");

    let malformed =
        pm.send(Method::PATCH, "/api/v1/regions/zuid-friesland", Some("application/json"), b"{".to_vec()).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json()["error"].as_str().unwrap().starts_with("De JSON kon niet worden gelezen"));

    let other = pm.get("/api/v1/regions/utrecht").await.json()["version"].as_i64().unwrap();
    let refused =
        pm.json(Method::PATCH, "/api/v1/regions/utrecht", &json!({ "version": other, "description": "x" })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let create = pm.json(Method::POST, "/api/v1/regions", &json!({ "name": "Nieuw", "province": "Zeeland" })).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let mut admin = token_client(&st, ADMIN).await;
    let created =
        admin.json(Method::POST, "/api/v1/regions", &json!({ "name": "Nieuw Zeeland", "province": "Zeeland" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["slug"], "nieuw-zeeland");

    let mut partner = token_client(&st, PARTNER).await;
    let v = partner.get("/api/v1/regions/zuid-friesland").await.json()["version"].as_i64().unwrap();
    let no = partner
        .json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": v, "description": "x" }))
        .await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn writes_without_credentials_or_with_a_bad_token_are_refused() {
    let st = state().await;
    let mut anon = Client::new(st.clone());
    let res = anon.json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": 1 })).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no session: the CSRF guard refuses");
    let mut bad = Client::new(st);
    bad.bearer = Some("sterk_onzin".into());
    let res = bad.json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": 1 })).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.json()["error"].as_str().unwrap().contains("API-sleutel"));
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let st = state().await;
    let mut owner = Client::new(st.clone());
    owner.login(MANAGER).await;
    let res = owner.post("/account/sleutels", &[("name", "tijdelijk")]).await;
    let token = res.body.split("<code class=\"sterk-token\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let id = res.body.split("/account/sleutels/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let mut api = Client::new(st);
    api.bearer = Some(token);
    let v = api.get("/api/v1/regions/zuid-friesland").await.json()["version"].as_i64().unwrap();
    assert_eq!(
        api.json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": v })).await.status,
        StatusCode::OK
    );
    owner.post(&format!("/account/sleutels/{id}/intrekken"), &[]).await;
    let after = api.json(Method::PATCH, "/api/v1/regions/zuid-friesland", &json!({ "version": v + 1 })).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}
