//! Indicators in the API.

use crate::AppState;
use crate::api::ApiError;
use crate::api::Problem;
use crate::api::invalid;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;
use domain::monitoring::Value as IndicatorValue;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct IndicatorQuery {
    #[serde(default)]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) year: Option<String>,
}

/// Indicators of one scope.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct IndicatorsDto {
    /// `national`, `region:{slug}` or `location:{DUO-code}`.
    scope: String,
    indicators: Vec<IndicatorValue>,
}

/// Indicators from DUO open data for `national`, `region:{slug}` or `location:{duo_code}`, per school year:
/// `{ "scope", "indicators": [ { "id", "year", "known", "masked_cells", "low", "high", "value" } ] }`. Masked
/// cells (`<5`) are never guessed: `low` and `high` bound the count; shares are on known numbers.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "monitoring",
    params(("scope" = Option<String>, Query, description = "national (standaard), region:{slug} of location:{DUO-code}"),
        ("year" = Option<String>, Query, description = "een schooljaar, bijvoorbeeld 2023-2024")),
    responses((status = 200, description = "De indicatoren", body = IndicatorsDto), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn indicators(
    State(st): State<AppState>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Response, ApiError> {
    let text = q.scope.unwrap_or_else(|| "national".into());
    let Some(scope) = services::monitoring::Scope::parse(&text) else {
        let mut e = FieldErrors::default();
        e.add("scope", format!("\"{text}\": schrijf national, region:{{webadres}} of location:{{DUO-code}}."));
        return Err(invalid(e));
    };
    let values = services::monitoring::indicators(&st.app, &scope, q.year.as_deref()).await?;
    Ok(Json(IndicatorsDto { scope: scope.code(), indicators: values }).into_response())
}
