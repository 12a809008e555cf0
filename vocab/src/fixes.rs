//! Suggested fixes and the one table of how their status may move.

use crate::ids::{FixId, SessionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

words! {
    /// Where a suggested fix stands. `applied_*` means it was put in; of those, success, failed
    /// and partial are verdicts, verifying and pending are still waiting for one.
    pub enum FixStatus {
        Suggested = "suggested",
        AppliedVerifying = "applied_verifying",
        AppliedSuccess = "applied_success",
        AppliedFailed = "applied_failed",
        AppliedPartial = "applied_partial",
        /// Applied, awaiting verification: non-terminal, with what it waits on.
        AppliedPending = "applied_pending",
        Dismissed = "dismissed",
    }
}

impl FixStatus {
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

    /// How people say it once its session is resolved: a fix nobody tried is "not tried" then,
    /// no longer a suggestion.
    pub fn words_when_closed(self) -> &'static str {
        match self {
            FixStatus::Suggested => "not tried",
            other => other.words(),
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SuggestedFix {
    pub id: FixId,
    pub session_id: SessionId,
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
            .iter()
            .copied()
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
        for &status in FixStatus::ALL {
            assert_eq!(FixStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert!(!AppliedPending.is_verdict() && AppliedPending.needs_outcome());
    }
}
