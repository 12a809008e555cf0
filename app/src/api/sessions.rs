//! `/api/sessions/*`: troubleshooting sessions (docs/API.md §5).

use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    ids::SessionId,
    sessions::{ChatMessage, SessionDetail, SessionListItem, SessionStep},
};

#[cfg(feature = "ssr")]
use {
    super::ctx,
    chrono::Utc,
    domain::{auth::caller::Caller, presence, sessions},
};

#[server(prefix = "/api", endpoint = "sessions/create", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn create_session(
    problem_summary: String,
    #[server(default)] psa_ticket_id: Option<String>,
) -> Result<SessionDetail, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    sessions::create(
        &state.pool,
        &user,
        &problem_summary,
        psa_ticket_id.as_deref(),
        Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "sessions/list", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn list_sessions() -> Result<Vec<SessionListItem>, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    sessions::list(&state.pool, &user).await
}

#[server(prefix = "/api", endpoint = "sessions/get", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn get_session(session_id: SessionId) -> Result<SessionDetail, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    sessions::get(&state.pool, &user, session_id).await
}

#[server(prefix = "/api", endpoint = "sessions/message", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn send_message(session_id: SessionId, body: String) -> Result<ChatMessage, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    sessions::message(&state.pool, &user, session_id, &body, Utc::now()).await
}

/// Says that the caller is `viewing` the session, `typing` in it, or has `left` it (docs/API.md
/// §9). Sent again every 20 s while the page shows it.
#[server(prefix = "/api", endpoint = "presence", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn report_presence(session_id: SessionId, state: String) -> Result<(), ApiError> {
    let (app, Caller { user, .. }) = ctx::pro_caller().await?;
    let state = presence::state(&state)?;
    presence::report(&app.pool, &user, session_id, state).await
}

/// Records a troubleshooting step and how it went (`pending`, `worked`, `failed`, `partial`).
#[server(prefix = "/api", endpoint = "sessions/step", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn add_step(
    session_id: SessionId,
    action: String,
    #[server(default)] outcome: Option<String>,
    #[server(default)] notes: Option<String>,
) -> Result<SessionStep, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    let outcome = outcome.as_deref().unwrap_or("pending");
    sessions::add_step(
        &state.pool,
        &user,
        session_id,
        &action,
        outcome,
        notes.as_deref(),
        Utc::now(),
    )
    .await
}

/// A draft of the session's resolution note, written by the assessor from the record.
#[server(prefix = "/api", endpoint = "sessions/resolution-draft", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn resolution_draft(session_id: SessionId) -> Result<String, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    let snapshot = sessions::snapshot(&state.pool, &user, session_id).await?;
    Ok(state
        .assessor
        .resolution_note_within(&snapshot, state.config.ai_assessment_timeout)
        .await)
}

#[server(prefix = "/api", endpoint = "sessions/resolve", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn resolve_session(
    session_id: SessionId,
    resolution_note: String,
) -> Result<SessionDetail, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    sessions::resolve(&state.pool, &user, session_id, &resolution_note, Utc::now()).await
}
