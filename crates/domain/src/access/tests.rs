//! The access policy, role by role.
use super::*;

fn actor(grants: &[(Role, Option<&str>)]) -> Actor {
    Actor {
        user_id: Some("u".into()),
        grants: grants
            .iter()
            .map(|(role, r)| Grant {
                role: *role,
                region_id: r.map(str::to_owned),
                organisation_id: None,
                signatory: false,
            })
            .collect(),
        system: false,
    }
}

#[test]
fn content_is_written_nationally_by_the_national_team_and_per_region_by_its_managers() {
    let national = actor(&[(Role::NationalAdmin, None)]);
    assert!(national.permits(Action::EditContent { region_id: None }));
    let manager = actor(&[(Role::RegionManager, Some("r1"))]);
    assert!(manager.permits(Action::EditContent { region_id: Some("r1") }));
    assert!(!manager.permits(Action::EditContent { region_id: Some("r2") }));
    assert!(!manager.permits(Action::EditContent { region_id: None }));
    let school = actor(&[(Role::SchoolContact, Some("r1"))]);
    assert!(!school.permits(Action::EditContent { region_id: Some("r1") }));
    assert!(school.permits(Action::ViewMembersContent));
    assert!(!Actor::anonymous().permits(Action::ViewMembersContent));
}

#[test]
fn the_funders_staff_and_the_ministry_read_every_region_and_change_nothing_of_it() {
    let region = "r1";
    for role in [Role::Assessor, Role::Observer] {
        let a = actor(&[(role, None)]);
        assert!(role.is_national());
        for read in [
            Action::ViewApplication { region_id: region },
            Action::ViewAllSchoolPlans { region_id: region },
            Action::ViewAllRecords { region_id: region },
            Action::ViewPayments { region_id: region },
            Action::ViewPortfolio,
            Action::ViewUsers { region_id: Some(region) },
            Action::ViewMembersContent,
            Action::UseAccount,
        ] {
            assert!(a.permits(read), "{role:?} reads {read:?}");
        }
        for write in [
            Action::EditApplication { region_id: region },
            Action::EditRegionProfile { region_id: region },
            Action::ManageMemberships { region_id: region },
            Action::ManageRegionIdentity,
            Action::CreateOrganisation,
            Action::EditOrganisation { member_of: &[String::from("r1")] },
            Action::InviteUser { role: Role::Partner, region_id: Some(region) },
            Action::WriteSchoolPlan { region_id: region, author_id: None, organisation_id: None },
            Action::RecordInRegion { region_id: region },
            Action::RecordWork { region_id: region, organisation_id: "o" },
            Action::RecordContribution { region_id: region, company_id: "c" },
            Action::EditContent { region_id: None },
            Action::EditRegionMaximums,
            Action::ReadOutbox,
            Action::ManageSecurity,
        ] {
            assert!(!a.permits(write), "{role:?} may not {write:?}");
        }
    }
    // The assessment is the funder's: the staff assess, the ministry reads, nobody else sees it.
    let assessor = actor(&[(Role::Assessor, None)]);
    let ministry = actor(&[(Role::Observer, None)]);
    assert!(assessor.permits(Action::Assess) && assessor.permits(Action::ViewAssessment));
    assert!(!ministry.permits(Action::Assess) && ministry.permits(Action::ViewAssessment));
    for other in [Role::NationalAdmin, Role::RegionManager, Role::LeadApplicant, Role::SchoolContact, Role::Partner] {
        let a = actor(&[(other, (!other.is_national()).then_some(region))]);
        assert!(!a.permits(Action::Assess) && !a.permits(Action::ViewAssessment), "{other:?}");
    }
    // Only the national team hands these roles out.
    let national = actor(&[(Role::NationalAdmin, None)]);
    let manager = actor(&[(Role::RegionManager, Some(region))]);
    for role in [Role::Assessor, Role::Observer] {
        assert!(national.permits(Action::InviteUser { role, region_id: None }));
        assert!(!manager.permits(Action::InviteUser { role, region_id: Some(region) }));
        assert_eq!(Role::parse(role.code()), Some(role));
    }
}

