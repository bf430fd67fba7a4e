//! The rules about the parties: which kinds of organisation take part, and whether each has
//! agreed to the cooperation agreement (confirmed in Sterk, or signed on the uploaded document).

use super::{CheckError, Ctx, TraceItem, Verdict};
use crate::OrganisationKind;
use crate::regulation::application::Signature;

/// Whether this phase asks for the cooperation agreement (where `required-parts` applies).
fn agreement_asked(c: &Ctx) -> bool {
    c.reg.rules.iter().any(|r| r.id == "required-parts" && !r.not_in_phases.contains(&c.phase.id))
}

fn kind_label(code: &str) -> String {
    OrganisationKind::parse(code).map_or(code.to_owned(), |kind| kind.label().to_lowercase())
}

/// Every required kind takes part; where the phase asks for the agreement, through a party that agreed to it.
pub(super) fn mandatory_partners(c: &Ctx) -> Result<Verdict, CheckError> {
    let (kinds, v) = c.reg.list_at("mandatory-partner-kinds", c.reg.start())?;
    let mut trace = vec![TraceItem::parameter("mandatory-partner-kinds", kinds.join(", "), v)];
    let present: Vec<&str> = c.app.organisations.iter().map(|o| o.kind.code()).collect();
    trace.push(TraceItem::input("soorten in de aanvraag", present.join(", ")));
    let missing: Vec<String> = kinds.iter().filter(|k| !present.contains(&k.as_str())).map(|k| kind_label(k)).collect();
    if !missing.is_empty() {
        return Ok(Verdict::fail(
            format!("Er ontbreekt ten minste één {}.", missing.join(", één ")),
            "organisations",
            trace,
        ));
    }
    if !agreement_asked(c) {
        return Ok(Verdict::pass("Vmbo, mbo, primair onderwijs en bedrijfsleven doen mee.", trace));
    }
    let fingerprint = c.app.agreement_fingerprint();
    let agreed: Vec<&str> = c
        .app
        .organisations
        .iter()
        .filter(|o| c.app.signature_at(&o.id, &fingerprint).counts())
        .map(|o| o.kind.code())
        .collect();
    trace.push(TraceItem::input("soorten die de overeenkomst ondertekenden of bevestigden", agreed.join(", ")));
    let unsigned: Vec<String> = kinds.iter().filter(|k| !agreed.contains(&k.as_str())).map(|k| kind_label(k)).collect();
    Ok(if unsigned.is_empty() {
        Verdict::pass(
            "Vmbo, mbo, primair onderwijs en bedrijfsleven doen mee en hebben de samenwerkingsovereenkomst ondertekend of bevestigd.",
            trace,
        )
    } else {
        Verdict::fail(
            format!(
                "Nog geen enkele partner van deze soort heeft de samenwerkingsovereenkomst ondertekend of bevestigd: {}.",
                unsigned.join(", ")
            ),
            "agreement",
            trace,
        )
    })
}

/// Vision, activities, budget, and an agreement every party agreed to as it stands now.
pub(super) fn required_parts(c: &Ctx) -> Verdict {
    let app = c.app;
    let vision = app.vision.as_deref().map(str::trim).unwrap_or("");
    let fingerprint = app.agreement_fingerprint();
    let mut unsigned = Vec::new();
    let mut outdated = Vec::new();
    for o in &app.organisations {
        match app.signature_at(&o.id, &fingerprint) {
            Signature::Confirmed(_) | Signature::OnDocument => {}
            Signature::Outdated(_) => {
                outdated.push(o.name.as_str());
                unsigned.push(o.name.as_str());
            }
            Signature::Missing => unsigned.push(o.name.as_str()),
        }
    }
    let mut trace = vec![
        TraceItem::input("regiovisie", format!("{} tekens", vision.chars().count())),
        TraceItem::input("activiteiten", app.activities.len().to_string()),
        TraceItem::input("begrotingsregels", app.budget.len().to_string()),
        TraceItem::input("vingerafdruk samenwerkingsovereenkomst", fingerprint.chars().take(16).collect::<String>()),
        TraceItem::input(
            "ondertekend of bevestigd door",
            format!("{} van {} organisaties", app.organisations.len() - unsigned.len(), app.organisations.len()),
        ),
    ];
    if !outdated.is_empty() {
        trace.push(TraceItem::input("bevestigden een eerdere versie", outdated.join(", ")));
    }
    let mut missing = Vec::new();
    let mut field = None;
    if vision.is_empty() {
        missing.push("de regiovisie".to_owned());
        field.get_or_insert("vision");
    }
    if app.activities.is_empty() {
        missing.push("ten minste één activiteit".to_owned());
        field.get_or_insert("activities");
    }
    if app.budget.is_empty() {
        missing.push("de begroting".to_owned());
        field.get_or_insert("budget");
    }
    if !app.has_agreement_terms() {
        missing.push("de samenwerkingsovereenkomst zelf (de tekst of het document)".to_owned());
        field.get_or_insert("agreement");
    } else if !unsigned.is_empty() {
        let mut text =
            format!("de handtekening of bevestiging van {} onder de samenwerkingsovereenkomst", unsigned.join(", "));
        if !outdated.is_empty() {
            text.push_str(&format!(" (de overeenkomst is gewijzigd nadat {} bevestigde)", outdated.join(", ")));
        }
        missing.push(text);
        field.get_or_insert("agreement");
    }
    match field {
        None => Verdict::pass(
            "Regiovisie, activiteiten, begroting en een door alle partners ondertekende of bevestigde samenwerkingsovereenkomst zijn aanwezig.",
            trace,
        ),
        Some(f) => Verdict::fail(format!("Nog nodig: {}.", missing.join("; ")), f, trace),
    }
}
