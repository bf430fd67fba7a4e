//! The registry the demo starts from: the regions and schools that public sources name
//! (`data/regions.csv`, `data/region_schools.csv`, and the second search's `*_found.csv`).

use domain::region::RegionIdentity;
use domain::{DuoCode, OrganisationDraft, OrganisationKind, Region, RegionKind, RegionProfile, slugify};
use serde::Deserialize;
use store::{AnyConnection, organisations, regions};

use crate::Result;

const REGIONS_CSV: &str = include_str!("../../../../data/regions.csv");
const SCHOOLS_CSV: &str = include_str!("../../../../data/region_schools.csv");
/// A second search of public sources: regions the first list lacks, and schools per region.
const FOUND_REGIONS_CSV: &str = include_str!("../../../../data/regions_found.csv");
const FOUND_SCHOOLS_CSV: &str = include_str!("../../../../data/region_schools_found.csv");

#[derive(Debug, Deserialize)]
struct RegionRow {
    region: String,
    #[serde(rename = "type")]
    kind: String,
    province: String,
    source: String,
}

/// A row of `regions_found.csv`; only regions marked `NEW` there are added.
#[derive(Debug, Deserialize)]
struct FoundRegionRow {
    region: String,
    status_vs_regions_csv: String,
    #[serde(rename = "type")]
    kind: String,
    province: String,
    source_url: String,
}

/// A row of `region_schools_found.csv` (no DUO codes; places marked `[INFER]` in the source note).
#[derive(Debug, Deserialize)]
struct FoundSchoolRow {
    region: String,
    school: String,
    place: String,
    source: String,
}

#[derive(Debug, Deserialize)]
struct SchoolRow {
    region: String,
    school_as_named_in_source: String,
    place_in_source: String,
    source: String,
    duo_vestigingscode_candidates: String,
}

/// Every region and school of the data files, once: (the regions, as loaded).
pub(super) async fn load(conn: &mut AnyConnection) -> Result<Vec<Region>> {
    let mut loaded = Vec::new();
    for row in csv::Reader::from_reader(REGIONS_CSV.as_bytes()).deserialize::<RegionRow>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/regions.csv: {e}")))?;
        loaded.push(load_region(conn, &row, &RegionProfile::default()).await?);
    }
    for row in csv::Reader::from_reader(FOUND_REGIONS_CSV.as_bytes()).deserialize::<FoundRegionRow>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/regions_found.csv: {e}")))?;
        let doubt = match row.status_vs_regions_csv.as_str() {
            s if s.starts_with("NEW?") => Some(UNCERTAIN_SAME),
            s if s.starts_with("POSSIBLY") => Some(UNCERTAIN_SUBREGION),
            s if s.starts_with("NEW") => None,
            _ => continue,
        };
        let as_region = RegionRow {
            region: dutch_name(&row.region),
            kind: row.kind,
            province: row.province,
            source: row.source_url,
        };
        let profile = RegionProfile { description: doubt.unwrap_or_default().to_owned(), ..RegionProfile::default() };
        loaded.push(load_region(conn, &as_region, &profile).await?);
    }
    for row in csv::Reader::from_reader(SCHOOLS_CSV.as_bytes()).deserialize::<SchoolRow>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/region_schools.csv: {e}")))?;
        if let Some(region) = loaded.iter().find(|r| region_matches(&r.name, &row.region)) {
            load_school(conn, region, &row).await?;
        }
    }
    // The second search fills regions the first list leaves without schools; it changes no others.
    let mut empty = Vec::new();
    for region in &loaded {
        if regions::members(conn, &region.id).await?.is_empty() {
            empty.push(region.clone());
        }
    }
    for row in csv::Reader::from_reader(FOUND_SCHOOLS_CSV.as_bytes()).deserialize::<FoundSchoolRow>() {
        let row = row.map_err(|e| store::StoreError::Corrupt(format!("data/region_schools_found.csv: {e}")))?;
        if let Some(region) = empty.iter().find(|r| region_matches(&r.name, &clean_name(&row.region))) {
            let as_school = SchoolRow {
                region: row.region,
                school_as_named_in_source: row.school,
                place_in_source: row.place,
                source: row.source,
                duo_vestigingscode_candidates: String::new(),
            };
            load_school(conn, region, &as_school).await?;
        }
    }
    Ok(loaded)
}

/// Said on regions the second search was unsure about, so nobody takes them for verified.
const UNCERTAIN_SAME: &str = "Deze regio is genoemd in een nieuwsbericht over de subsidie, zonder eigen naam. \
     Mogelijk is het een van de bestaande regio's in de Drechtsteden; dat is niet nagegaan.";
const UNCERTAIN_SUBREGION: &str = "Deze naam staat op een publieke pagina. Mogelijk is het een deelregio van \
     Techniekregio Twente; dat is niet nagegaan.";

