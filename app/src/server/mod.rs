//! The domain and its infrastructure. Server only: none of this reaches the browser.

pub mod assessor;
pub mod audit;
pub mod auth;
pub mod bus;
pub mod config;
pub mod db;
pub mod fixes;
pub mod handoffs;
pub mod http;
pub mod kb;
pub mod notify;
pub mod password_reset;
pub mod passwords;
pub mod plans;
pub mod rate_limit;
pub mod security;
pub mod seed;
pub mod session_policy;
pub mod sessions;
pub mod site_admin;
pub mod sse;
pub mod state;
pub mod tokens;
pub mod web_auth;
pub mod webhooks;
