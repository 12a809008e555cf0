//! `/api/account/webhooks*`: the owner's Slack and Teams incoming webhooks.

use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;
use vocab::{error::ApiError, webhooks::Webhook};

#[cfg(feature = "ssr")]
use {super::ctx, chrono::Utc, domain::auth::caller::Caller, domain::webhooks};

#[server(prefix = "/api", endpoint = "account/webhooks", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn list_webhooks() -> Result<Vec<Webhook>, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    webhooks::list(&state.pool, user.id, user.account_id).await
}

#[server(prefix = "/api", endpoint = "account/webhooks/add", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn add_webhook(kind: String, url: String) -> Result<Webhook, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    webhooks::add(&state, user.id, user.account_id, &kind, &url, Utc::now()).await
}

#[server(prefix = "/api", endpoint = "account/webhooks/remove", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn remove_webhook(webhook_id: Uuid) -> Result<Vec<Webhook>, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    webhooks::remove(
        &state.pool,
        user.id,
        user.account_id,
        webhook_id,
        Utc::now(),
    )
    .await?;
    webhooks::list(&state.pool, user.id, user.account_id).await
}
