//! The real `resolutionflow` binary run as a process against a real database: the operator
//! commands, and the server under faults (the database cut away, the process killed or stopped
//! with streams open). A binary of their own: they time real processes, so they run apart from
//! the in-process suite.
#![cfg(feature = "ssr")]

mod cli;
mod faults;
