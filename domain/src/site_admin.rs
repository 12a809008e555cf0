//! `resolutionflow create-site-admin` (the README): creates or promotes the site-wide super
//! admin, and mints a password-reset link for them. It runs before anyone can sign in, so it
//! uses `ADMIN_DATABASE_URL` (which may bypass row-level security) and needs no tenant. Running
//! it again is safe.

use crate::{audit, password_reset};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use vocab::ids::{AccountId, UserId};

/// A bootstrap link has to survive being passed along by an operator: a day.
pub const RESET_TTL: Duration = Duration::hours(24);

#[derive(Debug)]
pub struct Outcome {
    pub email: String,
    pub user_id: UserId,
    pub account_id: AccountId,
    /// A new account and user were made (rather than an existing user promoted).
    pub created: bool,
    /// The reset token, unless `--promote-only`.
    pub reset_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteAdminError {
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("no user has the e-mail {0}; run without --promote-only to create one")]
    NoSuchUser(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn create_or_promote(
    pool: &PgPool,
    email: &str,
    promote_only: bool,
    now: DateTime<Utc>,
) -> Result<Outcome, SiteAdminError> {
    let email = email.trim().to_lowercase();
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !valid {
        return Err(SiteAdminError::BadEmail(email));
    }
    let mut tx = pool.begin().await?;
    let existing: Option<(UserId, AccountId)> = sqlx::query_as(
        "SELECT id, account_id FROM users WHERE email = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    let (user_id, account_id, created) = match existing {
        Some((user_id, account_id)) => {
            sqlx::query(
                "UPDATE users SET is_super_admin = true, email_verified_at = coalesce(email_verified_at, $2) \
                 WHERE id = $1",
            )
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            (user_id, account_id, false)
        }
        None if promote_only => return Err(SiteAdminError::NoSuchUser(email)),
        None => {
            let account_id: AccountId = sqlx::query_scalar(
                "INSERT INTO accounts (name, created_at, updated_at) VALUES ('Site administration', $1, $1) RETURNING id",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO subscriptions (account_id, plan, status) VALUES ($1, 'pro', 'active')",
            )
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            let name = email.split('@').next().unwrap_or(&email).to_owned();
            // No password: the reset link is how the first one is set.
            let user_id: UserId = sqlx::query_scalar(
                "INSERT INTO users (account_id, email, name, role, is_super_admin, email_verified_at) \
                 VALUES ($1, $2, $3, 'owner', true, $4) RETURNING id",
            )
            .bind(account_id)
            .bind(&email)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            (user_id, account_id, true)
        }
    };
    let reset_token = if promote_only {
        None
    } else {
        Some(password_reset::mint(&mut tx, account_id, user_id, RESET_TTL, now).await?)
    };
    audit::record(
        &mut tx,
        account_id,
        None,
        if created {
            "admin.site_admin_created"
        } else {
            "admin.site_admin_promoted"
        },
        json!({ "user_id": user_id, "reset_link_minted": reset_token.is_some() }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome {
        email,
        user_id,
        account_id,
        created,
        reset_token,
    })
}
