//! `/api/account/security*`: the owner's session policy and sign-out controls (docs/API.md §4).

use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    ids::LoginId,
    security::{PolicyView, RevokedCount},
};

#[cfg(feature = "ssr")]
use {
    super::ctx,
    chrono::Utc,
    domain::{
        auth::{caller::Caller, cookies::this_login},
        db,
        security::{self, RevokeScope},
        state::AppState,
    },
};

/// The policy view for an owner, with their own login marked in the sessions list.
#[cfg(feature = "ssr")]
async fn view(state: &AppState, caller: &Caller) -> Result<PolicyView, ApiError> {
    let this_login = this_login(state, &ctx::parts()?.headers);
    let mut tx = db::tenant_tx(&state.pool, caller.user.account_id).await?;
    let owner = security::require_owner(&mut tx, caller.user.id).await?;
    let view =
        security::policy_view(&mut tx, owner, &state.config.login, this_login, Utc::now()).await?;
    tx.commit().await?;
    Ok(view)
}

#[server(prefix = "/api", endpoint = "account/security", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn get_security() -> Result<PolicyView, ApiError> {
    let (state, caller) = ctx::caller().await?;
    view(&state, &caller).await
}

#[server(prefix = "/api", endpoint = "account/security/update", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn update_security(
    #[server(default)] session_idle_minutes: Option<i32>,
    #[server(default)] session_absolute_minutes: Option<i32>,
) -> Result<PolicyView, ApiError> {
    let (state, caller) = ctx::caller().await?;
    security::update_policy(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        session_idle_minutes,
        session_absolute_minutes,
        &state.config.login,
        Utc::now(),
    )
    .await?;
    view(&state, &caller).await
}

#[server(prefix = "/api", endpoint = "account/security/revoke-sessions", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn revoke_logins(
    #[server(default)] scope: Option<String>,
) -> Result<RevokedCount, ApiError> {
    let (state, caller) = ctx::caller().await?;
    let scope = match scope.as_deref() {
        None => RevokeScope::All,
        Some(s) => RevokeScope::parse(s)
            .ok_or_else(|| ApiError::invalid("scope", "Must be \"all\" or \"others\"."))?,
    };
    let revoked_count = security::revoke_logins(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        scope,
        Utc::now(),
    )
    .await?;
    Ok(RevokedCount { revoked_count })
}

#[server(prefix = "/api", endpoint = "account/security/revoke-session", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn revoke_login(session_id: LoginId) -> Result<RevokedCount, ApiError> {
    let (state, caller) = ctx::caller().await?;
    let revoked_count = security::revoke_login(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        session_id,
        Utc::now(),
    )
    .await?;
    Ok(RevokedCount { revoked_count })
}
