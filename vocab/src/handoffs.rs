//! Handoffs: escalations and parked sessions, their snapshot, assessment and the queue.

use crate::{fixes::FixStatus, users::UserRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceTier {
    Low,
    Medium,
    High,
}

/// What the assessor made of an escalated session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub summary: String,
    pub likely_causes: Vec<String>,
    pub suggested_steps: Vec<String>,
    pub confidence_tier: ConfidenceTier,
}

/// What a handoff recorded of its session when it was made (the part the pick-up screen and
/// the assessor read; the stored snapshot has a few more fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub problem_summary: String,
    #[serde(default)]
    pub psa_ticket_id: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub steps: Vec<SnapshotStep>,
    #[serde(default)]
    pub fixes: Vec<SnapshotFix>,
}

/// A fix as a handoff's snapshot (and the assessor) sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFix {
    pub title: String,
    pub status: FixStatus,
    #[serde(default)]
    pub partial_notes: Option<String>,
    #[serde(default)]
    pub pending_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotStep {
    pub action: String,
    pub outcome: String,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    pub id: Uuid,
    pub session_id: Uuid,
    pub from_user: UserRef,
    pub intent: String,
    pub reason: String,
    pub target_user: Option<UserRef>,
    pub snapshot: serde_json::Value,
    pub claimed_by: Option<UserRef>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub ai_assessment: Option<Assessment>,
    /// `pending` until the assessor answers, then `ready` or `unavailable`.
    pub assessment_status: String,
    pub created_at: DateTime<Utc>,
}

impl Handoff {
    /// The session as it stood when it was handed off.
    pub fn snapshot(&self) -> Option<Snapshot> {
        serde_json::from_value(self.snapshot.clone()).ok()
    }
}

/// A card of the escalation queue (docs/API.md §6 `handoffs/queue`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub handoff_id: Uuid,
    pub session_id: Uuid,
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
pub struct ClaimedBy {
    pub user_id: Uuid,
    pub name: String,
}
