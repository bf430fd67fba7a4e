//! The JSON API under `/api/v1`, described by an OpenAPI document at `/api/v1/openapi.json`.
//! Reads are public; writes need a bearer token, or a session plus the `X-CSRF-Token` header.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::region::{RegionIdentityInput, RegionProfileInput, kind_label};
use domain::{FieldErrors, Organisation, Region};
use serde::{Deserialize, Serialize};
use services::ServiceError;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::WebError;
use crate::pages::SearchQuery;
use crate::session::Ctx;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sterk API", version = "1", description = "Open data en beheer van Sterk Techniekonderwijs: regio's, deelnemers en scholen."),
    paths(indicators, list_regions, get_region, create_region, update_region, find_schools, check_application,
        get_application, put_application, submit_application, application_versions, export_xlsx, export_pdf,
        crate::plans_api::list, crate::plans_api::create, crate::plans_api::get, crate::plans_api::put,
        crate::plans_api::transition, crate::execution_api::list, crate::execution_api::add,
        crate::execution_api::remove, crate::execution_api::milestones, crate::execution_api::set_milestone,
        crate::execution_api::realisation, crate::execution_api::settlement, crate::execution_api::report,
        crate::content_api::list, crate::content_api::get, crate::content_api::create, crate::content_api::put,
        crate::content_api::search),
    components(schemas(crate::content_api::ContentDto, crate::content_api::ContentWrite, crate::content_api::SearchHitDto, crate::plans_api::PlanSummaryDto, crate::plans_api::PlanDto, crate::plans_api::TransitionInput,
        crate::plans_api::HistoryDto, crate::plans_api::AttachmentDto, crate::execution_api::RecordDto,
        crate::execution_api::AddedDto, crate::execution_api::MilestoneDto, crate::execution_api::MilestoneUpdate, VersionDto, RegionDto, RegionDetailDto, OrganisationDto, SchoolHitDto, RegionWrite, RegionCreate, ApiErrorBody, FieldErrorDto)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The check takes whole applications (20,000 budget lines are a few MiB), so it has its own body limit.
pub const CHECK_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Routes that take whole applications, with their own body limit.
pub fn large_router() -> Router<AppState> {
    Router::new()
        .route(
            "/regio/{slug}/aanvragen/{phase}/overeenkomst.pdf",
            axum::routing::post(crate::workspace::upload_agreement)
                .get(crate::workspace::download_agreement)
                .layer(axum::extract::DefaultBodyLimit::max(services::applications::MAX_AGREEMENT_BYTES + 64 * 1024)),
        )
        .route("/regio/{slug}/aanvragen/{phase}/import.json", axum::routing::post(crate::workspace::import_json))
        .route(
            "/regio/{slug}/aanvragen/{phase}/import.xlsx",
            axum::routing::post(crate::workspace::import_xlsx)
                .layer(axum::extract::DefaultBodyLimit::max(crate::workspace::MAX_XLSX_BYTES)),
        )
        .route(
            "/regio/{slug}/deelplannen/{id}/bijlagen",
            axum::routing::post(crate::school_plans::upload)
                .layer(axum::extract::DefaultBodyLimit::max(services::school_plans::MAX_ATTACHMENT_BYTES + 64 * 1024)),
        )
        .route(
            "/regio/{slug}/uitvoering/kosten/factuur",
            axum::routing::post(crate::execution::add_invoice)
                .layer(axum::extract::DefaultBodyLimit::max(services::files::MAX_BYTES + 64 * 1024)),
        )
        .route("/regio/{slug}/uitvoering/{kind}/import", axum::routing::post(crate::execution::import))
        .route(
            "/beheer/inhoud/{id}/bestand",
            axum::routing::post(crate::content::upload)
                .layer(axum::extract::DefaultBodyLimit::max(services::files::MAX_BYTES + 64 * 1024)),
        )
        .route("/api/v1/check", axum::routing::post(check_application))
        .route("/api/v1/regions/{slug}/applications/{phase}", axum::routing::put(put_application))
        .layer(axum::extract::DefaultBodyLimit::max(CHECK_MAX_BODY_BYTES))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/regions", get(list_regions).post(create_region))
        .route("/regions/{slug}", get(get_region).patch(update_region))
        .route("/schools", get(find_schools))
        .route("/indicators", get(indicators))
        .route("/content", get(crate::content_api::list).post(crate::content_api::create))
        .route("/content/{id}", axum::routing::put(crate::content_api::put))
        .route("/content/{kind}/{slug}", get(crate::content_api::get))
        .route("/search", get(crate::content_api::search))
        .route("/regions/{slug}/applications/{phase}", get(get_application))
        .route("/regions/{slug}/applications/{phase}/submit", axum::routing::post(submit_application))
        .route("/regions/{slug}/applications/{phase}/versions", get(application_versions))
        .route("/regions/{slug}/applications/{phase}/export.xlsx", get(export_xlsx))
        .route("/regions/{slug}/applications/{phase}/export.pdf", get(export_pdf))
        .route("/regions/{slug}/school-plans", get(crate::plans_api::list).post(crate::plans_api::create))
        .route("/school-plans/{id}", get(crate::plans_api::get).put(crate::plans_api::put))
        .route("/school-plans/{id}/transitions", axum::routing::post(crate::plans_api::transition))
        .route(
            "/regions/{slug}/milestones",
            get(crate::execution_api::milestones).put(crate::execution_api::set_milestone),
        )
        .route("/regions/{slug}/realisation", get(crate::execution_api::realisation))
        .route("/regions/{slug}/settlement", get(crate::execution_api::settlement))
        .route("/regions/{slug}/reports/{file}", get(crate::execution_api::report))
        .route("/regions/{slug}/records/{id}", axum::routing::delete(crate::execution_api::remove))
        .route("/regions/{slug}/{kind}", get(crate::execution_api::list).post(crate::execution_api::add))
        .fallback(|| async { ApiError::from(WebError::NotFound) })
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    field: String,
    message: String,
}

/// Every error: a Dutch message, and for invalid input the fields it concerns.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldErrorDto>,
}

