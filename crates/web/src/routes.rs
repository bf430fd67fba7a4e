//! The route table: every address Sterk answers, pages, uploads and the API, in one place.
//! Bodies are limited to `MAX_BODY_BYTES`; the uploads and whole-application routes below carry
//! their own, larger limit.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::WebError;
use crate::{
    AppState, MAX_BODY_BYTES, account, account_requests, admin, applications, assessments, contact, content, execution,
    joining, maximums, monitoring, notifications, openapi, payments, portfolio, public, regulation, results,
    school_plans, statements,
};

pub fn table() -> Router<AppState> {
    let limited = Router::new()
        .merge(public_pages())
        .merge(account_pages())
        .merge(admin_pages())
        .merge(region_pages())
        .nest("/api/v1", api())
        .fallback(public::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    Router::new().merge(uploads()).merge(limited)
}

fn public_pages() -> Router<AppState> {
    use content::feeds;
    Router::new()
        .route("/", get(public::home))
        .route("/regios", get(public::regions))
        .route("/regios/{slug}", get(public::region))
        .route(
            "/regios/{slug}/account-aanvragen",
            get(account_requests::request_form).post(account_requests::request_account),
        )
        .route("/regios/{slug}/aansluiten", get(joining::school_form).post(joining::school_request))
        .route("/regios/{slug}/partner-worden", get(joining::partner_form).post(joining::partner_request))
        .route("/scholen", get(public::schools))
        .route("/contact", get(contact::form).post(contact::send))
        .route("/deelplannen/akkoord/{token}", get(school_plans::endorse::form).post(school_plans::endorse::decide))
        .route("/toegankelijkheid", get(statements::accessibility))
        .route("/privacy", get(statements::privacy))
        .route("/open-data", get(statements::open_data))
        .route("/monitor", get(monitoring::national))
        .route("/monitor.csv", get(monitoring::national_csv))
        .route("/veranderingstheorie", get(monitoring::theory))
        .route("/regios/{slug}/indicatoren.csv", get(monitoring::region_csv))
        .route("/regeling", get(regulation::index))
        .route("/regeling/{id}", get(regulation::page))
        .route("/nieuws", get(content::news))
        .route("/nieuws.atom", get(feeds::news_atom))
        .route("/nieuws/{slug}", get(content::news_item))
        .route("/agenda", get(feeds::agenda))
        .route("/agenda.ics", get(feeds::agenda_ics))
        .route("/agenda/{slug}", get(content::agenda_item))
        .route("/webinars", get(content::webinars))
        .route("/webinars/{slug}", get(content::webinar_item))
        .route("/veelgestelde-vragen", get(content::faq))
        .route("/veelgestelde-vragen/{slug}", get(content::faq_item))
        .route("/documenten", get(content::documents))
        .route("/documenten/{slug}", get(content::document_item))
        .route("/documenten/{slug}/versies/{version}", get(content::file))
        .route("/inspiratie", get(content::inspiration))
        .route("/inspiratie/{slug}", get(content::inspiration_item))
        .route("/regios/{slug}/nieuws.atom", get(feeds::region_news_atom))
        .route("/regios/{slug}/agenda.ics", get(feeds::region_agenda_ics))
        .route("/zoeken", get(content::search))
        .route("/healthz", get(public::healthz))
        .route("/readyz", get(public::readyz))
        .route("/metrics", get(crate::observe::metrics_with_token))
        .route("/static/{*path}", get(crate::statics::serve))
}

fn account_pages() -> Router<AppState> {
    Router::new()
        .route("/inloggen", get(account::login_form).post(account::login))
        .route("/uitloggen", post(account::logout))
        .route("/beheer", get(account::dashboard::dashboard))
        .route("/account/wachtwoord", get(account::password_form).post(account::change_password))
        .route("/account/sleutels", post(account::dashboard::create_token))
        .route("/account/sleutels/{id}/intrekken", post(account::dashboard::revoke_token))
        .route("/uitnodiging/{token}", get(account::invitation_form).post(account::accept_invitation))
        .route("/inloggen/code", get(account::two_factor::code_form).post(account::two_factor::code))
        .route("/inloggen/sso/{provider}", get(account::sso::start))
        .route("/inloggen/sso/{provider}/terug", get(account::sso::back))
        .route("/account/inlogdiensten", get(account::sso::linked))
        .route("/account/inlogdiensten/{provider}/koppelen", get(account::sso::link))
        .route("/account/inlogdiensten/{provider}/ontkoppelen", post(account::sso::unlink))
        .route("/wachtwoord-vergeten", get(account::recovery::forgot_form).post(account::recovery::forgot))
        .route("/wachtwoord-herstellen/{token}", get(account::recovery::reset_form).post(account::recovery::reset))
        .route("/account/e-mailadres", get(account::recovery::email_form).post(account::recovery::change_email))
        .route(
            "/e-mailadres-bevestigen/{token}",
            get(account::recovery::confirm_email_form).post(account::recovery::confirm_email),
        )
        .route("/account/sessies", get(account::sessions::page))
        .route("/account/sessies/{id}/afmelden", post(account::sessions::end))
        .route("/account/sessies/overal-uitloggen", post(account::sessions::everywhere))
        .route("/account/tweestapsverificatie", get(account::two_factor::settings).post(account::two_factor::turn_on))
        .route("/account/tweestapsverificatie/qr.svg", get(account::two_factor::qr))
        .route("/account/tweestapsverificatie/herstelcodes", post(account::two_factor::renew_codes))
        .route("/account/tweestapsverificatie/uitzetten", post(account::two_factor::turn_off))
        .route("/meldingen", get(notifications::mine))
}

fn admin_pages() -> Router<AppState> {
    use admin::{coverage, members, organisations, regions, users};
    Router::new()
        .route("/beheer/regios/nieuw", get(regions::new_region_form).post(regions::create_region))
        .route("/beheer/regios/{slug}", get(regions::region_form).post(regions::update_region_profile))
        .route("/beheer/regios/{slug}/identiteit", post(regions::update_region_identity))
        .route("/beheer/regios/{slug}/archiveren", post(regions::archive_region))
        .route("/beheer/regios/{slug}/herstellen", post(regions::restore_region))
        .route("/beheer/regios/{slug}/deelnemers", get(members::members).post(members::add_member))
        .route("/beheer/regios/{slug}/gemeenten", get(coverage::coverage).post(coverage::set_coverage))
        .route("/beheer/regios/{slug}/deelnemers/{org}/verwijderen", post(members::remove_member))
        .route("/beheer/regios/{slug}/penvoerder", post(members::set_lead_applicant))
        .route("/beheer/organisaties", get(organisations::organisations))
        .route(
            "/beheer/organisaties/nieuw",
            get(organisations::new_organisation_form).post(organisations::create_organisation),
        )
        .route(
            "/beheer/organisaties/{id}",
            get(organisations::organisation_form_page).post(organisations::update_organisation),
        )
        .route("/beheer/gebruikers", get(users::users).post(users::invite))
        .route("/beheer/gebruikers/tweestapsverificatie", post(users::two_factor_setting))
        .route("/beheer/gebruikers/tweestapsverificatie-wissen", post(users::reset_two_factor))
        .route("/beheer/gebruikers/tekenbevoegd", post(users::set_signatory))
        .route("/beheer/maxima", get(maximums::table))
        .route("/beheer/maxima/{slug}", get(maximums::region).post(maximums::set))
        .route("/beoordeling/betalingen", get(payments::import_form).post(payments::import))
        .route("/portefeuille", get(portfolio::page))
        .route("/portefeuille.csv", get(portfolio::csv))
        .route("/portefeuille.xlsx", get(portfolio::xlsx))
        .route("/beoordeling", get(assessments::queue))
        .route("/beoordeling/{slug}/{phase}", get(assessments::review))
        .route("/beoordeling/{slug}/{phase}/status", post(assessments::step))
        .route("/beoordeling/{slug}/{phase}/verklaring", post(assessments::declare))
        .route("/beoordeling/{slug}/{phase}/scores", post(assessments::scores))
        .route("/beoordeling/{slug}/{phase}/advies", post(assessments::advise))
        .route("/beoordeling/{slug}/{phase}/besluit", post(assessments::decide))
        .route("/beoordeling/{slug}/{phase}/besluit.pdf", get(assessments::letter))
        .route("/beheer/uitbak", get(notifications::outbox))
        .route("/beheer/berichten", get(contact::inbox))
        .route("/beheer/berichten/{id}", post(contact::answer))
        .route("/beheer/inhoud", get(content::editor::editor_index))
        .route("/beheer/inhoud/nieuw", get(content::editor::new_form).post(content::editor::create))
        .route("/beheer/inhoud/{id}", get(content::editor::edit_form).post(content::editor::update))
}

/// A region's own work: applications, school plans, execution and targets.
fn region_pages() -> Router<AppState> {
    use applications::{agreement, edit, files};
    use execution::{accountability, changes, milestones, records};
    use school_plans::{plan, submit};
    Router::new()
        .route("/regio/{slug}/uitvoering", get(execution::overview))
        .route("/regio/{slug}/uitvoering/mijlpalen", get(milestones::milestones).post(milestones::set_milestone))
        .route("/regio/{slug}/uitvoering/wijzigingen", get(changes::list).post(changes::start))
        .route("/regio/{slug}/uitvoering/wijzigingen/{id}", get(changes::detail).post(changes::act))
        .route("/regio/{slug}/uitvoering/wijzigingen/{id}/brief.pdf", get(changes::letter))
        .route("/regio/{slug}/uitvoering/meldingen/{id}/brief.pdf", get(changes::notice_pdf))
        .route("/regio/{slug}/uitvoering/{kind}", get(records::records).post(records::add))
        .route("/regio/{slug}/uitvoering/{kind}/{id}/verwijderen", post(records::remove))
        .route("/regio/{slug}/uitvoering/{kind}/{id}/document", get(records::document))
        .route(
            "/regio/{slug}/verantwoording",
            get(accountability::accountability).post(accountability::save_accountability),
        )
        .route("/regio/{slug}/verantwoording/{file}", get(accountability::report_file))
        .route("/regio/{slug}/verantwoording/rapportages/{id}", post(execution::reports::act))
        .route("/regio/{slug}/vaststelling", get(execution::settlement::page).post(execution::settlement::decide))
        .route("/regio/{slug}/vaststelling/brief.pdf", get(execution::settlement::letter))
        .route("/regio/{slug}/verantwoording/rapportages/{id}/{number}/{file}", get(execution::reports::file))
        .route("/regio/{slug}/betalingen", get(payments::page).post(payments::add))
        .route("/regio/{slug}/betalingen/{id}", post(payments::update))
        .route("/regio/{slug}/doelen", get(monitoring::targets).post(monitoring::set_target))
        .route("/regio/{slug}/resultaten", get(results::form).post(results::save))
        .route("/regio/{slug}/deelplannen", get(school_plans::board))
        .route("/regio/{slug}/deelplannen/nieuw", get(school_plans::new_form).post(school_plans::create))
        .route("/regio/{slug}/aanmeldingen", get(joining::requests))
        .route("/regio/{slug}/aanmeldingen/{id}", post(joining::decide))
        .route("/regio/{slug}/deelplannen/accounts", get(account_requests::accounts))
        .route("/regio/{slug}/deelplannen/accounts/{id}", post(account_requests::decide))
        .route("/regio/{slug}/deelplannen/{id}", get(plan::page).post(plan::save))
        .route("/regio/{slug}/deelplannen/{id}/status", post(plan::transition))
        .route("/regio/{slug}/deelplannen/{id}/verslag", get(school_plans::report::page))
        .route("/regio/{slug}/deelplannen/{id}/verslag/{obligation}", post(school_plans::report::save))
        .route("/regio/{slug}/deelplannen/{id}/indienen", get(submit::confirm).post(submit::send))
        .route("/regio/{slug}/deelplannen/{id}/activiteiten", post(plan::add_activity))
        .route("/regio/{slug}/deelplannen/{id}/activiteiten/{activity}/verwijderen", post(plan::remove_activity))
        .route("/regio/{slug}/deelplannen/{id}/begroting", post(plan::add_line))
        .route("/regio/{slug}/deelplannen/{id}/begroting/{index}/verwijderen", post(plan::remove_line))
        .route("/regio/{slug}/deelplannen/{id}/bijlagen/{attachment}", get(plan::download))
        .route("/regio/{slug}/deelplannen/{id}/bijlagen/{attachment}/verwijderen", post(plan::remove_attachment))
        .route("/regio/{slug}/aanvragen", get(applications::overview))
        .route("/regio/{slug}/aanvragen/{phase}", get(applications::workspace))
        .route("/regio/{slug}/aanvragen/{phase}/starten", post(applications::start))
        .route("/regio/{slug}/aanvragen/{phase}/visie", post(edit::save_vision))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten", post(edit::add_activity))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten/{id}", post(edit::update_activity))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten/{id}/verwijderen", post(edit::remove_activity))
        .route("/regio/{slug}/aanvragen/{phase}/begroting", post(edit::add_line))
        .route("/regio/{slug}/aanvragen/{phase}/begroting/{index}", post(edit::update_line))
        .route("/regio/{slug}/aanvragen/{phase}/begroting/{index}/verwijderen", post(edit::remove_line))
        .route("/regio/{slug}/aanvragen/{phase}/overeenkomst", post(edit::save_agreement).get(agreement::page))
        .route("/regio/{slug}/aanvragen/{phase}/overeenkomst/bevestigen", post(agreement::confirm))
        .route("/regio/{slug}/aanvragen/{phase}/overeenkomst/vragen", post(agreement::ask))
        .route("/regio/{slug}/aanvragen/{phase}/indienen", post(edit::submit))
        .route("/regio/{slug}/aanvragen/{phase}/export.json", get(files::export_json))
        .route("/regio/{slug}/aanvragen/{phase}/export.xlsx", get(files::export_xlsx))
        .route("/regio/{slug}/aanvragen/{phase}/export.pdf", get(files::export_pdf))
        .route("/regio/{slug}/aanvragen/{phase}/verschil/{from}/{to}", get(applications::changes))
        .route("/regio/{slug}/aanvragen/{phase}/status", post(edit::funder_step))
        .route("/regio/{slug}/aanvragen/{phase}/besluit.pdf", get(edit::decision_letter))
}

