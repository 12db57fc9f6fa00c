//! The HTTP API and pages against the real server, on SQLite and PostgreSQL, and the pages
//! in a real headless Chromium.

// Tests and benchmarks set the scene at real moments; the product reads the clock only
// through holdfast_store::clock.
#![allow(clippy::disallowed_methods)]

mod assets;
mod authn;
mod authorization;
mod browser;
mod calendar;
mod context;
mod errors;
mod health;
mod helpers;
mod lifecycle;
mod openapi;
mod pages;
mod people;
mod processes;
mod risks;
mod security;
mod soa;
mod users_tokens;
