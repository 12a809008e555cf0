//! Troubleshooting sessions: the sidebar, the record of steps and the conversation.

use crate::{fixes::SuggestedFix, handoffs::Handoff, users::UserRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A row of the sidebar (CONTRACT §6 `sessions/list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionListItem {
    pub id: Uuid,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionStep {
    pub id: Uuid,
    pub position: i32,
    pub action: String,
    pub outcome: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: Uuid,
    pub author: Option<UserRef>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    pub id: Uuid,
    pub owner: UserRef,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub status: String,
    pub escalation_reason: Option<String>,
    pub escalated_to: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub steps: Vec<SessionStep>,
    pub messages: Vec<ChatMessage>,
    #[serde(default)]
    pub fixes: Vec<SuggestedFix>,
    pub resolution_note: Option<String>,
    /// The session's latest escalation, with its assessment (absent on `create`, and when the
    /// session was never escalated).
    #[serde(default)]
    pub handoff: Option<Handoff>,
}
