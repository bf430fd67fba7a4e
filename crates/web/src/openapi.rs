//! The OpenAPI document of `/api/v1`, over every feature's API.

use crate::api::{FieldErrorDto, Problem};
use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sterk API", version = "1", description = "Open data en beheer van Sterk Techniekonderwijs: regio's, deelnemers en scholen."),
    paths(crate::monitoring::api::indicators, crate::public::api::list_regions, crate::public::api::get_region,
        crate::public::api::create_region, crate::public::api::update_region, crate::public::api::find_schools,
        crate::regulation::api::check_application, crate::applications::api::get_application,
        crate::applications::api::put_application, crate::applications::api::submit_application,
        crate::applications::api::application_versions, crate::applications::api::export_xlsx,
        crate::applications::api::export_pdf,
        crate::school_plans::api::list, crate::school_plans::api::create, crate::school_plans::api::get, crate::school_plans::api::put,
        crate::school_plans::api::transition, crate::execution::api::list, crate::execution::api::add,
        crate::execution::api::remove, crate::execution::api::milestones, crate::execution::api::set_milestone,
        crate::execution::api::realisation, crate::execution::api::settlement, crate::execution::api::report,
        crate::content::api::list, crate::content::api::get, crate::content::api::create, crate::content::api::put,
        crate::content::api::search, crate::assessments::api::get_assessment,
        crate::assessments::api::assessment_transition, crate::assessments::api::assessment_declaration,
        crate::assessments::api::assessment_scores, crate::assessments::api::assessment_advice,
        crate::assessments::api::record_decision, crate::assessments::api::decision_pdf,
        crate::payments::api::list_payments, crate::payments::api::add_payment, crate::portfolio::api, crate::public::api::decisions, crate::public::api::decisions_csv),
    components(schemas(crate::content::api::ContentDto, crate::content::api::ContentWrite, crate::content::api::SearchHitDto, crate::school_plans::api::PlanSummaryDto, crate::school_plans::api::PlanDto, crate::school_plans::api::TransitionInput,
        crate::school_plans::api::HistoryDto, crate::school_plans::api::AttachmentDto, crate::execution::api::RecordDto,
        crate::execution::api::AddedDto, crate::execution::api::MilestoneDto, crate::execution::api::MilestoneUpdate, crate::applications::api::VersionDto, crate::public::api::RegionDto,
        crate::public::api::RegionDetailDto, crate::public::api::OrganisationDto, crate::public::api::SchoolHitDto,
        crate::public::api::RegionWrite, crate::public::api::RegionCreate, crate::assessments::api::AssessmentDto,
        crate::assessments::api::StepDto, crate::assessments::api::RepairRequestDto, crate::assessments::api::DecisionDto,
        crate::assessments::api::ScorecardDto, crate::assessments::api::StepWrite, crate::assessments::api::DeclarationWrite,
        crate::assessments::api::ScoresWrite, crate::assessments::api::AdviceWrite, crate::assessments::api::DecisionWrite,
        crate::payments::api::PaymentsDto, crate::payments::api::PaymentDto, crate::payments::api::PaymentYearDto,
        crate::payments::api::PaymentWrite, crate::portfolio::PortfolioRowDto, crate::public::api::PublishedDecisionDto, crate::public::api::DecisionAmountDto,
        Problem, FieldErrorDto)),
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

pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
