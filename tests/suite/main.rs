//! The integration tests that drive the real router in-process, one binary: each test gets its
//! own fresh PostgreSQL database from `#[sqlx::test]`. (The real binary run as a process is
//! `tests/processes`.)
#![cfg(feature = "ssr")]

mod common;

mod auth;
mod auth_http;
mod escalation;
mod exposure;
mod fixes;
mod hostile;
mod http;
mod kb;
mod live;
mod password_reset;
mod plans;
mod security;
mod seed;
mod sso;
mod team;
mod tenancy;
mod wire;
