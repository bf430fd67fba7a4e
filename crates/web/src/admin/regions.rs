//! A region's identity and profile forms, creating, archiving and restoring regions.

use crate::AppState;
use crate::admin::views::HistoryView;
use crate::admin::views::RegionForm;
use crate::error::WebError;
use crate::layout::ms_to_timestamp;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::region::{PROVINCES, RegionIdentityInput, RegionProfileInput};
use domain::{Action, FieldErrors, Region, RegionKind};
use serde::Deserialize;
use services::ServiceError;

fn kind_choices(current: &str) -> Vec<Choice> {
    let mut items = vec![("", "Nog niet vastgesteld")];
    items.extend(RegionKind::ALL.iter().map(|k| (k.code(), k.label())));
    Choice::list(items, current)
}

fn province_choices(current: &str) -> Vec<Choice> {
    let mut items = vec![("", "Kies een provincie")];
    items.extend(PROVINCES.iter().map(|p| (*p, *p)));
    Choice::list(items, current)
}

struct RegionFormState {
    pub(crate) identity: RegionIdentityInput,
    pub(crate) profile: RegionProfileInput,
    pub(crate) errors: FieldErrors,
    pub(crate) saved: bool,
    pub(crate) conflict: bool,
}

/// Renders the region form with the region's latest changes.
async fn render_region_form(
    st: &AppState,
    ctx: &Ctx,
    region: Option<&Region>,
    s: RegionFormState,
    status: StatusCode,
) -> Page {
    let history = match region {
        Some(r) => services::regions::history(&st.app, &ctx.actor, &r.slug)
            .await?
            .into_iter()
            .map(|e| HistoryView {
                when: domain::fmt::instant_nl(ms_to_timestamp(e.at)),
                who: e.actor_name.unwrap_or_else(|| "Systeem".into()),
                what: audit_label(&e.action),
            })
            .collect(),
        None => Vec::new(),
    };
    let view = RegionForm {
        history,
        l: Layout::new(region.map_or("Nieuwe regio".into(), |r| format!("{} bewerken", r.name)), ctx, "beheer"),
        is_new: region.is_none(),
        slug: region.map(|r| r.slug.clone()).unwrap_or_default(),
        name: region.map(|r| r.name.clone()).unwrap_or_default(),
        version: region.map_or(0, |r| r.version),
        archived: region.is_some_and(|r| r.archived),
        is_admin: ctx.actor.is_national_admin(),
        kinds: kind_choices(&s.identity.kind),
        provinces: province_choices(&s.identity.province),
        identity: s.identity,
        profile: s.profile,
        errors: s.errors,
        saved: s.saved,
        conflict: s.conflict,
    };
    Ok((status, html(view)?).into_response())
}

/// What an audit entry means, in Dutch.
fn audit_label(action: &str) -> &'static str {
    match action {
        "region.create" => "Regio aangemaakt",
        "region.profile" => "Beschrijving, contact of thema's gewijzigd",
        "region.identity" => "Naam, webadres, type of provincie gewijzigd",
        "region.archive" => "Regio gearchiveerd",
        "region.restore" => "Regio hersteld",
        "region.lead_applicant" => "Penvoerder gewijzigd",
        "membership.add" => "Deelnemer toegevoegd",
        "membership.remove" => "Deelnemer verwijderd",
        _ => "Gewijzigd",
    }
}

fn identity_of(r: &Region) -> RegionIdentityInput {
    RegionIdentityInput {
        name: r.name.clone(),
        slug: r.slug.clone(),
        kind: r.kind.map(|k| k.code().to_owned()).unwrap_or_default(),
        province: r.province.clone(),
    }
}

/// The region as stored, for an actor allowed to edit its profile.
async fn editable_region(st: &AppState, ctx: &Ctx, slug: &str) -> Result<Region, WebError> {
    let page = services::regions::page(&st.app, &ctx.actor, slug).await?;
    ctx.actor.require(Action::EditRegionProfile { region_id: &page.region.id })?;
    Ok(page.region)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    pub(crate) opgeslagen: Option<String>,
}

