//! Troubleshooting sessions (CONTRACT §6): create, the sidebar list, detail with steps and
//! chat, and appending to them. Who may do what:
//! - create, message, record steps: owners, admins and engineers (viewers read, never act);
//! - read: the session's owner, its claimer, and any member while it is waiting for or in
//!   escalation;
//! - write: the owner and the claimer.

use crate::db::{self, Tx};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;
use vocab::{
    error::ApiError,
    handoffs::Snapshot,
    sessions::{ChatMessage, SessionDetail, SessionListItem, SessionStep},
    users::{Role, User, UserRef},
};

pub const SUMMARY_MAX: usize = 2000;
pub const TICKET_MAX: usize = 64;
pub const MESSAGE_MAX: usize = 20_000;

/// Statuses in which any account member may read a session.
const SHARED_STATUSES: [&str; 2] = ["requesting_escalation", "escalated"];

pub fn require_worker(user: &User) -> Result<(), ApiError> {
    if user.role.can_work() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn field_error(field: &str, message: &str) -> ApiError {
    ApiError::validation([(field.to_owned(), message.to_owned())])
}

/// Trims `text`; refuses it empty or longer than `max` characters.
pub fn required_text(field: &str, text: &str, max: usize) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(field_error(field, "This can't be empty."));
    }
    if text.chars().count() > max {
        return Err(field_error(
            field,
            &format!("Keep this under {max} characters."),
        ));
    }
    Ok(text.to_owned())
}

pub async fn create(
    pool: &PgPool,
    user: &User,
    problem_summary: &str,
    psa_ticket_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SessionDetail, ApiError> {
    require_worker(user)?;
    let summary = required_text("problem_summary", problem_summary, SUMMARY_MAX)?;
    let ticket = match psa_ticket_id.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > TICKET_MAX => {
            return Err(field_error(
                "psa_ticket_id",
                "Keep the ticket number under 64 characters.",
            ))
        }
        Some(t) => Some(t.trim_start_matches('#').to_owned()),
        None => None,
    };
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO troubleshooting_sessions (account_id, user_id, problem_summary, psa_ticket_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(user.account_id)
    .bind(user.id)
    .bind(&summary)
    .bind(&ticket)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let detail = load_detail(&mut tx, id).await?;
    tx.commit().await?;
    Ok(detail)
}

pub async fn list(pool: &PgPool, user: &User) -> Result<Vec<SessionListItem>, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let rows: Vec<SessionListItem> = sqlx::query_as(
        "SELECT id, problem_summary, psa_ticket_id, status, updated_at FROM troubleshooting_sessions \
         WHERE account_id = $1 AND (user_id = $2 OR escalated_to_id = $2) \
         ORDER BY updated_at DESC LIMIT 200",
    )
    .bind(user.account_id)
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows)
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

