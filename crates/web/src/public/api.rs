//! The regions register in the API: regions, their organisations, and the school finder.

use crate::AppState;
use crate::api::ApiCtx;
use crate::api::ApiError;
use crate::api::ApiJson;
use crate::api::Problem;
use crate::error::WebError;
use crate::form::SearchQuery;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::region::{RegionIdentityInput, RegionProfileInput, kind_label};
use domain::{Organisation, Region};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    pub(crate) slug: String,
    pub(crate) name: String,
    /// `techniekregio`, `techniekluwe`, or null when not yet set.
    pub(crate) kind: Option<String>,
    pub(crate) kind_label: String,
    pub(crate) province: String,
    pub(crate) members: Option<i64>,
    /// Optimistic-lock version; send it back with a change.
    pub(crate) version: i64,
}

impl RegionDto {
    fn new(r: &Region, members: Option<i64>) -> RegionDto {
        RegionDto {
            slug: r.slug.clone(),
            name: r.name.clone(),
            kind: r.kind.map(|k| k.code().to_owned()),
            kind_label: kind_label(r.kind).to_owned(),
            province: r.province.clone(),
            members,
            version: r.version,
        }
    }
}

impl From<services::regions::RegionSummary> for RegionDto {
    fn from(s: services::regions::RegionSummary) -> Self {
        RegionDto {
            kind: s.kind.map(|k| k.code().to_owned()),
            kind_label: kind_label(s.kind).to_owned(),
            slug: s.slug,
            name: s.name,
            province: s.province,
            members: Some(s.members),
            version: s.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationDto {
    pub(crate) id: String,
    pub(crate) name: String,
    /// vmbo, mbo, po, vo, company, municipality or other.
    pub(crate) kind: String,
    pub(crate) duo_code: Option<String>,
    pub(crate) place: Option<String>,
    /// From DUO's school locations, when imported.
    pub(crate) municipality: Option<String>,
}

impl From<&Organisation> for OrganisationDto {
    fn from(o: &Organisation) -> Self {
        OrganisationDto {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.code().into(),
            duo_code: o.duo_code.clone(),
            place: o.place.clone(),
            municipality: o.municipality.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegionDetailDto {
    #[serde(flatten)]
    pub(crate) region: RegionDto,
    pub(crate) description: String,
    pub(crate) contact_name: Option<String>,
    pub(crate) contact_role: Option<String>,
    pub(crate) contact_email: Option<String>,
    pub(crate) contact_phone: Option<String>,
    pub(crate) theme_tags: Vec<String>,
    pub(crate) lead_applicant: Option<OrganisationDto>,
    pub(crate) organisations: Vec<OrganisationDto>,
}

fn detail(page: services::regions::RegionPage) -> RegionDetailDto {
    let p = &page.region.profile;
    RegionDetailDto {
        region: RegionDto::new(&page.region, Some(page.members.len() as i64)),
        description: p.description.clone(),
        contact_name: p.contact_name.clone(),
        contact_role: p.contact_role.clone(),
        contact_email: p.contact_email.clone(),
        contact_phone: p.contact_phone.clone(),
        theme_tags: p.theme_tags.clone(),
        lead_applicant: page.lead_applicant.as_ref().map(OrganisationDto::from),
        organisations: page.members.iter().map(OrganisationDto::from).collect(),
    }
}

/// All active regions.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regio's", responses((status = 200, body = [RegionDto])))]
pub(crate) async fn list_regions(State(st): State<AppState>) -> Result<Json<Vec<RegionDto>>, ApiError> {
    let list = services::regions::list_public(&st.app).await?;
    Ok(Json(list.into_iter().map(RegionDto::from).collect()))
}

/// One region with its profile and participating organisations.
#[utoipa::path(get, path = "/api/v1/regions/{slug}", tag = "regio's",
    params(("slug" = String, Path, description = "Webadres van de regio, zoals zuid-friesland")),
    responses((status = 200, body = RegionDetailDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn get_region(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<RegionDetailDto>, ApiError> {
    Ok(Json(detail(services::regions::page(&st.app, &ctx.actor, &slug).await?)))
}

/// A change to a region's profile. Fields left out keep their value.
#[derive(Deserialize, ToSchema)]
pub struct RegionWrite {
    /// The version the change was based on (from a GET); a stale version answers 409.
    pub(crate) version: i64,
    pub(crate) description: Option<String>,
    pub(crate) contact_name: Option<String>,
    pub(crate) contact_role: Option<String>,
    pub(crate) contact_email: Option<String>,
    pub(crate) contact_phone: Option<String>,
    pub(crate) theme_tags: Option<Vec<String>>,
}

/// Changes a region's description, contact or theme tags (region manager of that region, or national team).
#[utoipa::path(patch, path = "/api/v1/regions/{slug}", tag = "regio's", request_body = RegionWrite,
    params(("slug" = String, Path, description = "Webadres van de regio")),
    security(("bearer" = [])),
    responses((status = 200, body = RegionDetailDto), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn update_region(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RegionWrite>,
) -> Result<Json<RegionDetailDto>, ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let current = services::regions::page(&st.app, &ctx.actor, &slug).await?.region.profile.to_input();
    let input = RegionProfileInput {
        description: body.description.unwrap_or(current.description),
        contact_name: body.contact_name.unwrap_or(current.contact_name),
        contact_role: body.contact_role.unwrap_or(current.contact_role),
        contact_email: body.contact_email.unwrap_or(current.contact_email),
        contact_phone: body.contact_phone.unwrap_or(current.contact_phone),
        theme_tags: body.theme_tags.map(|t| t.join(",")).unwrap_or(current.theme_tags),
    };
    services::regions::update_profile(&st.app, &ctx.actor, &slug, body.version, &input).await?;
    Ok(Json(detail(services::regions::page(&st.app, &ctx.actor, &slug).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct RegionCreate {
    pub(crate) name: String,
    /// Leave out to derive it from the name.
    pub(crate) slug: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) province: String,
    pub(crate) description: Option<String>,
}

/// Creates a region (national team only).
#[utoipa::path(post, path = "/api/v1/regions", tag = "regio's", request_body = RegionCreate, security(("bearer" = [])),
    responses((status = 201, body = RegionDetailDto), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn create_region(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(body): ApiJson<RegionCreate>,
) -> Result<(StatusCode, Json<RegionDetailDto>), ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let identity = RegionIdentityInput {
        name: body.name,
        slug: body.slug.unwrap_or_default(),
        kind: body.kind.unwrap_or_default(),
        province: body.province,
    };
    let profile =
        RegionProfileInput { description: body.description.unwrap_or_default(), ..RegionProfileInput::default() };
    let region = services::regions::create(&st.app, &ctx.actor, &identity, &profile).await?;
    Ok((StatusCode::CREATED, Json(detail(services::regions::page(&st.app, &ctx.actor, &region.slug).await?))))
}

#[derive(Serialize, ToSchema)]
pub struct SchoolHitDto {
    pub(crate) school: OrganisationDto,
    /// Whether the school takes part in an active region.
    pub(crate) takes_part: bool,
    pub(crate) region_slug: Option<String>,
    pub(crate) region_name: Option<String>,
    pub(crate) contact_name: Option<String>,
    pub(crate) contact_role: Option<String>,
    pub(crate) contact_email: Option<String>,
}

/// The school finder: schools whose name, place or DUO code contains `q`.
#[utoipa::path(get, path = "/api/v1/schools", tag = "scholen",
    params(("q" = String, Query, description = "Deel van de naam, plaats of DUO-vestigingscode")),
    responses((status = 200, body = [SchoolHitDto])))]
pub(crate) async fn find_schools(
    State(st): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<SchoolHitDto>>, ApiError> {
    let hits = services::organisations::find_schools(&st.app, &q.q).await?;
    Ok(Json(
        hits.iter()
            .map(|h| SchoolHitDto {
                school: OrganisationDto::from(&h.school),
                takes_part: h.region.is_some(),
                region_slug: h.region.as_ref().map(|r| r.slug.clone()),
                region_name: h.region.as_ref().map(|r| r.name.clone()),
                contact_name: h.region.as_ref().and_then(|r| r.contact_name.clone()),
                contact_role: h.region.as_ref().and_then(|r| r.contact_role.clone()),
                contact_email: h.region.as_ref().and_then(|r| r.contact_email.clone()),
            })
            .collect(),
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionsQuery {
    /// A region's slug; without it, every region.
    #[serde(default)]
    #[param(example = "zuid-friesland")]
    regio: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionAmountDto {
    pub(crate) year: i16,
    /// Euros, decimal string.
    pub(crate) amount: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublishedDecisionDto {
    pub(crate) region: String,
    pub(crate) region_name: String,
    pub(crate) phase: String,
    pub(crate) reference: String,
    /// YYYY-MM-DD.
    pub(crate) decided_on: String,
    /// toegekend, deels-toegekend or afgewezen.
    pub(crate) outcome: String,
    pub(crate) amounts: Vec<DecisionAmountDto>,
    /// Euros, decimal string.
    pub(crate) total: String,
}

async fn published(st: &AppState, q: &DecisionsQuery) -> Result<Vec<services::open_data::PublishedDecision>, WebError> {
    services::open_data::decisions(&st.app, q.regio.as_deref()).await?.ok_or(WebError::NotFound)
}

/// The funder's current decisions per region (open data): reference, date, outcome and the amount per year.
#[utoipa::path(get, path = "/api/v1/open-data/decisions", tag = "open data", params(DecisionsQuery),
    responses((status = 200, body = [PublishedDecisionDto]),
        (status = 404, description = "Besluiten worden niet als open data gepubliceerd", body = Problem, content_type = "application/problem+json")))]
pub async fn decisions(
    State(st): State<AppState>,
    Query(q): Query<DecisionsQuery>,
) -> Result<Json<Vec<PublishedDecisionDto>>, ApiError> {
    let list = published(&st, &q).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| PublishedDecisionDto {
                amounts: d.amounts.iter().map(|(y, a)| DecisionAmountDto { year: *y, amount: a.to_string() }).collect(),
                total: d.total.to_string(),
                decided_on: d.decided_on.to_string(),
                outcome: d.outcome.code().to_owned(),
                region: d.region_slug,
                region_name: d.region_name,
                phase: d.phase,
                reference: d.reference,
            })
            .collect(),
    ))
}

/// The same as CSV for Dutch Excel: one row per decision and year.
#[utoipa::path(get, path = "/api/v1/open-data/decisions.csv", tag = "open data", params(DecisionsQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, description = "Besluiten worden niet als open data gepubliceerd", body = Problem, content_type = "application/problem+json")))]
pub async fn decisions_csv(
    State(st): State<AppState>,
    Query(q): Query<DecisionsQuery>,
) -> Result<axum::response::Response, ApiError> {
    let list = published(&st, &q).await?;
    let text = services::open_data::csv(&list)?;
    Ok(crate::download::file("text/csv; charset=utf-8", "besluiten.csv", text.into_bytes()))
}
