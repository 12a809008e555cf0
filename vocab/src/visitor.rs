//! The visitor's signed-in state as the app shell and the sign-in answers describe it.

use crate::users::User;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The answer of login and session: who, and when the session's two windows close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: User,
    pub idle_expires_at: Option<DateTime<Utc>>,
    pub absolute_expires_at: Option<DateTime<Utc>>,
}

/// Why a session ended, as the login page's banner needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    Idle,
    Absolute,
}
