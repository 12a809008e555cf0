//! One module per routed page.

pub mod account_security;
pub mod account_settings;
pub mod dashboard;
pub mod invite;
pub mod knowledge_base;
pub mod login;
pub mod members;
pub mod not_found;
pub mod password_reset;
pub mod pilot;
pub mod signup;
