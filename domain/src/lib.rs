//! The domain and its infrastructure: the database and its tenant transaction, sign-in and its
//! tokens, sessions, escalation, fixes, the knowledge base, mail, webhooks, the bus and its
//! stream. Server only: none of this reaches the browser, and nothing here knows of Leptos.

pub mod actor;
pub mod assessor;
pub mod audit;
pub mod auth;
pub mod bus;
pub mod config;
pub mod db;
pub mod fixes;
pub mod handoffs;
pub mod kb;
pub mod links;
pub mod login_policy;
pub mod notify;
pub mod password_reset;
pub mod plans;
pub mod presence;
pub mod security;
pub mod seed;
pub mod session_access;
pub mod session_forms;
pub mod session_record;
pub mod sessions;
pub mod site_admin;
pub mod sse;
pub mod state;
pub mod team;
pub mod text;
pub mod webhooks;
