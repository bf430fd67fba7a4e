//! Submitting the draft formally: by a signatory of the lead applicant, with every blocking rule
//! passed, frozen with its SHA-256 and the confirmations as they stand.

use domain::regulation::application::Application;
use domain::regulation::check::{self, Finding};
use domain::{Action, Actor, Region};
use serde_json::json;
use store::applications as repo;
use store::audit;

use super::{VersionInfo, check_error, rules_for};
use crate::auth::sha256_hex;
use crate::cosigning::with_confirmations;
use crate::drafts::{ChangeInWork, change_in_work, open_draft, parse_stored};
use crate::{App, Result, ServiceError};

/// Only a signatory of the lead applicant submits formally.
fn may_submit(actor: &Actor, region: &Region, application: &Application) -> Result<()> {
    let lead = application.lead_applicant.as_str();
    if actor.permits(Action::SubmitApplication { region_id: &region.id, lead_applicant: lead }) {
        return Ok(());
    }
    let name = application.organisation(lead).map_or(lead, |o| o.name.as_str());
    Err(ServiceError::NotAllowed(format!(
        "De aanvraag wordt formeel ingediend door iemand die tekenbevoegd is voor de penvoerder, {name}. \
         De programmamanager geeft bij Gebruikers aan wie dat is."
    )))
}

/// Submits the draft: refused with the failing blocking rules, else frozen with its SHA-256.
pub async fn submit(app: &App, actor: &Actor, slug: &str, phase: &str, expected_version: i64) -> Result<VersionInfo> {
    let mut tx = app.db.begin().await?;
    let (region, draft) = open_draft(app, &mut tx, actor, (slug, phase), false).await?;
    if draft.version != expected_version {
        return Err(ServiceError::Conflict);
    }
    // The confirmations as they stand are frozen with the version.
    let mut frozen = with_confirmations(&mut tx, &draft.region_id, parse_stored(&draft.content)?).await?;
    let now = app.now();
    frozen.submitted_at = now;
    if let Some(ChangeInWork { number, .. }) = change_in_work(&mut tx, &draft.id).await? {
        return Err(ServiceError::NotAllowed(format!(
            "Voor deze fase loopt wijzigingsverzoek {number}: dien de wijziging in bij het verzoek, niet als nieuwe aanvraag."
        )));
    }
    may_submit(actor, &region, &frozen)?;
    crate::assessments::submission_allowed(app, &mut tx, &draft.id).await?;
    let repair = crate::assessments::repair_until(app, &mut tx, &draft.id).await?;
    let report = check::check(&rules_for(app, &mut tx, phase, repair).await?, &frozen).map_err(check_error)?;
    let blocking: Vec<Finding> = report.findings.into_iter().filter(Finding::blocks).collect();
    if !blocking.is_empty() {
        return Err(ServiceError::SubmitRefused(blocking));
    }
    let content = frozen.canonical_json();
    let sha256 = sha256_hex(&content);
    // A frozen version names the person who submitted it.
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let at = now.as_millisecond();
    let number = repo::insert_version(&mut tx, &draft.id, &sha256, &content, at, user).await?;
    audit::append(
        &mut tx,
        Some(user),
        "application.submit",
        "application",
        &draft.id,
        &json!({ "phase": phase, "version": number, "sha256": sha256 }),
    )
    .await?;
    crate::assessments::after_submit(app, &mut tx, actor, &draft, number).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(VersionInfo { number, sha256, submitted_at: at, submitted_by: String::new() })
}
