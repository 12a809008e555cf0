//! Handoffs: escalations and parked sessions, their snapshot, assessment and the queue.

use crate::{
    fixes::FixStatus,
    ids::{HandoffId, SessionId, UserId},
    sessions::StepOutcome,
    users::UserRef,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

words! {
    /// What a handoff asks for: a senior to pick the session up, or only to put it aside.
    pub enum Intent {
        Escalate = "escalate",
        Park = "park",
    }
}

words! {
    /// Where the assessment of a handoff stands.
    pub enum AssessmentStatus {
        /// The assessor has not answered yet.
        Pending = "pending",
        Ready = "ready",
        /// The assessor could not say anything.
        Unavailable = "unavailable",
        /// A parked session is not assessed.
        NotApplicable = "not_applicable",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceTier {
    Low,
    Medium,
    High,
}

/// What the assessor made of an escalated session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub summary: String,
    pub likely_causes: Vec<String>,
    pub suggested_steps: Vec<String>,
    pub confidence_tier: ConfidenceTier,
}

/// A session as it stood when it was handed off (what the pick-up screen and the assessor
/// read), or as a resolution note's draft reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub problem_summary: String,
    #[serde(default)]
    pub psa_ticket_id: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub steps: Vec<SnapshotStep>,
    #[serde(default)]
    pub fixes: Vec<SnapshotFix>,
    /// The rest is what a handoff records besides: whose session, who handed it off, how much
    /// was said, and when (absent from a draft's snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user: Option<UserRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<DateTime<Utc>>,
}

/// A fix as a handoff's snapshot (and the assessor) sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SnapshotFix {
    pub title: String,
    pub status: FixStatus,
    #[serde(default)]
    pub partial_notes: Option<String>,
    #[serde(default)]
    pub pending_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SnapshotStep {
    pub action: String,
    pub outcome: StepOutcome,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Handoff {
    pub id: HandoffId,
    pub session_id: SessionId,
    pub from_user: UserRef,
    pub intent: Intent,
    pub reason: String,
    pub target_user: Option<UserRef>,
    pub snapshot: Snapshot,
    pub claimed_by: Option<UserRef>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub ai_assessment: Option<Assessment>,
    pub assessment_status: AssessmentStatus,
    pub created_at: DateTime<Utc>,
}

/// A card of the escalation queue (docs/API.md §6 `handoffs/queue`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub handoff_id: HandoffId,
    pub session_id: SessionId,
    pub from_user: UserRef,
    pub problem_summary: String,
    pub reason: String,
    pub psa_ticket_id: Option<String>,
    pub step_count: i64,
    pub confidence_tier: Option<ConfidenceTier>,
    pub created_at: DateTime<Utc>,
}

/// Who won a claim, as the stream tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClaimedBy {
    pub user_id: UserId,
    pub name: String,
}
