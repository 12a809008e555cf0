//! `/api/notifications/*`: the bell.

use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;
use vocab::{error::ApiError, notifications::NotificationList};

#[cfg(feature = "ssr")]
use {super::ctx, chrono::Utc, domain::auth::caller::Caller, domain::notify};

#[server(prefix = "/api", endpoint = "notifications/list", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn list_notifications() -> Result<NotificationList, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    notify::list(&state.pool, &user).await
}

#[server(prefix = "/api", endpoint = "notifications/read", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn read_notification(notification_id: Uuid) -> Result<NotificationList, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    notify::mark_read(&state.pool, &user, notification_id, Utc::now()).await?;
    notify::list(&state.pool, &user).await
}
