//! The real `resolutionflow` binary run as a process against a real database: the operator
//! commands, the server under faults (the database cut away, the process killed or stopped
//! with streams open), and exposed as on the internet (behind a real proxy, slow clients, the
//! database role it refuses). A binary of their own: they time real processes, so they run apart from
//! the in-process suite.
#![cfg(feature = "ssr")]

mod cli;
mod exposure;
mod faults;
// The in-process suite's helpers: the server's role, and the stand-ins for mail and the web.
// This binary uses a few of them.
#[path = "../suite/common/mod.rs"]
#[allow(dead_code)]
mod common;
mod server;
