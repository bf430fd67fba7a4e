//! The cooperation agreement: its page, where each party's signatory reads and confirms it, and
//! the parties' standing as the workspace shows it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use services::ServiceError;
use services::cosigning::{self, AgreementState, Standing};

use crate::AppState;
use crate::layout::{Layout, ms};
use crate::page::Page;
use crate::session::Ctx;

pub struct PartyView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// Where it stands, in words.
    pub standing: String,
    pub agreed: bool,
    /// Who may sign for it in Sterk, or a word that nobody may.
    pub signatories: String,
    pub mine: bool,
}

/// The agreement as the workspace and its own page show it.
pub struct AgreementView {
    pub fingerprint: String,
    pub paragraphs: Vec<String>,
    pub text: String,
    pub has_terms: bool,
    pub document: Option<(String, String)>,
    pub parties: Vec<PartyView>,
    pub agreed: usize,
    pub may_submit: bool,
    /// The actor may sign for one of the parties.
    pub mine: bool,
    pub lead_name: String,
    pub lead_signatories: String,
}

fn standing_text(s: &Standing) -> String {
    match s {
        Standing::Confirmed { by, at, address } => format!(
            "Bevestigd in Sterk door {by} op {}{}",
            ms(*at),
            address.as_deref().map(|a| format!(" (vanaf {a})")).unwrap_or_default()
        ),
        Standing::OnDocument => "Ondertekend op het geüploade document".into(),
        Standing::Outdated { by, at } => format!("Opnieuw nodig: {by} bevestigde op {} een eerdere versie", ms(*at)),
        Standing::Missing => "Nog niet ondertekend of bevestigd".into(),
    }
}

fn names(list: &[String]) -> String {
    if list.is_empty() { "niemand aangewezen".into() } else { list.join(", ") }
}

impl AgreementView {
    pub fn of(s: &AgreementState) -> AgreementView {
        let lead = s.parties.iter().find(|p| p.id == s.lead_applicant);
        AgreementView {
            fingerprint: s.fingerprint.clone(),
            paragraphs: s.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect(),
            text: s.text.clone(),
            has_terms: s.has_terms,
            document: s
                .document
                .as_ref()
                .map(|d| (d.filename.clone(), format!("{} kB", domain::fmt::integer_nl(d.size.div_ceil(1024) as i64)))),
            parties: s
                .parties
                .iter()
                .map(|p| PartyView {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    kind: p.kind.label(),
                    standing: standing_text(&p.standing),
                    agreed: p.standing.agreed(),
                    signatories: names(&p.signatories),
                    mine: p.mine,
                })
                .collect(),
            agreed: s.agreed(),
            may_submit: s.may_submit,
            mine: s.parties.iter().any(|p| p.mine),
            lead_name: lead.map_or(s.lead_applicant.clone(), |p| p.name.clone()),
            lead_signatories: lead.map_or_else(|| names(&[]), |p| names(&p.signatories)),
        }
    }
}

#[derive(Template)]
#[template(path = "aanvraag/agreement.html")]
pub struct AgreementPage {
    pub l: Layout,
    pub slug: String,
    pub phase: String,
    pub phase_label: String,
    pub region: String,
    pub agreement: AgreementView,
    pub open: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}

async fn show(
    st: &AppState,
    ctx: &Ctx,
    (slug, phase): (&str, &str),
    (notice, error): (Option<String>, Option<String>),
) -> Page {
    let p = cosigning::page(&st.app, &ctx.actor, slug, phase).await?;
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    let page = AgreementPage {
        l: Layout::new(format!("Samenwerkingsovereenkomst {}", p.region.name), ctx, "beheer"),
        slug: p.region.slug.clone(),
        phase: phase.to_owned(),
        phase_label: p.phase_label,
        region: p.region.name,
        agreement: AgreementView::of(&p.state),
        open: p.open,
        notice,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    show(&st, &ctx, (&slug, &phase), (flash.notice, None)).await
}

#[derive(serde::Deserialize)]
pub struct ConfirmInput {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    fingerprint: String,
}

/// A signatory confirms the agreement as they read it (its fingerprint) for their organisation.
pub async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    Form(input): Form<ConfirmInput>,
) -> Page {
    let key = (slug.as_str(), phase.as_str());
    let error =
        match cosigning::confirm(&st.app, &ctx.actor, ctx.origin(), key, &input.organisation, &input.fingerprint).await
        {
            Ok(()) => {
                let notice = "Uw bevestiging van de samenwerkingsovereenkomst is vastgelegd.";
                return crate::flash::redirect(&st, &format!("/regio/{slug}/aanvragen/{phase}/overeenkomst"), notice)
                    .await;
            }
            Err(ServiceError::Conflict) => {
                "De overeenkomst is gewijzigd nadat u deze pagina opende. Lees de versie hieronder en bevestig opnieuw."
                    .into()
            }
            Err(ServiceError::NotAllowed(m)) => m,
            Err(e) => return Err(e.into()),
        };
    show(&st, &ctx, key, (None, Some(error))).await
}

#[derive(serde::Deserialize)]
pub struct AskInput {
    #[serde(default)]
    fingerprint: String,
}

/// The region asks every signatory of a party that has not agreed yet, by mail.
pub async fn ask(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    Form(input): Form<AskInput>,
) -> Page {
    let asked = cosigning::ask(&st.app, &ctx.actor, (&slug, &phase), &input.fingerprint).await?;
    let mut notice = match asked.mailed {
        0 => "Er is niemand gemaild: wie tekenbevoegd is, kreeg voor deze versie al bericht.".to_owned(),
        1 => "Eén tekenbevoegde is per e-mail gevraagd te bevestigen.".to_owned(),
        n => format!("{n} tekenbevoegden zijn per e-mail gevraagd te bevestigen."),
    };
    if !asked.without_signatory.is_empty() {
        notice.push_str(&format!(
            " Niemand in Sterk is tekenbevoegd voor {}: wijs iemand aan bij Gebruikers, of laat de partner het document ondertekenen.",
            asked.without_signatory.join(", ")
        ));
    }
    crate::flash::redirect(&st, &format!("/regio/{slug}/aanvragen/{phase}#overeenkomst"), &notice).await
}