/// The JSON API under `/api/v1` (see `openapi.rs`): reads are public, writes need a bearer
/// token or a session plus the `X-CSRF-Token` header.
fn api() -> Router<AppState> {
    use assessments::api as funder;
    use execution::api as exec;
    use school_plans::api as plans;
    use {applications::api as apps, content::api as cms, public::api as reg};
    Router::new()
        .route("/openapi.json", get(openapi::openapi))
        .route("/regions", get(reg::list_regions).post(reg::create_region))
        .route("/regions/{slug}", get(reg::get_region).patch(reg::update_region))
        .route("/schools", get(reg::find_schools))
        .route("/indicators", get(monitoring::api::indicators))
        .route("/content", get(cms::list).post(cms::create))
        .route("/content/{id}", put(cms::put))
        .route("/content/{kind}/{slug}", get(cms::get))
        .route("/search", get(cms::search))
        .route("/regions/{slug}/applications/{phase}", get(apps::get_application))
        .route("/regions/{slug}/applications/{phase}/submit", post(apps::submit_application))
        .route("/regions/{slug}/applications/{phase}/versions", get(apps::application_versions))
        .route("/regions/{slug}/applications/{phase}/export.xlsx", get(apps::export_xlsx))
        .route("/regions/{slug}/applications/{phase}/export.pdf", get(apps::export_pdf))
        .route("/regions/{slug}/applications/{phase}/assessment", get(funder::get_assessment))
        .route("/regions/{slug}/applications/{phase}/transitions", post(funder::assessment_transition))
        .route("/regions/{slug}/applications/{phase}/declaration", post(funder::assessment_declaration))
        .route("/regions/{slug}/applications/{phase}/scores", post(funder::assessment_scores))
        .route("/regions/{slug}/applications/{phase}/advice", post(funder::assessment_advice))
        .route("/regions/{slug}/applications/{phase}/decision", post(funder::record_decision))
        .route("/regions/{slug}/applications/{phase}/decision.pdf", get(funder::decision_pdf))
        .route("/regions/{slug}/payments", get(payments::api::list_payments).post(payments::api::add_payment))
        .route("/portfolio", get(portfolio::api))
        .route("/open-data/decisions", get(reg::decisions))
        .route("/open-data/decisions.csv", get(reg::decisions_csv))
        .route("/regions/{slug}/school-plans", get(plans::list).post(plans::create))
        .route("/school-plans/{id}", get(plans::get).put(plans::put))
        .route("/school-plans/{id}/transitions", post(plans::transition))
        .route("/regions/{slug}/milestones", get(exec::milestones).put(exec::set_milestone))
        .route("/regions/{slug}/realisation", get(exec::realisation))
        .route("/regions/{slug}/settlement", get(exec::settlement))
        .route("/regions/{slug}/reports/{file}", get(exec::report))
        .route("/regions/{slug}/records/{id}", delete(exec::remove))
        .route("/regions/{slug}/{kind}", get(exec::list).post(exec::add))
        .fallback(|| async { crate::api::ApiError::from(WebError::NotFound) })
}

