//! `/api/handoffs/*`: escalate or park, the queue, claim, and one handoff (docs/API.md §6).

use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    handoffs::{Handoff, QueueItem},
    ids::{HandoffId, SessionId, UserId},
    users::UserRef,
};

#[cfg(feature = "ssr")]
use {super::ctx, chrono::Utc, domain::auth::caller::Caller, domain::handoffs};

#[server(prefix = "/api", endpoint = "handoffs/create", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn create_handoff(
    session_id: SessionId,
    intent: String,
    reason: String,
    #[server(default)] target_user_id: Option<UserId>,
) -> Result<Handoff, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    let intent = handoffs::intent(&intent)?;
    let created = handoffs::create(
        &state.pool,
        &user,
        session_id,
        intent,
        &reason,
        target_user_id,
        Utc::now(),
    )
    .await?;
    let handoff = created.handoff.clone();
    handoffs::after_commit(&state, created).await;
    Ok(handoff)
}

#[server(prefix = "/api", endpoint = "handoffs/queue", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn queue() -> Result<Vec<QueueItem>, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    handoffs::queue(&state.pool, &user).await
}

#[server(prefix = "/api", endpoint = "handoffs/claim", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn claim(handoff_id: HandoffId) -> Result<Handoff, ApiError> {
    let (state, Caller { user, .. }, tx) = ctx::pro_caller_tx().await?;
    let (handoff, newly) = handoffs::claim(tx, &user, handoff_id, Utc::now()).await?;
    if newly {
        handoffs::announce_claim(&state, user.account_id, &handoff).await;
    }
    Ok(handoff)
}

#[server(prefix = "/api", endpoint = "handoffs/get", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn get_handoff(handoff_id: HandoffId) -> Result<Handoff, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    handoffs::get(&state.pool, &user, handoff_id).await
}

/// The people an escalation can be addressed to (the account's other seniors).
#[server(prefix = "/api", endpoint = "handoffs/targets", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn escalation_targets() -> Result<Vec<UserRef>, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    handoffs::targets(&state.pool, &user).await
}