pub struct ApiError {
    status: StatusCode,
    body: ApiErrorBody,
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        let (_, message) = e.message();
        if let WebError::Internal(detail) = &e {
            tracing::error!("{detail}");
        }
        ApiError { status: e.status(), body: ApiErrorBody { error: message, fields: Vec::new() } }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(errors) => invalid(errors),
            ServiceError::SubmitRefused(findings) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                body: ApiErrorBody {
                    error: "Indienen geweigerd: deze blokkerende regels voldoen niet.".into(),
                    fields: findings
                        .into_iter()
                        .map(|f| FieldErrorDto {
                            field: f.field.unwrap_or_else(|| f.rule.clone()),
                            message: format!("{}: {}", f.rule, f.message),
                        })
                        .collect(),
                },
            },
            ServiceError::NotAllowed(message) => {
                ApiError { status: StatusCode::CONFLICT, body: ApiErrorBody { error: message, fields: Vec::new() } }
            }
            ServiceError::Conflict => ApiError {
                status: StatusCode::CONFLICT,
                body: ApiErrorBody {
                    error: "Iemand anders heeft dit intussen gewijzigd; haal de nieuwste versie op.".into(),
                    fields: Vec::new(),
                },
            },
            e => WebError::from(e).into(),
        }
    }
}

impl ApiError {
    /// 422 with one field's Dutch message.
    pub fn invalid_field(field: &str, message: &str) -> ApiError {
        let mut e = FieldErrors::default();
        e.add(field, message);
        invalid(e)
    }
}

fn invalid(errors: FieldErrors) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: ApiErrorBody {
            error: "Ongeldige invoer.".into(),
            fields: errors
                .iter()
                .map(|e| FieldErrorDto { field: e.field.clone(), message: e.message.clone() })
                .collect(),
        },
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The caller, with JSON errors instead of pages.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ctx::from_request_parts(parts, state).await.map(ApiCtx).map_err(ApiError::from)
    }
}

/// A JSON body whose parse errors answer in Dutch.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(axum::extract::Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|r| ApiError {
                status: r.status(),
                body: ApiErrorBody { error: WebError::TooLarge.message().1, fields: Vec::new() },
            })?;
        if domain::validation::has_nul(&String::from_utf8_lossy(&bytes)) {
            let error = format!("De JSON kon niet worden gelezen: {}.", domain::validation::NUL_MESSAGE);
            return Err(ApiError { status: StatusCode::BAD_REQUEST, body: ApiErrorBody { error, fields: Vec::new() } });
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError {
                status: rejection.status(),
                body: ApiErrorBody {
                    error: format!("De JSON kon niet worden gelezen: {}", rejection.body_text()),
                    fields: Vec::new(),
                },
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    slug: String,
    name: String,
    /// `techniekregio`, `techniekluwe`, or null when not yet set.
    kind: Option<String>,
    kind_label: String,
    province: String,
    members: Option<i64>,
    /// Optimistic-lock version; send it back with a change.
    version: i64,
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
    id: String,
    name: String,
    /// vmbo, mbo, po, vo, company, municipality or other.
    kind: String,
    duo_code: Option<String>,
    place: Option<String>,
    /// From DUO's school locations, when imported.
    municipality: Option<String>,
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
    region: RegionDto,
    description: String,
    contact_name: Option<String>,
    contact_role: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    theme_tags: Vec<String>,
    lead_applicant: Option<OrganisationDto>,
    organisations: Vec<OrganisationDto>,
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
async fn list_regions(State(st): State<AppState>) -> Result<Json<Vec<RegionDto>>, ApiError> {
    let list = services::regions::list_public(&st.app).await?;
    Ok(Json(list.into_iter().map(RegionDto::from).collect()))
}

/// One region with its profile and participating organisations.
#[utoipa::path(get, path = "/api/v1/regions/{slug}", tag = "regio's",
    params(("slug" = String, Path, description = "Webadres van de regio, zoals zuid-friesland")),
    responses((status = 200, body = RegionDetailDto), (status = 404, body = ApiErrorBody)))]
