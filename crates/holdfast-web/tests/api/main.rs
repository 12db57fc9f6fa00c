//! The HTTP API and pages against the real server, on SQLite and PostgreSQL.

mod authn;
mod authorization;
mod calendar;
mod health;
mod helpers;
mod lifecycle;
mod openapi;
mod people;
mod processes;
mod users_tokens;
