//! `cargo bench -p web`: the application workspace page for an application of 200 activities and
//! 5,000 budget lines, rendered through the real router on SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use domain::Actor;
use services::App;
use store::Db;
use tower::ServiceExt;
use web::{AppState, WebConfig};

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::fresh_for_test().await.unwrap();
        let mut app = App::new(db);
        app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
        services::demo::load(&app).await.unwrap();
        let mut large = domain::regulation::sample::large_application(200, 5_000);
        // The sample's organisation ids become those of the demo region.
        let (current, _) = services::applications::get(&app, &Actor::system(), "zuid-friesland", "hoofdlijnen").await.unwrap();
        large.organisations = current.organisations.clone();
        let vmbo = current.lead_applicant.clone();
        let company = current.organisations.iter().find(|o| o.kind == domain::OrganisationKind::Company).unwrap().id.clone();
        for a in &mut large.activities {
            a.lead = Some(vmbo.clone());
            a.partners.clear();
        }
        for l in &mut large.budget {
            if l.funding.by.is_some() {
                l.funding.by = Some(company.clone());
            }
        }
        large.lead_applicant = vmbo;
        large.agreement = current.agreement.clone();
        services::applications::import(&app, &Actor::system(), "zuid-friesland", &serde_json::to_string(&large).unwrap(), None)
            .await
            .unwrap();
        let pm = {
            let mut conn = app.db.conn().await.unwrap();
            store::users::id_by_email(&mut conn, "programmamanager@sterk.example").await.unwrap().unwrap()
        };
        let actor = services::auth::actor_for_user(&app, &pm).await.unwrap();
        let token = services::auth::create_api_token(&app, &actor, "bench").await.unwrap();
        let config = Arc::new(WebConfig { secure_cookies: false, migrations_applied: 2, ..WebConfig::default() });
        let router = web::router(AppState { app, config, pages: Default::default() });
        let get = |path: &str| {
            Request::builder().uri(path).header("host", "localhost").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()
        };
        let mut times = Vec::new();
        let mut size = 0;
        for i in 0..21 {
            let start = Instant::now();
            let res = router.clone().oneshot(get("/regio/zuid-friesland/aanvragen/hoofdlijnen")).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            size = to_bytes(res.into_body(), usize::MAX).await.unwrap().len();
            if i > 0 {
                times.push(start.elapsed());
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "workspace page: 200 activities, 5,000 lines ({} KiB of HTML): median {:.1} ms, min {:.1} ms, max {:.1} ms (20 runs)",
            size / 1024,
            ms(times[10]),
            ms(times[0]),
            ms(times[19])
        );
    });
}
