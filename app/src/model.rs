//! Types that cross the wire between server and browser. Nothing secret lives here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Engineer,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Engineer => "engineer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "engineer" => Some(Role::Engineer),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// Owners, admins and engineers work sessions and the escalation queue; viewers only read.
    pub fn can_work(self) -> bool {
        !matches!(self, Role::Viewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Engineer => "Engineer",
            Role::Viewer => "Viewer",
        })
    }
}

/// The signed-in user as the API describes them (`user` in CONTRACT §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub account_id: Uuid,
}

impl User {
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// The answer of login and session: who, and when the session's two windows close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: User,
    pub idle_expires_at: Option<DateTime<Utc>>,
    pub absolute_expires_at: Option<DateTime<Utc>>,
}

/// Why a session ended, as the login page's banner needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    Idle,
    Absolute,
}

/// A session window's system default, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDefaults {
    pub idle_minutes: i32,
    pub absolute_minutes: i32,
}

/// The envelope an owner's overrides must fit in, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyBounds {
    pub idle_min: i32,
    pub idle_max: i32,
    pub absolute_min: i32,
    pub absolute_max: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveUser {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub is_you: bool,
}

/// One login (a refresh-token family) that is still alive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginSession {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub user_name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub is_current: bool,
}

/// The account's session security as its owner sees it (CONTRACT §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub session_idle_minutes: Option<i32>,
    pub session_absolute_minutes: Option<i32>,
    pub effective_idle_minutes: i32,
    pub effective_absolute_minutes: i32,
    pub defaults: PolicyDefaults,
    pub bounds: PolicyBounds,
    pub active_users: Vec<ActiveUser>,
    pub sessions: Vec<LoginSession>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCount {
    pub revoked_count: u64,
}

/// CONTRACT §5's policy validation, in its order: each field within its bounds; then the
/// effective idle window no longer than the effective absolute one. Shared by the server (422)
/// and the browser (inline messages), so the two never disagree. Returns `(field, message)`.
pub fn policy_errors(
    idle: Option<i32>,
    absolute: Option<i32>,
    defaults: PolicyDefaults,
    bounds: PolicyBounds,
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let out_of = |v: Option<i32>, min: i32, max: i32| v.is_some_and(|v| !(min..=max).contains(&v));
    if out_of(idle, bounds.idle_min, bounds.idle_max) {
        errors.push((
            "session_idle_minutes".to_owned(),
            format!(
                "Must be between {} and {} minutes.",
                bounds.idle_min, bounds.idle_max
            ),
        ));
    }
    if out_of(absolute, bounds.absolute_min, bounds.absolute_max) {
        errors.push((
            "session_absolute_minutes".to_owned(),
            format!(
                "Must be between {} and {} minutes.",
                bounds.absolute_min, bounds.absolute_max
            ),
        ));
    }
    if errors.is_empty() {
        let idle = idle.unwrap_or(defaults.idle_minutes);
        let absolute = absolute.unwrap_or(defaults.absolute_minutes);
        if idle > absolute {
            errors.push((
                "session_idle_minutes".to_owned(),
                format!("The idle timeout ({idle} min) can't be longer than the absolute limit ({absolute} min)."),
            ));
        }
    }
    errors
}

/// A user as other people see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
}

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

/// Where a suggested fix stands. `applied_*` means it was put in; of those, success, failed and
/// partial are verdicts, verifying and pending are still waiting for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixStatus {
    Suggested,
    AppliedVerifying,
    AppliedSuccess,
    AppliedFailed,
    AppliedPartial,
    /// Applied, awaiting verification: non-terminal, with what it waits on.
    AppliedPending,
    Dismissed,
}

impl FixStatus {
    pub const ALL: [FixStatus; 7] = [
        FixStatus::Suggested,
        FixStatus::AppliedVerifying,
        FixStatus::AppliedSuccess,
        FixStatus::AppliedFailed,
        FixStatus::AppliedPartial,
        FixStatus::AppliedPending,
        FixStatus::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FixStatus::Suggested => "suggested",
            FixStatus::AppliedVerifying => "applied_verifying",
            FixStatus::AppliedSuccess => "applied_success",
            FixStatus::AppliedFailed => "applied_failed",
            FixStatus::AppliedPartial => "applied_partial",
            FixStatus::AppliedPending => "applied_pending",
            FixStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// How people say it.
    pub fn words(self) -> &'static str {
        match self {
            FixStatus::Suggested => "suggested",
            FixStatus::AppliedVerifying => "applied, checking",
            FixStatus::AppliedSuccess => "worked",
            FixStatus::AppliedFailed => "didn't work",
            FixStatus::AppliedPartial => "partly worked",
            FixStatus::AppliedPending => "awaiting verification",
            FixStatus::Dismissed => "dismissed",
        }
    }

