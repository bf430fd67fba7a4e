//! The knowledge base as an API: read what the caller may see, search everything public, and
//! (editors) write items with `If-Match` versioning.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::content::{Draft, Item, Kind};
use serde::{Deserialize, Serialize};
use services::content::Filter;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::Problem;
use crate::api::{ApiCtx, ApiError, ApiJson, etag, if_match};
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct ContentDto {
    pub(crate) id: String,
    /// nieuws, agenda, webinar, vraag, document or inspiratie.
    pub(crate) kind: String,
    pub(crate) slug: String,
    /// The region's web address; absent for national items.
    pub(crate) region: Option<String>,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// Markdown.
    pub(crate) body: String,
    /// The body as safe HTML.
    pub(crate) body_html: String,
    /// The kind's own fields (tagged by `kind`).
    #[schema(value_type = Object)]
    pub(crate) details: domain::content::Details,
    /// concept or gepubliceerd.
    pub(crate) status: String,
    pub(crate) publish_on: Option<String>,
    pub(crate) version: i64,
    pub(crate) updated_at: String,
    pub(crate) url: String,
}

fn dto(item: Item, regions: &HashMap<String, String>) -> ContentDto {
    let d = item.draft;
    ContentDto {
        url: format!("{}/{}", d.details.kind().path(), item.slug),
        kind: d.details.kind().code().to_owned(),
        region: item.region_id.and_then(|id| regions.get(&id).cloned()),
        body_html: crate::markdown::to_html(&d.body, crate::markdown::HeadingLevel::H2),
        status: if d.status == domain::content::Status::Gepubliceerd { "gepubliceerd" } else { "concept" }.to_owned(),
        publish_on: d.publish_on.map(|x| x.to_string()),
        id: item.id,
        slug: item.slug,
        title: d.title,
        summary: d.summary,
        body: d.body,
        details: d.details,
        version: item.version,
        updated_at: item.updated_at.to_string(),
    }
}

async fn region_slugs(st: &AppState) -> Result<HashMap<String, String>, ApiError> {
    Ok(services::regions::all(&st.app).await?.into_iter().map(|r| (r.id, r.slug)).collect())
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub(crate) kind: Option<String>,
    pub(crate) region: Option<String>,
}

/// The items the caller may see (the public: what is published), newest first; `region` gives
/// the national items and that region's.
#[utoipa::path(get, operation_id = "list_content", path = "/api/v1/content", tag = "kennisbank",
    params(("kind" = Option<String>, Query, description = "nieuws, agenda, webinar, vraag, document, inspiratie"),
        ("region" = Option<String>, Query, description = "webadres van een regio")),
    responses((status = 200, body = [ContentDto]), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ContentDto>>, ApiError> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::invalid_field("kind", "Kies nieuws, agenda, webinar, vraag, document of inspiratie.")
        })?),
    };
    let regions = region_slugs(&st).await?;
    let region_id = match q.region.as_deref() {
        None | Some("") => None,
        Some(slug) => {
            Some(regions.iter().find(|(_, s)| *s == slug).map(|(id, _)| id.clone()).ok_or(WebError::NotFound)?)
        }
    };
    let filter = Filter { kind, region: region_id.as_deref().map(Some), limit: None };
    let items = services::content::list(&st.app, &ctx.actor, &filter).await?;
    Ok(Json(items.into_iter().map(|i| dto(i, &regions)).collect()))
}

/// One item by kind and web address; the ETag is its version.
#[utoipa::path(get, operation_id = "get_content", path = "/api/v1/content/{kind}/{slug}", tag = "kennisbank",
    params(("kind" = String, Path), ("slug" = String, Path)),
    responses((status = 200, body = ContentDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((kind, slug)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let kind = Kind::parse(&kind).ok_or(WebError::NotFound)?;
    let item = services::content::get(&st.app, &ctx.actor, kind, &slug).await?;
    let version = item.version;
    Ok((etag(version), Json(dto(item, &region_slugs(&st).await?))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ContentWrite {
    /// The region's web address for a regional item; absent: national.
    #[serde(default)]
    pub(crate) region: Option<String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub(crate) draft: Draft,
}

/// Writes a new item: national (the national team) or a region's (its managers).
#[utoipa::path(post, operation_id = "create_content", path = "/api/v1/content", tag = "kennisbank", security(("bearer" = [])),
    request_body(content = ContentWrite, content_type = "application/json"),
    responses((status = 201, body = ContentDto), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(body): ApiJson<ContentWrite>,
) -> Result<Response, ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let item = services::content::create(&st.app, &ctx.actor, body.region.as_deref(), body.draft).await?;
    let location = format!("/api/v1/content/{}/{}", item.kind().code(), item.slug);
    let version = item.version;
    let dto = dto(item, &region_slugs(&st).await?);
    Ok((StatusCode::CREATED, etag(version), [(header::LOCATION, location)], Json(dto)).into_response())
}

/// Replaces an item; `If-Match` names the version it builds on (409 when someone saved since).
#[utoipa::path(put, operation_id = "put_content", path = "/api/v1/content/{id}", tag = "kennisbank", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body(content = ContentWrite, content_type = "application/json"),
    responses((status = 200, body = ContentDto), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 428, body = Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<ContentWrite>,
) -> Result<Response, ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let expected = if_match(&headers)?;
    let item = services::content::update(&st.app, &ctx.actor, &id, expected, body.draft).await?;
    let version = item.version;
    Ok((etag(version), Json(dto(item, &region_slugs(&st).await?))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitDto {
    /// Nieuws, Agenda, Regio, School, …
    pub(crate) label: String,
    pub(crate) url: String,
    /// The title with the words found in `<mark>`; otherwise escaped HTML.
    pub(crate) title_html: String,
    pub(crate) snippet_html: String,
    pub(crate) score: f32,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    pub(crate) q: Option<String>,
}

/// Searches everything public (knowledge base, regions, schools), best first.
#[utoipa::path(get, path = "/api/v1/search", tag = "kennisbank", params(("q" = String, Query)),
    responses((status = 200, body = [SearchHitDto])))]
pub async fn search(
    State(st): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<SearchHitDto>>, ApiError> {
    let hits = services::search::search(&st.app, q.q.as_deref().unwrap_or(""), 50).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| SearchHitDto {
                label: h.label,
                url: h.href,
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                score: h.score,
            })
            .collect(),
    ))
}
