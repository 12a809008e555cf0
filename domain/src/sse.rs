//! `GET /api/escalations/stream`: the account's escalation events as server-sent events.
//! `ready` first, then who is present; a comment every 25 s; each stored event with its `id:`,
//! so a reconnect with `Last-Event-ID` replays what it missed before going live. A stream
//! carries only what its user is in the audience of, and ends with `signed_out` the moment
//! its login ends, or with `access_changed` once its user may no longer hold it (docs/API.md §9).

use crate::{
    auth::{caller::Caller, cookies, logins},
    bus::{self, AccessChange},
    db,
    state::AppState,
};
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
use vocab::{
    error::ErrorCode,
    events::{EscalationEvent, SignOutReason},
    ids::{AccountId, LoginId, UserId},
};

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
    let user_id = caller.user.id;
    // The login this browser is signed in with (a bearer caller has none to end it by).
    let login = cookies::this_login(&state, &headers);
    let last_seen: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());

    // A login ended while this tab was away (asleep, offline) still holds a valid access
    // token for a while: it is told at once, as an open stream would have been.
    if let Some(login) = login {
        match ended_login(&state, account_id, login).await {
            Ok(Some(reason)) => {
                let last = bus::frame(None, &EscalationEvent::SignedOut { reason });
                return event_stream(Body::from(last));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "stream: reading its login");
                return ApiError::internal().into_response();
            }
        }
    }

    // Subscribe before reading the backlog, so nothing falls between the two.
    let bus::Subscription {
        events: mut live,
        mut changes,
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
            high = high.max(event.id.unwrap_or(0));
            yield Ok(event.frame);
        }
        for present in state.bus.presence_now(account_id, user_id) {
            yield Ok(present);
        }
        let mut heartbeat = time::interval_at(time::Instant::now() + HEARTBEAT, HEARTBEAT);
        heartbeat.set_missed_tick_behavior(time::MissedTickBehavior::Delay);
        loop {
            let next = tokio::select! {
                received = live.recv() => match received {
                    Ok(event) if event.is_for(account_id, user_id) => match event.id {
                        Some(id) if id <= high => continue,
                        Some(id) => {
                            high = id;
                            Next::Send(event.frame.clone())
                        }
                        None => Next::Send(event.frame.clone()),
                    },
                    Ok(_) => continue,
                    // Too slow to keep up: end the stream; the browser reconnects with
                    // Last-Event-ID and catches up from the stored events.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => break,
                },
                change = changes.recv() => Next::Check(change),
                _ = heartbeat.tick() => Next::Send(Bytes::from_static(KEEP_ALIVE)),
                _ = closing.wait_for(|&closing| closing) => break,
            };
            // Awaited outside the select, which holds its branches' values while it runs.
            let ended = match next {
                Next::Send(frame) => {
                    yield Ok(frame);
                    continue;
                }
                Next::Check(Ok(change)) => ending(&state, account_id, user_id, login, change).await,
                // Missed changes may have been ours: look again.
                Next::Check(Err(RecvError::Lagged(_))) => recheck(&state, account_id, user_id, login).await,
                Next::Check(Err(RecvError::Closed)) => break,
            };
            if let Some(last) = ended {
                yield Ok(bus::frame(None, &last));
                break;
            }
        }
    };
    event_stream(Body::from_stream(frames))
}

fn event_stream(body: Body) -> Response {
    let mut res = Response::new(body);
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

async fn ended_login(
    state: &AppState,
    account_id: AccountId,
    login: LoginId,
) -> Result<Option<SignOutReason>, sqlx::Error> {
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    let ended = logins::ended(&mut tx, login).await?;
    tx.commit().await?;
    Ok(ended)
}

/// What the stream does next: send a frame, or see whether an access change ends it.
enum Next {
    Send(Bytes),
    Check(Result<AccessChange, RecvError>),
}

/// The last event of a stream that `change` ends, if it ends it.
async fn ending(
    state: &AppState,
    account_id: AccountId,
    user_id: UserId,
    login: Option<LoginId>,
    change: AccessChange,
) -> Option<EscalationEvent> {
    match change {
        AccessChange::LoginEnded {
            login: ended,
            reason,
            ..
        } if Some(ended) == login => Some(EscalationEvent::SignedOut { reason }),
        AccessChange::Member(user) if user == user_id => standing(state, account_id, user_id).await,
        AccessChange::Plan(account) if account == account_id => {
            standing(state, account_id, user_id).await
        }
        AccessChange::Missed => recheck(state, account_id, user_id, login).await,
        _ => None,
    }
}

/// After changes may have gone unheard: whether the login, then the member, still stand, as
/// the database says now.
async fn recheck(
    state: &AppState,
    account_id: AccountId,
    user_id: UserId,
    login: Option<LoginId>,
) -> Option<EscalationEvent> {
    if let Some(login) = login {
        match ended_login(state, account_id, login).await {
            Ok(Some(reason)) => return Some(EscalationEvent::SignedOut { reason }),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "re-checking a stream's login"),
        }
    }
    standing(state, account_id, user_id).await
}

/// Whether the user may still hold a stream, as the database says now: `None` if so, else the
/// stream's last event. A member who is gone was signed out; one who stays but may no longer
/// work the queue (a viewer now, a lapsed plan) is told to look again.
async fn standing(
    state: &AppState,
    account_id: AccountId,
    user_id: UserId,
) -> Option<EscalationEvent> {
    let found = async {
        let mut tx = db::tenant_tx(&state.pool, account_id).await?;
        let found = logins::member_in(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(found)
    }
    .await;
    match found {
        Ok(None) => Some(EscalationEvent::SignedOut {
            reason: SignOutReason::Deactivated,
        }),
        Ok(Some((user, plan))) if !user.role.can_work() || crate::plans::is_lapsed(&plan) => {
            Some(EscalationEvent::AccessChanged {})
        }
        Ok(Some(_)) => None,
        // Unsure: keep the stream; its next request is checked anyway.
        Err(e) => {
            tracing::error!(error = %e, "re-checking a stream's user");
            None
        }
    }
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