    pub fn is_applied(self) -> bool {
        !matches!(self, FixStatus::Suggested | FixStatus::Dismissed)
    }

    /// A verdict on an applied fix: the only outcomes that stamp `verified_at`.
    pub fn is_verdict(self) -> bool {
        matches!(
            self,
            FixStatus::AppliedSuccess | FixStatus::AppliedFailed | FixStatus::AppliedPartial
        )
    }

    /// Applied but not settled: the session still owes this fix an outcome.
    pub fn needs_outcome(self) -> bool {
        matches!(
            self,
            FixStatus::AppliedVerifying | FixStatus::AppliedPartial | FixStatus::AppliedPending
        )
    }

    /// The transitions the server allows. Worked, didn't work and dismissed are final; partial
    /// and pending can be recorded again (to update their notes or reason).
    pub fn can_become(self, to: FixStatus) -> bool {
        use FixStatus::*;
        match self {
            Suggested => to != Suggested,
            AppliedVerifying => !matches!(to, Suggested | AppliedVerifying),
            AppliedPartial | AppliedPending => !matches!(to, Suggested | AppliedVerifying),
            AppliedSuccess | AppliedFailed | Dismissed => false,
        }
    }
}

/// A fix suggested on a troubleshooting session, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedFix {
    pub id: Uuid,
    pub session_id: Uuid,
    pub title: String,
    pub details: Option<String>,
    pub status: FixStatus,
    /// What still isn't right, for a partial outcome.
    pub partial_notes: Option<String>,
    /// What the fix is waiting on, for "applied, awaiting verification".
    pub pending_reason: Option<String>,
    pub outcome_notes: Option<String>,
    pub applied_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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

impl Snapshot {
    /// What the assessor reads of a session; `reason` is why it is being handed on (empty for
    /// a resolution note).
    pub fn of(detail: &SessionDetail, reason: String) -> Self {
        Self {
            problem_summary: detail.problem_summary.clone(),
            psa_ticket_id: detail.psa_ticket_id.clone(),
            reason,
            steps: detail
                .steps
                .iter()
                .map(|s| SnapshotStep {
                    action: s.action.clone(),
                    outcome: s.outcome.clone(),
                    notes: s.notes.clone(),
                })
                .collect(),
            fixes: detail
                .fixes
                .iter()
                .map(|f| SnapshotFix {
                    title: f.title.clone(),
                    status: f.status,
                    partial_notes: f.partial_notes.clone(),
                    pending_reason: f.pending_reason.clone(),
                })
                .collect(),
        }
    }
}

impl Handoff {
    /// The session as it stood when it was handed off.
    pub fn snapshot(&self) -> Option<Snapshot> {
        serde_json::from_value(self.snapshot.clone()).ok()
    }
}

/// A card of the escalation queue (CONTRACT §6 `handoffs/queue`).
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

/// An event of the account's escalation stream (CONTRACT §6): the SSE `event:` name is the
/// variant's name, the `data:` its fields. The server publishes and the browser reads this one
/// type, so the two cannot drift apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EscalationEvent {
    HandoffCreated {
        handoff_id: Uuid,
        session_id: Uuid,
    },
    HandoffClaimed {
        handoff_id: Uuid,
        claimed_by: ClaimedBy,
    },
    HandoffAssessmentReady {
        handoff_id: Uuid,
        has_assessment: bool,
    },
}

impl EscalationEvent {
    /// Every event name the stream carries.
    pub const NAMES: [&'static str; 3] = [
        "handoff_created",
        "handoff_claimed",
        "handoff_assessment_ready",
    ];

    /// The event's name and its payload, as published.
    pub fn to_parts(&self) -> (String, serde_json::Value) {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        let name = value
            .as_object_mut()
            .and_then(|fields| fields.remove("type"))
            .and_then(|name| name.as_str().map(str::to_owned))
            .unwrap_or_default();
        (name, value)
    }

