//! The server functions: the JSON API of docs/API.md. Each one parses, authorises, calls the
//! domain crate and maps its errors; none holds business rules. `loaded` is how their answers
//! are loaded with a page.

#[cfg(feature = "ssr")]
pub mod openapi;

#[cfg(not(feature = "ssr"))]
pub use schema_stub::ArgsSchema;
/// What the struct a server function's arguments travel in derives besides serde's traits
/// (`input_derive` of each `#[server]`): on the server, the schema `/api/openapi.json` is made
/// from; in the browser, nothing (see the `schema-stub` crate).
#[cfg(feature = "ssr")]
pub use utoipa::ToSchema as ArgsSchema;

pub mod auth;
pub mod fixes;
pub mod handoffs;
pub mod kb;
pub mod loaded;
pub mod notifications;
pub mod security;
pub mod sessions;
pub mod team;
pub mod webhooks;

/// Request context for server function bodies (server only).
#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use axum::http::{header, request::Parts, HeaderName, HeaderValue};
    use domain::{auth::caller::Caller, db::Tx, state::AppState};
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

    /// The state and the signed-in caller (401 `not_authenticated` for anyone else), worked
    /// out by the domain's [`Caller`] extractor.
    pub async fn caller() -> Result<(AppState, Caller), ApiError> {
        let state = state()?;
        let caller = leptos_axum::extract_with_state::<Result<Caller, ApiError>, _>(&state)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "request parts missing from the server function context");
                ApiError::internal()
            })??;
        Ok((state, caller))
    }

    /// [`caller`], for the Pro features: 402 unless the account's plan allows them.
    pub async fn pro_caller() -> Result<(AppState, Caller), ApiError> {
        let (state, caller) = caller().await?;
        caller.require_pro()?;
        Ok((state, caller))
    }

    /// [`pro_caller`] for a hot path: the checks run in the tenant transaction they return,
    /// which the call then does its work in and commits.
    pub async fn pro_caller_tx() -> Result<(AppState, Caller, Tx), ApiError> {
        let state = state()?;
        let (caller, tx) = Caller::in_tx(&state, &parts()?).await?;
        caller.require_pro()?;
        Ok((state, caller, tx))
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
