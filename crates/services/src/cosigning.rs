//! Co-signing the cooperation agreement. Each party agrees through a person who may sign for it
//! (a signatory: a mark on their role), over the agreement's fingerprint; a change to the
//! agreement asks again. A draft's stored content never holds confirmations: they come from
//! their own table, and are frozen into a version when it is submitted.

use domain::regulation::application::{Application, Confirmation, Document, Signature};
use domain::{Action, Actor, OrganisationKind, Region};
use jiff::Timestamp;
use serde_json::json;
use store::agreement_confirmations as repo;
use store::applications::Draft;
use store::{AnyConnection, audit};

use crate::auth::Client;
use crate::drafts::{open_draft, parse_stored};
use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError};

/// The application with the confirmations on record in its region: for each party, its latest
/// of this very agreement (so one given in another phase counts too), else its latest.
pub(crate) async fn with_confirmations(
    conn: &mut AnyConnection,
    region_id: &str,
    application: Application,
) -> Result<Application> {
    Ok(with_rows(application, &repo::of_region(conn, region_id).await?))
}

/// [`with_confirmations`] from the region's rows read already (oldest first).
fn with_rows(mut application: Application, rows: &[repo::Confirmation]) -> Application {
    let fingerprint = application.agreement_fingerprint();
    let confirmations: Vec<Confirmation> = application
        .organisations
        .iter()
        .filter_map(|o| {
            let theirs = || rows.iter().filter(|r| r.organisation_id == o.id);
            theirs().rfind(|r| r.fingerprint == fingerprint).or_else(|| theirs().next_back())
        })
        .map(|r| Confirmation {
            organisation: r.organisation_id.clone(),
            by: r.signer_name.clone(),
            at: Timestamp::from_millisecond(r.confirmed_at).unwrap_or_default(),
            fingerprint: r.fingerprint.clone(),
        })
        .collect();
    if !confirmations.is_empty() || application.agreement.as_ref().is_some_and(|a| !a.confirmations.is_empty()) {
        application.agreement.get_or_insert_with(Default::default).confirmations = confirmations;
    }
    application
}

/// The draft as it stands, with its confirmations, and the state of its agreement for `actor`.
pub(crate) async fn draft_with_state(
    conn: &mut AnyConnection,
    actor: &Actor,
    region: &Region,
    draft: &Draft,
) -> Result<(Application, AgreementState)> {
    let rows = repo::of_region(conn, &region.id).await?;
    let application = with_rows(parse_stored(&draft.content)?, &rows);
    let state = state(conn, actor, region, &rows, &application).await?;
    Ok((application, state))
}

/// Where one party stands toward the agreement as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Confirmed in Sterk: by whom, when (milliseconds), and from which address (shown to editors only).
    Confirmed {
        by: String,
        at: i64,
        address: Option<String>,
    },
    OnDocument,
    /// Confirmed an earlier version of the agreement.
    Outdated {
        by: String,
        at: i64,
    },
    Missing,
}

impl Standing {
    pub fn agreed(&self) -> bool {
        matches!(self, Standing::Confirmed { .. } | Standing::OnDocument)
    }
}

#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub standing: Standing,
    /// The names of those who may sign for it in the region.
    pub signatories: Vec<String>,
    /// The actor may confirm for it.
    pub mine: bool,
}

/// The agreement as its parties see it.
#[derive(Debug, Clone)]
pub struct AgreementState {
    pub fingerprint: String,
    pub text: String,
    pub document: Option<Document>,
    pub has_terms: bool,
    pub lead_applicant: String,
    pub parties: Vec<Party>,
    /// The actor may submit the application formally (a signatory of the lead applicant).
    pub may_submit: bool,
}

impl AgreementState {
    pub fn agreed(&self) -> usize {
        self.parties.iter().filter(|p| p.standing.agreed()).count()
    }
}