async fn get_region(
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
    version: i64,
    description: Option<String>,
    contact_name: Option<String>,
    contact_role: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    theme_tags: Option<Vec<String>>,
}

/// Changes a region's description, contact or theme tags (region manager of that region, or national team).
#[utoipa::path(patch, path = "/api/v1/regions/{slug}", tag = "regio's", request_body = RegionWrite,
    params(("slug" = String, Path, description = "Webadres van de regio")),
    security(("bearer" = [])),
    responses((status = 200, body = RegionDetailDto), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn update_region(
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
    name: String,
    /// Leave out to derive it from the name.
    slug: Option<String>,
    kind: Option<String>,
    province: String,
    description: Option<String>,
}

/// Creates a region (national team only).
#[utoipa::path(post, path = "/api/v1/regions", tag = "regio's", request_body = RegionCreate, security(("bearer" = [])),
    responses((status = 201, body = RegionDetailDto), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn create_region(
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
    school: OrganisationDto,
    /// Whether the school takes part in an active region.
    takes_part: bool,
    region_slug: Option<String>,
    region_name: Option<String>,
    contact_name: Option<String>,
    contact_role: Option<String>,
    contact_email: Option<String>,
}

/// The school finder: schools whose name, place or DUO code contains `q`.
#[utoipa::path(get, path = "/api/v1/schools", tag = "scholen",
    params(("q" = String, Query, description = "Deel van de naam, plaats of DUO-vestigingscode")),
    responses((status = 200, body = [SchoolHitDto])))]
async fn find_schools(
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

/// Checks an application in the `sterk.application/1` format against its regulation: every rule
/// with its verdict, Dutch explanation, source and trace (see `docs/application-format.md`).
#[utoipa::path(post, path = "/api/v1/check", tag = "regeling",
    request_body(content_type = "application/json", description = "Een aanvraag in het formaat sterk.application/1"),
    responses(
        (status = 200, description = "Het rapport: regulation, phase, passed, totals en findings (elke regel)"),
        (status = 422, body = ApiErrorBody, description = "Het bestand is onleesbaar; fields[0].field noemt het JSON-pad")))]
async fn check_application(State(st): State<AppState>, body: String) -> Response {
    use domain::regulation::check::CheckError;
    // Anyone may send a whole application (up to 16 MiB): checking it is CPU work for the pool.
    let regulations = st.app.regulations.clone();
    let checked = match services::cpu::run(move || regulations.check_json(&body).map(|(report, _)| report)).await {
        Ok(checked) => checked,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match checked {
        Ok(report) => Json(report).into_response(),
        Err(CheckError::Format(e)) => ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ApiErrorBody {
                error: format!("De aanvraag is onleesbaar: {e}"),
                fields: vec![FieldErrorDto { field: e.path, message: e.message }],
            },
        }
        .into_response(),
        Err(e @ CheckError::Regulation(_)) => ApiError::from(WebError::Internal(e.to_string())).into_response(),
    }
}

/// The version an `If-Match: "<n>"` header names.
pub(crate) fn if_match(headers: &axum::http::HeaderMap) -> Result<i64, ApiError> {
    headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().trim_matches('"').parse().ok())
        .ok_or(ApiError {
            status: StatusCode::PRECONDITION_REQUIRED,
            body: ApiErrorBody {
                error: "Geef de versie waarop de wijziging voortbouwt mee in If-Match (de ETag van de laatste GET)."
                    .into(),
                fields: Vec::new(),
            },
        })
}

pub(crate) fn etag(version: i64) -> [(axum::http::HeaderName, String); 1] {
    [(axum::http::header::ETAG, format!("\"{version}\""))]
}

