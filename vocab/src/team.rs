//! The team (docs/API.md §12): its members and open invitations as the members page lists them,
//! an invitation as its link shows it, and who may do what to whom. The rules are here so the
//! server enforces exactly what the page offers.

use crate::{
    ids::{InvitationId, UserId},
    users::Role,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

words! {
    /// Whether a member can sign in.
    pub enum MemberStatus {
        Active = "active",
        Deactivated = "deactivated",
    }
}

words! {
    /// A single sign-on provider (docs/API.md §12), by the word in its `/auth/oidc/{provider}`
    /// paths.
    pub enum SsoProvider {
        Microsoft = "microsoft",
        Google = "google",
    }
}

impl SsoProvider {
    /// Its name as people know it.
    pub fn label(self) -> &'static str {
        match self {
            SsoProvider::Microsoft => "Microsoft",
            SsoProvider::Google => "Google",
        }
    }
}

words! {
    /// Why a single sign-on came back to the sign-in page (`/login?reason=…`).
    pub enum SsoRefusal {
        /// The provider vouched for an address no member here has, and no invitation came.
        NoAccount = "sso_no_account",
        /// The invitation is for another address than the one the provider vouched for.
        WrongEmail = "sso_wrong_email",
        /// Anything else: a bad or replayed `state`, a refused code, a token failing a check.
        Failed = "sso_failed",
    }
}

impl SsoRefusal {
    /// What the sign-in page says.
    pub fn message(self) -> &'static str {
        match self {
            SsoRefusal::NoAccount => {
                "That account isn't a member of any team here. Ask your team's owner for an \
                 invitation, or sign in with your e-mail and password."
            }
            SsoRefusal::WrongEmail => {
                "The invitation is for a different e-mail address than the account you chose. \
                 Open the invitation again and pick the account it was sent to."
            }
            SsoRefusal::Failed => {
                "Single sign-on didn't complete, so nobody was signed in. Please try again."
            }
        }
    }
}

/// One person of the account on the members page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: MemberStatus,
    pub last_login_at: Option<DateTime<Utc>>,
    pub is_you: bool,
    /// Whether they have a password (someone who joined by single sign-on may not).
    pub has_password: bool,
    /// The single sign-on providers they have signed in with.
    pub sso_providers: Vec<SsoProvider>,
}

/// An invitation not yet accepted, revoked or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub invitation_id: InvitationId,
    pub email: String,
    pub role: Role,
    pub invited_by: InvitedBy,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Who sent an invitation (`{user_id, name}` on the wire).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitedBy {
    pub user_id: UserId,
    pub name: String,
}

/// `POST /api/account/members`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Team {
    pub members: Vec<Member>,
    pub invitations: Vec<Invitation>,
}

/// An invitation as its link shows it to the person invited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub account_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by_name: String,
    pub expires_at: DateTime<Utc>,
}

impl Role {
    /// Owners and admins run the team: they see the members page, invite and (de)activate.
    pub fn manages_team(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether this role may invite someone as `role`: only an owner makes an owner.
    pub fn can_invite(self, role: Role) -> bool {
        self.manages_team() && (self == Role::Owner || role != Role::Owner)
    }

    /// Whether this role may change a member's role from `from` to `to`: an owner any, an
    /// admin only between engineer and viewer. Whether an active owner would remain is the
    /// server's to check, with the account locked.
    pub fn can_change_role(self, from: Role, to: Role) -> bool {
        let junior = |r: Role| matches!(r, Role::Engineer | Role::Viewer);
        from != to && (self == Role::Owner || (self == Role::Admin && junior(from) && junior(to)))
    }

    /// Whether this role may deactivate or reactivate a member who is `target`: owners and
    /// admins, and only an owner for an owner or an admin.
    pub fn can_deactivate(self, target: Role) -> bool {
        self.manages_team() && (self == Role::Owner || !target.manages_team())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn only_owners_and_admins_run_the_team_and_only_owners_make_owners() {
        assert!(Owner.can_invite(Owner) && Owner.can_invite(Viewer));
        assert!(Admin.can_invite(Admin) && Admin.can_invite(Engineer));
        assert!(!Admin.can_invite(Owner));
        assert!(!Engineer.can_invite(Viewer) && !Viewer.can_invite(Viewer));
    }

    #[test]
    fn an_admin_moves_people_only_between_engineer_and_viewer() {
        assert!(Owner.can_change_role(Admin, Owner));
        assert!(Owner.can_change_role(Owner, Viewer));
        assert!(Admin.can_change_role(Engineer, Viewer));
        assert!(Admin.can_change_role(Viewer, Engineer));
        assert!(!Admin.can_change_role(Engineer, Admin));
        assert!(!Admin.can_change_role(Admin, Engineer));
        assert!(!Admin.can_change_role(Owner, Viewer));
        assert!(!Engineer.can_change_role(Viewer, Engineer));
        assert!(
            !Owner.can_change_role(Viewer, Viewer),
            "no change is no change"
        );
    }

    #[test]
    fn only_an_owner_deactivates_an_owner_or_an_admin() {
        assert!(Owner.can_deactivate(Owner) && Owner.can_deactivate(Admin));
        assert!(Admin.can_deactivate(Engineer) && Admin.can_deactivate(Viewer));
        assert!(!Admin.can_deactivate(Admin) && !Admin.can_deactivate(Owner));
        assert!(!Engineer.can_deactivate(Viewer));
    }
}
