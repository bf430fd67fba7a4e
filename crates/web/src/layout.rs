//! Page templates (askama; every value is escaped) and the small view models they show.

use crate::session::Ctx;
use services::regions::RegionSummary;

/// What every page's frame needs: title, who is signed in, and the CSRF token for forms.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub csrf: String,
    /// Which top navigation item is current.
    pub nav: &'static str,
    /// Feeds of what the page lists, announced in its head so feed readers and calendars find them.
    pub feeds: Vec<FeedLink>,
}

/// A feed a page announces with `<link rel="alternate">`.
#[derive(Debug, Clone)]
pub struct FeedLink {
    pub title: String,
    pub href: String,
    pub mime: &'static str,
}

impl Layout {
    pub fn new(title: impl Into<String>, ctx: &Ctx, nav: &'static str) -> Layout {
        Layout {
            title: title.into(),
            user_name: ctx.actor.is_signed_in().then(|| ctx.user_name.clone().unwrap_or_default()),
            csrf: ctx.csrf.clone().unwrap_or_default(),
            nav,
            feeds: Vec::new(),
        }
    }

    /// The page announces its news as Atom at `href`.
    pub fn with_atom(mut self, title: impl Into<String>, href: impl Into<String>) -> Layout {
        self.feeds.push(FeedLink { title: title.into(), href: href.into(), mime: "application/atom+xml" });
        self
    }

    /// The page announces its agenda as iCalendar at `href`.
    pub fn with_calendar(mut self, title: impl Into<String>, href: impl Into<String>) -> Layout {
        self.feeds.push(FeedLink { title: title.into(), href: href.into(), mime: "text/calendar" });
        self
    }

    pub fn bare(title: &str) -> Layout {
        Layout { title: title.to_owned(), ..Layout::default() }
    }

    pub fn is(&self, nav: &str) -> bool {
        self.nav == nav
    }

    /// A static file's address with its content hash, kept by browsers until the file changes.
    pub fn asset(&self, name: &str) -> String {
        crate::statics::url(name)
    }
}

/// A rule check's verdict as a badge: its word and its colour class.
pub fn finding_mark(f: &domain::regulation::check::Finding) -> (&'static str, &'static str) {
    use domain::regulation::Severity;
    match (f.applicable, f.passed, f.severity) {
        (false, _, _) => ("n.v.t.", "neutral"),
        (true, true, _) => ("Voldoet", "success"),
        (true, false, Severity::Blocking) => ("Voldoet niet", "danger"),
        (true, false, Severity::Warning) => ("Let op", "warning"),
    }
}

pub struct RegionItem {
    pub slug: String,
    pub name: String,
    pub kind: &'static str,
    pub members: i64,
}

/// Regions under one province heading, as the region lists show them.
pub struct ProvinceGroup {
    pub name: String,
    pub id: String,
    pub regions: Vec<RegionItem>,
}

/// Regions grouped by province, in the order people expect the provinces.
pub fn by_province(list: Vec<RegionSummary>) -> Vec<ProvinceGroup> {
    use domain::region::PROVINCES;
    let mut groups: std::collections::BTreeMap<usize, ProvinceGroup> = std::collections::BTreeMap::new();
    for s in list {
        let order = PROVINCES.iter().position(|p| *p == s.province).unwrap_or(PROVINCES.len());
        let group = groups.entry(order).or_insert_with(|| ProvinceGroup {
            id: format!("provincie-{}", domain::slugify(&s.province)),
            name: s.province.clone(),
            regions: Vec::new(),
        });
        group.regions.push(RegionItem {
            slug: s.slug,
            name: s.name,
            kind: domain::region::kind_label(s.kind),
            members: s.members,
        });
    }
    groups.into_values().collect()
}

pub struct GrantView {
    pub role: &'static str,
    pub region: String,
    pub slug: String,
    /// A region manager: the region's targets and its news are theirs to keep.
    pub manages: bool,
    /// The funder's staff or the ministry: the applications at the funder are theirs to see.
    pub funder: bool,
    /// May sign for the organisation the role is held for.
    pub signatory: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// A filter's choices: "Alle" (no filter) first, then the (value, label) pairs.
    pub fn filter(all: impl Iterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
        std::iter::once(Choice { value: String::new(), label: "Alle".into(), selected: current.is_empty() })
            .chain(all.map(|(value, label)| Choice { selected: value == current, value, label }))
            .collect()
    }

    /// Choices from (value, label) pairs.
    pub fn pairs(items: impl IntoIterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
        items.into_iter().map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
    }

    /// Budget years, the current one chosen (or, before or after the period, its nearest year):
    /// a new line is for now, not for a year already past.
    pub fn years(years: impl IntoIterator<Item = i16>, current: i16) -> Vec<Choice> {
        let years: Vec<i16> = years.into_iter().collect();
        let chosen = years.iter().copied().find(|y| *y >= current).or(years.last().copied());
        years
            .into_iter()
            .map(|y| Choice { value: y.to_string(), label: y.to_string(), selected: Some(y) == chosen })
            .collect()
    }

    pub fn list<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, current: &str) -> Vec<Choice> {
        items
            .into_iter()
            .map(|(v, l)| Choice { value: v.to_owned(), label: l.to_owned(), selected: v == current })
            .collect()
    }

    /// An application's (or plan's) activities.
    pub fn activities(activities: &[domain::regulation::application::Activity]) -> Vec<Choice> {
        activities.iter().map(|a| Choice { value: a.id.clone(), label: a.title.clone(), selected: false }).collect()
    }

    /// The regulation's cost categories that `keep` admits.
    pub fn categories(
        reg: &domain::regulation::Regulation,
        keep: impl Fn(&domain::regulation::Category) -> bool,
    ) -> Vec<Choice> {
        reg.categories
            .iter()
            .filter(|c| keep(c))
            .map(|c| Choice { value: c.id.clone(), label: c.label.clone(), selected: false })
            .collect()
    }
}

/// An instant stored as Unix milliseconds, in Dutch ("2 december 2026 om 05:52").
pub(crate) fn ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(domain::fmt::instant_nl).unwrap_or_default()
}

pub(crate) fn grant_views(grants: &[domain::Grant], regions: &[RegionSummary]) -> Vec<GrantView> {
    grants
        .iter()
        .map(|g| {
            let region = g.region_id.as_ref().and_then(|id| regions.iter().find(|r| &r.id == id));
            GrantView {
                role: g.role.label(),
                region: region.map(|r| r.name.clone()).unwrap_or_default(),
                slug: region.map(|r| r.slug.clone()).unwrap_or_default(),
                manages: g.role == domain::Role::RegionManager && region.is_some(),
                funder: matches!(g.role, domain::Role::Assessor | domain::Role::Observer),
                signatory: g.signatory,
            }
        })
        .collect()
}

pub(crate) fn ms_to_timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}
