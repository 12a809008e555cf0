//! Troubleshooting sessions: the sidebar, the record of steps and the conversation.

use crate::{
    fixes::SuggestedFix,
    handoffs::{Handoff, Snapshot, SnapshotFix, SnapshotStep},
    ids::SessionId,
    users::UserRef,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest problem summary (and step) a session takes, in characters.
pub const SUMMARY_MAX: usize = 2000;
/// The longest PSA ticket number.
pub const TICKET_MAX: usize = 64;
/// The longest message in a session's conversation.
pub const MESSAGE_MAX: usize = 20_000;

words! {
    /// Where a troubleshooting session stands.
    pub enum SessionStatus {
        Active = "active",
        /// Escalated, and nobody has picked it up yet.
        RequestingEscalation = "requesting_escalation",
        /// Picked up by the senior who claimed the escalation.
        Escalated = "escalated",
        Parked = "parked",
        Resolved = "resolved",
    }
}

/// What each status allows, one rule for the server and the page (docs/API.md §5, "Where a
/// session stands"):
/// - active or parked: its owner works it, and may escalate or park it;
/// - requesting escalation: waiting in the queue; its owner works it meanwhile, but it is
///   already handed on;
/// - escalated: a senior picked it up; owner and senior work it together until it is resolved;
/// - resolved: a record, read and written up, never changed.
impl SessionStatus {
    /// Escalating or parking it is possible: it is not with a senior, nor finished.
    pub fn can_hand_on(self) -> bool {
        self.why_not_hand_on().is_none()
    }

    /// Why it can't be escalated or parked, as the person trying is told; none when it can.
    pub fn why_not_hand_on(self) -> Option<&'static str> {
        match self {
            SessionStatus::Active | SessionStatus::Parked => None,
            SessionStatus::RequestingEscalation => {
                Some("This session is already waiting for a senior.")
            }
            SessionStatus::Escalated => Some("A senior has already picked this session up."),
            SessionStatus::Resolved => self.why_not_change(),
        }
    }

    /// Messages, steps, fixes and resolving are possible: it is not resolved.
    pub fn is_open(self) -> bool {
        self.why_not_change().is_none()
    }

    /// Why nothing can be added to it, as the person trying is told; none while it is open.
    pub fn why_not_change(self) -> Option<&'static str> {
        (self == SessionStatus::Resolved)
            .then_some("This session is resolved: it can be read, not changed.")
    }

    /// Escalated, picked up or not: the account's workers may read it, not only its owner.
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            SessionStatus::RequestingEscalation | SessionStatus::Escalated
        )
    }
}

words! {
    /// What came of a step the engineer tried.
    pub enum StepOutcome {
        /// Tried, and the engineer is waiting to see.
        Pending = "pending",
        Worked = "worked",
        Failed = "failed",
        Partial = "partial",
    }
}

/// A row of the sidebar (docs/API.md §5 `sessions/list`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionListItem {
    pub id: SessionId,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub status: SessionStatus,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionStep {
    pub id: Uuid,
    pub position: i32,
    pub action: String,
    pub outcome: StepOutcome,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub id: Uuid,
    pub author: Option<UserRef>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionDetail {
    pub id: SessionId,
    pub owner: UserRef,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub status: SessionStatus,
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

impl SessionDetail {
    /// What a handoff records and the assessor reads of the session; `reason` is why it is being handed on (empty for
    /// a resolution note).
    pub fn snapshot(&self, reason: String) -> Snapshot {
        Snapshot {
            problem_summary: self.problem_summary.clone(),
            psa_ticket_id: self.psa_ticket_id.clone(),
            reason,
            steps: self
                .steps
                .iter()
                .map(|s| SnapshotStep {
                    action: s.action.clone(),
                    outcome: s.outcome,
                    notes: s.notes.clone(),
                })
                .collect(),
            fixes: self
                .fixes
                .iter()
                .map(|f| SnapshotFix {
                    title: f.title.clone(),
                    status: f.status,
                    partial_notes: f.partial_notes.clone(),
                    pending_reason: f.pending_reason.clone(),
                })
                .collect(),
            ..Snapshot::default()
        }
    }
}