#[test]
fn the_national_team_keeps_the_maximums_and_the_region_sees_its_payments() {
    let national = actor(&[(Role::NationalAdmin, None)]);
    assert!(national.permits(Action::EditRegionMaximums) && national.permits(Action::ViewPayments { region_id: "r1" }));
    assert!(national.permits(Action::ViewPortfolio));
    for (role, sees) in
        [(Role::RegionManager, true), (Role::LeadApplicant, true), (Role::SchoolContact, false), (Role::Partner, false)]
    {
        let a = actor(&[(role, Some("r1"))]);
        assert_eq!(a.permits(Action::ViewPayments { region_id: "r1" }), sees, "{role:?}");
        assert!(!a.permits(Action::ViewPayments { region_id: "r2" }), "{role:?} in another region");
        assert!(!a.permits(Action::EditRegionMaximums), "{role:?}");
        assert!(!a.permits(Action::ViewPortfolio), "{role:?}: the portfolio is national");
    }
}

#[test]
fn anonymous_may_do_nothing() {
    let a = Actor::anonymous();
    assert_eq!(a.require(Action::UseAccount), Err(Denied::NotSignedIn));
    assert!(!a.permits(Action::EditRegionProfile { region_id: "r1" }));
}

#[test]
fn national_admin_may_do_everything() {
    let a = actor(&[(Role::NationalAdmin, None)]);
    assert!(a.permits(Action::ManageRegionIdentity));
    assert!(a.permits(Action::ArchiveRegion));
    assert!(a.permits(Action::InviteUser { role: Role::NationalAdmin, region_id: None }));
    assert!(a.permits(Action::EditRegionProfile { region_id: "any" }));
}

#[test]
fn region_manager_is_bound_to_own_regions() {
    let a = actor(&[(Role::RegionManager, Some("r1")), (Role::Partner, Some("r2"))]);
    assert!(a.permits(Action::EditRegionProfile { region_id: "r1" }));
    assert!(a.permits(Action::ManageMemberships { region_id: "r1" }));
    assert!(!a.permits(Action::EditRegionProfile { region_id: "r2" }));
    assert!(!a.permits(Action::ManageRegionIdentity));
    assert!(!a.permits(Action::ArchiveRegion));
    assert!(a.permits(Action::CreateOrganisation));
    assert!(a.permits(Action::EditOrganisation { member_of: &["r1".into()] }));
    // An organisation another region shares (an mbo) is the national team's to rename.
    assert!(!a.permits(Action::EditOrganisation { member_of: &["r2".into(), "r1".into()] }));
    assert!(!a.permits(Action::EditOrganisation { member_of: &["r2".into()] }));
    assert!(!a.permits(Action::EditOrganisation { member_of: &[] }));
    let national = actor(&[(Role::NationalAdmin, None)]);
    assert!(national.permits(Action::EditOrganisation { member_of: &["r2".into(), "r1".into()] }));
}

#[test]
fn region_manager_invites_only_lower_roles_in_own_region() {
    let a = actor(&[(Role::RegionManager, Some("r1"))]);
    assert!(a.permits(Action::InviteUser { role: Role::SchoolContact, region_id: Some("r1") }));
    assert!(!a.permits(Action::InviteUser { role: Role::SchoolContact, region_id: Some("r2") }));
    assert!(!a.permits(Action::InviteUser { role: Role::RegionManager, region_id: Some("r1") }));
    assert!(!a.permits(Action::InviteUser { role: Role::NationalAdmin, region_id: None }));
}

#[test]
fn applications_are_written_by_manager_and_lead_applicant_and_read_by_the_region() {
    let edit = |a: &Actor, r| a.permits(Action::EditApplication { region_id: r });
    let view = |a: &Actor, r| a.permits(Action::ViewApplication { region_id: r });
    for role in [Role::RegionManager, Role::LeadApplicant] {
        let a = actor(&[(role, Some("r1"))]);
        assert!(edit(&a, "r1") && view(&a, "r1"));
        assert!(!edit(&a, "r2") && !view(&a, "r2"));
    }
    for role in [Role::SchoolContact, Role::Partner] {
        let a = actor(&[(role, Some("r1"))]);
        assert!(view(&a, "r1") && !edit(&a, "r1"));
        assert!(!view(&a, "r2"));
    }
    let admin = actor(&[(Role::NationalAdmin, None)]);
    assert!(view(&admin, "r1") && !edit(&admin, "r1"));
    assert!(!view(&Actor::anonymous(), "r1"));
}

