//! Troubleshooting sessions (docs/API.md §5): create, the sidebar list, the detail with steps
//! and chat, and adding to them. Who may do what is `session_access`; a message is announced
//! on the bus to whoever may read it, and so is a resolve.

use crate::{
    bus, db, handoffs, notify,
    session_access::{access, require_worker, touch, workable, writable},
    session_record::load_detail,
    text::required_text,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;
use vocab::{
    error::ApiError,
    events::EscalationEvent,
    handoffs::Snapshot,
    ids::SessionId,
    sessions::{
        ChatMessage, SessionDetail, SessionListItem, SessionStep, StepOutcome, MESSAGE_MAX,
        SUMMARY_MAX, TICKET_MAX,
    },
    users::{User, UserRef},
};

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
            return Err(ApiError::invalid(
                "psa_ticket_id",
                "Keep the ticket number under 64 characters.",
            ))
        }
        Some(t) => Some(t.trim_start_matches('#').to_owned()),
        None => None,
    };
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let id: SessionId = sqlx::query_scalar(
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

pub async fn get(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
) -> Result<SessionDetail, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    if !access(&mut tx, session_id, false).await?.can_read(user) {
        return Err(ApiError::not_found());
    }
    let mut detail = load_detail(&mut tx, session_id).await?;
    detail.handoff = handoffs::latest_escalation(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(detail)
}

pub async fn message(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<ChatMessage, ApiError> {
    let body = required_text("body", body, MESSAGE_MAX)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let access = workable(&mut tx, user, session_id).await?;
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
    // The other side fetches it. Should the announcement fail, the message is still sent and
    // shows there on the next load.
    let event = EscalationEvent::SessionMessage {
        session_id,
        message_id: id,
    };
    if let Err(e) = bus::publish(pool, user.account_id, &event, access.audience().as_deref()).await
    {
        tracing::error!(error = %e, %session_id, "publishing session_message");
    }
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

pub async fn add_step(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    action: &str,
    outcome: &str,
    notes: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SessionStep, ApiError> {
    let action = required_text("action", action, SUMMARY_MAX)?;
    let outcome = StepOutcome::parse(outcome).ok_or_else(|| {
        ApiError::invalid("outcome", "Must be pending, worked, failed or partial.")
    })?;
    let notes = notes
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    workable(&mut tx, user, session_id).await?;
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
        outcome,
        notes,
        created_at: now,
    })
}

/// Closes a session with its resolution note. A fix still awaiting verification stays as it is
/// (the browser's Resolve settles pending fixes first; the note calls any left provisional).
pub async fn resolve(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    note: &str,
    now: DateTime<Utc>,
) -> Result<SessionDetail, ApiError> {
    let note = required_text("resolution_note", note, MESSAGE_MAX)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let access = workable(&mut tx, user, session_id).await?;
    sqlx::query(
        "UPDATE troubleshooting_sessions SET status = 'resolved', resolution_note = $2, resolved_at = $3, \
         updated_at = $3 WHERE id = $1",
    )
    .bind(session_id)
    .bind(&note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    notify::handled(&mut tx, session_id, now).await?;
    let detail = load_detail(&mut tx, session_id).await?;
    tx.commit().await?;
    // Heard by whoever could see it a moment ago: the queue, while it waited there.
    let event = EscalationEvent::SessionResolved { session_id };
    if let Err(e) = bus::publish(pool, user.account_id, &event, access.audience().as_deref()).await
    {
        tracing::error!(error = %e, %session_id, "publishing session_resolved");
    }
    Ok(detail)
}

/// The session as the assessor reads it, for a resolution note's draft.
pub async fn snapshot(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
) -> Result<Snapshot, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    writable(&mut tx, user, session_id).await?;
    let detail = load_detail(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(detail.snapshot(String::new()))
}
