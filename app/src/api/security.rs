//! `/api/account/security*`: the owner's session policy and sign-out controls (CONTRACT §5).

use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;
use vocab::{
    error::ApiError,
    security::{PolicyView, RevokedCount},
};

#[cfg(feature = "ssr")]
use {
    super::ctx,
    axum::http::request::Parts,
    chrono::Utc,
    domain::{
        db,
        security::{self, RevokeScope},
        state::AppState,
        tokens, web_auth,
    },
};

/// The caller's own login, to mark it in the sessions list.
#[cfg(feature = "ssr")]
fn current_family(state: &AppState, parts: &Parts) -> Option<Uuid> {
    let token = web_auth::refresh_cookie(state, &parts.headers)?;
    tokens::decode_refresh_any_age(&state.keys, token).ok()?.fam
}

#[cfg(feature = "ssr")]
async fn view(
    state: &AppState,
    parts: &Parts,
    user_id: Uuid,
    account_id: Uuid,
) -> Result<PolicyView, ApiError> {
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    let owner = security::require_owner(&mut tx, user_id).await?;
    let view = security::policy_view(
        &mut tx,
        owner,
        &state.config.session,
        current_family(state, parts),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[server(prefix = "/api", endpoint = "account/security", input = Json)]
pub async fn get_security() -> Result<PolicyView, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let caller = ctx::require_access(&state, &parts)?;
    view(&state, &parts, caller.sub, caller.account_id).await
}

#[server(prefix = "/api", endpoint = "account/security/update", input = Json)]
pub async fn update_security(
    #[server(default)] session_idle_minutes: Option<i32>,
    #[server(default)] session_absolute_minutes: Option<i32>,
) -> Result<PolicyView, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let caller = ctx::require_access(&state, &parts)?;
    security::update_policy(
        &state.pool,
        caller.sub,
        caller.account_id,
        session_idle_minutes,
        session_absolute_minutes,
        &state.config.session,
        Utc::now(),
    )
    .await?;
    view(&state, &parts, caller.sub, caller.account_id).await
}

#[server(prefix = "/api", endpoint = "account/security/revoke-sessions", input = Json)]
pub async fn revoke_sessions(
    #[server(default)] scope: Option<String>,
) -> Result<RevokedCount, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let caller = ctx::require_access(&state, &parts)?;
    let scope = match scope.as_deref() {
        None => RevokeScope::All,
        Some(s) => RevokeScope::parse(s).ok_or_else(|| {
            ApiError::validation([(
                "scope".to_owned(),
                "Must be \"all\" or \"others\".".to_owned(),
            )])
        })?,
    };
    let revoked_count = security::revoke_sessions(
        &state.pool,
        caller.sub,
        caller.account_id,
        scope,
        Utc::now(),
    )
    .await?;
    Ok(RevokedCount { revoked_count })
}

#[server(prefix = "/api", endpoint = "account/security/revoke-session", input = Json)]
pub async fn revoke_session(session_id: Uuid) -> Result<RevokedCount, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let caller = ctx::require_access(&state, &parts)?;
    let revoked_count = security::revoke_session(
        &state.pool,
        caller.sub,
        caller.account_id,
        session_id,
        Utc::now(),
    )
    .await?;
    Ok(RevokedCount { revoked_count })
}
