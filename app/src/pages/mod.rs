//! One module per routed page.

pub mod login;
pub mod not_found;
