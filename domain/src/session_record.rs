//! A troubleshooting session's record as one value: the session, its steps, its conversation
//! and its fixes (what the detail page, a handoff's snapshot and the knowledge base read).

use crate::{db::Tx, fixes};

/// The most steps and messages a record carries: the latest ones.
pub const STEPS_SHOWN: i64 = 200;
pub const MESSAGES_SHOWN: i64 = 500;
use chrono::{DateTime, Utc};
use uuid::Uuid;
use vocab::{
    error::ApiError,
    ids::{SessionId, UserId},
    sessions::{ChatMessage, SessionDetail, SessionStatus, SessionStep},
    users::UserRef,
};

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: SessionId,
    user_id: UserId,
    owner_name: String,
    problem_summary: String,
    psa_ticket_id: Option<String>,
    status: SessionStatus,
    escalation_reason: Option<String>,
    escalated_to_id: Option<UserId>,
    escalated_to_name: Option<String>,
    resolution_note: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    author_id: Option<UserId>,
    author_name: Option<String>,
    body: String,
    created_at: DateTime<Utc>,
}

pub async fn load_detail(tx: &mut Tx, session_id: SessionId) -> Result<SessionDetail, ApiError> {
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
    // The latest steps and messages, oldest first: every answer has a bounded size.
    let steps: Vec<SessionStep> = sqlx::query_as(
        "SELECT * FROM (SELECT id, position, action, outcome, notes, created_at FROM session_steps \
             WHERE session_id = $1 ORDER BY position DESC LIMIT $2) latest ORDER BY position",
    )
    .bind(session_id)
    .bind(STEPS_SHOWN)
    .fetch_all(&mut **tx)
    .await?;
    let messages: Vec<MessageRow> = sqlx::query_as(
        "SELECT * FROM (SELECT m.id, m.author_id, u.name AS author_name, m.body, m.created_at \
             FROM session_messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.session_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2) latest \
         ORDER BY created_at, id",
    )
    .bind(session_id)
    .bind(MESSAGES_SHOWN)
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
        fixes: fixes::list(tx, session_id).await?,
        resolution_note: row.resolution_note,
        handoff: None,
    })
}
