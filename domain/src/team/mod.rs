//! The team (docs/API.md §12): accounts made by sign-up, e-mail verification, invitations, and
//! the members an owner or admin manages.
//!
//! - `signup`: a new account with its owner, and verifying an address;
//! - `invitations`: inviting by e-mail, revoking, and accepting a link;
//! - `members`: the members page, role changes, deactivation and reactivation;
//! - `sso`: signing in and accepting an invitation by single sign-on.
//!
//! Who may do what is `vocab::team`'s (`Role::can_invite` and the like), so the page offers
//! exactly what the server allows. Every accepted change writes one audit event in its own
//! transaction; mail goes after the commit and never undoes the change.

pub mod invitations;
pub mod members;
pub mod signup;
pub mod sso;

use crate::{
    auth::{
        client::Client,
        logins::{self, Issued},
    },
    db::Tx,
    state::AppState,
};
use chrono::{DateTime, Utc};
use vocab::{
    error::ApiError,
    ids::{AccountId, UserId},
};

/// Locks the account's row for the rest of `tx`, so changes to who is in it and with which
/// role (a demotion, a deactivation, an accepted invitation) run one after the other: two
/// owners demoting each other at once cannot both see the other as the remaining owner.
async fn lock_account(tx: &mut Tx, account_id: AccountId) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a taken address is told: addresses are unique across accounts, so such an address can
/// neither sign up nor be invited.
const EMAIL_TAKEN: &str =
    "This address already has a ResolutionFlow account. Sign in with it instead.";

/// Whether some user anywhere already has `email`.
async fn email_taken(tx: &mut Tx, email: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT rf_email_taken($1)")
        .bind(email)
        .fetch_one(&mut **tx)
        .await
}

/// Whether `e` is the unique index `name` refusing a second row.
fn is_unique_violation(e: &sqlx::Error, name: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() && d.constraint() == Some(name))
}

/// Signs in a member made in `tx` (a sign-up, an accepted invitation) and commits the two
/// together: the new member exists exactly when their first login does.
async fn sign_in_new(
    state: &AppState,
    mut tx: Tx,
    user_id: UserId,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let issued = logins::start(
        &mut tx,
        &state.keys,
        &state.config.login,
        user_id,
        client,
        now,
    )
    .await?
    .ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(issued)
}
