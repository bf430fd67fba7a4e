//! Organisations taking part in regions: school locations, mbo institutions, primary schools, companies…

use serde::{Deserialize, Serialize};

use crate::validation::{self, FieldErrors};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganisationKind {
    /// A vmbo school location, keyed by its DUO code.
    Vmbo,
    Mbo,
    /// Primary school.
    Po,
    /// Other secondary school (havo/vwo, praktijkonderwijs…).
    #[serde(rename = "vo-other")]
    Vo,
    Company,
    Municipality,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 7] = [
        OrganisationKind::Vmbo,
        OrganisationKind::Mbo,
        OrganisationKind::Po,
        OrganisationKind::Vo,
        OrganisationKind::Company,
        OrganisationKind::Municipality,
        OrganisationKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Vmbo => "vmbo",
            OrganisationKind::Mbo => "mbo",
            OrganisationKind::Po => "po",
            OrganisationKind::Vo => "vo-other",
            OrganisationKind::Company => "company",
            OrganisationKind::Municipality => "municipality",
            OrganisationKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::Vmbo => "Vmbo-vestiging",
            OrganisationKind::Mbo => "Mbo-instelling",
            OrganisationKind::Po => "Basisschool",
            OrganisationKind::Vo => "Andere vo-school",
            OrganisationKind::Company => "Bedrijf",
            OrganisationKind::Municipality => "Gemeente",
            OrganisationKind::Other => "Andere organisatie",
        }
    }

    pub fn parse(code: &str) -> Option<OrganisationKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Schools pupils attend (vmbo, other secondary, primary); the rest take part as partners.
    pub fn is_school(self) -> bool {
        matches!(self, OrganisationKind::Vmbo | OrganisationKind::Vo | OrganisationKind::Po)
    }

    /// What the public school finder searches: the schools, and mbo institutions a pupil moves on to.
    pub fn in_school_finder(self) -> bool {
        self.is_school() || self == OrganisationKind::Mbo
    }

    /// Only the board of a vmbo location can be a region's lead applicant (penvoerder).
    pub fn may_lead(self) -> bool {
        self == OrganisationKind::Vmbo
    }
}

/// A DUO school location code: BRIN (2 digits, 2 letters or digits) plus a 2-digit location number, e.g. `23VD00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DuoCode(String);

impl DuoCode {
    pub fn parse(raw: &str) -> Option<DuoCode> {
        let code = raw.trim().to_ascii_uppercase();
        // Two digits, two letters or digits, two digits: 05AC00.
        let ok = matches!(code.as_bytes(), [a, b, c, d, e, f]
            if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_alphanumeric()
                && d.is_ascii_alphanumeric() && e.is_ascii_digit() && f.is_ascii_digit());
        ok.then_some(DuoCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub duo_code: Option<String>,
    pub place: Option<String>,
    /// The municipality, from DUO's school locations when imported.
    pub municipality: Option<String>,
    pub website: Option<String>,
    pub note: Option<String>,
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrganisationInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub duo_code: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub website: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: OrganisationKind,
    pub duo_code: Option<DuoCode>,
    pub place: Option<String>,
    pub website: Option<String>,
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<OrganisationDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = validation::required(&mut e, "name", "de naam", &self.name, 160);
        let kind = OrganisationKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "Kies het soort organisatie.");
        }
        let duo_code = match self.duo_code.trim() {
            "" => None,
            raw => {
                let code = DuoCode::parse(raw);
                if code.is_none() {
                    e.add(
                        "duo_code",
                        format!("\"{raw}\" is geen DUO-vestigingscode: die heeft 6 tekens, zoals 23VD00."),
                    );
                }
                code
            }
        };
        if kind == Some(OrganisationKind::Vmbo) && duo_code.is_none() && e.get("duo_code").is_none() {
            e.add("duo_code", "Een vmbo-vestiging heeft een DUO-vestigingscode (zoals 23VD00).");
        }
        let place = validation::optional(&mut e, "place", "de plaats", &self.place, 80);
        let website = validation::optional(&mut e, "website", "de website", &self.website, 300);
        if let Some(url) = &website
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            e.add("website", "Een website begint met https:// of http://.");
        }
        match kind {
            Some(kind) => e.into_result(OrganisationDraft { name, kind, duo_code, place, website }),
            None => Err(e),
        }
    }
}

impl Organisation {
    pub fn to_input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            kind: self.kind.code().to_owned(),
            duo_code: self.duo_code.clone().unwrap_or_default(),
            place: self.place.clone().unwrap_or_default(),
            website: self.website.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duo_codes() {
        assert_eq!(DuoCode::parse(" 23vd00 ").unwrap().as_str(), "23VD00");
        assert!(DuoCode::parse("00ML09").is_some());
        for bad in ["23VD0", "23VD000", "AB1200", "23VD0X", ""] {
            assert!(DuoCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn vmbo_needs_a_duo_code() {
        let input = OrganisationInput { name: "Kei College".into(), kind: "vmbo".into(), ..Default::default() };
        assert!(input.validate().unwrap_err().get("duo_code").unwrap().contains("DUO-vestigingscode"));
        let ok = OrganisationInput { duo_code: "05ac00".into(), ..input }.validate().unwrap();
        assert_eq!(ok.duo_code.unwrap().as_str(), "05AC00");
    }

    #[test]
    fn company_without_code_is_fine_but_bad_site_is_not() {
        let input = OrganisationInput {
            name: "Tol Plaatwerk".into(),
            kind: "company".into(),
            website: "tol.nl".into(),
            ..Default::default()
        };
        assert!(input.validate().unwrap_err().get("website").is_some());
    }
}
