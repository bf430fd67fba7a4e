//! STO regions: a partnership of schools and partners with a type, a province and a profile.

use serde::{Deserialize, Serialize};

use crate::validation::{self, FieldErrors};

/// The region type of the 2025–2028 regulation; `None` on a region where it is not (yet) known.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    #[serde(rename = "techniekregio")]
    Technical,
    #[serde(rename = "techniekluwe-regio")]
    LowTech,
}

impl RegionKind {
    pub const ALL: [RegionKind; 2] = [RegionKind::Technical, RegionKind::LowTech];

    pub fn code(self) -> &'static str {
        match self {
            RegionKind::Technical => "techniekregio",
            RegionKind::LowTech => "techniekluwe-regio",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegionKind::Technical => "Techniekregio",
            RegionKind::LowTech => "Techniekluwe regio",
        }
    }

    pub fn parse(code: &str) -> Option<RegionKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Label for an optional kind, as shown to people.
pub fn kind_label(kind: Option<RegionKind>) -> &'static str {
    kind.map(RegionKind::label).unwrap_or("Nog niet vastgesteld: techniekregio of techniekluwe regio")
}

/// The twelve provinces plus Caribisch Nederland, in the order people expect them.
pub const PROVINCES: [&str; 13] = [
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
    "Caribisch Nederland",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: Option<RegionKind>,
    pub province: String,
    pub profile: RegionProfile,
    pub lead_applicant_id: Option<String>,
    pub source: Option<String>,
    pub archived: bool,
    /// Optimistic-lock counter: an edit must name the version it started from.
    pub version: i64,
}

/// What a region manager may edit about their own region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionProfile {
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub theme_tags: Vec<String>,
}

/// The raw form input for a region profile.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegionProfileInput {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_role: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    /// Comma- or newline-separated.
    #[serde(default)]
    pub theme_tags: String,
}

pub const MAX_TAGS: usize = 12;

impl RegionProfileInput {
    pub fn validate(&self) -> Result<RegionProfile, FieldErrors> {
        let mut e = FieldErrors::default();
        let description =
            validation::optional(&mut e, "description", "de beschrijving", &self.description, 5000).unwrap_or_default();
        let contact_name =
            validation::optional(&mut e, "contact_name", "de naam van de contactpersoon", &self.contact_name, 120);
        let contact_role =
            validation::optional(&mut e, "contact_role", "de rol van de contactpersoon", &self.contact_role, 120);
        let contact_email = validation::email(&mut e, "contact_email", &self.contact_email, false);
        let contact_phone =
            validation::optional(&mut e, "contact_phone", "het telefoonnummer", &self.contact_phone, 30);
        if let Some(phone) = &contact_phone
            && !phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        {
            e.add("contact_phone", "Een telefoonnummer bevat alleen cijfers, spaties en + - ( ).");
        }
        let theme_tags = parse_tags(&mut e, &self.theme_tags);
        e.into_result(RegionProfile {
            description,
            contact_name,
            contact_role,
            contact_email,
            contact_phone,
            theme_tags,
        })
    }
}

impl RegionProfile {
    pub fn to_input(&self) -> RegionProfileInput {
        RegionProfileInput {
            description: self.description.clone(),
            contact_name: self.contact_name.clone().unwrap_or_default(),
            contact_role: self.contact_role.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            contact_phone: self.contact_phone.clone().unwrap_or_default(),
            theme_tags: self.theme_tags.join(", "),
        }
    }
}

fn parse_tags(e: &mut FieldErrors, raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split([',', '\n']).map(str::trim).filter(|t| !t.is_empty()) {
        if tag.chars().count() > 40 {
            e.add("theme_tags", format!("Het thema \"{tag}\" is te lang: een thema heeft hoogstens 40 tekens."));
        } else if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        e.add("theme_tags", format!("Kies hoogstens {MAX_TAGS} thema's; u gaf er {}.", tags.len()));
    }
    tags
}

