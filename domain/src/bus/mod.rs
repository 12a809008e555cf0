//! The escalation bus: events stored in `escalation_events` and announced with PostgreSQL
//! `NOTIFY` (carrying only the account and event ids), so every server process on the same
//! database hears every event. Inside a process, a broadcast channel fans each event out to the
//! open streams; a subscriber that falls behind is dropped rather than slowing anyone down.
//!
//! Two more channels cross processes the same way, without rows: what ends a login or changes
//! what a member may do (announced by the database's own triggers, migration 0012), and
//! presence ([`presence`]), which lives only in each process's memory.

pub mod presence;

use crate::db;
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{
    postgres::{PgListener, PgPoolOptions},
    PgPool,
};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{broadcast, watch, Notify};
use vocab::events::{EscalationEvent, SignOutReason};
use vocab::ids::{AccountId, LoginId, UserId};

const CHANNEL: &str = "rf_escalation_events";
/// Written by the triggers of migration 0012.
const ACCESS_CHANNEL: &str = "rf_access_changes";
const PRESENCE_CHANNEL: &str = "rf_presence";
/// Events a subscriber may fall behind by before it is dropped (it then reconnects and catches
/// up from the stored events).
const BACKLOG: usize = 1024;

/// An event as the stream sends it. The bus renders each event once, however many streams
/// carry it; every stream then writes the same shared bytes. Without an id, the frame has no
/// `id:` line and a reconnect does not count it as seen.
pub fn frame(id: Option<i64>, event: &EscalationEvent) -> Bytes {
    let (event_type, payload) = event.to_parts();
    raw_frame(id, &event_type, &payload)
}

fn raw_frame(id: Option<i64>, event_type: &str, payload: &Value) -> Bytes {
    // A JSON value's text is one line (newlines inside strings are escaped), as `data:` needs.
    Bytes::from(match id {
        Some(id) => format!("id: {id}\nevent: {event_type}\ndata: {payload}\n\n"),
        None => format!("event: {event_type}\ndata: {payload}\n\n"),
    })
}

/// Who an event is for: `None` is every member of the account who works the queue.
pub type Audience = Option<Arc<[UserId]>>;

/// An event, ready for the streams: its SSE frame is rendered once per process.
#[derive(Debug)]
pub struct BusEvent {
    /// The stored event's id; `None` for presence, which is not stored.
    pub id: Option<i64>,
    pub account_id: AccountId,
    pub audience: Audience,
    pub frame: Bytes,
}

impl BusEvent {
    /// Whether `user` of `account_id` is to hear it.
    pub fn is_for(&self, account_id: AccountId, user: UserId) -> bool {
        self.account_id == account_id
            && self
                .audience
                .as_ref()
                .is_none_or(|listed| listed.contains(&user))
    }
}

/// What ends an open stream, or makes it check whether its user may still hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    LoginEnded {
        login: LoginId,
        user: UserId,
        reason: SignOutReason,
    },
    /// A member's role changed, or they were deactivated or reactivated.
    Member(UserId),
    /// An account's plan or its status changed.
    Plan(AccountId),
    /// This process's listener was cut off for a while: any change may have gone unheard.
    Missed,
}

impl AccessChange {
    fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(':');
        let change = match parts.next()? {
            "login" => Self::LoginEnded {
                login: parts.next()?.parse().ok()?,
                user: parts.next()?.parse().ok()?,
                reason: SignOutReason::parse(parts.next()?)?,
            },
            "user" => Self::Member(parts.next()?.parse().ok()?),
            "account" => Self::Plan(parts.next()?.parse().ok()?),
            _ => return None,
        };
        parts.next().is_none().then_some(change)
    }
}

#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<BusEvent>>,
    changes: broadcast::Sender<AccessChange>,
    /// Who is looking at which session now, as this process has heard it.
    presence: Arc<Mutex<presence::Board>>,
    /// Wakes the presence sweeper when someone new appears.
    presence_added: Arc<Notify>,
    /// Set when the process stops: every open stream ends, so a stream (which never ends by
    /// itself) doesn't hold the shutdown up; the browser reconnects to a running process.
    closing: Arc<watch::Sender<bool>>,
}

/// A stream's view of the bus: the events, what changes access, and whether the process is
/// stopping.
pub struct Subscription {
    pub events: broadcast::Receiver<Arc<BusEvent>>,
    pub changes: broadcast::Receiver<AccessChange>,
    pub closing: watch::Receiver<bool>,
}

