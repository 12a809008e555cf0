//! The members page: everyone in the account with their role, status, last sign-in and how
//! they sign in, and the open invitations; role changes, deactivation and reactivation.
//!
//! Every change locks the account first ([`super::lock_account`]) and then checks that an
//! active owner remains, so no two changes at once can leave the account without one.

use super::{invitations, lock_account};
use crate::{actor::Actor, audit, auth::logins::revoke_all, db, db::Tx};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use vocab::{
    error::ApiError,
    ids::{AccountId, UserId},
    team::{Member, MemberStatus, SsoProvider, Team},
    users::Role,
};

/// The most members the page lists: active ones first, then by name.
const LISTED: i64 = 500;

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: UserId,
    name: String,
    email: String,
    role: Role,
    status: MemberStatus,
    last_login_at: Option<DateTime<Utc>>,
    has_password: bool,
    sso_providers: Vec<SsoProvider>,
}

impl MemberRow {
    fn member(self, you: UserId) -> Member {
        Member {
            is_you: self.user_id == you,
            user_id: self.user_id,
            name: self.name,
            email: self.email,
            role: self.role,
            status: self.status,
            last_login_at: self.last_login_at,
            has_password: self.has_password,
            sso_providers: self.sso_providers,
        }
    }
}

const MEMBER_SELECT: &str = "SELECT u.id AS user_id, u.name, u.email, u.role, \
        CASE WHEN u.active THEN 'active' ELSE 'deactivated' END AS status, u.last_login_at, \
        u.password_hash IS NOT NULL AS has_password, \
        coalesce(array_agg(i.provider ORDER BY i.provider) FILTER (WHERE i.provider IS NOT NULL), \
                 '{}') AS sso_providers \
     FROM users u LEFT JOIN user_identities i ON i.user_id = u.id \
     WHERE u.deleted_at IS NULL";

/// Everyone in the caller's account and its open invitations (owners and admins).
pub async fn team(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    now: DateTime<Utc>,
) -> Result<Team, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let actor = Actor::load_if(&mut tx, caller, Role::manages_team).await?;
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "{MEMBER_SELECT} AND u.account_id = $1 GROUP BY u.id \
         ORDER BY u.active DESC, lower(u.name), u.id LIMIT $2"
    ))
    .bind(actor.account_id)
    .bind(LISTED)
    .fetch_all(&mut *tx)
    .await?;
    let invitations = invitations::open_list(&mut tx, actor.account_id, now).await?;
    tx.commit().await?;
    Ok(Team {
        members: rows.into_iter().map(|r| r.member(caller)).collect(),
        invitations,
    })
}

/// One member of the account as the page shows them; 404 for anyone else.
async fn member(tx: &mut Tx, user_id: UserId, you: UserId) -> Result<Member, ApiError> {
    let row: Option<MemberRow> =
        sqlx::query_as(&format!("{MEMBER_SELECT} AND u.id = $1 GROUP BY u.id"))
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|r| r.member(you)).ok_or_else(ApiError::not_found)
}

/// 422 unless the account still has an active owner (read inside the account lock).
async fn require_an_owner(tx: &mut Tx, account_id: AccountId) -> Result<(), ApiError> {
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE account_id = $1 AND role = 'owner' AND active",
    )
    .bind(account_id)
    .fetch_one(&mut **tx)
    .await?;
    if owners == 0 {
        return Err(ApiError::invalid(
            "user_id",
            "The account needs an active owner. Make someone else owner first.",
        ));
    }
    Ok(())
}

/// The acting manager and the member they act on, with the account locked.
async fn acting_on(
    tx: &mut Tx,
    caller: UserId,
    account_id: AccountId,
    user_id: UserId,
) -> Result<(Actor, Member), ApiError> {
    lock_account(tx, account_id).await?;
    // Read inside the lock: a demotion that just committed counts.
    let actor = Actor::load_if(tx, caller, Role::manages_team).await?;
    let target = member(tx, user_id, caller).await?;
    Ok((actor, target))
}

/// Changes a member's role. 403 beyond what the caller's role allows; 422 for an unknown role
/// or when no active owner would remain.
pub async fn update_role(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    user_id: UserId,
    role: &str,
    now: DateTime<Utc>,
) -> Result<Member, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let (actor, target) = acting_on(&mut tx, caller, account_id, user_id).await?;
    let role = Role::parse(role.trim())
        .ok_or_else(|| ApiError::invalid("role", "Choose owner, admin, engineer or viewer."))?;
    if role == target.role {
        return Ok(target);
    }
    if !actor.role.can_change_role(target.role, role) {
        return Err(ApiError::forbidden());
    }
    sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    require_an_owner(&mut tx, actor.account_id).await?;
    let changed = member(&mut tx, user_id, caller).await?;
    audit::commit_with(
        tx,
        actor.account_id,
        Some(actor.user_id),
        "account.member_role_changed",
        json!({ "user_id": user_id, "old": target.role, "new": role }),
        now,
    )
    .await?;
    Ok(changed)
}

/// Deactivates or reactivates a member (`to`); the same again changes nothing and is not
/// audited. Deactivating ends, in the same transaction, every live login of theirs and puts
/// the escalations they had picked up and not resolved back in the queue; their sessions,
/// messages and handoffs stay. Not yourself; not the last active owner. A reactivated member
/// signs in again (their old logins stay ended).
pub async fn set_status(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    user_id: UserId,
    to: MemberStatus,
    now: DateTime<Utc>,
) -> Result<Member, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let (actor, target) = acting_on(&mut tx, caller, account_id, user_id).await?;
    if !actor.role.can_deactivate(target.role) {
        return Err(ApiError::forbidden());
    }
    if user_id == caller {
        return Err(ApiError::invalid(
            "user_id",
            "You can't deactivate yourself. Another owner can.",
        ));
    }
    if target.status == to {
        return Ok(target);
    }
    let deactivated_at = (to == MemberStatus::Deactivated).then_some(now);
    sqlx::query("UPDATE users SET deactivated_at = $2, updated_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(deactivated_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let (event, payload) = match to {
        MemberStatus::Deactivated => {
            require_an_owner(&mut tx, actor.account_id).await?;
            let revoked = revoke_all(&mut tx, user_id, "deactivated", now).await?;
            let released = release_claims(&mut tx, user_id, now).await?;
            (
                "account.member_deactivated",
                json!({ "user_id": user_id, "revoked_count": revoked, "escalations_released": released }),
            )
        }
        MemberStatus::Active => ("account.member_reactivated", json!({ "user_id": user_id })),
    };
    let changed = member(&mut tx, user_id, caller).await?;
    audit::commit_with(
        tx,
        actor.account_id,
        Some(actor.user_id),
        event,
        payload,
        now,
    )
    .await?;
    Ok(changed)
}

/// Puts the escalations `user_id` picked up, on sessions not yet resolved, back in the queue.
async fn release_claims(
    tx: &mut Tx,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let released = sqlx::query(
        "WITH released AS ( \
             UPDATE session_handoffs h SET claimed_by = NULL, claimed_at = NULL \
             FROM troubleshooting_sessions s \
             WHERE h.claimed_by = $1 AND h.intent = 'escalate' AND s.id = h.session_id \
               AND s.status <> 'resolved' \
             RETURNING h.session_id) \
         UPDATE troubleshooting_sessions s SET status = 'requesting_escalation', \
             escalated_to_id = NULL, updated_at = $2 \
         FROM released WHERE s.id = released.session_id AND s.escalated_to_id = $1",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(released)
}
