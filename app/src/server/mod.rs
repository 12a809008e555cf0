//! The domain and its infrastructure. Server only: none of this reaches the browser.

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod http;
pub mod passwords;
pub mod rate_limit;
pub mod security;
pub mod seed;
pub mod session_policy;
pub mod state;
pub mod tokens;
pub mod web_auth;
