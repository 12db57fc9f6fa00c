//! Holdfast's domain: the ISO/IEC 27001:2022 standard as typed data, the records an ISMS
//! keeps, and the rules over them.
//!
//! This crate is pure on purpose: no I/O, no async, no SQL, no clock. Every rule of the
//! standard lives here once, as a function of records (and of [`clock::AsOf`] where time
//! matters), so the web UI, the API and the CLI can only ever show the same verdict.

#[macro_use]
mod keyed;

pub mod account;
pub mod activity;
pub mod asset;
pub mod audit;
pub mod cadence;
mod cadence_words;
pub mod catalog;
pub mod checkpoint;
pub mod clock;
pub mod context;
pub mod demo;
pub mod evidence;
pub mod ical;
pub mod ids;
pub mod interaction;
pub mod library;
pub mod map;
pub mod organisation;
pub mod person;
pub mod policy;
pub mod process;
pub mod readiness;
pub mod reminder;
pub mod risk;
pub mod search;
pub mod soa;
pub mod task;
pub mod text;
pub mod throttle;
pub mod validation;
pub mod words;

pub use validation::{FieldError, ValidationErrors};