/// The research file names one region in English by its school ("Region around X, Place").
fn dutch_name(raw: &str) -> String {
    raw.strip_prefix("Region around ").map_or_else(|| raw.to_owned(), |rest| format!("Regio rond {rest}"))
}

/// "Zuid-Friesland (Heerenveen, …)" → "Zuid-Friesland": the research notes stay in the file.
fn clean_name(raw: &str) -> String {
    raw.split(" (").next().unwrap_or(raw).trim().to_owned()
}

/// "Drenthe / Overijssel" and "Gelderland/Utrecht" → the first; "Caribisch Nederland (BES, …)" →
/// "Caribisch Nederland".
fn clean_province(raw: &str) -> String {
    clean_name(raw).split('/').next().unwrap_or_default().trim().to_owned()
}

fn parse_kind(raw: &str) -> Option<RegionKind> {
    if raw.starts_with("techniekluwe") {
        Some(RegionKind::LowTech)
    } else if raw.starts_with("techniekregio") {
        Some(RegionKind::Technical)
    } else {
        None
    }
}

/// The schools file names regions by a short form of the regions file's name.
/// The second search also writes "Regio Zwolle" for "Zwolle" and adds a subregion after the name
/// ("Noordoost Overijssel / Vechtdal").
fn region_matches(region_name: &str, short: &str) -> bool {
    let (a, b) = (region_name.trim_start_matches("Regio "), short.trim_start_matches("Regio "));
    a == b || a.starts_with(&format!("{b} ")) || b.starts_with(&format!("{a} "))
}

async fn load_region(conn: &mut AnyConnection, row: &RegionRow, profile: &RegionProfile) -> Result<Region> {
    let name = clean_name(&row.region);
    let mut slug = slugify(&name);
    while let Some(existing) = regions::by_slug(conn, &slug).await? {
        if existing.name == name {
            return Ok(existing);
        }
        slug.push_str("-2");
    }
    let identity = RegionIdentity { name, slug, kind: parse_kind(&row.kind), province: clean_province(&row.province) };
    Ok(regions::insert(conn, &identity, profile, Some(row.source.trim())).await?)
}

async fn load_school(conn: &mut AnyConnection, region: &Region, row: &SchoolRow) -> Result<()> {
    let raw_name = row.school_as_named_in_source.split("[...]").next().unwrap_or_default();
    let is_lead = raw_name.contains("(penvoerder)");
    let name = raw_name.replace("(penvoerder)", "").trim().to_owned();
    let duo_code = row.duo_vestigingscode_candidates.split([';', ' ', '?']).find_map(DuoCode::parse);
    let existing = match &duo_code {
        Some(code) => organisations::by_duo_code(conn, code.as_str()).await?,
        None => None,
    };
    let org = match existing {
        Some(org) => org,
        None => {
            let candidates = row.duo_vestigingscode_candidates.trim();
            let note = if candidates.is_empty() {
                format!("Genoemd op {}. Geen DUO-code bekend.", row.source)
            } else {
                format!(
                    "Genoemd op {}. DUO-code op naam gekoppeld, niet geverifieerd (kandidaten: {candidates}).",
                    row.source
                )
            };
            let place = Some(row.place_in_source.trim().to_owned()).filter(|p| !p.is_empty());
            let draft = OrganisationDraft { name, kind: OrganisationKind::Vmbo, duo_code, place, website: None };
            organisations::insert(conn, &draft, Some(&note)).await?
        }
    };
    regions::add_member(conn, &region.id, &org.id).await?;
    if is_lead {
        regions::set_lead_applicant(conn, &region.id, Some(&org.id)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_the_research_names() {
        assert_eq!(clean_name("Zuid-Friesland (Heerenveen, Wolvega)"), "Zuid-Friesland");
        assert_eq!(clean_province("Drenthe / Overijssel"), "Drenthe");
        assert_eq!(clean_province("Caribisch Nederland (BES, not a province)"), "Caribisch Nederland");
        assert_eq!(parse_kind("techniekluwe (BES islands …)"), Some(RegionKind::LowTech));
        assert_eq!(parse_kind("unknown"), None);
        assert!(region_matches("Zuidoost Groningen / Oost-Groningen", "Zuidoost Groningen"));
        assert!(!region_matches("Utrechtse Heuvelrug", "Utrecht"));
        assert!(region_matches("Zwolle", "Regio Zwolle"));
        assert!(region_matches("Noordoost Overijssel", "Noordoost Overijssel / Vechtdal"));
        assert!(!region_matches("Zuid-Limburg", "Limburg"));
        assert_eq!(
            dutch_name("Region around Develstein College, Zwijndrecht"),
            "Regio rond Develstein College, Zwijndrecht"
        );
    }
}
