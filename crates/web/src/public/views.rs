//! Page templates of this feature and the view models they show.

use crate::layout::Layout;
use crate::layout::ProvinceGroup;
use askama::Template;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub l: Layout,
    pub regions: String,
    pub provinces: usize,
    pub schools: String,
}

#[derive(Template)]
#[template(path = "regions.html")]
pub struct RegionsPage {
    pub l: Layout,
    pub groups: Vec<ProvinceGroup>,
    pub total: usize,
    pub map: crate::map::MapView,
    /// Regions with members but no municipality known yet, so not on the map.
    pub off_map: Vec<RegionLink>,
    /// The municipality asked about, and the answers.
    pub gemeente: String,
    pub municipalities: Vec<MunicipalityView>,
}

pub struct OrgItem {
    pub name: String,
    pub kind: &'static str,
    pub place: String,
    pub duo_code: String,
    pub is_lead: bool,
}

#[derive(Template)]
#[template(path = "region.html")]
pub struct RegionView {
    pub l: Layout,
    pub slug: String,
    pub name: String,
    pub kind: &'static str,
    pub province: String,
    pub paragraphs: Vec<String>,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub tags: Vec<String>,
    pub lead: Option<String>,
    pub schools: Vec<OrgItem>,
    pub partners: Vec<OrgItem>,
    pub sources: Vec<Source>,
    pub archived: bool,
    pub can_edit: bool,
    /// "Regio in beeld": its indicators from open data, when there are any.
    pub beeld: Option<crate::indicators::InBeeld>,
    /// Pupils in years 3 and 4, when DUO's pupils file was imported.
    pub pupils: Option<crate::indicators::PupilsView>,
    /// Where the region stands among all regions on the share of techniek: (rank, of).
    pub rank: Option<(usize, usize)>,
    /// The region's own baseline and targets next to the figures.
    pub rows: Vec<crate::indicators::TargetRow>,
    pub target_charts: Vec<crate::indicators::LineChart>,
    /// The region's own news and coming events.
    pub news: Vec<crate::cards::ItemView>,
    pub events: Vec<crate::cards::EntryView>,
    /// The funder's decisions as open data; `None` while they are not published.
    pub decisions: Option<Vec<DecisionView>>,
    /// The results the region reports itself; `None` while it reported none.
    pub results: Option<crate::indicators::ResultsTable>,
}

/// A published decision: phase, reference, date, outcome, (year, amount) and the total.
pub struct DecisionView {
    pub phase: String,
    pub reference: String,
    pub decided_on: String,
    pub outcome: &'static str,
    pub amounts: Vec<(i16, String)>,
    pub total: String,
}

impl DecisionView {
    pub fn of(d: &services::open_data::PublishedDecision) -> DecisionView {
        DecisionView {
            phase: d.phase_label.clone(),
            reference: d.reference.clone(),
            decided_on: domain::fmt::date_nl(d.decided_on),
            outcome: d.outcome.label(),
            amounts: d.amounts.iter().map(|(y, a)| (*y, domain::fmt::euro_nl(*a))).collect(),
            total: domain::fmt::euro_nl(d.total),
        }
    }
}

/// A source reference: a link when it is a web address, else text.
pub struct Source {
    pub text: String,
    pub href: Option<String>,
}

impl Source {
    pub fn parse_all(raw: &str) -> Vec<Source> {
        raw.split(" ; ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let url = s.split_whitespace().next().unwrap_or_default();
                let href = (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_owned());
                Source { text: s.to_owned(), href }
            })
            .collect()
    }
}

pub struct HitView {
    pub name: String,
    pub place: String,
    pub duo_code: String,
    pub region_slug: Option<String>,
    pub region_name: String,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_email: Option<String>,
    /// Where the school takes part nowhere: the regions covering its municipality.
    pub covering: Vec<RegionLink>,
}

/// A region named with a link to its page.
pub struct RegionLink {
    pub slug: String,
    pub name: String,
}

impl RegionLink {
    pub fn of(r: &services::regions::RegionSummary) -> Self {
        Self { slug: r.slug.clone(), name: r.name.clone() }
    }
}

/// A municipality and the regions covering it.
pub struct MunicipalityView {
    pub name: String,
    pub regions: Vec<RegionLink>,
}

impl MunicipalityView {
    pub fn of(m: &services::coverage::MunicipalityAnswer) -> Self {
        Self { name: m.municipality.name.clone(), regions: m.regions.iter().map(RegionLink::of).collect() }
    }
}

#[derive(Template)]
#[template(path = "schools.html")]
pub struct SchoolsPage {
    pub l: Layout,
    pub q: String,
    pub hits: Vec<HitView>,
    pub limited: bool,
    pub municipalities: Vec<MunicipalityView>,
}
