//! The visitor: who is signed in in this browser and when their login's windows close, as the
//! app shell and the sign-in answers describe it. (A *login* is one sign-in and its token family;
//! a *session* is always a troubleshooting session.)

use crate::{team::SsoProvider, users::User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The answer of `auth/login` and `auth/session`: who, and when the login's two windows close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignedIn {
    pub user: User,
    pub idle_expires_at: Option<DateTime<Utc>>,
    pub absolute_expires_at: Option<DateTime<Utc>>,
}

/// Why a login ended, as the sign-in page's banner needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoginEnd {
    Idle,
    Absolute,
}

/// How someone can get in here (`auth/options`): whether anyone may sign up, and the single
/// sign-on providers this server has (a button each on the sign-in and invitation pages).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignInOptions {
    pub signup_open: bool,
    pub sso_providers: Vec<SsoProvider>,
}
