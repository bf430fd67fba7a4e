//! Page templates (askama; every value is escaped) and the small view models they show.

use askama::Template;
use domain::FieldErrors;

use crate::session::Ctx;

/// What every page's frame needs: title, who is signed in, and the CSRF token for forms.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub csrf: String,
    /// Which top navigation item is current.
    pub nav: &'static str,
}

impl Layout {
    pub fn new(title: impl Into<String>, ctx: &Ctx, nav: &'static str) -> Layout {
        Layout {
            title: title.into(),
            user_name: ctx.actor.is_signed_in().then(|| ctx.user_name.clone().unwrap_or_default()),
            csrf: ctx.csrf.clone().unwrap_or_default(),
            nav,
        }
    }

    pub fn bare(title: &str) -> Layout {
        Layout { title: title.to_owned(), ..Layout::default() }
    }

    pub fn is(&self, nav: &str) -> bool {
        self.nav == nav
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub l: Layout,
    pub title: &'a str,
    pub message: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub l: Layout,
    pub regions: String,
    pub provinces: usize,
    pub schools: String,
}

pub struct RegionItem {
    pub slug: String,
    pub name: String,
    pub kind: &'static str,
    pub members: i64,
}

pub struct ProvinceGroup {
    pub name: String,
    pub id: String,
    pub regions: Vec<RegionItem>,
}

#[derive(Template)]
#[template(path = "regions.html")]
pub struct RegionsPage {
    pub l: Layout,
    pub groups: Vec<ProvinceGroup>,
    pub total: usize,
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
    pub beeld: Option<crate::monitor::InBeeld>,
    /// Pupils in years 3 and 4, when DUO's pupils file was imported.
    pub pupils: Option<crate::monitor::PupilsView>,
    /// Where the region stands among all regions on the share of techniek: (rank, of).
    pub rank: Option<(usize, usize)>,
    /// The region's own baseline and targets next to the figures.
    pub rows: Vec<crate::monitor::TargetRow>,
    pub target_charts: Vec<crate::monitor::LineChart>,
    /// The region's own news and coming events.
    pub news: Vec<crate::content::ItemView>,
    pub events: Vec<crate::content::EntryView>,
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
}

#[derive(Template)]
#[template(path = "schools.html")]
pub struct SchoolsPage {
    pub l: Layout,
    pub q: String,
    pub hits: Vec<HitView>,
    pub limited: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub email: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub l: Layout,
    pub errors: FieldErrors,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage {
    pub l: Layout,
    pub email: String,
    pub role: &'static str,
    pub region: String,
    pub name: String,
    pub errors: FieldErrors,
}

pub struct GrantView {
    pub role: &'static str,
    pub region: String,
    pub slug: String,
}

pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    /// When the key was last used, or "nog niet gebruikt".
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "beheer/dashboard.html")]
pub struct Dashboard {
    pub l: Layout,
    pub grants: Vec<GrantView>,
    pub regions: Vec<RegionItem>,
    pub is_admin: bool,
    pub can_invite: bool,
    pub tokens: Vec<TokenView>,
    pub new_token: Option<String>,
    pub token_error: Option<String>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
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

pub struct HistoryView {
    pub when: String,
    pub who: String,
    pub what: &'static str,
}

#[derive(Template)]
#[template(path = "beheer/region.html")]
pub struct RegionForm {
    pub l: Layout,
    pub history: Vec<HistoryView>,
    pub is_new: bool,
    pub slug: String,
    pub name: String,
    pub version: i64,
    pub archived: bool,
    pub is_admin: bool,
    pub identity: domain::region::RegionIdentityInput,
    pub kinds: Vec<Choice>,
    pub provinces: Vec<Choice>,
    pub profile: domain::region::RegionProfileInput,
    pub errors: FieldErrors,
    pub saved: bool,
    pub conflict: bool,
}

pub struct MemberView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub place: String,
    pub duo_code: String,
    pub is_lead: bool,
    pub can_lead: bool,
}

#[derive(Template)]
#[template(path = "beheer/members.html")]
pub struct MembersPage {
    pub l: Layout,
    pub slug: String,
    pub name: String,
    pub members: Vec<MemberView>,
    pub q: String,
    pub candidates: Vec<MemberView>,
    pub message: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "beheer/organisations.html")]
pub struct OrganisationsPage {
    pub l: Layout,
    pub q: String,
    pub organisations: Vec<MemberView>,
    pub can_create: bool,
}

#[derive(Template)]
#[template(path = "beheer/organisation.html")]
pub struct OrganisationForm {
    pub l: Layout,
    pub id: Option<String>,
    pub input: domain::organisation::OrganisationInput,
    pub kinds: Vec<Choice>,
    pub errors: FieldErrors,
    pub saved: bool,
    pub note: Option<String>,
}

pub struct UserView {
    pub name: String,
    pub email: String,
    pub grants: Vec<GrantView>,
}

#[derive(Template)]
#[template(path = "beheer/users.html")]
pub struct UsersPage {
    pub l: Layout,
    pub users: Vec<UserView>,
    pub roles: Vec<Choice>,
    pub regions: Vec<Choice>,
    /// Organisations of the regions the actor may invite in, for a school contact or partner.
    pub organisations: Vec<Choice>,
    pub input: services::users::InviteInput,
    pub errors: FieldErrors,
    pub invite_link: Option<String>,
    pub granted: bool,
}

pub struct RegulationItem {
    pub id: String,
    pub title: String,
    pub years: String,
}

#[derive(Template)]
#[template(path = "regulation_index.html")]
pub struct RegulationIndex {
    pub l: Layout,
    pub items: Vec<RegulationItem>,
}

pub struct ParamValueView {
    pub valid_from: String,
    pub value: String,
    pub source: String,
    pub verified: bool,
    pub note: Option<String>,
}

pub struct ParameterView {
    pub id: String,
    pub label: String,
    pub values: Vec<ParamValueView>,
}

pub struct PhaseView {
    pub id: String,
    pub label: String,
    pub window: String,
    pub years: String,
    pub source: String,
    pub verified: bool,
    pub note: Option<String>,
}

pub struct RuleView {
    pub id: String,
    pub title: String,
    pub blocking: bool,
    pub source: String,
    pub not_in: String,
}

#[derive(Template)]
#[template(path = "regulation.html")]
pub struct RegulationPage {
    pub l: Layout,
    pub id: String,
    pub title: String,
    pub citation: String,
    pub url: String,
    pub in_force: String,
    pub years: String,
    pub parameters: Vec<ParameterView>,
    pub phases: Vec<PhaseView>,
    /// (id, label, source)
    pub themes: Vec<(String, String, String)>,
    /// (id, label, rule, source, verified)
    pub categories: Vec<(String, String, String, String, bool)>,
    pub rules: Vec<RuleView>,
    /// (region, maximum, example)
    pub maximums: Vec<(String, String, bool)>,
}

/// An instant stored as Unix milliseconds, in Dutch ("2 december 2026 om 05:52").
pub(crate) fn ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(domain::fmt::instant_nl).unwrap_or_default()
}
