//! The organisations register: search, create, edit.

use crate::AppState;
use crate::admin::member_view;
use crate::admin::regions::SavedQuery;
use crate::admin::views::OrganisationForm;
use crate::admin::views::OrganisationsPage;
use crate::form::SearchQuery;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::organisation::OrganisationInput;
use domain::{Action, FieldErrors, OrganisationKind};
use services::ServiceError;

pub async fn organisations(State(st): State<AppState>, ctx: Ctx, Query(q): Query<SearchQuery>) -> Page {
    let list = services::organisations::search(&st.app, &ctx.actor, &q.q).await?;
    html(OrganisationsPage {
        l: Layout::new("Organisaties", &ctx, "beheer"),
        q: q.q.trim().to_owned(),
        organisations: list.iter().map(|o| member_view(o, None)).collect(),
        can_create: ctx.actor.permits(Action::CreateOrganisation),
    })
}

fn organisation_kinds(current: &str) -> Vec<Choice> {
    let mut items = vec![("", "Kies het soort")];
    items.extend(OrganisationKind::ALL.iter().map(|k| (k.code(), k.label())));
    Choice::list(items, current)
}

fn organisation_form(
    ctx: &Ctx,
    id: Option<String>,
    input: OrganisationInput,
    errors: FieldErrors,
    saved: bool,
    note: Option<String>,
) -> OrganisationForm {
    let title = if id.is_some() { input.name.clone() } else { "Nieuwe organisatie".into() };
    OrganisationForm {
        l: Layout::new(title, ctx, "beheer"),
        kinds: organisation_kinds(&input.kind),
        id,
        input,
        errors,
        saved,
        note,
    }
}

pub async fn new_organisation_form(ctx: Ctx) -> Page {
    ctx.actor.require(Action::CreateOrganisation)?;
    html(organisation_form(&ctx, None, OrganisationInput::default(), FieldErrors::default(), false, None))
}

pub async fn create_organisation(State(st): State<AppState>, ctx: Ctx, Form(input): Form<OrganisationInput>) -> Page {
    match services::organisations::create(&st.app, &ctx.actor, &input).await {
        Ok(org) => Ok(Redirect::to(&format!("/beheer/organisaties/{}?opgeslagen=1", org.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(organisation_form(&ctx, None, input, errors, false, None))?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn organisation_form_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Page {
    let (org, member_of) = services::organisations::get(&st.app, &ctx.actor, &id).await?;
    ctx.actor.require(Action::EditOrganisation { member_of: &member_of })?;
    html(organisation_form(
        &ctx,
        Some(org.id.clone()),
        org.to_input(),
        FieldErrors::default(),
        q.opgeslagen.is_some(),
        org.note,
    ))
}

pub async fn update_organisation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<OrganisationInput>,
) -> Page {
    match services::organisations::update(&st.app, &ctx.actor, &id, &input).await {
        Ok(org) => Ok(Redirect::to(&format!("/beheer/organisaties/{}?opgeslagen=1", org.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(organisation_form(&ctx, Some(id), input, errors, false, None))?)
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