/// The state of `application` (with its confirmations, `rows`) in `region`, as `actor` may see it.
async fn state(
    conn: &mut AnyConnection,
    actor: &Actor,
    region: &Region,
    rows: &[repo::Confirmation],
    application: &Application,
) -> Result<AgreementState> {
    let fingerprint = application.agreement_fingerprint();
    // Where a confirmation came from is for the region's managers (and the national team) only.
    let editor = actor.permits(Action::ManageMemberships { region_id: &region.id });
    let signatories = store::users::signatories(conn, &region.id).await?;
    let mut parties = Vec::new();
    for o in &application.organisations {
        let standing = match application.signature_at(&o.id, &fingerprint) {
            Signature::Confirmed(c) => Standing::Confirmed {
                by: c.by.clone(),
                at: c.at.as_millisecond(),
                address: rows
                    .iter()
                    .rfind(|r| editor && r.organisation_id == o.id && r.fingerprint == c.fingerprint)
                    .map(|r| r.address.clone()),
            },
            Signature::OnDocument => Standing::OnDocument,
            Signature::Outdated(c) => Standing::Outdated { by: c.by.clone(), at: c.at.as_millisecond() },
            Signature::Missing => Standing::Missing,
        };
        parties.push(Party {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind,
            standing,
            signatories: signatories.iter().filter(|s| s.0 == o.id).map(|s| s.2.clone()).collect(),
            mine: actor.permits(Action::ConfirmAgreement { region_id: &region.id, organisation_id: &o.id }),
        });
    }
    let agreement = application.agreement.clone().unwrap_or_default();
    Ok(AgreementState {
        fingerprint,
        text: agreement.text.unwrap_or_default(),
        document: agreement.document,
        has_terms: application.has_agreement_terms(),
        lead_applicant: application.lead_applicant.clone(),
        parties,
        may_submit: actor
            .permits(Action::SubmitApplication { region_id: &region.id, lead_applicant: &application.lead_applicant }),
    })
}

/// The agreement page: the terms, every party's standing, and whether it can still be confirmed.
#[derive(Debug, Clone)]
pub struct AgreementPage {
    pub region: Region,
    pub phase_label: String,
    pub state: AgreementState,
    /// The draft can still change (its phase is open, or reopened for it).
    pub open: bool,
}