#[test]
fn school_contacts_write_their_own_plans_and_managers_all_of_their_region() {
    let write = |a: &Actor, author| {
        a.permits(Action::WriteSchoolPlan { region_id: "r1", author_id: author, organisation_id: None })
    };
    let contact = actor(&[(Role::SchoolContact, Some("r1"))]);
    assert!(write(&contact, None) && write(&contact, Some("u")) && !write(&contact, Some("v")));
    // For a school, a contact writes only as that school's contact.
    let mut own = contact.clone();
    own.grants[0].organisation_id = Some("school-a".into());
    let for_school = |a: &Actor, org| {
        a.permits(Action::WriteSchoolPlan { region_id: "r1", author_id: Some("u"), organisation_id: Some(org) })
    };
    assert!(for_school(&own, "school-a") && !for_school(&own, "school-b") && !for_school(&contact, "school-a"));
    assert!(!contact.permits(Action::ViewAllSchoolPlans { region_id: "r1" }));
    let pm = actor(&[(Role::RegionManager, Some("r1"))]);
    assert!(
        !write(&pm, Some("v")) && write(&pm, Some("u")) && pm.permits(Action::ViewAllSchoolPlans { region_id: "r1" })
    );
    assert!(for_school(&pm, "school-b"));
    let admin = actor(&[(Role::NationalAdmin, None)]);
    assert!(!write(&admin, None) && admin.permits(Action::ViewAllSchoolPlans { region_id: "r1" }));
    assert!(admin.permits(Action::ReadOutbox) && !pm.permits(Action::ReadOutbox));
    assert!(!write(&actor(&[(Role::Partner, Some("r1"))]), None));
}

#[test]
fn schools_record_their_own_work_and_partners_their_own_contributions() {
    let with_org = |role: Role, org: &str| Actor {
        user_id: Some("u".into()),
        grants: vec![Grant { role, region_id: Some("r1".into()), organisation_id: Some(org.into()), signatory: false }],
        system: false,
    };
    let work = |a: &Actor, org| a.permits(Action::RecordWork { region_id: "r1", organisation_id: org });
    let give = |a: &Actor, org| a.permits(Action::RecordContribution { region_id: "r1", company_id: org });
    let school = with_org(Role::SchoolContact, "vmbo-1");
    assert!(work(&school, "vmbo-1") && !work(&school, "vmbo-2") && !give(&school, "vmbo-1"));
    assert!(!school.permits(Action::ViewAllRecords { region_id: "r1" }));
    let partner = with_org(Role::Partner, "bedrijf-1");
    assert!(give(&partner, "bedrijf-1") && !give(&partner, "bedrijf-2") && !work(&partner, "bedrijf-1"));
    let pm = actor(&[(Role::RegionManager, Some("r1"))]);
    assert!(work(&pm, "vmbo-2") && give(&pm, "bedrijf-1") && pm.permits(Action::ViewAllRecords { region_id: "r1" }));
    assert!(!pm.permits(Action::RecordWork { region_id: "r2", organisation_id: "vmbo-1" }));
    let admin = actor(&[(Role::NationalAdmin, None)]);
    assert!(!work(&admin, "vmbo-1") && admin.permits(Action::ViewAllRecords { region_id: "r1" }));
}

#[test]
fn invitable_roles_follow_the_policy() {
    assert_eq!(actor(&[(Role::NationalAdmin, None)]).invitable_roles(), Role::ALL.to_vec());
    let pm = actor(&[(Role::RegionManager, Some("r1"))]);
    assert_eq!(pm.invitable_roles(), vec![Role::LeadApplicant, Role::SchoolContact, Role::Partner]);
    assert!(pm.may_invite_in("r1") && !pm.may_invite_in("r2"));
    assert!(actor(&[(Role::Partner, Some("r1"))]).invitable_roles().is_empty());
}

#[test]
fn other_roles_only_use_their_account() {
    for role in [Role::LeadApplicant, Role::SchoolContact, Role::Partner] {
        let a = actor(&[(role, Some("r1"))]);
        assert!(a.permits(Action::UseAccount));
        assert!(!a.permits(Action::EditRegionProfile { region_id: "r1" }));
        assert!(!a.permits(Action::ManageMemberships { region_id: "r1" }));
        assert!(!a.permits(Action::CreateOrganisation));
        assert_eq!(a.require(Action::ArchiveRegion), Err(Denied::Forbidden));
    }
}
