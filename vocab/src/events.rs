//! The account's escalation stream: the one event type the server publishes and the browser reads.

use crate::{
    handoffs::ClaimedBy,
    ids::{HandoffId, SessionId},
    users::UserRef,
};
use serde::{Deserialize, Serialize};

/// An event of the account's escalation stream (docs/API.md §9): the SSE `event:` name is the
/// variant's name, the `data:` its fields. The server publishes and the browser reads this one
/// type, so the two cannot drift apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationEvent {
    HandoffCreated {
        handoff_id: HandoffId,
        session_id: SessionId,
    },
    HandoffClaimed {
        handoff_id: HandoffId,
        claimed_by: ClaimedBy,
    },
    HandoffAssessmentReady {
        handoff_id: HandoffId,
        has_assessment: bool,
    },
    /// A message was added to a session (docs/API.md §9); the listener fetches it.
    SessionMessage {
        session_id: SessionId,
        message_id: uuid::Uuid,
    },
    /// A session was resolved (docs/API.md §9): a waiting escalation of it leaves the queue, its
    /// bell rows are read, and an open page of it fetches it again.
    SessionResolved { session_id: SessionId },
    /// Someone is looking at a session, typing in it, or has left it. Not stored, and sent
    /// without an `id:` (a reconnect has nothing to replay: presence is what is true now).
    Presence {
        session_id: SessionId,
        user: UserRef,
        state: PresenceState,
    },
    /// The stream's last event: the login it belongs to was ended (docs/API.md §9).
    SignedOut { reason: SignOutReason },
    /// The stream's last event: its user may no longer use it (demoted to viewer, plan lapsed).
    /// The page reloads and shows what they may do now.
    AccessChanged {},
}

words! {
    /// What a presence says.
    pub enum PresenceState {
        Viewing = "viewing",
        Typing = "typing",
        Left = "left",
    }
}

words! {
    /// Why a login ended, as stored with its revoked refresh tokens.
    pub enum SignOutReason {
        /// An owner revoked it on `/account/security`.
        OwnerRevoked = "owner_revoked",
        /// An owner or admin deactivated the member.
        Deactivated = "deactivated",
        /// Signed out, in this tab or another one of the same browser.
        Logout = "logout",
        PasswordReset = "password_reset",
        /// A refresh token was used twice: the whole login is ended as a precaution.
        ReuseDetected = "reuse_detected",
    }
}

impl SignOutReason {
    /// Whether somebody else ended it: the sign-in page then says who.
    pub fn by_someone_else(self) -> bool {
        matches!(self, Self::OwnerRevoked | Self::Deactivated)
    }
}

impl EscalationEvent {
    /// Every event name the stream carries.
    pub const NAMES: [&'static str; 8] = [
        "handoff_created",
        "handoff_claimed",
        "handoff_assessment_ready",
        "session_message",
        "session_resolved",
        "presence",
        "signed_out",
        "access_changed",
    ];

    /// The event's name and its payload, as published.
    pub fn to_parts(&self) -> (String, serde_json::Value) {
        // Serde writes a variant as `{"name": {fields}}`.
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(variant)) => variant.into_iter().next(),
            _ => None,
        }
        .unwrap_or_default()
    }

    /// Reads an SSE event from its name and `data:` line; `None` for anything unknown. It
    /// reads `{"name": data}` as the text it is, which in the browser costs far less code than
    /// going through a JSON tree (and with `from_slice`, the reader the browser's other JSON
    /// goes through: one copy of each deserializer in the WASM).
    pub fn from_parts(name: &str, data: &str) -> Option<Self> {
        let name = serde_json::to_string(name).ok()?;
        serde_json::from_slice(format!("{{{name}:{data}}}").as_bytes()).ok()
    }

    /// The escalation the event is about, if it is about one.
    pub fn handoff_id(&self) -> Option<HandoffId> {
        match self {
            Self::HandoffCreated { handoff_id, .. }
            | Self::HandoffClaimed { handoff_id, .. }
            | Self::HandoffAssessmentReady { handoff_id, .. } => Some(*handoff_id),
            _ => None,
        }
    }

    /// The session the event is about, if it names one.
    pub fn session_id(&self) -> Option<SessionId> {
        match self {
            Self::HandoffCreated { session_id, .. }
            | Self::SessionMessage { session_id, .. }
            | Self::SessionResolved { session_id }
            | Self::Presence { session_id, .. } => Some(*session_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use uuid::Uuid;

    #[test]
    fn stream_events_read_back_as_published() {
        let events = [
            EscalationEvent::HandoffCreated {
                handoff_id: HandoffId(Uuid::new_v4()),
                session_id: SessionId(Uuid::new_v4()),
            },
            EscalationEvent::HandoffClaimed {
                handoff_id: HandoffId(Uuid::new_v4()),
                claimed_by: ClaimedBy {
                    user_id: UserId(Uuid::new_v4()),
                    name: "Sam Senior".to_owned(),
                },
            },
            EscalationEvent::HandoffAssessmentReady {
                handoff_id: HandoffId(Uuid::new_v4()),
                has_assessment: false,
            },
            EscalationEvent::SessionMessage {
                session_id: SessionId(Uuid::new_v4()),
                message_id: Uuid::new_v4(),
            },
            EscalationEvent::SessionResolved {
                session_id: SessionId(Uuid::new_v4()),
            },
            EscalationEvent::Presence {
                session_id: SessionId(Uuid::new_v4()),
                user: UserRef {
                    id: UserId(Uuid::new_v4()),
                    name: "Alex Admin".to_owned(),
                },
                state: PresenceState::Typing,
            },
            EscalationEvent::SignedOut {
                reason: SignOutReason::OwnerRevoked,
            },
            EscalationEvent::AccessChanged {},
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
