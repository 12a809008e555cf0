//! `GET /api/escalations/stream`: the account's escalation events as server-sent events.
//! `ready` first; a comment every 25 s; each event with its `id:`, so a reconnect with
//! `Last-Event-ID` replays what it missed before going live.

use crate::{auth::caller::Caller, bus, state::AppState};
use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use std::{convert::Infallible, time::Duration};
use tokio::{sync::broadcast::error::RecvError, time};
use vocab::error::ApiError;
use vocab::{error::ErrorCode, ids::UserId};

const HEARTBEAT: Duration = Duration::from_secs(25);
/// The most streams one user holds open in a process (a tab each): beyond this, 429.
pub const STREAMS_PER_USER: usize = 20;
/// The most events one reconnect replays.
const REPLAY_LIMIT: i64 = 500;
const READY: &[u8] = b"event: ready\ndata: {}\n\n";
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// The stream of an owner, admin or engineer (403 for a viewer) whose plan opens it (402).
pub async fn stream(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> Response {
    if !caller.user.role.can_work() {
        return ApiError::forbidden().into_response();
    }
    if let Err(lapsed) = caller.require_pro() {
        return lapsed.into_response();
    }
    let Some(open) = state.streams.open(caller.user.id) else {
        return ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "You have {STREAMS_PER_USER} live pages open already. Close some tabs and reload."
            ),
        )
        .with("retry_after", 30)
        .into_response();
    };
    let account_id = caller.user.account_id;
    let last_seen: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());

    // Subscribe before reading the backlog, so nothing falls between the two.
    let bus::Subscription {
        events: mut live,
        mut closing,
    } = state.bus.subscribe();
    let missed = match last_seen {
        Some(after) => match bus::since(
            &state.pool,
            account_id,
            caller.user.id,
            after,
            REPLAY_LIMIT,
            Utc::now(),
        )
        .await
        {
            Ok(events) => events,
            Err(e) => {
                tracing::error!(error = %e, "stream replay");
                return ApiError::internal().into_response();
            }
        },
        None => Vec::new(),
    };

    let frames = async_stream::stream! {
        // Counted open for as long as the stream lives.
        let _open = open;
        yield Ok::<_, Infallible>(Bytes::from_static(READY));
        let mut high = last_seen.unwrap_or(0);
        for event in missed {
            high = high.max(event.id);
            yield Ok(event.frame);
        }
        let mut heartbeat = time::interval_at(time::Instant::now() + HEARTBEAT, HEARTBEAT);
        heartbeat.set_missed_tick_behavior(time::MissedTickBehavior::Delay);
        loop {
            let next = tokio::select! {
                received = live.recv() => match received {
                    Ok(event) if event.account_id == account_id && event.id > high => {
                        high = event.id;
                        event.frame.clone()
                    }
                    Ok(_) => continue,
                    // Too slow to keep up: end the stream; the browser reconnects with
                    // Last-Event-ID and catches up from the stored events.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => break,
                },
                _ = heartbeat.tick() => Bytes::from_static(KEEP_ALIVE),
                _ = closing.wait_for(|&closing| closing) => break,
            };
            yield Ok(next);
        }
    };
    let mut res = Response::new(Body::from_stream(frames));
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// How many streams each user has open in this process.
#[derive(Clone, Default)]
pub struct OpenStreams(Arc<Mutex<HashMap<UserId, usize>>>);

/// One open stream; closing it (dropping this) makes room for another.
pub struct OpenStream {
    streams: OpenStreams,
    user: UserId,
}

impl OpenStreams {
    /// Counts a stream for `user`, unless they hold [`STREAMS_PER_USER`] already.
    pub fn open(&self, user: UserId) -> Option<OpenStream> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(user).or_insert(0);
        if *count >= STREAMS_PER_USER {
            return None;
        }
        *count += 1;
        Some(OpenStream {
            streams: self.clone(),
            user,
        })
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut counts = self.streams.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.user);
            }
        }
    }
}
