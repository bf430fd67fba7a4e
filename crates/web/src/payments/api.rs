//! The payment register in the API: a region's payments with planned against received, and a
//! new payment by the funder's staff.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::payments::PaymentText;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use services::payments::{self as register, PaymentRow};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiCtx, ApiError, ApiJson, Problem};
use crate::guard::KeepsPayments;

#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    pub(crate) id: String,
    /// voorschot, eindbetaling or terugvordering.
    pub(crate) kind: String,
    pub(crate) year: Option<i64>,
    /// YYYY-MM-DD.
    pub(crate) planned_on: Option<String>,
    /// YYYY-MM-DD; absent while not paid.
    pub(crate) paid_on: Option<String>,
    /// Euros, as a decimal string.
    pub(crate) amount: String,
    pub(crate) reference: Option<String>,
    /// The decision an advance pays out.
    pub(crate) decision: Option<String>,
    pub(crate) note: String,
    pub(crate) revision: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentYearDto {
    pub(crate) year: Option<i16>,
    pub(crate) decided: String,
    pub(crate) planned: String,
    pub(crate) received: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentsDto {
    pub(crate) region: String,
    pub(crate) decided: String,
    pub(crate) received: String,
    pub(crate) years: Vec<PaymentYearDto>,
    pub(crate) payments: Vec<PaymentDto>,
}

fn dto(p: PaymentRow) -> PaymentDto {
    PaymentDto {
        id: p.id,
        kind: p.kind,
        year: p.year,
        planned_on: p.planned_on,
        paid_on: p.paid_on,
        amount: Decimal::new(p.amount_cents, 2).to_string(),
        reference: p.reference,
        decision: p.decision_reference,
        note: p.note,
        revision: p.revision,
    }
}

/// The region's payment register: planned against received per budget year, and every payment.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/payments", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = PaymentsDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_payments(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<PaymentsDto>, ApiError> {
    let r = register::register(&st.app, &ctx.actor, &slug).await?;
    Ok(Json(PaymentsDto {
        region: r.region.slug,
        decided: r.decided.to_string(),
        received: r.received.to_string(),
        years: r
            .years
            .into_iter()
            .map(|y| PaymentYearDto {
                year: y.year,
                decided: y.decided.to_string(),
                planned: y.planned.to_string(),
                received: y.received.to_string(),
            })
            .collect(),
        payments: r.payments.into_iter().map(dto).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentWrite {
    /// voorschot, eindbetaling or terugvordering.
    pub(crate) kind: String,
    /// A budget year of the regulation (required for an advance).
    #[serde(default)]
    pub(crate) year: Option<i16>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub(crate) planned_on: Option<String>,
    /// YYYY-MM-DD, not after today.
    #[serde(default)]
    pub(crate) paid_on: Option<String>,
    /// Euros, as a decimal string ("250000.00").
    pub(crate) amount: String,
    #[serde(default)]
    pub(crate) reference: String,
    #[serde(default)]
    pub(crate) note: String,
}

/// Adds a payment to the region's register (the funder's staff): 201 with the register, 422 with
/// every problem at its field (`kind`, `year`, `planned_on`, `paid_on`, `amount`, `reference`).
#[utoipa::path(post, path = "/api/v1/regions/{slug}/payments", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = PaymentWrite,
    responses((status = 201, body = PaymentsDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_payment(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
    _may: KeepsPayments,
    ApiJson(w): ApiJson<PaymentWrite>,
) -> Result<Response, ApiError> {
    let text = PaymentText {
        kind: w.kind,
        year: w.year.map(|y| y.to_string()).unwrap_or_default(),
        planned_on: w.planned_on.unwrap_or_default(),
        paid_on: w.paid_on.unwrap_or_default(),
        // A plain decimal ("1.500" is one and a half here, not Dutch for 1,500).
        amount: w.amount.trim().parse::<Decimal>().map_or(w.amount, |d| d.to_string().replace('.', ",")),
        reference: w.reference,
        note: w.note,
    };
    register::add(&st.app, &ctx.actor, &slug, &text).await?;
    let Json(body) = list_payments(State(st), ApiCtx(ctx), Path(slug)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
