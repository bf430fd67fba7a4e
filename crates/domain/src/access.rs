//! The access policy: who may do what, as one pure function the services enforce.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    NationalAdmin,
    RegionManager,
    LeadApplicant,
    SchoolContact,
    Partner,
    /// The funder's staff (DUS-I, for the ministry): reads every region; assesses and decides.
    Assessor,
    /// The ministry: reads everything, changes nothing.
    Observer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::NationalAdmin,
        Role::RegionManager,
        Role::LeadApplicant,
        Role::SchoolContact,
        Role::Partner,
        Role::Assessor,
        Role::Observer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::NationalAdmin => "national_admin",
            Role::RegionManager => "region_manager",
            Role::LeadApplicant => "lead_applicant",
            Role::SchoolContact => "school_contact",
            Role::Partner => "partner",
            Role::Assessor => "assessor",
            Role::Observer => "observer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::NationalAdmin => "Landelijk beheerder",
            Role::RegionManager => "Programmamanager",
            Role::LeadApplicant => "Penvoerder",
            Role::SchoolContact => "Contactpersoon school",
            Role::Partner => "Partner",
            Role::Assessor => "Beoordelaar (DUS-I)",
            Role::Observer => "Waarnemer (ministerie)",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// National roles hold for every region; all others are held in one region.
    pub fn is_national(self) -> bool {
        matches!(self, Role::NationalAdmin | Role::Assessor | Role::Observer)
    }
}

/// One role held by a user, in one region (or nationally), for one organisation where it
/// matters (a school contact's school, a partner's company).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub region_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<String>,
}

/// Who is acting: a signed-in user with their grants, or an anonymous visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub grants: Vec<Grant>,
    /// The operator at the server's command line: may do everything; logged as "Systeem".
    pub system: bool,
}

/// Everything the policy can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Create a region or change its name, web address, type or province.
    ManageRegionIdentity,
    ArchiveRegion,
    /// Edit a region's description, contacts and theme tags.
    EditRegionProfile {
        region_id: &'a str,
    },
    /// Add or remove organisations in a region, and choose its lead applicant.
    ManageMemberships {
        region_id: &'a str,
    },
    CreateOrganisation,
    /// Edit an organisation; `member_of` lists the regions it takes part in.
    EditOrganisation {
        member_of: &'a [String],
    },
    InviteUser {
        role: Role,
        region_id: Option<&'a str>,
    },
    /// See the users of a region (or, with `None`, all users).
    ViewUsers {
        region_id: Option<&'a str>,
    },
    /// Use the signed-in part of the site: dashboard, password, API tokens.
    UseAccount,
    /// Read a region's applications, drafts included.
    ViewApplication {
        region_id: &'a str,
    },
    /// Change, submit or import a region's application.
    EditApplication {
        region_id: &'a str,
    },
    /// See every school plan of a region (others see only the plans they wrote).
    ViewAllSchoolPlans {
        region_id: &'a str,
    },
    /// Write a school plan in a region: a new one (`author_id` `None`) or an existing one, for
    /// `organisation_id` (a school contact writes for the own school only; `None` asks whether
    /// the actor may write for any school of the region).
    WriteSchoolPlan {
        region_id: &'a str,
        author_id: Option<&'a str>,
        organisation_id: Option<&'a str>,
    },
    /// Read every notification, including the outbox of mail not sent.
    ReadOutbox,
    /// Record hours, invoices, equipment or milestone progress for an organisation's work.
    RecordWork {
        region_id: &'a str,
        organisation_id: &'a str,
    },
    /// Record anything in a region: the question asked before an upload or import is read.
    RecordInRegion {
        region_id: &'a str,
    },
    /// Record a company's co-financing contribution.
    RecordContribution {
        region_id: &'a str,
        company_id: &'a str,
    },
    /// See everything the region recorded (others see what their organisation recorded).
    ViewAllRecords {
        region_id: &'a str,
    },
    /// Write the knowledge base's news, agenda, questions, documents and inspiration: national
    /// (`None`, the national team) or one region's (its managers).
    EditContent {
        region_id: Option<&'a str>,
    },
    /// See documents for members only: anyone signed in to the programme.
    ViewMembersContent,
    /// See the funder's assessment of a region's application: the scores, the advice and the
    /// work queue (the funder's staff and the ministry; the region sees the state and decision).
    ViewAssessment,
    /// Score, advise, decide and keep the payment register (the funder's staff).
    Assess,
    /// Set a region's maximum in the table of annex 3 (the national team).
    EditRegionMaximums,
    /// See a region's payments: planned and received (the region's managers and lead applicant,
    /// the national team, the funder's staff and the ministry).
    ViewPayments {
        region_id: &'a str,
    },
}

