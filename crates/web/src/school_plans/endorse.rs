//! The school leader's one-use link (`/deelplannen/akkoord/{token}`): read the plan, then send it on
//! to the region or back to its author. No account needed; the link itself is the key.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::euro_nl;
use domain::school_plan::PlanState;
use services::ServiceError;
use services::school_plans as plans;

use crate::AppState;
use crate::form::Pairs;
use crate::layout::Layout;
use crate::page::Page;
use crate::school_plans::theme_label;
use crate::session::Ctx;

#[derive(Template)]
#[template(path = "deelplannen/endorse.html")]
pub struct EndorsePage {
    pub l: Layout,
    pub token: String,
    pub leader: String,
    pub region: String,
    pub school: String,
    pub author: String,
    pub title: String,
    pub theme: String,
    pub goals: String,
    pub activities: Vec<String>,
    pub requested: String,
    pub cofinancing: String,
    /// Sending back without saying why was refused.
    pub comment_missing: bool,
    /// What was done, once it is.
    pub done: Option<&'static str>,
}

async fn page(st: &AppState, mut ctx: Ctx, token: &str, comment_missing: bool) -> Page {
    let cookie = ctx.ensure_session(st).await?;
    let v = plans::link(&st.app, token).await?;
    let p = &v.plan;
    let view = EndorsePage {
        l: Layout::new(format!("Deelplan {} goedkeuren", p.title), &ctx, "beheer"),
        token: token.to_owned(),
        leader: v.leader.clone(),
        region: v.region.name.clone(),
        school: v.row.organisation_name.clone(),
        author: v.row.author_name.clone(),
        title: p.title.clone(),
        theme: theme_label(st, &p.theme),
        goals: p.goals.clone(),
        activities: p.activities.iter().map(|a| a.title.clone()).collect(),
        requested: euro_nl(p.requested()),
        cofinancing: euro_nl(p.cofinancing()),
        comment_missing,
        done: None,
    };
    let status = if comment_missing { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(crate::session::with_cookie((status, Html(view.render()?)).into_response(), cookie))
}

pub async fn form(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Page {
    page(&st, ctx, &token, false).await
}

pub async fn decide(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let endorse = f.get("decision") == "endorse";
    match plans::by_link(&st.app, &token, endorse, &f.get("comment")).await {
        Ok(state) => {
            let done = if state == PlanState::Ingediend {
                "Dank u. Het deelplan is naar de regio gestuurd; de schrijver en de regio krijgen bericht."
            } else {
                "Dank u. Het deelplan is teruggestuurd naar de schrijver, met uw toelichting."
            };
            let view = EndorsePage {
                l: Layout::new("Deelplan goedkeuren", &ctx, "beheer"),
                token: String::new(),
                leader: String::new(),
                region: String::new(),
                school: String::new(),
                author: String::new(),
                title: String::new(),
                theme: String::new(),
                goals: String::new(),
                activities: Vec::new(),
                requested: String::new(),
                cofinancing: String::new(),
                comment_missing: false,
                done: Some(done),
            };
            Ok(Html(view.render()?).into_response())
        }
        Err(ServiceError::Invalid(_)) => page(&st, ctx, &token, true).await,
        Err(e) => Err(e.into()),
    }
}
