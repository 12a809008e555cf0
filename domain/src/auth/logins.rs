//! Sign-in, refresh and sign-out (docs/API.md §3) as plain async functions: they take the pool
//! and an explicit `now`, and know nothing of HTTP.

use super::{
    client::Client,
    passwords::{self, Busy, HashSlots},
    tokens::{self, AccessClaims, Keys, RefreshClaims, TokenError},
};
use crate::{
    audit,
    config::LoginSettings,
    db::{self, Tx},
    login_policy::{resolve_login_policy, LoginPolicy},
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use std::sync::LazyLock;
use uuid::Uuid;
use vocab::{
    error::{ApiError, ErrorCode},
    events::SignOutReason,
    ids::{AccountId, LoginId, UserId},
    users::{Role, User},
};

/// A refresh token presented again within this many seconds of its rotation is taken for a
/// concurrent request of the same client (two tabs), not a replay.
pub const REUSE_GRACE_SECONDS: i64 = 30;

/// Longest user agent kept with a login.
const USER_AGENT_MAX: usize = 400;

#[derive(Debug)]
pub enum AuthError {
    InvalidCredentials,
    SessionExpiredIdle,
    SessionExpiredAbsolute,
    InvalidRefreshToken,
    /// The token was rotated moments ago and its login is still live: a concurrent refresh by
    /// the same client. The API answers `invalid_refresh_token` (the client retries with the
    /// cookie the winner set); a page load may render for `user`.
    RotatedConcurrently {
        user: User,
    },
    /// Too many passwords are being checked at once (see [`HashSlots`]).
    Busy,
    Db(sqlx::Error),
}

impl From<Busy> for AuthError {
    fn from(_: Busy) -> Self {
        AuthError::Busy
    }
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Db(e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                ErrorCode::InvalidCredentials,
                "That e-mail and password don't match an account.",
            ),
            AuthError::SessionExpiredIdle => ApiError::new(
                ErrorCode::SessionExpiredIdle,
                "Your session ended after a period of inactivity. Please sign in again.",
            ),
            AuthError::SessionExpiredAbsolute => ApiError::new(
                ErrorCode::SessionExpiredAbsolute,
                "Your session reached its maximum length. Please sign in again.",
            ),
            AuthError::InvalidRefreshToken | AuthError::RotatedConcurrently { .. } => {
                ApiError::new(ErrorCode::InvalidRefreshToken, "Please sign in again.")
            }
            AuthError::Busy => ApiError::new(
                ErrorCode::RateLimited,
                "Many people are signing in right now. Try again in a moment.",
            )
            .with("retry_after", 1),
            AuthError::Db(e) => {
                tracing::error!(error = %e, "database error in authentication");
                ApiError::internal()
            }
        }
    }
}

/// A freshly minted pair and the windows it lives in.
#[derive(Clone, Debug)]
pub struct Issued {
    pub user: User,
    pub access: AccessClaims,
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    pub family_id: LoginId,
}

/// The part of a refresh token that rotation carries forward unchanged.
#[derive(Clone, Copy, Debug)]
struct LoginClaims {
    auth_time: i64,
    idle_max: i64,
    abs_max: i64,
    family_id: LoginId,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    account_id: AccountId,
    name: String,
    email: String,
    role: Role,
    session_idle_minutes: Option<i32>,
    session_absolute_minutes: Option<i32>,
}

impl UserRow {
    fn user(&self) -> User {
        User {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            account_id: self.account_id,
        }
    }

    fn policy(&self, settings: &LoginSettings) -> LoginPolicy {
        resolve_login_policy(
            self.session_idle_minutes,
            self.session_absolute_minutes,
            settings,
        )
    }
}

const USER_COLUMNS: &str = "u.id, u.account_id, u.name, u.email, u.role, \
     a.session_idle_minutes, a.session_absolute_minutes";
const USER_FROM: &str = "users u JOIN accounts a ON a.id = u.account_id";
/// The user `$1`, while a member (not deactivated or deleted).
const ACTIVE_USER: &str = "u.id = $1 AND u.active";

async fn load_user(tx: &mut Tx, user_id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE {ACTIVE_USER}"
    ))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
}

/// A user with the account's subscription (absent: none).
#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    plan: Option<String>,
    status: Option<String>,
}

/// A hash to verify against when the e-mail is unknown, so both answers take as long.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| passwords::hash("no account has this password"));

/// Computes the timing-equaliser hash now rather than on the first unknown e-mail.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

