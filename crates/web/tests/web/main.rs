//! Router tests: every request goes through the real router, services and a real database.

mod api;
mod assessments;
mod auth;
mod authz;
mod common;
mod content;
mod cosigning;
mod coverage;
mod errors;
mod execution;
mod funding;
mod hardening;
mod hostile;
mod identity;
mod joining;
mod monitoring;
mod observe;
mod pages;
mod public;
mod regions;
mod regulation;
mod reported;
mod school_plans;
mod smtp;
mod sso;
mod workspace;