/// The identity of a region, set by the national team.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegionIdentityInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub province: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionIdentity {
    pub name: String,
    pub slug: String,
    pub kind: Option<RegionKind>,
    pub province: String,
}

impl RegionIdentityInput {
    pub fn validate(&self) -> Result<RegionIdentity, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = validation::required(&mut e, "name", "de naam", &self.name, 120);
        let slug = if self.slug.trim().is_empty() { slugify(&name) } else { self.slug.trim().to_owned() };
        if !is_slug(&slug) {
            e.add(
                "slug",
                "Een webadres bevat alleen kleine letters, cijfers en streepjes (voorbeeld: zuid-friesland).",
            );
        }
        let kind = match self.kind.trim() {
            "" => None,
            code => {
                let kind = RegionKind::parse(code);
                if kind.is_none() {
                    e.add("kind", "Kies techniekregio, techniekluwe regio of nog niet vastgesteld.");
                }
                kind
            }
        };
        let province = self.province.trim().to_owned();
        if !PROVINCES.contains(&province.as_str()) {
            e.add("province", "Kies een provincie uit de lijst.");
        }
        e.into_result(RegionIdentity { name, slug, kind, province })
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A URL-safe name: "Goeree-Overflakkee en Hoeksche Waard" → "goeree-overflakkee-en-hoeksche-waard".
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(80).collect::<String>().trim_end_matches('-').to_owned()
}

fn fold_accent(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        '\'' | '’' => return None,
        c => c,
    })
}

/// The lead applicant (penvoerder) is the board of a vmbo location that takes part in the region.
pub fn check_lead_applicant(candidate: &crate::Organisation, is_member: bool) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    if !is_member {
        e.add(
            "lead_applicant",
            format!("{} neemt niet deel aan deze regio; voeg de organisatie eerst toe.", candidate.name),
        );
    } else if !candidate.kind.may_lead() {
        e.add(
            "lead_applicant",
            format!(
                "De penvoerder is het bevoegd gezag van een vmbo-vestiging; {} is een {}.",
                candidate.name,
                candidate.kind.label().to_lowercase()
            ),
        );
    }
    e.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Goeree-Overflakkee en Hoeksche Waard"), "goeree-overflakkee-en-hoeksche-waard");
        assert_eq!(slugify("Fryslân / Súdwest"), "fryslan-sudwest");
        assert_eq!(slugify("Meppel/Steenwijk"), "meppel-steenwijk");
        assert_eq!(slugify("Amersfoort e.o."), "amersfoort-e-o");
    }

    #[test]
    fn profile_validation_keeps_good_values_and_explains_bad_ones() {
        let input = RegionProfileInput {
            description: "Samen sterk".into(),
            contact_email: "nope".into(),
            contact_phone: "06-12345678".into(),
            theme_tags: "Duurzaamheid, gender en inclusie,duurzaamheid,".into(),
            ..Default::default()
        };
        let errors = input.validate().unwrap_err();
        assert!(errors.get("contact_email").unwrap().contains("geen geldig e-mailadres"));
        assert!(errors.get("contact_phone").is_none());

        let ok = RegionProfileInput { contact_email: "pm@regio.nl".into(), ..input }.validate().unwrap();
        assert_eq!(ok.theme_tags, vec!["Duurzaamheid", "gender en inclusie"]);
    }

    #[test]
    fn identity_requires_known_province_and_kind() {
        let bad = RegionIdentityInput {
            name: "X".into(),
            kind: "groot".into(),
            province: "Brabant".into(),
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        assert!(e.get("kind").is_some() && e.get("province").is_some());
        let ok =
            RegionIdentityInput { name: "Zuid-Friesland".into(), province: "Fryslân".into(), ..Default::default() };
        assert_eq!(ok.validate().unwrap().slug, "zuid-friesland");
    }
}
