//! Presence (docs/API.md §9): who is looking at which session, and who is typing.
//!
//! It lives in memory, in every process, and nowhere else (docs/ARCHITECTURE.md, "Presence").
//! A page's report is announced with `NOTIFY` on its own channel, so every process hears every
//! report and keeps the same board; each one ends a presence that was not renewed within
//! [`TTL`] by itself and tells its own streams, so nobody has to announce an expiry. Nothing
//! is written to a table: a renewal costs one notification, and a board with nobody on it
//! costs nothing (its sweeper sleeps until somebody appears).

use super::{frame, Audience, Bus, BusEvent, WeakBus, PRESENCE_CHANNEL};
use axum::body::Bytes;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::time::Duration;
use std::{collections::HashMap, sync::Arc, time::Instant};
use vocab::{
    events::{EscalationEvent, PresenceState},
    ids::{AccountId, SessionId, UserId},
    users::UserRef,
};

/// How long a presence lasts without a renewal (pages renew every 20 s).
pub const TTL: Duration = Duration::from_secs(45);

/// A page's report, as announced to every process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub account_id: AccountId,
    pub session_id: SessionId,
    pub user: UserRef,
    pub state: PresenceState,
    /// Who may hear it; `None`: every member who works the queue.
    pub audience: Option<Vec<UserId>>,
}

/// Announces a report to every process (delivered when `conn`'s transaction commits).
pub async fn announce(conn: &mut PgConnection, report: &Report) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(report).unwrap_or_default();
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(PRESENCE_CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}

struct Seen {
    account_id: AccountId,
    name: String,
    audience: Audience,
    state: PresenceState,
    until: Instant,
}

/// Who is where, as this process has heard it.
#[derive(Default)]
pub struct Board {
    seen: HashMap<(SessionId, UserId), Seen>,
}

impl Board {
    /// Takes in a report heard at `now`: the event to send, when it says something new (a
    /// renewal of the same state says nothing), and whether the board gained somebody.
    pub fn heard(&mut self, report: Report, now: Instant) -> (Option<BusEvent>, bool) {
        let key = (report.session_id, report.user.id);
        if report.state == PresenceState::Left {
            return (self.seen.remove(&key).map(|seen| ended(key, seen)), false);
        }
        let audience: Audience = report.audience.map(Arc::from);
        let until = now + TTL;
        match self.seen.get_mut(&key) {
            Some(seen) if seen.state == report.state => {
                seen.until = until;
                seen.audience = audience;
                (None, false)
            }
            Some(seen) => {
                seen.state = report.state;
                seen.until = until;
                seen.audience = audience.clone();
                (
                    Some(event(
                        key,
                        &report.user.name,
                        report.state,
                        report.account_id,
                        audience,
                    )),
                    false,
                )
            }
            None => {
                let sent = event(
                    key,
                    &report.user.name,
                    report.state,
                    report.account_id,
                    audience.clone(),
                );
                self.seen.insert(
                    key,
                    Seen {
                        account_id: report.account_id,
                        name: report.user.name,
                        audience,
                        state: report.state,
                        until,
                    },
                );
                (Some(sent), true)
            }
        }
    }

    /// Ends every presence not renewed in time: the `left` events to send.
    pub fn expire(&mut self, now: Instant) -> Vec<BusEvent> {
        let over: Vec<_> = self
            .seen
            .iter()
            .filter(|(_, seen)| seen.until <= now)
            .map(|(key, _)| *key)
            .collect();
        over.into_iter()
            .filter_map(|key| self.seen.remove(&key).map(|seen| ended(key, seen)))
            .collect()
    }

    /// When the next presence runs out, if anyone is here.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.seen.values().map(|seen| seen.until).min()
    }

    /// What a newly opened stream of `user` is told first: everyone it may see, as they are now.
    pub fn now_for(&self, account_id: AccountId, user: UserId) -> Vec<Bytes> {
        self.seen
            .iter()
            .map(|(&key, seen)| {
                event(
                    key,
                    &seen.name,
                    seen.state,
                    seen.account_id,
                    seen.audience.clone(),
                )
            })
            .filter(|event| event.is_for(account_id, user))
            .map(|event| event.frame)
            .collect()
    }
}

fn ended(key: (SessionId, UserId), seen: Seen) -> BusEvent {
    event(
        key,
        &seen.name,
        PresenceState::Left,
        seen.account_id,
        seen.audience,
    )
}

