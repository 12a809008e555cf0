//! The account's session security (the owner's policy and live logins).

use crate::ids::{LoginId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A session window's system default, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyDefaults {
    pub idle_minutes: i32,
    pub absolute_minutes: i32,
}

/// The envelope an owner's overrides must fit in, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyBounds {
    pub idle_min: i32,
    pub idle_max: i32,
    pub absolute_min: i32,
    pub absolute_max: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActiveUser {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub is_you: bool,
}

/// One login (a refresh-token family) that is still alive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Login {
    /// Named `session_id` on the wire (docs/API.md §4).
    #[serde(rename = "session_id")]
    pub id: LoginId,
    pub user_id: UserId,
    pub user_name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    /// The client's address at the login's latest renewal, as the server saw it.
    pub client_address: Option<String>,
    pub is_current: bool,
}

/// The account's session security as its owner sees it (docs/API.md §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyView {
    pub session_idle_minutes: Option<i32>,
    pub session_absolute_minutes: Option<i32>,
    pub effective_idle_minutes: i32,
    pub effective_absolute_minutes: i32,
    pub defaults: PolicyDefaults,
    pub bounds: PolicyBounds,
    pub active_users: Vec<ActiveUser>,
    /// The logins still alive (`sessions` on the wire).
    #[serde(rename = "sessions")]
    pub logins: Vec<Login>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevokedCount {
    pub revoked_count: u64,
}

/// docs/API.md §4's policy validation, in its order: each field within its bounds; then the
/// effective idle window no longer than the effective absolute one. Shared by the server (422)
/// and the browser (inline messages), so the two never disagree. Returns `(field, message)`.
pub fn policy_errors(
    idle: Option<i32>,
    absolute: Option<i32>,
    defaults: PolicyDefaults,
    bounds: PolicyBounds,
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let out_of = |v: Option<i32>, min: i32, max: i32| v.is_some_and(|v| !(min..=max).contains(&v));
    if out_of(idle, bounds.idle_min, bounds.idle_max) {
        errors.push((
            "session_idle_minutes".to_owned(),
            format!(
                "Must be between {} and {} minutes.",
                bounds.idle_min, bounds.idle_max
            ),
        ));
    }
    if out_of(absolute, bounds.absolute_min, bounds.absolute_max) {
        errors.push((
            "session_absolute_minutes".to_owned(),
            format!(
                "Must be between {} and {} minutes.",
                bounds.absolute_min, bounds.absolute_max
            ),
        ));
    }
    if errors.is_empty() {
        let idle = idle.unwrap_or(defaults.idle_minutes);
        let absolute = absolute.unwrap_or(defaults.absolute_minutes);
        if idle > absolute {
            errors.push((
                "session_idle_minutes".to_owned(),
                format!("The idle timeout ({idle} min) can't be longer than the absolute limit ({absolute} min)."),
            ));
        }
    }
    errors
}
