//! Account session security (docs/API.md §4): the policy, its validation, and revoking logins.
//! Every function here acts for an owner; each accepted change writes one audit row in its own
//! transaction.

use crate::{
    actor::Actor,
    audit,
    config::LoginSettings,
    db::{self, Tx},
    login_policy::resolve_login_policy,
};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use vocab::{
    error::ApiError,
    ids::{AccountId, LoginId, UserId},
    security::{policy_errors, ActiveUser, Login, PolicyBounds, PolicyDefaults, PolicyView},
    users::Role,
};

/// The most members and logins the policy view lists, the most recently active first.
const LISTED: i64 = 500;

/// Who is acting, as loaded from the database (not from a possibly stale token).
#[derive(Clone, Copy, Debug)]
pub struct Owner {
    pub user_id: UserId,
    pub account_id: AccountId,
}

/// The caller's role, read fresh; only owners pass.
pub async fn require_owner(tx: &mut Tx, user_id: UserId) -> Result<Owner, ApiError> {
    let actor = Actor::load_if(tx, user_id, |role| role == Role::Owner).await?;
    Ok(Owner {
        user_id,
        account_id: actor.account_id,
    })
}

async fn overrides(
    tx: &mut Tx,
    account_id: AccountId,
) -> Result<(Option<i32>, Option<i32>), sqlx::Error> {
    sqlx::query_as(
        "SELECT session_idle_minutes, session_absolute_minutes FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut **tx)
    .await
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    family_id: LoginId,
    user_id: UserId,
    user_name: String,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    user_agent: Option<String>,
    client_address: Option<String>,
}

/// The policy view. `current_family` marks the caller's own login in the list of logins.
pub async fn policy_view(
    tx: &mut Tx,
    owner: Owner,
    settings: &LoginSettings,
    current_family: Option<LoginId>,
    now: DateTime<Utc>,
) -> Result<PolicyView, ApiError> {
    let (idle, absolute) = overrides(tx, owner.account_id).await?;
    let effective = resolve_login_policy(idle, absolute, settings);

    let users: Vec<(UserId, String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.last_login_at FROM users u \
         WHERE u.account_id = $1 AND u.active AND EXISTS ( \
             SELECT 1 FROM refresh_tokens t \
             WHERE t.user_id = u.id AND t.revoked_at IS NULL AND t.expires_at > $2) \
         ORDER BY u.last_login_at DESC NULLS LAST, u.name LIMIT $3",
    )
    .bind(owner.account_id)
    .bind(now)
    .bind(LISTED)
    .fetch_all(&mut **tx)
    .await?;

    let logins: Vec<LoginRow> = sqlx::query_as(
        "WITH live AS ( \
             SELECT DISTINCT family_id FROM refresh_tokens \
             WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2) \
         SELECT t.family_id, t.user_id, u.name AS user_name, min(t.issued_at) AS created_at, \
                max(t.issued_at) AS last_used_at, \
                (array_agg(t.user_agent ORDER BY t.issued_at DESC))[1] AS user_agent, \
                (array_agg(t.client_address ORDER BY t.issued_at DESC))[1] AS client_address \
         FROM refresh_tokens t JOIN live USING (family_id) JOIN users u ON u.id = t.user_id \
         WHERE t.account_id = $1 AND u.active \
         GROUP BY t.family_id, t.user_id, u.name \
         ORDER BY max(t.issued_at) DESC LIMIT $3",
    )
    .bind(owner.account_id)
    .bind(now)
    .bind(LISTED)
    .fetch_all(&mut **tx)
    .await?;

    Ok(PolicyView {
        session_idle_minutes: idle,
        session_absolute_minutes: absolute,
        effective_idle_minutes: effective.idle_minutes,
        effective_absolute_minutes: effective.absolute_minutes,
        defaults: defaults(settings),
        bounds: bounds(settings),
        active_users: users
            .into_iter()
            .map(|(user_id, name, email, last_login_at)| ActiveUser {
                is_you: user_id == owner.user_id,
                user_id,
                name,
                email,
                last_login_at,
            })
            .collect(),
        logins: logins
            .into_iter()
            .map(|r| Login {
                is_current: Some(r.family_id) == current_family,
                id: r.family_id,
                user_id: r.user_id,
                user_name: r.user_name,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                user_agent: r.user_agent,
                client_address: r.client_address,
            })
            .collect(),
    })
}

pub fn defaults(settings: &LoginSettings) -> PolicyDefaults {
    PolicyDefaults {
        idle_minutes: settings.idle.default,
        absolute_minutes: settings.absolute.default,
    }
}

pub fn bounds(settings: &LoginSettings) -> PolicyBounds {
    PolicyBounds {
        idle_min: settings.idle.min,
        idle_max: settings.idle.max,
        absolute_min: settings.absolute.min,
        absolute_max: settings.absolute.max,
    }
}

/// docs/API.md §4's validation ([`policy_errors`]) against this server's settings.
pub fn validate_policy(
    idle: Option<i32>,
    absolute: Option<i32>,
    settings: &LoginSettings,
) -> Result<(), ApiError> {
    let errors = policy_errors(idle, absolute, defaults(settings), bounds(settings));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Sets (or clears, with `None`) the account's overrides. Applies to logins after the change.
pub async fn update_policy(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    idle: Option<i32>,
    absolute: Option<i32>,
    settings: &LoginSettings,
    now: DateTime<Utc>,
) -> Result<Owner, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    validate_policy(idle, absolute, settings)?;
    let (old_idle, old_absolute) = overrides(&mut tx, owner.account_id).await?;
    sqlx::query(
        "UPDATE accounts SET session_idle_minutes = $2, session_absolute_minutes = $3, updated_at = $4 \
         WHERE id = $1",
    )
    .bind(owner.account_id)
    .bind(idle)
    .bind(absolute)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.constraint() == Some("accounts_session_idle_le_absolute") => {
            ApiError::invalid("session_idle_minutes", "The idle timeout can't be longer than the absolute limit.")
        }
        _ => ApiError::from(e),
    })?;
    let window =
        |i: Option<i32>, a: Option<i32>| json!({ "idle_minutes": i, "absolute_minutes": a });
    let eff_old = resolve_login_policy(old_idle, old_absolute, settings);
    let eff_new = resolve_login_policy(idle, absolute, settings);
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.session_policy_update",
        json!({
            "old": window(old_idle, old_absolute),
            "new": window(idle, absolute),
            "effective_old": window(Some(eff_old.idle_minutes), Some(eff_old.absolute_minutes)),
            "effective_new": window(Some(eff_new.idle_minutes), Some(eff_new.absolute_minutes)),
        }),
        now,
    )
    .await?;
    Ok(owner)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokeScope {
    /// Every login of the account, the caller's own included.
    All,
    /// Every login of every other user; all of the caller's own logins stay.
    Others,
}