/// Roles a region manager may hand out within their own region.
const DELEGABLE_BY_REGION_MANAGER: [Role; 3] = [Role::LeadApplicant, Role::SchoolContact, Role::Partner];

impl Actor {
    pub fn anonymous() -> Actor {
        Actor::default()
    }

    pub fn system() -> Actor {
        Actor { system: true, ..Actor::default() }
    }

    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    pub fn is_national_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::NationalAdmin)
    }

    /// The funder's staff: they assess, decide and pay, in every region.
    pub fn is_assessor(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Assessor)
    }

    /// The funder's staff, independent of the region: no grant of their own in it.
    pub fn assesses(&self, region_id: &str) -> bool {
        self.is_assessor() && !self.grants.iter().any(|g| g.region_id.as_deref() == Some(region_id))
    }

    pub fn has_role_in(&self, role: Role, region_id: &str) -> bool {
        self.grants.iter().any(|g| g.role == role && g.region_id.as_deref() == Some(region_id))
    }

    /// Whether the actor holds `role` in `region_id` for `organisation_id`.
    pub fn acts_for(&self, role: Role, region_id: &str, organisation_id: &str) -> bool {
        self.grants.iter().any(|g| {
            g.role == role
                && g.region_id.as_deref() == Some(region_id)
                && g.organisation_id.as_deref() == Some(organisation_id)
        })
    }

    /// Regions in which the actor is region manager.
    pub fn managed_regions(&self) -> impl Iterator<Item = &str> {
        self.grants.iter().filter(|g| g.role == Role::RegionManager).filter_map(|g| g.region_id.as_deref())
    }

    pub fn permits(&self, action: Action<'_>) -> bool {
        if self.system {
            return true;
        }
        if !self.is_signed_in() {
            return false;
        }
        if self.is_national_admin() {
            // The national team sees every region's applications and plans but does not write them.
            return !matches!(
                action,
                Action::ViewAssessment
                    | Action::Assess
                    | Action::EditApplication { .. }
                    | Action::WriteSchoolPlan { .. }
                    | Action::RecordWork { .. }
                    | Action::RecordContribution { .. }
                    | Action::RecordInRegion { .. }
            );
        }
        // The funder's staff and the ministry read every region; what they may change besides
        // (the assessment, the decision, payments) is theirs alone, below.
        let reads_everything = self.grants.iter().any(|g| matches!(g.role, Role::Assessor | Role::Observer));
        if reads_everything
            && matches!(
                action,
                Action::ViewAssessment
                    | Action::ViewApplication { .. }
                    | Action::ViewAllSchoolPlans { .. }
                    | Action::ViewAllRecords { .. }
                    | Action::ViewPayments { .. }
                    | Action::ViewUsers { .. }
            )
        {
            return true;
        }
        let manages = |region_id: &str| self.has_role_in(Role::RegionManager, region_id);
        match action {
            Action::ManageRegionIdentity | Action::ArchiveRegion => false,
            Action::EditRegionProfile { region_id } | Action::ManageMemberships { region_id } => manages(region_id),
            Action::CreateOrganisation => self.managed_regions().next().is_some(),
            // Master data of an organisation in another region is that region's too (an mbo
            // serves several): only the national team changes it then.
            Action::EditOrganisation { member_of } => !member_of.is_empty() && member_of.iter().all(|r| manages(r)),
            Action::InviteUser { role, region_id } => {
                DELEGABLE_BY_REGION_MANAGER.contains(&role) && region_id.is_some_and(manages)
            }
            Action::ViewUsers { region_id } => region_id.is_some_and(manages),
            Action::UseAccount => true,
            Action::ViewApplication { region_id } => {
                self.grants.iter().any(|g| g.region_id.as_deref() == Some(region_id))
            }
            Action::EditApplication { region_id }
            | Action::ViewAllSchoolPlans { region_id }
            | Action::ViewAllRecords { region_id }
            | Action::ViewPayments { region_id } => {
                manages(region_id) || self.has_role_in(Role::LeadApplicant, region_id)
            }
            Action::WriteSchoolPlan { region_id, author_id, organisation_id } => {
                let for_school = match organisation_id {
                    Some(org) => self.acts_for(Role::SchoolContact, region_id, org),
                    None => self.has_role_in(Role::SchoolContact, region_id),
                };
                // The author writes; a manager reviews a school's plan but does not edit it.
                (manages(region_id) || for_school) && author_id.is_none_or(|a| self.user_id.as_deref() == Some(a))
            }
            Action::ReadOutbox => false,
            Action::EditContent { region_id } => region_id.is_some_and(manages),
            Action::ViewMembersContent => !self.grants.is_empty(),
            Action::ViewAssessment | Action::EditRegionMaximums => false,
            Action::Assess => self.is_assessor(),
            Action::RecordWork { region_id, organisation_id } => {
                manages(region_id)
                    || self.has_role_in(Role::LeadApplicant, region_id)
                    || self.acts_for(Role::SchoolContact, region_id, organisation_id)
            }
            Action::RecordInRegion { region_id } => self.grants.iter().any(|g| {
                g.region_id.as_deref() == Some(region_id)
                    && match g.role {
                        Role::RegionManager | Role::LeadApplicant => true,
                        Role::SchoolContact | Role::Partner => g.organisation_id.is_some(),
                        Role::NationalAdmin | Role::Assessor | Role::Observer => false,
                    }
            }),
            Action::RecordContribution { region_id, company_id } => {
                manages(region_id)
                    || self.has_role_in(Role::LeadApplicant, region_id)
                    || self.acts_for(Role::Partner, region_id, company_id)
            }
        }
    }

    /// The roles the actor may hand out somewhere (nationally, or in a region they manage).
    pub fn invitable_roles(&self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|role| {
                self.permits(Action::InviteUser { role: *role, region_id: None })
                    || self
                        .managed_regions()
                        .any(|id| self.permits(Action::InviteUser { role: *role, region_id: Some(id) }))
            })
            .collect()
    }

    /// Whether the actor may invite anyone into `region_id`.
    pub fn may_invite_in(&self, region_id: &str) -> bool {
        Role::ALL.into_iter().any(|role| self.permits(Action::InviteUser { role, region_id: Some(region_id) }))
    }

    /// `Ok` when permitted; the error says, in Dutch, what was refused.
    pub fn require(&self, action: Action<'_>) -> Result<(), Denied> {
        if self.permits(action) {
            Ok(())
        } else if !self.is_signed_in() {
            Err(Denied::NotSignedIn)
        } else {
            Err(Denied::Forbidden)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("U bent niet ingelogd.")]
    NotSignedIn,
    #[error("U hebt geen rechten voor deze handeling.")]
    Forbidden,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(Role, Option<&str>)]) -> Actor {
        Actor {
            user_id: Some("u".into()),
            grants: grants
                .iter()
                .map(|(role, r)| Grant { role: *role, region_id: r.map(str::to_owned), organisation_id: None })
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
            ] {
                assert!(!a.permits(write), "{role:?} may not {write:?}");
            }
        }
        // The assessment is the funder's: the staff assess, the ministry reads, nobody else sees it.
        let assessor = actor(&[(Role::Assessor, None)]);
        let ministry = actor(&[(Role::Observer, None)]);
        assert!(assessor.permits(Action::Assess) && assessor.permits(Action::ViewAssessment));
        assert!(!ministry.permits(Action::Assess) && ministry.permits(Action::ViewAssessment));
        for other in [Role::NationalAdmin, Role::RegionManager, Role::LeadApplicant, Role::SchoolContact, Role::Partner]
        {
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
        assert!(
            national.permits(Action::EditRegionMaximums) && national.permits(Action::ViewPayments { region_id: "r1" })
        );
        for (role, sees) in [
            (Role::RegionManager, true),
            (Role::LeadApplicant, true),
            (Role::SchoolContact, false),
            (Role::Partner, false),
        ] {
            let a = actor(&[(role, Some("r1"))]);
            assert_eq!(a.permits(Action::ViewPayments { region_id: "r1" }), sees, "{role:?}");
            assert!(!a.permits(Action::ViewPayments { region_id: "r2" }), "{role:?} in another region");
            assert!(!a.permits(Action::EditRegionMaximums), "{role:?}");
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
            !write(&pm, Some("v"))
                && write(&pm, Some("u"))
                && pm.permits(Action::ViewAllSchoolPlans { region_id: "r1" })
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
            grants: vec![Grant { role, region_id: Some("r1".into()), organisation_id: Some(org.into()) }],
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
        assert!(
            work(&pm, "vmbo-2") && give(&pm, "bedrijf-1") && pm.permits(Action::ViewAllRecords { region_id: "r1" })
        );
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
}
