//! Who may read and write a troubleshooting session:
//! - work sessions at all (create, message, record steps, escalate): owners, admins and
//!   engineers; viewers read, never act;
//! - read one: its owner, its claimer, and any member while it waits for or is in escalation;
//! - write to one: its owner and its claimer.

use crate::db::Tx;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use vocab::{
    error::ApiError,
    users::{Role, User},
};

/// Statuses in which any account member may read a session.
const SHARED_STATUSES: [&str; 2] = ["requesting_escalation", "escalated"];

pub fn require_worker(user: &User) -> Result<(), ApiError> {
    if user.role.can_work() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Who a session belongs to and where it stands, for access decisions.
pub struct Access {
    pub owner_id: Uuid,
    pub claimer_id: Option<Uuid>,
    pub status: String,
}

impl Access {
    pub fn can_read(&self, user: &User) -> bool {
        self.can_write(user) || SHARED_STATUSES.contains(&self.status.as_str())
    }

    pub fn can_write(&self, user: &User) -> bool {
        user.id == self.owner_id || Some(user.id) == self.claimer_id
    }
}

/// The session's access facts, locked for the rest of the transaction when `lock` is set.
/// Another account's session is `not_found`.
pub async fn access(tx: &mut Tx, session_id: Uuid, lock: bool) -> Result<Access, ApiError> {
    let sql = if lock {
        "SELECT user_id, escalated_to_id, status FROM troubleshooting_sessions WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT user_id, escalated_to_id, status FROM troubleshooting_sessions WHERE id = $1"
    };
    let row: Option<(Uuid, Option<Uuid>, String)> = sqlx::query_as(sql)
        .bind(session_id)
        .fetch_optional(&mut **tx)
        .await?;
    let (owner_id, claimer_id, status) = row.ok_or_else(ApiError::not_found)?;
    Ok(Access {
        owner_id,
        claimer_id,
        status,
    })
}

/// Checks that `user` may add to the session, locking it.
pub async fn writable(tx: &mut Tx, user: &User, session_id: Uuid) -> Result<(), ApiError> {
    require_worker(user)?;
    let access = access(tx, session_id, true).await?;
    if access.can_write(user) {
        Ok(())
    } else if access.can_read(user) {
        Err(ApiError::forbidden())
    } else {
        Err(ApiError::not_found())
    }
}

pub async fn touch(tx: &mut Tx, session_id: Uuid, now: DateTime<Utc>) -> Result<(), ApiError> {
    sqlx::query("UPDATE troubleshooting_sessions SET updated_at = $2 WHERE id = $1")
        .bind(session_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Roles that work sessions, as stored.
pub fn is_worker_role(role: &str) -> bool {
    Role::parse(role).is_some_and(Role::can_work)
}
