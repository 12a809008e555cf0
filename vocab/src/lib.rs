//! The vocabulary the server and the browser share: the types that cross the wire, the one
//! error type of the API, and the rules both sides apply (the policy bounds, how a fix's status
//! may move, where a sign-in may send you). It imports nothing else of ours, and is built for
//! both targets; `docs/ARCHITECTURE.md` has the picture of the layers.

#[macro_use]
mod words;

pub mod error;
pub mod events;
pub mod fixes;
pub mod handoffs;
pub mod ids;
pub mod kb;
pub mod notifications;
pub mod paths;
pub mod security;
pub mod sessions;
pub mod team;
pub mod users;
pub mod visitor;
pub mod webhooks;
