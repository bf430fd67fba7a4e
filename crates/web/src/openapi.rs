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

/// The values a path parameter takes (an enumeration where the set is closed) and an example, so
/// client generators and the validators can call each operation. Phases and report years come
/// from the regulations this installation loaded. A parameter's meaning depends on its path
/// (`kind` of content or of records). Every example answers in the demo but `id`'s, which has only
/// an id's shape: ids are made with what they name, so a client lists the collection first.
fn parameter_values(
    regs: &services::regulations::Regulations,
    path: &str,
    name: &str,
) -> (Option<Vec<String>>, &'static str) {
    match name {
        "slug" if path.starts_with("/api/v1/content/") => {
            (None, "leerwerkplaats-duurzame-installatietechniek-open-in-heerenveen")
        }
        "slug" => (None, "zuid-friesland"),
        "phase" => {
            let mut phases: Vec<String> = regs.all.iter().flat_map(|r| r.phases.iter().map(|p| p.id.clone())).collect();
            phases.sort();
            phases.dedup();
            (Some(phases), "hoofdlijnen")
        }
        "kind" if path.starts_with("/api/v1/content/") => {
            (Some(domain::content::Kind::ALL.iter().map(|k| k.code().to_owned()).collect()), "nieuws")
        }
        "kind" => (Some(domain::execution::RecordKind::ALL.iter().map(|k| k.api_path().to_owned()).collect()), "hours"),
        "file" => (Some(report_files(regs)), "progress-2025.pdf"),
        _ => (None, "01a24d2a-0642-71a3-b1a1-ca30a567ff8a"),
    }
}

/// The report files of `/regions/{slug}/reports/{file}`: a progress report per year of a
/// regulation but its last, and the final report, each as PDF and XLSX.
fn report_files(regs: &services::regulations::Regulations) -> Vec<String> {
    let mut years: Vec<i16> =
        regs.all.iter().flat_map(|r| r.years.iter().take(r.years.len().saturating_sub(1)).copied()).collect();
    years.sort();
    years.dedup();
    let stems: Vec<String> = years.iter().map(|y| format!("progress-{y}")).chain(["final".to_owned()]).collect();
    stems.iter().flat_map(|stem| ["pdf", "xlsx"].map(|ext| format!("{stem}.{ext}"))).collect()
}

/// Sets every path parameter's values and example, and the schema of every file response.
fn describe_parameters(openapi: &mut utoipa::openapi::OpenApi, regs: &services::regulations::Regulations) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in operations.into_iter().flatten() {
            for param in op.parameters.iter_mut().flatten() {
                if param.parameter_in != ParameterIn::Path {
                    continue;
                }
                let (allowed, example) = parameter_values(regs, path, &param.name);
                let schema =
                    ObjectBuilder::new().schema_type(Type::String).enum_values(allowed).examples([example]).build();
                param.schema = Some(RefOr::T(Schema::Object(schema)));
            }
            files_as_strings(op);
        }
    }
}

/// A response that is a file (PDF, XLSX, CSV) has a string schema with its media type, as
/// OpenAPI 3.1 describes bytes.
fn files_as_strings(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
    for response in op.responses.responses.values_mut() {
        let RefOr::T(response) = response else { continue };
        for (media, content) in response.content.iter_mut() {
            if content.schema.is_none() && !media.contains("json") {
                let bytes = ObjectBuilder::new().schema_type(Type::String).content_media_type(media.clone()).build();
                content.schema = Some(RefOr::T(Schema::Object(bytes)));
            }
        }
    }
}

pub(crate) async fn openapi(
    axum::extract::State(st): axum::extract::State<crate::AppState>,
) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    describe_parameters(&mut doc, &st.app.regulations);
    Json(doc)
}
