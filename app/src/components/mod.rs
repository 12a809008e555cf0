//! Reusable pieces of the UI.

pub mod icons;
pub mod layout;
pub mod revoke_sessions_modal;
pub mod session;
pub mod session_channel;
pub mod session_expiry;
pub mod session_expiry_toast;
pub mod time;
pub mod toast;
