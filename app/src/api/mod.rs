//! The server functions: the JSON API of CONTRACT §3–§8. Each one parses, authorises, calls the
//! domain in `server/` and maps its errors; none holds business rules.

pub mod auth;
pub mod fixes;
pub mod handoffs;
pub mod kb;
pub mod notifications;
pub mod security;
pub mod sessions;
pub mod webhooks;

/// Request context for server function bodies (server only).
#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use axum::http::{header, request::Parts, HeaderName, HeaderValue};
    use chrono::Utc;
    use domain::{state::AppState, tokens::AccessClaims, web_auth};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;
    use vocab::error::ApiError;

    pub fn state() -> Result<AppState, ApiError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            ApiError::internal()
        })
    }

    pub fn parts() -> Result<Parts, ApiError> {
        use_context::<Parts>().ok_or_else(|| {
            tracing::error!("request parts missing from the server function context");
            ApiError::internal()
        })
    }

    /// The caller's access claims, or 401 `not_authenticated`.
    pub fn require_access(state: &AppState, parts: &Parts) -> Result<AccessClaims, ApiError> {
        web_auth::access_claims(state, &parts.headers, &parts.extensions, Utc::now())
            .ok_or_else(ApiError::not_authenticated)
    }

    /// The caller as the database knows them now (role, deletion), or 401.
    pub async fn require_user(
        state: &AppState,
        parts: &Parts,
    ) -> Result<vocab::users::User, ApiError> {
        let claims = require_access(state, parts)?;
        domain::auth::current_user(&state.pool, &claims)
            .await?
            .ok_or_else(ApiError::not_authenticated)
    }

    /// State, request and caller in one go, for the common case.
    pub async fn caller() -> Result<(AppState, vocab::users::User), ApiError> {
        let state = state()?;
        let parts = parts()?;
        let user = require_user(&state, &parts).await?;
        Ok((state, user))
    }

    /// [`caller`], for the Pro features: 402 unless the account's plan allows them.
    pub async fn pro_caller() -> Result<(AppState, vocab::users::User), ApiError> {
        let state = state()?;
        let claims = require_access(&state, &parts()?)?;
        let (user, plan) = domain::auth::current_user_and_plan(&state.pool, &claims)
            .await?
            .ok_or_else(ApiError::not_authenticated)?;
        domain::plans::require_pro(plan)?;
        Ok((state, user))
    }

    /// [`pro_caller`] for a hot path: the checks run in the tenant transaction they return,
    /// which the call then does its work in and commits.
    pub async fn pro_caller_tx() -> Result<(AppState, vocab::users::User, domain::db::Tx), ApiError>
    {
        let state = state()?;
        let claims = require_access(&state, &parts()?)?;
        let mut tx = domain::db::tenant_tx(&state.pool, claims.account_id).await?;
        let (user, plan) = domain::auth::current_user_and_plan_in(&mut tx, &claims)
            .await?
            .ok_or_else(ApiError::not_authenticated)?;
        domain::plans::require_pro(plan)?;
        Ok((state, user, tx))
    }

    pub fn append_header(name: HeaderName, value: HeaderValue) {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(name, value);
        }
    }

    pub fn set_cookies(values: [HeaderValue; 2]) {
        for value in values {
            append_header(header::SET_COOKIE, value);
        }
    }
}