async fn region_form_page(st: &AppState, ctx: &Ctx, slug: &str, saved: bool) -> Page {
    let region = editable_region(st, ctx, slug).await?;
    let state = RegionFormState {
        identity: identity_of(&region),
        profile: region.profile.to_input(),
        errors: FieldErrors::default(),
        saved,
        conflict: false,
    };
    render_region_form(st, ctx, Some(&region), state, StatusCode::OK).await
}

pub async fn region_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Page {
    region_form_page(&st, &ctx, &slug, q.opgeslagen.is_some()).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub(crate) version: i64,
    #[serde(flatten)]
    pub(crate) profile: RegionProfileInput,
}

pub async fn update_region_profile(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<ProfileForm>,
) -> Page {
    let region = editable_region(&st, &ctx, &slug).await?;
    match services::regions::update_profile(&st.app, &ctx.actor, &slug, form.version, &form.profile).await {
        Ok(r) => Ok(Redirect::to(&format!("/beheer/regios/{}?opgeslagen=1", r.slug)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let state = RegionFormState {
                identity: identity_of(&region),
                profile: form.profile,
                errors,
                saved: false,
                conflict: false,
            };
            render_region_form(&st, &ctx, Some(&region), state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict) => {
            let state = RegionFormState {
                identity: identity_of(&region),
                profile: region.profile.to_input(),
                errors: FieldErrors::default(),
                saved: false,
                conflict: true,
            };
            render_region_form(&st, &ctx, Some(&region), state, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct IdentityForm {
    #[serde(default)]
    pub(crate) version: i64,
    #[serde(flatten)]
    pub(crate) identity: RegionIdentityInput,
}

pub async fn update_region_identity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<IdentityForm>,
) -> Page {
    ctx.actor.require(Action::ManageRegionIdentity)?;
    let region = editable_region(&st, &ctx, &slug).await?;
    match services::regions::update_identity(&st.app, &ctx.actor, &slug, form.version, &form.identity).await {
        Ok(r) => Ok(Redirect::to(&format!("/beheer/regios/{}?opgeslagen=1", r.slug)).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict)) => {
            let conflict = matches!(e, ServiceError::Conflict);
            let (identity, errors) = match e {
                ServiceError::Invalid(errors) => (form.identity, errors),
                _ => (identity_of(&region), FieldErrors::default()),
            };
            let state =
                RegionFormState { identity, profile: region.profile.to_input(), errors, saved: false, conflict };
            let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            render_region_form(&st, &ctx, Some(&region), state, status).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_region_form(State(st): State<AppState>, ctx: Ctx) -> Page {
    ctx.actor.require(Action::ManageRegionIdentity)?;
    let state = RegionFormState {
        identity: RegionIdentityInput::default(),
        profile: RegionProfileInput::default(),
        errors: FieldErrors::default(),
        saved: false,
        conflict: false,
    };
    render_region_form(&st, &ctx, None, state, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct NewRegionForm {
    #[serde(flatten)]
    pub(crate) identity: RegionIdentityInput,
    #[serde(flatten)]
    pub(crate) profile: RegionProfileInput,
}

pub async fn create_region(State(st): State<AppState>, ctx: Ctx, Form(form): Form<NewRegionForm>) -> Page {
    match services::regions::create(&st.app, &ctx.actor, &form.identity, &form.profile).await {
        Ok(r) => Ok(Redirect::to(&format!("/beheer/regios/{}?opgeslagen=1", r.slug)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let state = RegionFormState {
                identity: form.identity,
                profile: form.profile,
                errors,
                saved: false,
                conflict: false,
            };
            render_region_form(&st, &ctx, None, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn archive_region(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    services::regions::set_archived(&st.app, &ctx.actor, &slug, true).await?;
    Ok(Redirect::to(&format!("/beheer/regios/{slug}")).into_response())
}

pub async fn restore_region(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    services::regions::set_archived(&st.app, &ctx.actor, &slug, false).await?;
    Ok(Redirect::to(&format!("/beheer/regios/{slug}")).into_response())
}