impl Bus {
    /// Starts this process's listener. Events published by any process arrive on
    /// [`Bus::subscribe`].
    pub async fn start(pool: PgPool) -> Result<Self, sqlx::Error> {
        let (sender, _) = broadcast::channel(BACKLOG);
        let (changes, _) = broadcast::channel(BACKLOG);
        // The listener holds its connection for good: give it one of its own, outside the pool
        // that serves requests (which can then be closed or exhausted without touching it).
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(pool.connect_options().as_ref().clone())
            .await?;
        let listener = listen(&own).await?;
        // The newest event when listening began: where a catch-up starts.
        let mut last: i64 = sqlx::query_scalar("SELECT rf_last_event_id()")
            .fetch_one(&pool)
            .await?;
        let bus = Self {
            sender,
            changes,
            presence: Arc::default(),
            presence_added: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
        };
        // Weak: when the app state that owns the bus is gone, the listener stops.
        let weak = bus.downgrade();
        tokio::spawn(async move {
            let mut listener = listener;
            loop {
                let note = listener.try_recv().await;
                let Some(bus) = weak.upgrade() else {
                    break;
                };
                match note {
                    Ok(Some(note)) => {
                        if let Some(id) = bus.heard(&pool, note.channel(), note.payload()).await {
                            last = last.max(id);
                        }
                    }
                    // The connection is gone, and with it whatever was announced until a new
                    // one listens: listen again, then load what was stored meanwhile.
                    Ok(None) | Err(_) => {
                        tracing::error!("bus listener lost its connection");
                        drop((bus, listener));
                        listener = match relisten(&own, &weak).await {
                            Some(listener) => listener,
                            None => break,
                        };
                        let Some(bus) = weak.upgrade() else {
                            break;
                        };
                        last = bus.catch_up(&pool, last).await;
                    }
                }
            }
        });
        tokio::spawn(presence::sweep(bus.downgrade()));
        Ok(bus)
    }

    /// One notification, from any process; the id of a stored event it announced.
    async fn heard(&self, pool: &PgPool, channel: &str, payload: &str) -> Option<i64> {
        match channel {
            CHANNEL => match parse(payload) {
                Some((account_id, id)) => {
                    match load(pool, account_id, id).await {
                        // No subscriber in this process is not an error.
                        Ok(Some(event)) => self.send(event),
                        Ok(None) => tracing::warn!(id, "announced event not found"),
                        Err(e) => tracing::error!(error = %e, id, "loading an announced event"),
                    }
                    return Some(id);
                }
                None => tracing::warn!(payload, "unreadable bus notification"),
            },
            ACCESS_CHANNEL => match AccessChange::parse(payload) {
                Some(change) => {
                    let _ = self.changes.send(change);
                }
                None => tracing::warn!(payload, "unreadable access change"),
            },
            PRESENCE_CHANNEL => self.presence_heard(payload),
            _ => {}
        }
        None
    }

    /// After the listener was deaf for a while: every stream re-checks what a change it could
    /// not hear would have ended, and the events stored after `last` go out as if heard
    /// (a stream skips those it has sent). Returns the newest event sent.
    async fn catch_up(&self, pool: &PgPool, last: i64) -> i64 {
        let _ = self.changes.send(AccessChange::Missed);
        let missed: Vec<(AccountId, i64)> =
            match sqlx::query_as("SELECT account_id, id FROM rf_events_after($1)")
                .bind(last)
                .fetch_all(pool)
                .await
            {
                Ok(missed) => missed,
                Err(e) => {
                    tracing::error!(error = %e, "bus catch-up");
                    return last;
                }
            };
        let mut sent = last;
        for (account_id, id) in missed {
            match load(pool, account_id, id).await {
                Ok(Some(event)) => self.send(event),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, id, "bus catch-up");
                    return sent;
                }
            }
            sent = id;
        }
        sent
    }

    fn send(&self, event: BusEvent) {
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> Subscription {
        Subscription {
            events: self.sender.subscribe(),
            changes: self.changes.subscribe(),
            closing: self.closing.subscribe(),
        }
    }

    /// Ends every open stream of this process, now and from now on.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    fn downgrade(&self) -> WeakBus {
        WeakBus {
            sender: self.sender.downgrade(),
            changes: self.changes.downgrade(),
            presence: Arc::downgrade(&self.presence),
            presence_added: Arc::downgrade(&self.presence_added),
            closing: Arc::downgrade(&self.closing),
        }
    }
}