/// Uploads and whole applications, each with its own body limit (the check's is the largest).
fn uploads() -> Router<AppState> {
    let with_room = |bytes: usize| DefaultBodyLimit::max(bytes + 64 * 1024);
    Router::new()
        .route(
            "/regio/{slug}/aanvragen/{phase}/overeenkomst.pdf",
            post(applications::files::upload_agreement)
                .get(applications::files::download_agreement)
                .layer(with_room(services::agreement::MAX_AGREEMENT_BYTES)),
        )
        .route("/regio/{slug}/aanvragen/{phase}/import.json", post(applications::files::import_json))
        .route(
            "/regio/{slug}/aanvragen/{phase}/import.xlsx",
            post(applications::files::import_xlsx).layer(DefaultBodyLimit::max(applications::files::MAX_XLSX_BYTES)),
        )
        .route(
            "/regio/{slug}/deelplannen/{id}/bijlagen",
            post(school_plans::plan::upload).layer(with_room(services::school_plans::MAX_ATTACHMENT_BYTES)),
        )
        .route(
            "/regio/{slug}/uitvoering/kosten/factuur",
            post(execution::records::add_invoice).layer(with_room(services::files::MAX_BYTES)),
        )
        .route("/regio/{slug}/uitvoering/{kind}/import", post(execution::records::import))
        .route(
            "/beheer/inhoud/{id}/bestand",
            post(content::editor::upload).layer(with_room(services::files::MAX_BYTES)),
        )
        .route("/api/v1/check", post(regulation::api::check_application))
        .route("/api/v1/regions/{slug}/applications/{phase}", put(applications::api::put_application))
        .layer(DefaultBodyLimit::max(regulation::api::CHECK_MAX_BODY_BYTES))
}
