//! The service layer: what the API handlers and the page handlers both call, so a rule (who
//! may close a run, what counts as overdue, how a list is paged) is decided once, here or
//! below in core, and never in a handler. Each function reads with one query per list, names
//! joined, and returns the API's DTOs, which pages render.

pub(crate) mod audit;
pub(crate) mod people;
pub(crate) mod risks;
pub(crate) mod runs;
pub(crate) mod tasks;
pub(crate) mod users;
pub(crate) mod work;
