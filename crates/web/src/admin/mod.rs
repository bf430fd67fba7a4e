//! The signed-in management pages ("Mijn Sterk"): regions, memberships, organisations, users.

pub mod coverage;
pub mod members;

pub mod organisations;

pub mod regions;

pub mod users;

mod views;

use crate::admin::views::MemberView;

pub(crate) fn member_view(o: &domain::Organisation, lead: Option<&str>) -> MemberView {
    MemberView {
        id: o.id.clone(),
        name: o.name.clone(),
        kind: o.kind.label(),
        place: o.place.clone().unwrap_or_default(),
        duo_code: o.duo_code.clone().unwrap_or_default(),
        is_lead: lead == Some(o.id.as_str()),
        can_lead: o.kind.may_lead(),
    }
}
