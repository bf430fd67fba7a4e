//! The school's management endorses a plan before the region sees it (seed 003, step 3): its
//! signatories in Sterk are asked to, and a school leader without an account gets a one-use link.

use domain::school_plan::{PlanState, SchoolPlan};
use domain::{Actor, FieldErrors, Region, validation};
use store::school_plans::{self as repo, EndorsementLink, PlanRow};
use store::{AnyConnection, regions, users};

use super::{By, apply, parse};
use crate::auth::{random_token, sha256_hex};
use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError};

/// How long a school leader's link stays usable.
pub const LINK_TTL_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// A school leader named by the plan's author, who gets a one-use link.
#[derive(Debug, Clone, Default)]
pub struct Leader {
    pub name: String,
    pub email: String,
}

/// Asks the school's management: its signatories in Sterk by mail, and the leader named, if any,
/// with a one-use link. Refused when nobody would be asked.
pub(super) async fn ask(
    app: &App,
    conn: &mut AnyConnection,
    (region, row, plan): (&Region, &PlanRow, &SchoolPlan),
    leader: Option<&Leader>,
) -> Result<()> {
    let signatories: Vec<(String, String, String)> = users::signatories(conn, &region.id)
        .await?
        .into_iter()
        .filter(|(org, ..)| *org == row.organisation_id)
        .map(|(_, id, name, email)| (id, email, name))
        .collect();
    let leader = leader.filter(|l| !l.email.trim().is_empty() || !l.name.trim().is_empty());
    // Whoever signs for the school in Sterk endorses there: a link to an address the author types
    // would let the author endorse their own plan.
    if !signatories.is_empty() && leader.is_some() {
        let mut e = FieldErrors::default();
        e.add(
            "leader_email",
            format!(
                "{} heeft tekenbevoegden in Sterk; zij keuren het plan goed. Laat de schoolleider leeg.",
                row.organisation_name
            ),
        );
        return Err(ServiceError::Invalid(e));
    }
    if signatories.is_empty() && leader.is_none() {
        let mut e = FieldErrors::default();
        e.add(
            "leader_email",
            format!(
                "{} heeft nog niemand die in Sterk namens de school tekent. Vul de naam en het e-mailadres \
                 van de schoolleider in: die krijgt een link om het plan goed te keuren.",
                row.organisation_name
            ),
        );
        return Err(ServiceError::Invalid(e));
    }
    let title = &plan.title;
    let letter = mail::Letter {
        kind: "school_plan.endorsement-asked",
        subject: format!("Deelplan ter goedkeuring: {title}"),
        body: format!(
            "{} vraagt u als schoolleiding van {} het deelplan \"{title}\" goed te keuren. Daarna gaat het naar de regio {}.",
            row.author_name, row.organisation_name, region.name
        ),
        path: format!("/regio/{}/deelplannen/{}", region.slug, row.id),
    };
    mail::queue_to(app, conn, &signatories, &letter).await?;
    if let Some(leader) = leader {
        let mut e = FieldErrors::default();
        let name = validation::required(&mut e, "leader_name", "de naam van de schoolleider", &leader.name, 120);
        let email = validation::email(&mut e, "leader_email", &leader.email, true);
        e.into_result(())?;
        let email = email.unwrap_or_default();
        // Someone with an account endorses by signing in, once marked as signatory for the school.
        if users::id_by_email(conn, &email).await?.is_some() {
            return Err(crate::invalid(
                "leader_email",
                "Dit adres hoort bij een account in Sterk. Die persoon keurt het plan goed door in te loggen, \
                 zodra de regio hem of haar tekenbevoegd maakt voor de school.",
            ));
        }
        repo::revoke_links(conn, &row.id).await?;
        let token = random_token();
        let link = EndorsementLink { plan_id: row.id.clone(), name, email };
        repo::insert_link(conn, &sha256_hex(&token), &link, store::now_ms() + LINK_TTL_MS).await?;
        let mail = Mail {
            user_id: None,
            to: &link.email,
            kind: "school_plan.endorsement-link",
            subject: letter.subject.clone(),
            body: format!("{}\n\nDe link werkt één keer en veertien dagen lang.", letter.body),
            path: format!("/deelplannen/akkoord/{token}"),
            dedup_key: None,
        };
        mail::queue(app, conn, &mail).await?;
    }
    Ok(())
}

/// The names of who signs for the plan's school in Sterk: they are asked to endorse it.
pub async fn endorsers(app: &App, actor: &Actor, id: &str) -> Result<Vec<String>> {
    let mut conn = app.db.conn().await?;
    let row = super::load(&mut conn, actor, id).await?;
    let all = users::signatories(&mut conn, &row.region_id).await?;
    Ok(all.into_iter().filter(|(org, ..)| *org == row.organisation_id).map(|(_, _, name, _)| name).collect())
}

/// The region's plans waiting for the actor's endorsement as their school's management:
/// (id, title).
pub async fn awaiting(app: &App, actor: &Actor, region_id: &str) -> Result<Vec<(String, String)>> {
    let mut conn = app.db.conn().await?;
    let mut out = Vec::new();
    for row in repo::for_region(&mut conn, region_id).await? {
        if row.state == PlanState::BijSchoolleiding.code() && actor.signs_for(region_id, &row.organisation_id) {
            out.push((row.id.clone(), parse(&row)?.0.title));
        }
    }
    Ok(out)
}

/// What the school leader sees behind the link.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub region: Region,
    pub row: PlanRow,
    pub plan: SchoolPlan,
    pub leader: String,
}

async fn live(conn: &mut AnyConnection, token: &str) -> Result<(EndorsementLink, PlanRow)> {
    let link = repo::live_link(conn, &sha256_hex(token)).await?.ok_or(ServiceError::NotFound)?;
    let row = repo::get(conn, &link.plan_id).await?.ok_or(ServiceError::NotFound)?;
    if parse(&row)?.1 != PlanState::BijSchoolleiding {
        return Err(ServiceError::NotFound);
    }
    Ok((link, row))
}

/// The plan behind a live link (`NotFound` for a used, expired or unknown one, or a plan that
/// moved on).
pub async fn link(app: &App, token: &str) -> Result<LinkView> {
    let mut conn = app.db.conn().await?;
    let (link, row) = live(&mut conn, token).await?;
    let region = regions::by_id(&mut conn, &row.region_id).await?.ok_or(ServiceError::NotFound)?;
    let (plan, _) = parse(&row)?;
    Ok(LinkView { region, row, plan, leader: link.name })
}

/// The school leader endorses (to the region) or sends the plan back (with a comment), once.
pub async fn by_link(app: &App, token: &str, endorse: bool, comment: &str) -> Result<PlanState> {
    let mut tx = app.db.begin().await?;
    let (link, row) = live(&mut tx, token).await?;
    if !repo::use_link(&mut tx, &sha256_hex(token), &row.id).await? {
        return Err(ServiceError::NotFound);
    }
    if comment.chars().count() > 2_000 {
        return Err(crate::invalid("comment", "De toelichting is te lang: hoogstens 2.000 tekens."));
    }
    let label =
        format!("{} ({}), schoolleiding, via e-maillink (adres opgegeven door de schrijver)", link.name, link.email);
    let to = if endorse { PlanState::Ingediend } else { PlanState::Concept };
    let by = By { label: Some(&label), leader: None };
    let done = apply(app, &mut tx, &Actor::system(), &row, (to, comment), by).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(done)
}