impl RevokeScope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Self::All),
            "others" => Some(Self::Others),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Others => "others",
        }
    }
}

/// Signs the account out in one statement. Already-revoked rows are not touched, so a repeat
/// revokes nothing (and is still audited: the owner's action is the event).
pub async fn revoke_logins(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    scope: RevokeScope,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let revoked = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'owner_revoked' \
         WHERE account_id = $1 AND revoked_at IS NULL AND ($3 OR user_id <> $4)",
    )
    .bind(owner.account_id)
    .bind(now)
    .bind(scope == RevokeScope::All)
    .bind(owner.user_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.sessions_revoked_bulk",
        json!({ "scope": scope.as_str(), "revoked_count": revoked }),
        now,
    )
    .await?;
    Ok(revoked)
}

/// Ends one login (token family) of a user in the owner's account. Another account's login is
/// `not_found`, indistinguishable from one that never existed.
pub async fn revoke_login(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    login: LoginId,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let user_id: Option<UserId> = sqlx::query_scalar(
        "SELECT user_id FROM refresh_tokens WHERE family_id = $1 AND account_id = $2 LIMIT 1",
    )
    .bind(login)
    .bind(owner.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(ApiError::not_found());
    };
    let revoked = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $3, revoked_reason = 'owner_revoked' \
         WHERE family_id = $1 AND account_id = $2 AND revoked_at IS NULL",
    )
    .bind(login)
    .bind(owner.account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.session_revoked",
        json!({ "session_id": login, "user_id": user_id }),
        now,
    )
    .await?;
    Ok(revoked)
}