fn event(
    (session_id, user_id): (SessionId, UserId),
    name: &str,
    state: PresenceState,
    account_id: AccountId,
    audience: Audience,
) -> BusEvent {
    let presence = EscalationEvent::Presence {
        session_id,
        user: UserRef {
            id: user_id,
            name: name.to_owned(),
        },
        state,
    };
    BusEvent {
        id: None,
        account_id,
        audience,
        frame: frame(None, &presence),
    }
}

impl Bus {
    pub(super) fn presence_heard(&self, payload: &str) {
        let Ok(report) = serde_json::from_str::<Report>(payload) else {
            tracing::warn!("unreadable presence notification");
            return;
        };
        let (event, added) = self.board().heard(report, Instant::now());
        if added {
            self.presence_added.notify_one();
        }
        if let Some(event) = event {
            self.send(event);
        }
    }

    /// Presence frames for a stream that has just opened.
    pub fn presence_now(&self, account_id: AccountId, user: UserId) -> Vec<Bytes> {
        self.board().now_for(account_id, user)
    }

    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.presence.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Ends presences that ran out, as they run out; sleeps while the board is empty.
pub(super) async fn sweep(bus: WeakBus) {
    loop {
        let (next, added) = {
            let Some(bus) = bus.upgrade() else { return };
            let next = bus.board().next_expiry();
            (next, bus.presence_added.clone())
        };
        match next {
            Some(at) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {}
                    _ = added.notified() => {}
                }
            }
            None => added.notified().await,
        }
        let Some(bus) = bus.upgrade() else { return };
        let over = bus.board().expire(Instant::now());
        for event in over {
            bus.send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn report(state: PresenceState, audience: Option<Vec<UserId>>) -> Report {
        Report {
            account_id: AccountId(Uuid::from_u128(1)),
            session_id: SessionId(Uuid::from_u128(2)),
            user: UserRef {
                id: UserId(Uuid::from_u128(3)),
                name: "Sam Senior".to_owned(),
            },
            state,
            audience,
        }
    }

    fn says(event: &Option<BusEvent>, state: &str) -> bool {
        event.as_ref().is_some_and(|e| {
            std::str::from_utf8(&e.frame)
                .unwrap()
                .contains(&format!("\"state\":\"{state}\""))
        })
    }

    #[test]
    fn a_presence_is_told_once_renewed_quietly_and_ends_after_45_seconds() {
        let mut board = Board::default();
        let t0 = Instant::now();
        let (first, added) = board.heard(report(PresenceState::Viewing, None), t0);
        assert!(says(&first, "viewing") && added);
        assert!(!std::str::from_utf8(&first.unwrap().frame)
            .unwrap()
            .contains("id:"));
        // Renewed every 20 s: nothing new to say, and it does not run out.
        let (renewal, _) = board.heard(
            report(PresenceState::Viewing, None),
            t0 + Duration::from_secs(20),
        );
        assert!(renewal.is_none());
        assert!(board.expire(t0 + Duration::from_secs(50)).is_empty());
        let (typing, added) = board.heard(
            report(PresenceState::Typing, None),
            t0 + Duration::from_secs(30),
        );
        assert!(says(&typing, "typing") && !added);
        // 45 s after the last renewal, it is over.
        assert!(board.expire(t0 + Duration::from_secs(74)).is_empty());
        let over = board.expire(t0 + Duration::from_secs(75));
        assert_eq!(over.len(), 1);
        assert!(says(&over.into_iter().next(), "left"));
        assert_eq!(board.next_expiry(), None);
    }

    #[test]
    fn left_ends_it_at_once_and_only_its_audience_is_told() {
        let mut board = Board::default();
        let (owner, claimer, other) = (
            UserId(Uuid::from_u128(3)),
            UserId(Uuid::from_u128(4)),
            UserId(Uuid::from_u128(5)),
        );
        let account = AccountId(Uuid::from_u128(1));
        board.heard(
            report(PresenceState::Viewing, Some(vec![owner, claimer])),
            Instant::now(),
        );
        assert_eq!(board.now_for(account, claimer).len(), 1);
        assert!(board.now_for(account, other).is_empty());
        assert!(board
            .now_for(AccountId(Uuid::from_u128(9)), claimer)
            .is_empty());
        let (left, _) = board.heard(report(PresenceState::Left, None), Instant::now());
        assert!(says(&left, "left"));
        assert!(board.now_for(account, claimer).is_empty());
        // Leaving twice says nothing the second time.
        assert!(board
            .heard(report(PresenceState::Left, None), Instant::now())
            .0
            .is_none());
    }
}
