//! Page templates of this feature and the view models they show.

use crate::layout::GrantView;
use crate::layout::Layout;
use crate::layout::ProvinceGroup;
use askama::Template;
use domain::FieldErrors;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub l: Layout,
    pub email: String,
    pub error: Option<String>,
    /// What the previous step left to say (a new password saved, signed out everywhere).
    pub notice: Option<String>,
    /// The single sign-on providers: (id, the button's text).
    pub providers: Vec<(String, String)>,
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
    /// What waits for this person, most urgent first.
    pub tasks: Vec<services::todo::Task>,
    pub grants: Vec<GrantView>,
    /// The regions one manages, by province (narrowed by `region_filter`), and how many in all.
    pub regions: Vec<ProvinceGroup>,
    pub region_count: usize,
    pub region_filter: String,
    pub is_admin: bool,
    pub can_invite: bool,
    pub tokens: Vec<TokenView>,
    /// Single sign-on providers are configured (the page on linking them is worth a link).
    pub has_sso: bool,
    pub new_token: Option<String>,
    pub token_error: Option<String>,
}
