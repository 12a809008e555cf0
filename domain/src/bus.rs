//! The escalation bus: events stored in `escalation_events` and announced with PostgreSQL
//! `NOTIFY` (carrying only the account and event ids), so every server process on the same
//! database hears every event. Inside a process, a broadcast channel fans each event out to the
//! open streams; a subscriber that falls behind is dropped rather than slowing anyone down.

use crate::db;
use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{
    postgres::{PgListener, PgPoolOptions},
    PgPool,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::{broadcast, watch};
use vocab::events::EscalationEvent;
use vocab::ids::{AccountId, UserId};

const CHANNEL: &str = "rf_escalation_events";
/// Events a subscriber may fall behind by before it is dropped (it then reconnects and catches
/// up from the stored events).
const BACKLOG: usize = 1024;

/// An event as the stream sends it. The bus renders each event once, however many streams
/// carry it; every stream then writes the same shared bytes.
pub fn frame(id: i64, event_type: &str, payload: &Value) -> Bytes {
    // A JSON value's text is one line (newlines inside strings are escaped), as `data:` needs.
    Bytes::from(format!(
        "id: {id}\nevent: {event_type}\ndata: {payload}\n\n"
    ))
}

/// A stored event, ready for the streams: its SSE frame is rendered once per process.
#[derive(Debug)]
pub struct BusEvent {
    pub id: i64,
    pub account_id: AccountId,
    pub frame: Bytes,
}

impl BusEvent {
    fn new(id: i64, account_id: AccountId, event_type: &str, payload: &Value) -> Self {
        Self {
            id,
            account_id,
            frame: frame(id, event_type, payload),
        }
    }
}

#[derive(Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<BusEvent>>,
    /// Set when the process stops: every open stream ends, so a stream (which never ends by
    /// itself) doesn't hold the shutdown up; the browser reconnects to a running process.
    closing: Arc<watch::Sender<bool>>,
}

/// A stream's view of the bus: the events, and whether the process is stopping.
pub struct Subscription {
    pub events: broadcast::Receiver<Arc<BusEvent>>,
    pub closing: watch::Receiver<bool>,
}

impl Bus {
    /// Starts this process's listener. Events published by any process arrive on
    /// [`Bus::subscribe`].
    pub async fn start(pool: PgPool) -> Result<Self, sqlx::Error> {
        let (sender, _) = broadcast::channel(BACKLOG);
        // The listener holds its connection for good: give it one of its own, outside the pool
        // that serves requests (which can then be closed or exhausted without touching it).
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(pool.connect_options().as_ref().clone())
            .await?;
        let mut listener = PgListener::connect_with(&own).await?;
        listener.listen(CHANNEL).await?;
        let bus = Self {
            sender,
            closing: Arc::new(watch::channel(false).0),
        };
        // Weak: when the app state that owns the bus is gone, the listener stops.
        let fanout = bus.sender.downgrade();
        tokio::spawn(async move {
            loop {
                let note = listener.recv().await;
                let Some(fanout) = fanout.upgrade() else {
                    break;
                };
                match note {
                    Ok(note) => match parse(note.payload()) {
                        Some((account_id, id)) => match load(&pool, account_id, id).await {
                            Ok(Some(event)) => {
                                // No subscriber in this process is not an error.
                                let _ = fanout.send(Arc::new(event));
                            }
                            Ok(None) => tracing::warn!(id, "announced event not found"),
                            Err(e) => tracing::error!(error = %e, id, "loading an announced event"),
                        },
                        None => {
                            tracing::warn!(payload = note.payload(), "unreadable bus notification")
                        }
                    },
                    // The listener reconnects by itself on the next recv; don't spin meanwhile.
                    Err(e) => {
                        tracing::error!(error = %e, "bus listener lost its connection");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(bus)
    }

    pub fn subscribe(&self) -> Subscription {
        Subscription {
            events: self.sender.subscribe(),
            closing: self.closing.subscribe(),
        }
    }

    /// Ends every open stream of this process, now and from now on.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

fn parse(payload: &str) -> Option<(AccountId, i64)> {
    let (account, id) = payload.split_once(':')?;
    Some((account.parse().ok()?, id.parse().ok()?))
}

async fn load(
    pool: &PgPool,
    account_id: AccountId,
    id: i64,
) -> Result<Option<BusEvent>, sqlx::Error> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let row: Option<(String, Value)> =
        sqlx::query_as("SELECT event_type, payload FROM escalation_events WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(row.map(|(event_type, payload)| BusEvent::new(id, account_id, &event_type, &payload)))
}

/// Stores an event and announces it to every process. Call it after the change it reports
/// has committed.
pub async fn publish(
    pool: &PgPool,
    account_id: AccountId,
    event: &EscalationEvent,
) -> Result<i64, sqlx::Error> {
    let (event_type, payload) = event.to_parts();
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO escalation_events (account_id, event_type, payload) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(account_id)
    .bind(event_type)
    .bind(&payload)
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

/// The account's events after `after`, oldest first (what a reconnecting stream missed): none
/// older than [`REPLAY_WINDOW`], none from before `user_id` joined the account.
pub async fn since(
    pool: &PgPool,
    account_id: AccountId,
    user_id: UserId,
    after: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<BusEvent>, sqlx::Error> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let rows: Vec<(i64, String, Value)> = sqlx::query_as(
        "SELECT id, event_type, payload FROM escalation_events \
         WHERE account_id = $1 AND id > $2 \
           AND created_at > greatest($4, (SELECT created_at FROM users WHERE id = $5)) \
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
        .map(|(id, event_type, payload)| BusEvent::new(id, account_id, &event_type, &payload))
        .collect())
}
