//! People: their role in an account, and how the wire names them.

use crate::ids::{AccountId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

words! {
    /// What a person may do in their account.
    pub enum Role {
        Owner = "owner",
        Admin = "admin",
        Engineer = "engineer",
        Viewer = "viewer",
    }
}

impl Role {
    /// The role in a sentence: "an owner", "a viewer".
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Owner => "an owner",
            Role::Admin => "an admin",
            Role::Engineer => "an engineer",
            Role::Viewer => "a viewer",
        }
    }

    /// Owners, admins and engineers work sessions and the escalation queue; viewers only read.
    pub fn can_work(self) -> bool {
        !matches!(self, Role::Viewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Engineer => "Engineer",
            Role::Viewer => "Viewer",
        })
    }
}

/// The signed-in user as the API describes them (`user` in docs/API.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub account_id: AccountId,
}

impl User {
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// A user as other people see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
}
