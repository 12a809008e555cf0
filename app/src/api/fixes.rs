//! `/api/fixes/*`: suggested fixes and their outcomes.

use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    fixes::SuggestedFix,
    ids::{FixId, SessionId},
};

#[cfg(feature = "ssr")]
use {super::ctx, chrono::Utc, domain::auth::caller::Caller, domain::fixes};

#[server(prefix = "/api", endpoint = "fixes/suggest", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn suggest_fix(
    session_id: SessionId,
    title: String,
    #[server(default)] details: Option<String>,
) -> Result<SuggestedFix, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    fixes::suggest(
        &state.pool,
        &user,
        session_id,
        &title,
        details.as_deref(),
        Utc::now(),
    )
    .await
}

/// Records what became of a fix: `outcome` is the new status (`applied_verifying`,
/// `applied_success`, `applied_failed`, `applied_partial` with `notes`, `applied_pending` with
/// `pending_reason`, or `dismissed`).
#[server(prefix = "/api", endpoint = "fixes/outcome", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn record_fix_outcome(
    fix_id: FixId,
    outcome: String,
    #[server(default)] notes: Option<String>,
    #[server(default)] pending_reason: Option<String>,
) -> Result<SuggestedFix, ApiError> {
    let (state, Caller { user, .. }) = ctx::pro_caller().await?;
    fixes::record_outcome(
        &state.pool,
        &user,
        fix_id,
        &outcome,
        notes.as_deref(),
        pending_reason.as_deref(),
        Utc::now(),
    )
    .await
}
