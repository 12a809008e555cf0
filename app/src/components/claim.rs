//! Picking up an escalation, shared by the queue's Pick Up and the pick-up screen: the claim,
//! and the race toast for whoever lost it.

use super::{
    time::time_ago,
    toast::{Toasts, Tone},
    visitor::Api,
};
use crate::api::handoffs::claim;
use chrono::{DateTime, Utc};
use vocab::{
    error::{ApiError, ErrorCode},
    handoffs::Handoff,
    ids::HandoffId,
};

pub enum Claimed {
    Won(Box<Handoff>),
    /// Someone else has it; the race toast has been shown.
    Lost,
    /// Anything else went wrong; its message has been shown.
    Failed,
}

/// "Already claimed by {name} {time ago}." from a 409 `already_claimed`.
pub fn race_message(err: &ApiError, now: DateTime<Utc>) -> String {
    let name = err
        .details
        .get("claimed_by")
        .and_then(|by| by.get("name"))
        .and_then(|name| name.as_str())
        .unwrap_or("another senior");
    let when = err
        .details
        .get("claimed_at")
        .and_then(|at| at.as_str()?.parse::<DateTime<Utc>>().ok())
        .map(|at| time_ago(now, at))
        .unwrap_or_else(|| "just now".to_owned());
    format!("Already claimed by {name} {when}.")
}

pub async fn claim_handoff(api: Api, toasts: Toasts, handoff_id: HandoffId) -> Claimed {
    match api.call(move || claim(handoff_id)).await {
        Ok(handoff) => Claimed::Won(Box::new(handoff)),
        Err(err) if err.error == ErrorCode::AlreadyClaimed => {
            toasts.push(Tone::Warning, race_message(&err, Utc::now()));
            Claimed::Lost
        }
        Err(err) => {
            toasts.push(Tone::Danger, err.message);
            Claimed::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn the_loser_is_told_who_won_and_when() {
        let now = Utc::now();
        let err = ApiError::new(ErrorCode::AlreadyClaimed, "Already claimed by Sam Senior.")
            .with(
                "claimed_by",
                json!({ "user_id": Uuid::nil(), "name": "Sam Senior" }),
            )
            .with("claimed_at", json!(now - Duration::minutes(3)));
        assert_eq!(
            race_message(&err, now),
            "Already claimed by Sam Senior 3 minutes ago."
        );
        let bare = ApiError::new(ErrorCode::AlreadyClaimed, "Already claimed.");
        assert_eq!(
            race_message(&bare, now),
            "Already claimed by another senior just now."
        );
    }
}
