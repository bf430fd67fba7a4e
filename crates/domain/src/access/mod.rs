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
    /// May sign for that organisation (its director, a company's authorised signatory): confirms
    /// the cooperation agreement for it and, for the lead applicant, submits the application.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub signatory: bool,
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
    /// The installation's security settings (whether two-factor sign-in is required): the national team.
    ManageSecurity,
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
    /// Confirm the region's cooperation agreement on behalf of `organisation_id`: its signatories.
    ConfirmAgreement {
        region_id: &'a str,
        organisation_id: &'a str,
    },
    /// Submit the region's application formally: a signatory of its lead applicant.
    SubmitApplication {
        region_id: &'a str,
        lead_applicant: &'a str,
    },
    /// Set a region's maximum in the table of annex 3 (the national team).
    EditRegionMaximums,
    /// See a region's payments: planned and received (the region's managers and lead applicant,
    /// the national team, the funder's staff and the ministry).
    ViewPayments {
        region_id: &'a str,
    },
    /// See the programme as a whole: every region's applications, decisions and payments (the
    /// national team, the funder's staff and the ministry).
    ViewPortfolio,
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

    /// Whether the actor may sign for `organisation_id` in `region_id`, through any role held for it there.
    pub fn signs_for(&self, region_id: &str, organisation_id: &str) -> bool {
        self.grants.iter().any(|g| {
            g.signatory
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
                    | Action::ConfirmAgreement { .. }
                    | Action::SubmitApplication { .. }
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
                    | Action::ViewPortfolio
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
            Action::ReadOutbox | Action::ManageSecurity => false,
            Action::EditContent { region_id } => region_id.is_some_and(manages),
            Action::ViewMembersContent => !self.grants.is_empty(),
            Action::ViewAssessment | Action::EditRegionMaximums | Action::ViewPortfolio => false,
            Action::Assess => self.is_assessor(),
            Action::ConfirmAgreement { region_id, organisation_id: org }
            | Action::SubmitApplication { region_id, lead_applicant: org } => self.signs_for(region_id, org),
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
mod tests;
