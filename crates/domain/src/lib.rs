//! The pure core of Sterk: the model and the access policy.
//! No IO, no async, no database: every rule here is a plain function.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod access;
pub mod assessment;
pub mod change_request;
pub mod content;
pub mod execution;
pub mod fmt;
pub mod geo;
pub mod joining;
pub mod limits;
pub mod monitoring;
pub mod organisation;
pub mod payments;
pub mod region;
pub mod reports;
pub mod school_plan;
pub mod settlement;
pub mod user;
pub mod validation;

pub use access::{Action, Actor, Denied, Grant, Role};
pub use organisation::{DuoCode, Organisation, OrganisationDraft, OrganisationKind};
pub use region::{Region, RegionKind, RegionProfile, slugify};
pub use validation::FieldErrors;
pub mod regulation;