pub async fn page(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<AgreementPage> {
    let phase_label = app.current_regulation()?.phase(phase).ok_or(ServiceError::NotFound)?.label.clone();
    let mut conn = app.db.conn().await?;
    let (region, draft, open) = match open_draft(app, &mut conn, actor, (slug, phase), false).await {
        Ok((region, draft)) => (region, draft, true),
        Err(ServiceError::NotAllowed(_)) => {
            let region = store::regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
            let draft = store::applications::get(&mut conn, &region.id, phase).await?.ok_or(ServiceError::NotFound)?;
            (region, draft, false)
        }
        Err(e) => return Err(e),
    };
    let (_, state) = draft_with_state(&mut conn, actor, &region, &draft).await?;
    Ok(AgreementPage { region, phase_label, state, open })
}

/// `actor` confirms the agreement for `organisation_id`, as it is at `fingerprint` (what they read).
pub async fn confirm(
    app: &App,
    actor: &Actor,
    from: Client<'_>,
    (slug, phase): (&str, &str),
    organisation_id: &str,
    fingerprint: &str,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (region, draft) = open_draft(app, &mut tx, actor, (slug, phase), false).await?;
    // The confirmation rests on the draft as read: a change committed meanwhile is a conflict.
    store::applications::hold(&mut tx, &draft.id, draft.version).await?;
    let application = with_confirmations(&mut tx, &region.id, parse_stored(&draft.content)?).await?;
    let party = application.organisation(organisation_id).ok_or(ServiceError::NotFound)?.name.clone();
    if !actor.permits(Action::ConfirmAgreement { region_id: &region.id, organisation_id }) {
        return Err(ServiceError::NotAllowed(format!(
            "U bent niet tekenbevoegd voor {party}. De programmamanager van de regio kan dat aangeven bij Gebruikers."
        )));
    }
    if !application.has_agreement_terms() {
        return Err(ServiceError::NotAllowed(
            "Er is nog geen samenwerkingsovereenkomst om te bevestigen: de regio schrijft eerst de tekst of uploadt het document."
                .into(),
        ));
    }
    let current = application.agreement_fingerprint();
    if current != fingerprint {
        return Err(ServiceError::Conflict);
    }
    if matches!(application.signature_at(organisation_id, &current), Signature::Confirmed(_)) {
        return Ok(());
    }
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let signer = store::users::by_id(&mut tx, user_id).await?.ok_or(ServiceError::NotFound)?;
    let confirmation = repo::Confirmation {
        phase: phase.to_owned(),
        organisation_id: organisation_id.to_owned(),
        user_id: user_id.to_owned(),
        signer_name: signer.name.clone(),
        fingerprint: current.clone(),
        confirmed_at: app.now().as_millisecond(),
        address: from.address.chars().take(100).collect(),
        user_agent: from.user_agent.chars().take(300).collect(),
    };
    repo::insert(&mut tx, &region.id, &confirmation).await?;
    let detail = json!({ "phase": phase, "organisation": organisation_id, "fingerprint": current });
    audit::append(&mut tx, Some(user_id), "agreement.confirm", "application", &draft.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// What asking for confirmations did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    pub mailed: usize,
    /// Parties still to agree that have nobody who may sign for them in Sterk.
    pub without_signatory: Vec<String>,
}

/// Mails every signatory of a party that has not agreed to the agreement as it is at
/// `fingerprint` (what the editor saw; else `Conflict`), once per person and version.
pub async fn ask(app: &App, actor: &Actor, (slug, phase): (&str, &str), fingerprint: &str) -> Result<Asked> {
    let mut tx = app.db.begin().await?;
    let (region, draft) = open_draft(app, &mut tx, actor, (slug, phase), true).await?;
    let application = with_confirmations(&mut tx, &region.id, parse_stored(&draft.content)?).await?;
    if !application.has_agreement_terms() {
        return Err(ServiceError::NotAllowed(
            "Schrijf eerst de tekst van de samenwerkingsovereenkomst of upload het document; dan valt er iets te bevestigen."
                .into(),
        ));
    }
    if application.agreement_fingerprint() != fingerprint {
        return Err(ServiceError::Conflict);
    }
    let signatories = store::users::signatories(&mut tx, &region.id).await?;
    let mut asked = Asked::default();
    for o in &application.organisations {
        if application.signature_at(&o.id, fingerprint).counts() {
            continue;
        }
        let theirs: Vec<_> = signatories.iter().filter(|s| s.0 == o.id).collect();
        if theirs.is_empty() {
            asked.without_signatory.push(o.name.clone());
        }
        for (_, user_id, name, email) in theirs {
            let mail = Mail {
                user_id: Some(user_id),
                to: email,
                kind: "agreement.asked",
                subject: format!("Bevestig de samenwerkingsovereenkomst van {}", region.name),
                body: format!(
                    "Beste {name},\n\nDe regio {} vraagt u de samenwerkingsovereenkomst te lezen en namens {} te bevestigen. \
                     Dat kan in Sterk, met één knop onder de overeenkomst.",
                    region.name, o.name
                ),
                path: page_path(&region.slug, phase),
                dedup_key: Some(format!("agreement-asked:{}:{}:{fingerprint}:{user_id}", draft.id, o.id)),
            };
            if mail::queue(app, &mut tx, &mail).await? {
                asked.mailed += 1;
            }
        }
    }
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(asked)
}

fn page_path(slug: &str, phase: &str) -> String {
    format!("/regio/{slug}/aanvragen/{phase}/overeenkomst")
}

/// After a change to the draft: when the agreement itself changed, tells those whose confirmation
/// it undid that they are asked to confirm again.
pub(crate) async fn after_change(
    app: &App,
    conn: &mut AnyConnection,
    draft: &Draft,
    (before, after): (&Application, &Application),
) -> Result<()> {
    let (old, new) = (before.agreement_fingerprint(), after.agreement_fingerprint());
    if old == new {
        return Ok(());
    }
    // Per party: its latest confirmation of the old agreement, unless it confirmed the new one too.
    let rows = repo::of_region(conn, &draft.region_id).await?;
    let undone: Vec<&repo::Confirmation> = after
        .organisations
        .iter()
        .filter(|o| !rows.iter().any(|r| r.organisation_id == o.id && r.fingerprint == new))
        .filter_map(|o| rows.iter().rfind(|r| r.organisation_id == o.id && r.fingerprint == old))
        .collect();
    if undone.is_empty() {
        return Ok(());
    }
    let region = store::regions::by_id(conn, &draft.region_id).await?.ok_or(ServiceError::NotFound)?;
    for c in undone {
        let Some(user) = store::users::by_id(conn, &c.user_id).await? else { continue };
        let party = after.organisation(&c.organisation_id).map_or("uw organisatie", |o| o.name.as_str());
        let mail = Mail {
            user_id: Some(&user.id),
            to: &user.email,
            kind: "agreement.changed",
            subject: format!("De samenwerkingsovereenkomst van {} is gewijzigd", region.name),
            body: format!(
                "Beste {},\n\nDe samenwerkingsovereenkomst van {} is gewijzigd nadat u die namens {party} bevestigde. \
                 Uw bevestiging geldt voor de vorige versie; lees de nieuwe en bevestig opnieuw.",
                user.name, region.name
            ),
            path: page_path(&region.slug, &draft.phase),
            dedup_key: Some(format!("agreement-changed:{}:{}:{new}:{}", draft.id, c.organisation_id, user.id)),
        };
        mail::queue(app, conn, &mail).await?;
    }
    Ok(())
}
