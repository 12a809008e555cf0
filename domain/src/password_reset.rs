//! Password reset: a link by e-mail (the same answer whether or not the address has an
//! account), a single-use token that expires, stored only as its SHA-256, and on success a new
//! password with every login of that user revoked.

use crate::{
    audit,
    auth::logins::{self, AuthError},
    db::{self, Tx},
    links::{self, LinkMail},
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use vocab::error::ApiError;
use vocab::ids::{AccountId, UserId};

/// How long a requested link works.
pub const REQUEST_TTL: Duration = Duration::hours(1);
/// Links one user can be sent per hour.
pub const REQUESTS_PER_HOUR: i64 = 3;
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// A fresh token for `user_id`, of which only the hash is stored. Returns the token itself.
pub async fn mint(
    tx: &mut Tx,
    account_id: AccountId,
    user_id: UserId,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    links::mint(
        tx,
        links::Kept::PasswordReset,
        account_id,
        user_id,
        ttl,
        now,
    )
    .await
}

pub fn reset_url(public_url: &str, token: &str) -> String {
    links::url(public_url, "reset-password", token)
}

/// Mails a reset link when `email` has an account; nothing otherwise. All of it happens after
/// the answer, in the background, so neither the answer nor its timing tells whether the
/// address is known (docs/SECURITY.md).
pub fn request(state: &AppState, email: &str, now: DateTime<Utc>) {
    let state = state.clone();
    let email = email.to_owned();
    tokio::spawn(async move {
        if let Err(e) = mail_link(&state, &email, now).await {
            tracing::error!(error = %e, "password reset request");
        }
    });
}

async fn mail_link(state: &AppState, email: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db::anonymous_tx(&state.pool).await?;
    let found: Option<(UserId, AccountId)> =
        sqlx::query_as("SELECT user_id, account_id FROM rf_login_lookup($1)")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    let Some((user_id, account_id)) = found else {
        return Ok(());
    };
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    // The address on record, not the one typed: they match only up to case and spaces. Locked,
    // so that requests at once for one user count their links one after the other.
    let to: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1 FOR UPDATE")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    // A few links an hour at most: nobody can flood an inbox through this form.
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM password_reset_tokens WHERE user_id = $1 AND created_at > $2",
    )
    .bind(user_id)
    .bind(now - REQUEST_TTL)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= REQUESTS_PER_HOUR {
        tracing::warn!(%user_id, "password reset requested too often; no mail sent");
        return Ok(());
    }
    let token = mint(&mut tx, account_id, user_id, REQUEST_TTL, now).await?;
    tx.commit().await?;
    LinkMail {
        to: &to,
        subject: "Reset your ResolutionFlow password",
        lead: "Someone asked to reset the password of your ResolutionFlow account.\n\n\
               Set a new password here (the link works once, for an hour):",
        link: &reset_url(&state.config.public_url, &token),
        tail: "If it wasn't you, ignore this mail: your password stays as it is.",
        kind: "reset",
    }
    .send(&state.mailer, &state.pool, account_id)
    .await;
    Ok(())
}

pub fn password_error(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Some(format!("Use at least {PASSWORD_MIN} characters."))
    } else if n > PASSWORD_MAX {
        Some(format!("Use at most {PASSWORD_MAX} characters."))
    } else {
        None
    }
}

/// Sets a new password with a reset token: once, before it expires. The user's other links
/// end with it, every login of the user is revoked, and the reset is audited.
pub async fn redeem(
    state: &AppState,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if let Some(message) = password_error(password) {
        return Err(ApiError::invalid("password", &message));
    }
    let unusable = || {
        ApiError::invalid(
            "token",
            "This reset link has expired or was already used. Ask for a new one.",
        )
    };
    let hash = links::hash(token);
    let mut tx = db::anonymous_tx(&state.pool).await?;
    let account_id: Option<AccountId> = sqlx::query_scalar("SELECT rf_reset_token_account($1)")
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let account_id = account_id.ok_or_else(unusable)?;

    let new_hash = state
        .hashes
        .hash(password.to_owned())
        .await
        .map_err(|_| AuthError::Busy)?;
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    // Checked and used up in one statement, with the user's other links: two tabs can't both
    // redeem one link, and an older link mailed before this one stops working.
    let user_id: Option<UserId> = sqlx::query_scalar("SELECT rf_redeem_password_reset($1, $2, $3)")
        .bind(&hash)
        .bind(&new_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    let user_id = user_id.ok_or_else(unusable)?;
    let revoked = logins::revoke_all(&mut tx, user_id, "password_reset", now).await?;
    audit::record(
        &mut tx,
        account_id,
        Some(user_id),
        "auth.password_reset",
        json!({ "user_id": user_id, "logins_revoked": revoked }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_has_twelve_characters_at_least() {
        assert_eq!(
            password_error("short"),
            Some("Use at least 12 characters.".into())
        );
        assert_eq!(password_error("long enough password"), None);
    }
}
