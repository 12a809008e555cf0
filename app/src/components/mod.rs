//! Reusable pieces of the UI.

pub mod icons;
pub mod layout;
pub mod session;
pub mod toast;
