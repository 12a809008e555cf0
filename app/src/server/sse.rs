//! `GET /api/escalations/stream`: the account's escalation events as server-sent events.
//! `ready` first; a comment every 25 s; each event with its `id:`, so a reconnect with
//! `Last-Event-ID` replays what it missed before going live.

use super::{bus, state::AppState, web_auth};
use crate::error::ApiError;
use axum::{
    extract::{Request, State},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use chrono::Utc;
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast::error::RecvError;

pub const HEARTBEAT: Duration = Duration::from_secs(25);
/// The most events one reconnect replays.
const REPLAY_LIMIT: i64 = 500;

fn to_sse(event: &bus::BusEvent) -> Event {
    Event::default()
        .id(event.id.to_string())
        .event(&event.event_type)
        .data(event.payload.to_string())
}

pub async fn stream(State(state): State<AppState>, req: Request) -> Response {
    let now = Utc::now();
    let Some(claims) = web_auth::access_claims(&state, req.headers(), req.extensions(), now) else {
        return super::http::error_response(&ApiError::not_authenticated());
    };
    let plan = match super::auth::current_user_and_plan(&state.pool, &claims).await {
        Ok(Some((user, plan))) if user.role.can_work() => plan,
        Ok(Some(_)) => return super::http::error_response(&ApiError::forbidden()),
        Ok(None) => return super::http::error_response(&ApiError::not_authenticated()),
        Err(e) => {
            tracing::error!(error = %e, "stream authentication");
            return super::http::error_response(&ApiError::internal());
        }
    };
    if let Err(lapsed) = super::plans::require_pro(plan) {
        return super::http::error_response(&lapsed);
    }
    let account_id = claims.account_id;
    let last_seen: Option<i64> = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());

    // Subscribe before reading the backlog, so nothing falls between the two.
    let mut live = state.bus.subscribe();
    let missed = match last_seen {
        Some(after) => match bus::since(&state.pool, account_id, after, REPLAY_LIMIT).await {
            Ok(events) => events,
            Err(e) => {
                tracing::error!(error = %e, "stream replay");
                return super::http::error_response(&ApiError::internal());
            }
        },
        None => Vec::new(),
    };

    let events = async_stream::stream! {
        yield Ok::<_, Infallible>(Event::default().event("ready").data("{}"));
        let mut high = last_seen.unwrap_or(0);
        for event in &missed {
            high = high.max(event.id);
            yield Ok(to_sse(event));
        }
        loop {
            match live.recv().await {
                Ok(event) if event.account_id == account_id && event.id > high => {
                    high = event.id;
                    yield Ok(to_sse(&event));
                }
                Ok(_) => {}
                // Too slow to keep up: end the stream; the browser reconnects with
                // Last-Event-ID and catches up from the stored events.
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => break,
            }
        }
    };
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("keep-alive"))
        .into_response()
}
