//! Who may read and write a troubleshooting session:
//! - work sessions at all (create, message, record steps, escalate): owners, admins and
//!   engineers; viewers read, never act;
//! - read one: its owner, its claimer, and any member while it waits for or is in escalation;
//! - write to one: its owner and its claimer, and only while it is open (`workable`).

use crate::db::Tx;
use chrono::{DateTime, Utc};
use vocab::{
    error::ApiError,
    ids::{SessionId, UserId},
    sessions::SessionStatus,
    users::User,
};

pub fn require_worker(user: &User) -> Result<(), ApiError> {
    if user.role.can_work() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Who a session belongs to and where it stands, for access decisions.
pub struct Access {
    pub owner_id: UserId,
    pub claimer_id: Option<UserId>,
    pub status: SessionStatus,
}

impl Access {
    pub fn can_read(&self, user: &User) -> bool {
        self.can_write(user) || self.status.is_shared()
    }

    pub fn can_write(&self, user: &User) -> bool {
        user.id == self.owner_id || Some(user.id) == self.claimer_id
    }

    /// Who hears live of what happens in the session (docs/API.md §9): while it waits in the
    /// queue, every member who works it (`None`); otherwise its owner and its claimer.
    pub fn audience(&self) -> Option<Vec<UserId>> {
        if self.status.is_shared() && self.claimer_id.is_none() {
            return None;
        }
        Some(
            std::iter::once(self.owner_id)
                .chain(self.claimer_id)
                .collect(),
        )
    }
}

/// The session's access facts, locked for the rest of the transaction when `lock` is set.
/// Another account's session is `not_found`.
pub async fn access(tx: &mut Tx, session_id: SessionId, lock: bool) -> Result<Access, ApiError> {
    let sql = if lock {
        "SELECT user_id, escalated_to_id, status FROM troubleshooting_sessions WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT user_id, escalated_to_id, status FROM troubleshooting_sessions WHERE id = $1"
    };
    let row: Option<(UserId, Option<UserId>, SessionStatus)> = sqlx::query_as(sql)
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
pub async fn writable(tx: &mut Tx, user: &User, session_id: SessionId) -> Result<Access, ApiError> {
    require_worker(user)?;
    let access = access(tx, session_id, true).await?;
    if access.can_write(user) {
        Ok(access)
    } else if access.can_read(user) {
        Err(ApiError::forbidden())
    } else {
        Err(ApiError::not_found())
    }
}

/// Checks that `user` may still work in the session: add messages, steps and fixes, or resolve
/// it. A resolved session is a record (`SessionStatus::is_open`).
pub async fn workable(tx: &mut Tx, user: &User, session_id: SessionId) -> Result<Access, ApiError> {
    let access = writable(tx, user, session_id).await?;
    match access.status.why_not_change() {
        None => Ok(access),
        Some(why) => Err(ApiError::invalid("session_id", why)),
    }
}

pub async fn touch(tx: &mut Tx, session_id: SessionId, now: DateTime<Utc>) -> Result<(), ApiError> {
    sqlx::query("UPDATE troubleshooting_sessions SET updated_at = $2 WHERE id = $1")
        .bind(session_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