/// The region's draft application for a phase, in the `sterk.application/1` format.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path, description = "vooraanmelding, hoofdlijnen, uitwerking-2025-2026 of uitwerking-2027-2028")),
    responses((status = 200, description = "De aanvraag; de ETag is de versie"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn get_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (application, version) = services::applications::get(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok((etag(version), Json(application)).into_response())
}

/// Replaces the draft (starting it when there is none). `If-Match` names the version it builds on; a stale one answers 409.
#[utoipa::path(put, path = "/api/v1/regions/{slug}/applications/{phase}", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("If-Match" = String, Header)),
    request_body(content_type = "application/json", description = "De aanvraag in het formaat sterk.application/1"),
    responses((status = 200, description = "Opgeslagen; de ETag is de nieuwe versie"), (status = 409, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 428, body = ApiErrorBody)))]
async fn put_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    _may: crate::guard::EditsApplication,
    body: String,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let application = domain::regulation::application::Application::from_json(&body).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.add(&e.path, e.message);
        invalid(errors)
    })?;
    services::applications::start(&st.app, &ctx.actor, &slug, &phase).await?;
    let version = services::applications::save(&st.app, &ctx.actor, &slug, &phase, expected, application).await?;
    Ok((etag(version), Json(serde_json::json!({ "version": version }))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    number: i64,
    sha256: String,
    submitted_at: String,
    submitted_by: String,
}

impl From<services::applications::VersionInfo> for VersionDto {
    fn from(v: services::applications::VersionInfo) -> Self {
        VersionDto {
            number: v.number,
            sha256: v.sha256,
            submitted_at: jiff::Timestamp::from_millisecond(v.submitted_at).map(|t| t.to_string()).unwrap_or_default(),
            submitted_by: v.submitted_by,
        }
    }
}

/// Submits the draft: refused (422, with the failing rules) while a blocking rule fails; else a frozen version with its SHA-256.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/submit", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("If-Match" = String, Header)),
    responses((status = 201, body = VersionDto), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn submit_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<(StatusCode, Json<VersionDto>), ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let expected = if_match(&headers)?;
    let v = services::applications::submit(&st.app, &ctx.actor, &slug, &phase, expected).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// The submitted versions of a region's application, oldest first.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/versions", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)),
    responses((status = 200, body = [VersionDto]), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn application_versions(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Json<Vec<VersionDto>>, ApiError> {
    let list = services::applications::versions(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(Json(list.into_iter().map(VersionDto::from).collect()))
}

/// The budget workbook (XLSX): one sheet per year, a summary and a co-financing sheet.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/export.xlsx", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "De werkmap")))]
async fn export_xlsx(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bytes = crate::workspace::budget_workbook(&st, &ctx, &slug, &phase).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
        bytes,
    )
        .into_response())
}

/// The whole application as a PDF (cover with region, phase and version hash; vision; activities; budget; checks).
/// `?versie=N` gives a submitted version; without it the current draft.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/export.pdf", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("versie" = Option<i64>, Query)),
    responses((status = 200, content_type = "application/pdf", description = "Het PDF-document")))]
async fn export_pdf(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    let bytes = crate::workspace::application_pdf(&st, &ctx, &slug, &phase, q.versie.unwrap_or(0)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    versie: Option<i64>,
}

#[derive(Deserialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

/// Indicators from DUO open data for `national`, `region:{slug}` or `location:{duo_code}`, per school year:
/// `{ "scope", "indicators": [ { "id", "year", "known", "masked_cells", "low", "high", "value" } ] }`. Masked
/// cells (`<5`) are never guessed: `low` and `high` bound the count; shares are on known numbers.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "monitoring",
    params(("scope" = Option<String>, Query, description = "national (standaard), region:{slug} of location:{DUO-code}"),
        ("year" = Option<String>, Query, description = "een schooljaar, bijvoorbeeld 2023-2024")),
    responses((status = 200, description = "De indicatoren"), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
async fn indicators(State(st): State<AppState>, Query(q): Query<IndicatorQuery>) -> Result<Response, ApiError> {
    let text = q.scope.unwrap_or_else(|| "national".into());
    let Some(scope) = services::monitoring::Scope::parse(&text) else {
        let mut e = FieldErrors::default();
        e.add("scope", format!("\"{text}\": schrijf national, region:{{webadres}} of location:{{DUO-code}}."));
        return Err(invalid(e));
    };
    let values = services::monitoring::indicators(&st.app, &scope, q.year.as_deref()).await?;
    Ok(Json(serde_json::json!({ "scope": scope.code(), "indicators": values })).into_response())
}