    /// Reads an SSE event from its name and `data:` line; `None` for anything unknown.
    pub fn from_parts(name: &str, data: &str) -> Option<Self> {
        let mut value: serde_json::Value = serde_json::from_str(data).ok()?;
        value
            .as_object_mut()?
            .insert("type".to_owned(), name.into());
        serde_json::from_value(value).ok()
    }

    pub fn handoff_id(&self) -> Uuid {
        match self {
            Self::HandoffCreated { handoff_id, .. }
            | Self::HandoffClaimed { handoff_id, .. }
            | Self::HandoffAssessmentReady { handoff_id, .. } => *handoff_id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    pub notifications: Vec<Notification>,
    pub unread_count: i64,
}

/// A Slack or Teams incoming webhook of the account. The URL is a secret of sorts (anyone who
/// has it can post to the channel), so only owners see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Webhook {
    pub id: Uuid,
    pub kind: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// A knowledge-base article as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbArticleItem {
    pub id: Uuid,
    pub title: String,
    pub psa_ticket_id: Option<String>,
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A knowledge-base article: a resolved session written up for the next engineer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbArticle {
    #[serde(flatten)]
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub item: KbArticleItem,
    pub body: String,
    /// The session it was written from, while that session exists.
    pub source_session_id: Option<Uuid>,
}

/// A resolved session that has not become an article yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbCandidate {
    pub id: Uuid,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Knowledge-base conversions made in the account's lifetime, against the plan's limit
/// (`None`: unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbQuota {
    pub used: i64,
    pub limit: Option<i64>,
}

impl KbQuota {
    /// Whether another conversion would go over the limit.
    pub fn reached(self) -> bool {
        self.limit.is_some_and(|limit| self.used >= limit)
    }
}

/// `kb/list`: the articles (newest first), the caller's sessions that could become one, and
/// where the quota stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    pub articles: Vec<KbArticleItem>,
    pub candidates: Vec<KbCandidate>,
    pub quota: KbQuota,
}

/// The section headings of a drafted article, each alone on the first line of its paragraph;
/// the article page shows them as headings.
pub const KB_SECTIONS: [&str; 4] = ["Problem", "Resolution", "Fixes tried", "Steps taken"];

/// An article as first drafted from its session, for the engineer to edit before saving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbDraft {
    pub title: String,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsettled_fixes_can_change_and_pending_leads_only_to_verdicts_or_dismissal() {
        use FixStatus::*;
        for terminal in [AppliedSuccess, AppliedFailed, Dismissed] {
            assert!(FixStatus::ALL.iter().all(|to| !terminal.can_become(*to)));
        }
        let from_pending: Vec<FixStatus> = FixStatus::ALL
            .into_iter()
            .filter(|to| AppliedPending.can_become(*to))
            .collect();
        assert_eq!(
            from_pending,
            [
                AppliedSuccess,
                AppliedFailed,
                AppliedPartial,
                AppliedPending,
                Dismissed
            ]
        );
        assert!(!AppliedVerifying.can_become(Suggested));
        assert!(Suggested.can_become(AppliedPending));
        for status in FixStatus::ALL {
            assert_eq!(FixStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert!(!AppliedPending.is_verdict() && AppliedPending.needs_outcome());
    }

    #[test]
    fn stream_events_read_back_as_published() {
        let events = [
            EscalationEvent::HandoffCreated {
                handoff_id: Uuid::new_v4(),
                session_id: Uuid::new_v4(),
            },
            EscalationEvent::HandoffClaimed {
                handoff_id: Uuid::new_v4(),
                claimed_by: ClaimedBy {
                    user_id: Uuid::new_v4(),
                    name: "Sam Senior".to_owned(),
                },
            },
            EscalationEvent::HandoffAssessmentReady {
                handoff_id: Uuid::new_v4(),
                has_assessment: false,
            },
        ];
        for (event, expected_name) in events.iter().zip(EscalationEvent::NAMES) {
            let (name, payload) = event.to_parts();
            assert_eq!(name, expected_name);
            assert!(
                payload.get("type").is_none(),
                "the name is not repeated in the data"
            );
            assert_eq!(
                EscalationEvent::from_parts(&name, &payload.to_string()).as_ref(),
                Some(event)
            );
        }
        assert_eq!(EscalationEvent::from_parts("ready", "{}"), None);
        assert_eq!(
            EscalationEvent::from_parts("handoff_created", "not json"),
            None
        );
    }
}