pub async fn get(pool: &PgPool, user: &User, session_id: Uuid) -> Result<SessionDetail, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    if !access(&mut tx, session_id, false).await?.can_read(user) {
        return Err(ApiError::not_found());
    }
    let mut detail = load_detail(&mut tx, session_id).await?;
    detail.handoff = crate::handoffs::latest_escalation(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(detail)
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

pub async fn message(
    pool: &PgPool,
    user: &User,
    session_id: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> Result<ChatMessage, ApiError> {
    let body = required_text("body", body, MESSAGE_MAX)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    writable(&mut tx, user, session_id).await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO session_messages (account_id, session_id, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.account_id)
    .bind(session_id)
    .bind(user.id)
    .bind(&body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    touch(&mut tx, session_id, now).await?;
    tx.commit().await?;
    Ok(ChatMessage {
        id,
        author: Some(UserRef {
            id: user.id,
            name: user.name.clone(),
        }),
        body,
        created_at: now,
    })
}

pub const OUTCOMES: [&str; 4] = ["pending", "worked", "failed", "partial"];

pub async fn add_step(
    pool: &PgPool,
    user: &User,
    session_id: Uuid,
    action: &str,
    outcome: &str,
    notes: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SessionStep, ApiError> {
    let action = required_text("action", action, SUMMARY_MAX)?;
    if !OUTCOMES.contains(&outcome) {
        return Err(field_error(
            "outcome",
            "Must be pending, worked, failed or partial.",
        ));
    }
    let notes = notes
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    writable(&mut tx, user, session_id).await?;
    let (id, position): (Uuid, i32) = sqlx::query_as(
        "INSERT INTO session_steps (account_id, session_id, position, action, outcome, notes, created_at) \
         SELECT $1, $2, coalesce(max(position), 0) + 1, $3, $4, $5, $6 FROM session_steps WHERE session_id = $2 \
         RETURNING id, position",
    )
    .bind(user.account_id)
    .bind(session_id)
    .bind(&action)
    .bind(outcome)
    .bind(&notes)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    touch(&mut tx, session_id, now).await?;
    tx.commit().await?;
    Ok(SessionStep {
        id,
        position,
        action,
        outcome: outcome.to_owned(),
        notes,
        created_at: now,
    })
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: Uuid,
    user_id: Uuid,
    owner_name: String,
    problem_summary: String,
    psa_ticket_id: Option<String>,
    status: String,
    escalation_reason: Option<String>,
    escalated_to_id: Option<Uuid>,
    escalated_to_name: Option<String>,
    resolution_note: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    created_at: DateTime<Utc>,
}

pub async fn load_detail(tx: &mut Tx, session_id: Uuid) -> Result<SessionDetail, ApiError> {
    let row: DetailRow = sqlx::query_as(
        "SELECT s.id, s.user_id, o.name AS owner_name, s.problem_summary, s.psa_ticket_id, s.status, \
                s.escalation_reason, s.escalated_to_id, e.name AS escalated_to_name, s.resolution_note, \
                s.created_at, s.updated_at \
         FROM troubleshooting_sessions s JOIN users o ON o.id = s.user_id \
         LEFT JOIN users e ON e.id = s.escalated_to_id WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(ApiError::not_found)?;
    let steps: Vec<SessionStep> = sqlx::query_as(
        "SELECT id, position, action, outcome, notes, created_at FROM session_steps \
         WHERE session_id = $1 ORDER BY position",
    )
    .bind(session_id)
    .fetch_all(&mut **tx)
    .await?;
    let messages: Vec<MessageRow> = sqlx::query_as(
        "SELECT m.id, m.author_id, u.name AS author_name, m.body, m.created_at FROM session_messages m \
         LEFT JOIN users u ON u.id = m.author_id WHERE m.session_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(session_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(SessionDetail {
        id: row.id,
        owner: UserRef {
            id: row.user_id,
            name: row.owner_name,
        },
        problem_summary: row.problem_summary,
        psa_ticket_id: row.psa_ticket_id,
        status: row.status,
        escalation_reason: row.escalation_reason,
        escalated_to: row
            .escalated_to_id
            .zip(row.escalated_to_name)
            .map(|(id, name)| UserRef { id, name }),
        created_at: row.created_at,
        updated_at: row.updated_at,
        steps,
        messages: messages
            .into_iter()
            .map(|m| ChatMessage {
                id: m.id,
                author: m
                    .author_id
                    .zip(m.author_name)
                    .map(|(id, name)| UserRef { id, name }),
                body: m.body,
                created_at: m.created_at,
            })
            .collect(),
        fixes: crate::fixes::list(tx, session_id).await?,
        resolution_note: row.resolution_note,
        handoff: None,
    })
}

/// Closes a session with its resolution note. A fix still awaiting verification stays as it is
/// (the browser's Resolve settles pending fixes first; the note calls any left provisional).
pub async fn resolve(
    pool: &PgPool,
    user: &User,
    session_id: Uuid,
    note: &str,
    now: DateTime<Utc>,
) -> Result<SessionDetail, ApiError> {
    let note = required_text("resolution_note", note, MESSAGE_MAX)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    writable(&mut tx, user, session_id).await?;
    sqlx::query(
        "UPDATE troubleshooting_sessions SET status = 'resolved', resolution_note = $2, resolved_at = $3, \
         updated_at = $3 WHERE id = $1",
    )
    .bind(session_id)
    .bind(&note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = load_detail(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// The session as the assessor reads it, for a resolution note's draft.
pub async fn snapshot(pool: &PgPool, user: &User, session_id: Uuid) -> Result<Snapshot, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    writable(&mut tx, user, session_id).await?;
    let detail = load_detail(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(Snapshot::of(&detail, String::new()))
}

/// Roles that work sessions, as stored.
pub fn is_worker_role(role: &str) -> bool {
    Role::parse(role).is_some_and(Role::can_work)
}
