//! Page templates of this feature and the view models they show.

use crate::layout::Choice;
use crate::layout::GrantView;
use crate::layout::Layout;
use askama::Template;
use domain::FieldErrors;

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

/// A role held for an organisation, and whether its holder may sign for it.
pub struct SigningView {
    pub role: &'static str,
    pub role_label: &'static str,
    pub region_id: String,
    pub organisation_id: String,
    pub organisation: String,
    pub signatory: bool,
}

pub struct UserView {
    pub name: String,
    pub email: String,
    pub grants: Vec<GrantView>,
    /// Roles held for an organisation in a region where the actor may mark signatories.
    pub signing: Vec<SigningView>,
    /// Two-factor sign-in is on (shown to the national team, who can reset it).
    pub two_factor: bool,
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
    /// The address an invitation was just mailed to.
    pub invited: Option<String>,
    pub granted: bool,
    /// No mail server is set: mail waits in the outbox.
    pub outbox: bool,
    pub notice: Option<String>,
    /// For the national team: whether two-factor sign-in is required of national roles that decide.
    pub two_factor_required: Option<bool>,
}