async fn verify_password(
    hashes: &HashSlots,
    password: String,
    hash: Option<String>,
) -> Result<bool, Busy> {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
    Ok(hashes.verify(password, hash).await? && known)
}

/// Signs a user in: checks the password, stamps `last_login_at` and starts a new login family.
#[allow(clippy::too_many_arguments)]
pub async fn login(
    pool: &PgPool,
    keys: &Keys,
    hashes: &HashSlots,
    settings: &LoginSettings,
    email: &str,
    password: &str,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, AuthError> {
    let mut tx = db::anonymous_tx(pool).await?;
    let found: Option<(UserId, AccountId, Option<String>)> =
        sqlx::query_as("SELECT user_id, account_id, password_hash FROM rf_login_lookup($1)")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;

    let hash = found.as_ref().and_then(|(_, _, hash)| hash.clone());
    if !verify_password(hashes, password.to_owned(), hash).await? {
        return Err(AuthError::InvalidCredentials);
    }
    let Some((user_id, account_id, _)) = found else {
        return Err(AuthError::InvalidCredentials);
    };

    let mut tx = db::tenant_tx(pool, account_id).await?;
    let issued = start(&mut tx, keys, settings, user_id, client, now)
        .await?
        .ok_or(AuthError::InvalidCredentials)?;
    tx.commit().await?;
    Ok(issued)
}

/// Starts a login, in `tx` (a transaction of the member's account), for a member who has just
/// shown who they are: a password, an accepted invitation, a new account, a provider's ID
/// token. Stamps `last_login_at` and mints the first pair of a new family under the account's
/// policy as it is now. `None` when the member is gone or deactivated.
pub async fn start(
    tx: &mut Tx,
    keys: &Keys,
    settings: &LoginSettings,
    user_id: UserId,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Issued>, sqlx::Error> {
    let Some(row) = load_user(tx, user_id).await? else {
        return Ok(None);
    };
    sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let policy = row.policy(settings);
    let login = LoginClaims {
        auth_time: now.timestamp(),
        idle_max: policy.idle_seconds(),
        abs_max: policy.absolute_seconds(),
        family_id: LoginId(Uuid::new_v4()),
    };
    issue(tx, keys, settings, &row, login, client, now)
        .await
        .map(Some)
}

/// Rotates a refresh token, following docs/API.md §3's refresh algorithm step by step.
pub async fn refresh(
    pool: &PgPool,
    keys: &Keys,
    settings: &LoginSettings,
    token: &str,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, AuthError> {
    // 1. Decode.
    let claims = tokens::decode_refresh(keys, token, now).map_err(|e| match e {
        TokenError::Expired => AuthError::SessionExpiredIdle,
        TokenError::Invalid => AuthError::InvalidRefreshToken,
    })?;

    // 2. Load the user.
    let mut tx = db::user_tx(pool, claims.sub).await?;
    let row = load_user(&mut tx, claims.sub)
        .await?
        .ok_or(AuthError::InvalidRefreshToken)?;

    // 3. Grandfather tokens minted before the policy claims existed.
    let (auth_time, idle_max, abs_max) = match (claims.auth_time, claims.idle_max, claims.abs_max) {
        (Some(auth_time), Some(idle_max), Some(abs_max)) => (auth_time, idle_max, abs_max),
        _ => {
            let policy = row.policy(settings);
            (claims.iat, policy.idle_seconds(), policy.absolute_seconds())
        }
    };

    // 4. Consume the token, whatever happens next.
    let family_id: Option<LoginId> = sqlx::query_scalar(
        "UPDATE refresh_tokens SET revoked_at = $2, rotated_at = $2, revoked_reason = 'rotated' \
         WHERE jti = $1 AND user_id = $3 AND revoked_at IS NULL RETURNING family_id",
    )
    .bind(claims.jti)
    .bind(now)
    .bind(row.id)
    .fetch_optional(&mut *tx)
    .await?;

    // 5. Already consumed: a concurrent rotation, a replay, or a revoked login.
    let Some(family_id) = family_id else {
        let outcome = judge_reuse(&mut tx, &claims, &row, now).await?;
        tx.commit().await?;
        return Err(outcome);
    };

    // 6. The absolute cap; its boundary is already expired.
    if now.timestamp() >= auth_time + abs_max {
        tx.commit().await?;
        return Err(AuthError::SessionExpiredAbsolute);
    }

    // 7. A new pair carrying the login forward unchanged.
    let login = LoginClaims {
        auth_time,
        idle_max,
        abs_max,
        family_id,
    };
    let issued = issue(&mut tx, keys, settings, &row, login, client, now).await?;
    tx.commit().await?;
    Ok(issued)
}

async fn judge_reuse(
    tx: &mut Tx,
    claims: &RefreshClaims,
    row: &UserRow,
    now: DateTime<Utc>,
) -> Result<AuthError, sqlx::Error> {
    let previous: Option<(Option<DateTime<Utc>>, LoginId)> = sqlx::query_as(
        "SELECT rotated_at, family_id FROM refresh_tokens WHERE jti = $1 AND user_id = $2",
    )
    .bind(claims.jti)
    .bind(row.id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((Some(rotated_at), family_id)) = previous else {
        return Ok(AuthError::InvalidRefreshToken);
    };
    if now - rotated_at > Duration::seconds(REUSE_GRACE_SECONDS) {
        let revoked = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'reuse_detected' \
             WHERE family_id = $1 AND revoked_at IS NULL",
        )
        .bind(family_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        audit::record(
            tx,
            row.account_id,
            None,
            "auth.refresh_token_reused",
            json!({ "family_id": family_id, "user_id": row.id }),
            now,
        )
        .await?;
        tracing::warn!(%family_id, user_id = %row.id, revoked, "refresh token replayed; login revoked");
        return Ok(AuthError::InvalidRefreshToken);
    }
    let live: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL)",
    )
    .bind(family_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(if live {
        AuthError::RotatedConcurrently { user: row.user() }
    } else {
        AuthError::InvalidRefreshToken
    })
}

/// A browser's `User-Agent` as a login keeps it.
fn kept_user_agent(client: &Client<'_>) -> Option<String> {
    client
        .user_agent
        .map(|ua| ua.chars().take(USER_AGENT_MAX).collect())
}

/// A new refresh token for the login, stored, and an access token beside it.
async fn issue(
    tx: &mut Tx,
    keys: &Keys,
    settings: &LoginSettings,
    row: &UserRow,
    login: LoginClaims,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, sqlx::Error> {
    let jti = Uuid::new_v4();
    let issued = pair(keys, settings, row, login, jti, now);
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, account_id, user_id, family_id, issued_at, expires_at, user_agent, \
         client_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(jti)
    .bind(row.account_id)
    .bind(row.id)
    .bind(login.family_id)
    .bind(now)
    .bind(issued.idle_expires_at)
    .bind(kept_user_agent(&client))
    .bind(client.address.map(|a| a.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(issued)
}

/// The tokens of refresh token `jti`, issued at `issued_at`: the refresh token's claims are
/// all in its row or carried unchanged by the login, so the same token comes out each time.
fn pair(
    keys: &Keys,
    settings: &LoginSettings,
    row: &UserRow,
    login: LoginClaims,
    jti: Uuid,
    issued_at: DateTime<Utc>,
) -> Issued {
    let iat = issued_at.timestamp();
    let refresh = RefreshClaims {
        sub: row.id,
        jti,
        typ: tokens::REFRESH.into(),
        iat,
        exp: iat + login.idle_max,
        auth_time: Some(login.auth_time),
        idle_max: Some(login.idle_max),
        abs_max: Some(login.abs_max),
        fam: Some(login.family_id),
    };
    let user = row.user();
    let access = AccessClaims {
        sub: row.id,
        account_id: row.account_id,
        role: user.role,
        typ: tokens::ACCESS.into(),
        iat,
        exp: iat + settings.access_token_minutes * 60,
    };
    Issued {
        access_token: tokens::encode_token(keys, &access),
        access_expires_at: timestamp(access.exp),
        access,
        refresh_token: tokens::encode_token(keys, &refresh),
        idle_expires_at: timestamp(refresh.exp),
        absolute_expires_at: timestamp(login.auth_time + login.abs_max),
        family_id: login.family_id,
        user,
    }
}

/// A login's live refresh token, and the browser it was issued to.
#[derive(sqlx::FromRow)]
struct LiveToken {
    jti: Uuid,
    issued_at: DateTime<Utc>,
    user_agent: Option<String>,
    client_address: Option<String>,
}

/// For a page load whose refresh answered `RotatedConcurrently` (docs/SECURITY.md, "Two tabs,
/// one rotation"): the rotation another request of this browser made a moment ago, delivered
/// again. That request may have been a fetch the navigation cancelled, whose new cookies never
/// landed; without them the page would render, and its next call would present a spent token.
/// Only to the same browser (the `User-Agent` and address the newer token was issued to), only
/// inside the grace window `refresh` allows, and nothing is rotated, revoked or stored: the
/// login's live token (the same token, signed again) and a fresh access token. `None` otherwise.
pub async fn redeliver(
    pool: &PgPool,
    keys: &Keys,
    settings: &LoginSettings,
    token: &str,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Issued>, sqlx::Error> {
    let Ok(spent) = tokens::decode_refresh(keys, token, now) else {
        return Ok(None);
    };
    let (Some(auth_time), Some(idle_max), Some(abs_max), Some(family_id)) =
        (spent.auth_time, spent.idle_max, spent.abs_max, spent.fam)
    else {
        return Ok(None);
    };
    let mut tx = db::user_tx(pool, spent.sub).await?;
    let Some(row) = load_user(&mut tx, spent.sub).await? else {
        return Ok(None);
    };
    let live: Option<LiveToken> = sqlx::query_as(
        "SELECT t.jti, t.issued_at, t.user_agent, t.client_address FROM refresh_tokens t \
         JOIN refresh_tokens s ON s.jti = $1 AND s.family_id = t.family_id \
         WHERE t.user_id = $2 AND t.revoked_at IS NULL AND t.expires_at > $3 \
           AND s.rotated_at > $3 - make_interval(secs => $4) \
         ORDER BY t.issued_at DESC LIMIT 1",
    )
    .bind(spent.jti)
    .bind(row.id)
    .bind(now)
    .bind(REUSE_GRACE_SECONDS as f64)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(live
        .filter(|t| {
            t.user_agent == kept_user_agent(&client)
                && t.client_address == client.address.map(|a| a.to_string())
        })
        .map(|LiveToken { jti, issued_at, .. }| {
            let login = LoginClaims {
                auth_time,
                idle_max,
                abs_max,
                family_id,
            };
            pair(keys, settings, &row, login, jti, issued_at)
        }))
}

/// Revokes the login's current refresh token. Unknown or malformed tokens are ignored: signing
/// out always succeeds.
pub async fn logout(
    pool: &PgPool,
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    let Ok(claims) = tokens::decode_refresh_any_age(keys, token) else {
        return Ok(());
    };
    let mut tx = db::user_tx(pool, claims.sub).await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'logout' \
         WHERE jti = $1 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(claims.jti)
    .bind(now)
    .bind(claims.sub)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why the login ended, if it has: its newest token is revoked (a rotation always leaves a
/// newer one live). A login that merely ran out of time is not ended here.
pub async fn ended(tx: &mut Tx, login: LoginId) -> Result<Option<SignOutReason>, sqlx::Error> {
    let reason: Option<Option<String>> = sqlx::query_scalar(
        "SELECT revoked_reason FROM refresh_tokens WHERE family_id = $1 \
         ORDER BY issued_at DESC LIMIT 1",
    )
    .bind(login)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(reason.flatten().as_deref().and_then(SignOutReason::parse))
}

/// Ends every live login of `user_id` (a password reset, a deactivation), giving `reason`.
/// Returns how many refresh tokens were revoked.
pub async fn revoke_all(
    tx: &mut Tx,
    user_id: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = $3 \
         WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .bind(reason)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// The member behind valid access claims, with the account's subscription, read in the
/// caller's own tenant transaction; `None` once they are gone.
pub async fn member_in(
    tx: &mut Tx,
    user_id: UserId,
) -> Result<Option<(User, crate::plans::Subscription)>, sqlx::Error> {
    let row: Option<MemberRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS}, s.plan, s.status \
         FROM {USER_FROM} LEFT JOIN subscriptions s ON s.account_id = u.account_id \
         WHERE {ACTIVE_USER}"
    ))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| (r.user.user(), r.plan.zip(r.status))))
}

/// The idle and absolute ends of the login a refresh token belongs to, read from its claims.
pub fn windows_of(
    keys: &Keys,
    refresh_token: &str,
    user_id: UserId,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let claims = tokens::decode_refresh_any_age(keys, refresh_token).ok()?;
    if claims.sub != user_id {
        return None;
    }
    let auth_time = claims.auth_time.unwrap_or(claims.iat);
    let absolute = auth_time + claims.abs_max?;
    Some((timestamp(claims.exp), timestamp(absolute)))
}

/// Access claims for a user, for a page rendered inside the concurrent-rotation grace window.
pub fn grace_claims(user: &User, now: DateTime<Utc>) -> AccessClaims {
    AccessClaims {
        sub: user.id,
        account_id: user.account_id,
        role: user.role,
        typ: tokens::ACCESS.into(),
        iat: now.timestamp(),
        exp: now.timestamp() + 60,
    }
}

fn timestamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