/// A listener on every channel of the bus, on `own` (the bus's one connection). It reports a
/// lost connection (rather than reconnecting unseen) so that the bus knows it was deaf.
async fn listen(own: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(own).await?;
    listener.eager_reconnect(false);
    listener
        .listen_all([CHANNEL, ACCESS_CHANNEL, PRESENCE_CHANNEL])
        .await?;
    Ok(listener)
}

/// A new listener, trying every second until one listens; none once the bus is gone.
async fn relisten(own: &PgPool, bus: &WeakBus) -> Option<PgListener> {
    loop {
        bus.upgrade()?;
        match listen(own).await {
            Ok(listener) => return Some(listener),
            Err(e) => tracing::error!(error = %e, "bus listener reconnecting"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The bus as its own tasks hold it: they stop once the app state that owns it is gone.
struct WeakBus {
    sender: broadcast::WeakSender<Arc<BusEvent>>,
    changes: broadcast::WeakSender<AccessChange>,
    presence: std::sync::Weak<Mutex<presence::Board>>,
    presence_added: std::sync::Weak<Notify>,
    closing: std::sync::Weak<watch::Sender<bool>>,
}

impl WeakBus {
    fn upgrade(&self) -> Option<Bus> {
        Some(Bus {
            sender: self.sender.upgrade()?,
            changes: self.changes.upgrade()?,
            presence: self.presence.upgrade()?,
            presence_added: self.presence_added.upgrade()?,
            closing: self.closing.upgrade()?,
        })
    }
}

fn parse(payload: &str) -> Option<(AccountId, i64)> {
    let (account, id) = payload.split_once(':')?;
    Some((account.parse().ok()?, id.parse().ok()?))
}

type EventRow = (i64, String, Value, Option<Vec<UserId>>);

fn bus_event(account_id: AccountId, (id, event_type, payload, audience): EventRow) -> BusEvent {
    BusEvent {
        id: Some(id),
        account_id,
        audience: audience.map(Arc::from),
        frame: raw_frame(Some(id), &event_type, &payload),
    }
}

async fn load(
    pool: &PgPool,
    account_id: AccountId,
    id: i64,
) -> Result<Option<BusEvent>, sqlx::Error> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let row: Option<EventRow> = sqlx::query_as(
        "SELECT id, event_type, payload, audience FROM escalation_events WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.map(|row| bus_event(account_id, row)))
}

/// Stores an event for `audience` and announces it to every process. Call it after the change
/// it reports has committed.
pub async fn publish(
    pool: &PgPool,
    account_id: AccountId,
    event: &EscalationEvent,
    audience: Option<&[UserId]>,
) -> Result<i64, sqlx::Error> {
    let (event_type, payload) = event.to_parts();
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO escalation_events (account_id, event_type, payload, audience) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(event_type)
    .bind(&payload)
    .bind(audience)
    .fetch_one(&mut *tx)
    .await?;
    // Delivered at commit, to every listening process.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(format!("{account_id}:{id}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// How far back a reconnecting stream is given what it missed; beyond this the page's own
/// fetch is what is current.
pub const REPLAY_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// The events for `user_id` after `after`, oldest first (what a reconnecting stream missed):
/// none older than [`REPLAY_WINDOW`], none from before they joined the account, none meant
/// for others.
pub async fn since(
    pool: &PgPool,
    account_id: AccountId,
    user_id: UserId,
    after: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<BusEvent>, sqlx::Error> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, event_type, payload, audience FROM escalation_events \
         WHERE account_id = $1 AND id > $2 \
           AND created_at > greatest($4, (SELECT created_at FROM users WHERE id = $5)) \
           AND (audience IS NULL OR $5 = ANY (audience)) \
         ORDER BY id LIMIT $3",
    )
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .bind(now - REPLAY_WINDOW)
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| bus_event(account_id, row))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn access_changes_read_as_the_triggers_write_them() {
        let (login, user) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            AccessChange::parse(&format!("login:{login}:{user}:owner_revoked")),
            Some(AccessChange::LoginEnded {
                login: LoginId(login),
                user: UserId(user),
                reason: SignOutReason::OwnerRevoked,
            })
        );
        assert_eq!(
            AccessChange::parse(&format!("user:{user}")),
            Some(AccessChange::Member(UserId(user)))
        );
        assert_eq!(
            AccessChange::parse(&format!("account:{user}")),
            Some(AccessChange::Plan(AccountId(user)))
        );
        assert_eq!(AccessChange::parse(&format!("user:{user}:more")), None);
        assert_eq!(
            AccessChange::parse(&format!("login:{login}:{user}:rotated")),
            None
        );
    }
}
