//! Reusable pieces of the UI.

pub mod auth_card;
pub mod badges;
pub mod call;
pub mod claim;
pub mod confirm_modal;
pub mod dialog;
pub mod escalate_modal;
pub mod escalation_feed;
pub mod escalation_queue;
pub mod fixes;
pub mod icons;
pub mod layout;
pub mod login_channel;
pub mod login_expiry;
pub mod login_expiry_toast;
pub mod notification_bell;
pub mod pickup;
pub mod presence;
pub mod session_sidebar;
pub mod sign_out;
pub mod sso_buttons;
pub mod storage;
pub mod time;
pub mod toast;
pub mod ui;
pub mod visitor;
