//! What the parties agree to, and where each stands: the agreement's fingerprint over its terms
//! and parties, and each party's signature, confirmed in Sterk or on the signed document.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::agreement::Confirmation;
use super::application::Application;

/// Where a party stands toward the agreement as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature<'a> {
    /// Confirmed in Sterk, this very agreement.
    Confirmed(&'a Confirmation),
    /// Ticked as signed on the uploaded document.
    OnDocument,
    /// Confirmed an earlier version: the agreement changed since.
    Outdated(&'a Confirmation),
    Missing,
}

impl Signature<'_> {
    pub fn counts(self) -> bool {
        matches!(self, Signature::Confirmed(_) | Signature::OnDocument)
    }
}

impl Application {
    /// The SHA-256 over what the parties agree to: the text, the document, who the parties are and
    /// who leads. A change to any of these asks every party to confirm again.
    pub fn agreement_fingerprint(&self) -> String {
        /// What is hashed, its fields in this order (a struct, so no map's ordering can change it).
        #[derive(Serialize)]
        struct Terms<'a> {
            document: Option<&'a str>,
            lead_applicant: &'a str,
            parties: Vec<[&'a str; 3]>,
            text: &'a str,
        }
        let agreement = self.agreement.as_ref();
        // Each party as named and of its kind: a party renamed or of another kind is another agreement.
        let mut parties: Vec<[&str; 3]> =
            self.organisations.iter().map(|o| [o.id.as_str(), o.kind.code(), o.name.as_str()]).collect();
        parties.sort_unstable();
        let terms = Terms {
            document: agreement.and_then(|a| a.document.as_ref()).map(|d| d.sha256.as_str()),
            lead_applicant: &self.lead_applicant,
            parties,
            text: agreement.and_then(|a| a.text.as_deref()).map(str::trim).unwrap_or(""),
        };
        let json = serde_json::to_vec(&terms).expect("strings serialise");
        format!("{:x}", Sha256::digest(&json))
    }

    /// Paper signatures attest to the agreement as it was ticked: when `self` is another agreement
    /// than `before`, its ticks are cleared.
    pub fn clear_ticks_if_changed(&mut self, before: &Application) {
        if self.agreement_fingerprint() != before.agreement_fingerprint()
            && let Some(agreement) = self.agreement.as_mut()
        {
            agreement.signed_by.clear();
        }
    }

    /// Drops the confirmations: they are Sterk's own records of who agreed, not what the
    /// application says.
    pub fn clear_confirmations(&mut self) {
        if let Some(agreement) = self.agreement.as_mut() {
            agreement.confirmations.clear();
        }
    }

    /// Whether `self` says the same as `other`, whoever confirmed either.
    pub fn says_the_same_as(&self, other: &Application) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.clear_confirmations();
        b.clear_confirmations();
        a == b
    }

    /// Whether there is anything to agree to: a text or a document.
    pub fn has_agreement_terms(&self) -> bool {
        self.agreement
            .as_ref()
            .is_some_and(|a| a.text.as_deref().is_some_and(|t| !t.trim().is_empty()) || a.document.is_some())
    }

    /// How the party `organisation` stands toward the agreement as it is now.
    pub fn signature(&self, organisation: &str) -> Signature<'_> {
        self.signature_at(organisation, &self.agreement_fingerprint())
    }

    /// [`Application::signature`] with the fingerprint computed once by the caller.
    pub fn signature_at(&self, organisation: &str, fingerprint: &str) -> Signature<'_> {
        let Some(agreement) = &self.agreement else { return Signature::Missing };
        let latest = agreement.confirmations.iter().filter(|c| c.organisation == organisation).max_by_key(|c| c.at);
        match latest {
            Some(c) if c.fingerprint == fingerprint => Signature::Confirmed(c),
            _ if agreement.document.is_some() && agreement.signed_by.iter().any(|s| s == organisation) => {
                Signature::OnDocument
            }
            Some(c) => Signature::Outdated(c),
            None => Signature::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regulation::agreement::{Agreement, Document};

    fn example() -> Application {
        Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap()
    }

    fn confirmed(app: &Application, organisation: &str, at: &str) -> Confirmation {
        Confirmation {
            organisation: organisation.into(),
            by: "J. Jansen".into(),
            at: at.parse().unwrap(),
            fingerprint: app.agreement_fingerprint(),
        }
    }

    #[test]
    fn a_confirmation_counts_until_the_agreement_changes() {
        let mut app = example();
        let party = app.organisations[1].id.clone();
        app.agreement = Some(Agreement { text: Some("Wij werken samen.".into()), ..Agreement::default() });
        let c = confirmed(&app, &party, "2024-09-01T10:00:00Z");
        app.agreement.as_mut().unwrap().confirmations.push(c);
        assert!(app.signature(&party).counts());
        // Trailing blanks change nothing; a word does.
        app.agreement.as_mut().unwrap().text = Some("Wij werken samen.\n".into());
        assert!(app.signature(&party).counts());
        app.agreement.as_mut().unwrap().text = Some("Wij werken nauw samen.".into());
        assert!(matches!(app.signature(&party), Signature::Outdated(_)));
        // A party more or less is another agreement too.
        let c = confirmed(&app, &party, "2024-09-02T10:00:00Z");
        app.agreement.as_mut().unwrap().confirmations.push(c);
        assert!(app.signature(&party).counts());
        app.organisations.pop();
        assert!(!app.signature(&party).counts());
    }

    #[test]
    fn the_fingerprint_is_the_documented_hash() {
        let mut app = example();
        app.agreement = Some(Agreement { text: Some(" Tekst \n".into()), ..Agreement::default() });
        let mut parties: Vec<[&str; 3]> =
            app.organisations.iter().map(|o| [o.id.as_str(), o.kind.code(), o.name.as_str()]).collect();
        parties.sort_unstable();
        let json = format!(
            "{{\"document\":null,\"lead_applicant\":\"{}\",\"parties\":{},\"text\":\"Tekst\"}}",
            app.lead_applicant,
            serde_json::to_string(&parties).unwrap()
        );
        assert_eq!(app.agreement_fingerprint(), format!("{:x}", Sha256::digest(json.as_bytes())));
    }

    #[test]
    fn a_changed_agreement_clears_the_ticks_and_a_relabelled_party_is_another_agreement() {
        let mut app = example();
        let before = app.clone();
        app.clear_ticks_if_changed(&before);
        assert!(!app.agreement.as_ref().unwrap().signed_by.is_empty(), "nothing changed");
        let company = app.organisations.iter().position(|o| o.kind.code() == "company").unwrap();
        app.organisations[company].name = "Een ander bedrijf".into();
        assert_ne!(app.agreement_fingerprint(), before.agreement_fingerprint());
        app.clear_ticks_if_changed(&before);
        assert!(app.agreement.as_ref().unwrap().signed_by.is_empty());
    }

    #[test]
    fn a_tick_counts_only_with_the_signed_document() {
        let mut app = example();
        let party = app.organisations[0].id.clone();
        app.agreement = Some(Agreement { signed_by: vec![party.clone()], ..Agreement::default() });
        assert_eq!(app.signature(&party), Signature::Missing);
        assert!(!app.has_agreement_terms());
        app.agreement.as_mut().unwrap().document =
            Some(Document { filename: "getekend.pdf".into(), sha256: "a".repeat(64), size: 10 });
        assert_eq!(app.signature(&party), Signature::OnDocument);
        assert!(app.has_agreement_terms());
    }
}
