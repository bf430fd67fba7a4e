//! The signed-in management pages ("Mijn Sterk"): regions, memberships, organisations, users.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::organisation::OrganisationInput;
use domain::region::{PROVINCES, RegionIdentityInput, RegionProfileInput, kind_label};
use domain::{Action, Actor, FieldErrors, OrganisationKind, Region, RegionKind};
use serde::Deserialize;
use services::ServiceError;
use services::regions::RegionSummary;
use services::users::{InviteInput, InviteOutcome};

use crate::AppState;
use crate::error::WebError;
use crate::pages::{Page, SearchQuery, html};
use crate::session::Ctx;
use crate::views::{
    Choice, Dashboard, GrantView, HistoryView, Layout, MemberView, MembersPage, OrganisationForm, OrganisationsPage,
    RegionForm, RegionItem, TokenView, UserView, UsersPage,
};

fn require(actor: &Actor, action: Action<'_>) -> Result<(), WebError> {
    actor.require(action).map_err(|d| ServiceError::from(d).into())
}

/// Region ids → names, for showing grants.
async fn region_names(st: &AppState) -> Result<Vec<RegionSummary>, WebError> {
    Ok(services::regions::all(&st.app).await?)
}

fn grant_views(grants: &[domain::Grant], regions: &[RegionSummary]) -> Vec<GrantView> {
    grants
        .iter()
        .map(|g| {
            let region = g.region_id.as_ref().and_then(|id| regions.iter().find(|r| &r.id == id));
            GrantView {
                role: g.role.label(),
                region: region.map(|r| r.name.clone()).unwrap_or_default(),
                slug: region.map(|r| r.slug.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

pub async fn dashboard(State(st): State<AppState>, ctx: Ctx) -> Page {
    render_dashboard(&st, &ctx, None, None).await
}

pub async fn render_dashboard(
    st: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    token_error: Option<String>,
) -> Page {
    require(&ctx.actor, Action::UseAccount)?;
    let manageable = services::regions::list_manageable(&st.app, &ctx.actor).await?;
    let all = region_names(st).await?;
    let tokens = services::auth::list_api_tokens(&st.app, &ctx.actor).await?;
    let status = if token_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = Dashboard {
        l: Layout::new("Mijn Sterk", ctx, "beheer"),
        grants: grant_views(&ctx.actor.grants, &all),
        regions: manageable
            .into_iter()
            .map(|s| RegionItem { slug: s.slug, name: s.name, kind: kind_label(s.kind), members: s.members })
            .collect(),
        is_admin: ctx.actor.is_national_admin(),
        can_invite: !ctx.actor.invitable_roles().is_empty(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created: domain::fmt::instant_nl(ms_to_timestamp(t.created_at)),
                expires: domain::fmt::date_nl(domain::fmt::date_in_amsterdam(ms_to_timestamp(t.expires_at))),
                last_used: t.last_used_at.map_or_else(
                    || "nog niet gebruikt".to_owned(),
                    |at| format!("laatst gebruikt {}", domain::fmt::instant_nl(ms_to_timestamp(at))),
                ),
            })
            .collect(),
        new_token,
        token_error,
    };
    Ok((status, html(page)?).into_response())
}

fn ms_to_timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

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
    identity: RegionIdentityInput,
    profile: RegionProfileInput,
    errors: FieldErrors,
    saved: bool,
    conflict: bool,
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
    require(&ctx.actor, Action::EditRegionProfile { region_id: &page.region.id })?;
    Ok(page.region)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
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
    version: i64,
    #[serde(flatten)]
    profile: RegionProfileInput,
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
    version: i64,
    #[serde(flatten)]
    identity: RegionIdentityInput,
}

pub async fn update_region_identity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(form): Form<IdentityForm>,
) -> Page {
    require(&ctx.actor, Action::ManageRegionIdentity)?;
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
    require(&ctx.actor, Action::ManageRegionIdentity)?;
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
    identity: RegionIdentityInput,
    #[serde(flatten)]
    profile: RegionProfileInput,
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

fn member_view(o: &domain::Organisation, lead: Option<&str>) -> MemberView {
    MemberView {
        id: o.id.clone(),
        name: o.name.clone(),
        kind: o.kind.label(),
        place: o.place.clone().unwrap_or_default(),
        duo_code: o.duo_code.clone().unwrap_or_default(),
        is_lead: lead == Some(o.id.as_str()),
        can_lead: o.kind.may_lead(),
    }
}

async fn members_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    q: &str,
    message: Option<String>,
    error: Option<String>,
) -> Page {
    let page = services::regions::page(&st.app, &ctx.actor, slug).await?;
    require(&ctx.actor, Action::ManageMemberships { region_id: &page.region.id })?;
    let lead = page.region.lead_applicant_id.as_deref();
    let candidates = if q.trim().is_empty() {
        Vec::new()
    } else {
        services::organisations::search(&st.app, &ctx.actor, q)
            .await?
            .iter()
            .filter(|o| !page.members.iter().any(|m| m.id == o.id))
            .map(|o| member_view(o, None))
            .collect()
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = MembersPage {
        l: Layout::new(format!("Deelnemers van {}", page.region.name), ctx, "beheer"),
        members: page.members.iter().map(|o| member_view(o, lead)).collect(),
        slug: page.region.slug,
        name: page.region.name,
        q: q.trim().to_owned(),
        candidates,
        message,
        error,
    };
    Ok((status, html(view)?).into_response())
}

pub async fn members(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Page {
    members_page(&st, &ctx, &slug, &q.q, None, None).await
}

#[derive(Deserialize)]
pub struct OrganisationRef {
    #[serde(default)]
    organisation_id: String,
}

/// Renders a membership change's outcome: a Dutch message, or the field error.
async fn after_member_change(st: &AppState, ctx: &Ctx, slug: &str, outcome: Result<String, ServiceError>) -> Page {
    match outcome {
        Ok(message) => members_page(st, ctx, slug, "", Some(message), None).await,
        Err(ServiceError::Invalid(e)) => {
            let message = e.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            members_page(st, ctx, slug, "", None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<OrganisationRef>,
) -> Page {
    let outcome = services::regions::add_member(&st.app, &ctx.actor, &slug, &f.organisation_id)
        .await
        .map(|org| format!("{} is toegevoegd.", org.name));
    after_member_change(&st, &ctx, &slug, outcome).await
}

pub async fn remove_member(State(st): State<AppState>, ctx: Ctx, Path((slug, org)): Path<(String, String)>) -> Page {
    let outcome = services::regions::remove_member(&st.app, &ctx.actor, &slug, &org)
        .await
        .map(|_| "De deelnemer is verwijderd.".to_owned());
    after_member_change(&st, &ctx, &slug, outcome).await
}

pub async fn set_lead_applicant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<OrganisationRef>,
) -> Page {
    let id = Some(f.organisation_id.as_str()).filter(|s| !s.is_empty());
    let outcome = services::regions::set_lead_applicant(&st.app, &ctx.actor, &slug, id)
        .await
        .map(|_| "De penvoerder is vastgelegd.".to_owned());
    after_member_change(&st, &ctx, &slug, outcome).await
}

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
    require(&ctx.actor, Action::CreateOrganisation)?;
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
    require(&ctx.actor, Action::EditOrganisation { member_of: &member_of })?;
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

async fn users_page(
    st: &AppState,
    ctx: &Ctx,
    input: InviteInput,
    errors: FieldErrors,
    outcome: Option<InviteOutcome>,
) -> Page {
    let invitable = ctx.actor.invitable_roles();
    if invitable.is_empty() {
        return Err(WebError::Forbidden);
    }
    let users = services::users::list(&st.app, &ctx.actor).await?;
    let all = region_names(st).await?;
    let roles: Vec<(&str, &str)> = invitable.iter().map(|r| (r.code(), r.label())).collect();
    let mut region_items = vec![("", "Landelijk (geen regio)")];
    region_items.extend(
        all.iter()
            .filter(|r| !r.archived && ctx.actor.may_invite_in(&r.id))
            .map(|r| (r.slug.as_str(), r.name.as_str())),
    );
    let mut organisation_items = vec![(String::new(), "Geen (niet voor één organisatie)".to_owned())];
    for r in all.iter().filter(|r| !r.archived && ctx.actor.may_invite_in(&r.id)) {
        let page = services::regions::page(&st.app, &ctx.actor, &r.slug).await?;
        organisation_items.extend(page.members.into_iter().map(|m| (m.id, format!("{} ({})", m.name, r.name))));
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = UsersPage {
        l: Layout::new("Gebruikers", ctx, "beheer"),
        users: users
            .iter()
            .map(|u| UserView { name: u.name.clone(), email: u.email.clone(), grants: grant_views(&u.grants, &all) })
            .collect(),
        roles: Choice::list(roles, &input.role),
        regions: Choice::list(region_items, &input.region),
        organisations: organisation_items
            .into_iter()
            .map(|(value, label)| Choice { selected: value == input.organisation, value, label })
            .collect(),
        invite_link: match &outcome {
            Some(InviteOutcome::Invited { token }) => Some(format!("/uitnodiging/{token}")),
            _ => None,
        },
        granted: outcome == Some(InviteOutcome::Granted),
        input: if outcome.is_some() { InviteInput::default() } else { input },
        errors,
    };
    Ok((status, html(page)?).into_response())
}

pub async fn users(State(st): State<AppState>, ctx: Ctx) -> Page {
    users_page(&st, &ctx, InviteInput::default(), FieldErrors::default(), None).await
}

pub async fn invite(State(st): State<AppState>, ctx: Ctx, Form(input): Form<InviteInput>) -> Page {
    match services::users::invite(&st.app, &ctx.actor, &input).await {
        Ok(outcome) => users_page(&st, &ctx, input, FieldErrors::default(), Some(outcome)).await,
        Err(ServiceError::Invalid(errors)) => users_page(&st, &ctx, input, errors, None).await,
        Err(e) => Err(e.into()),
    }
}
