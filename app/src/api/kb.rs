//! `/api/kb/*`: the knowledge base. Not a Pro feature: every plan reads and writes articles,
//! and the free plan's conversions are limited instead (docs/API.md §10, the quota).

use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    ids::{ArticleId, SessionId},
    kb::{KbArticle, KbDraft, KnowledgeBase},
};

#[cfg(feature = "ssr")]
use {super::ctx, chrono::Utc, domain::auth::caller::Caller, domain::kb};

#[server(prefix = "/api", endpoint = "kb/list", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn list_articles() -> Result<KnowledgeBase, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    kb::overview(&state.pool, &user).await
}

#[server(prefix = "/api", endpoint = "kb/get", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn get_article(article_id: ArticleId) -> Result<KbArticle, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    kb::article(&state.pool, &user, article_id).await
}

/// A resolved session's first draft as an article.
#[server(prefix = "/api", endpoint = "kb/draft", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn draft_article(session_id: SessionId) -> Result<KbDraft, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    kb::draft_for(&state.pool, &user, session_id).await
}

/// Saves a resolved session as an article; 402 with `limit` and `count` over the quota.
#[server(prefix = "/api", endpoint = "kb/convert", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn convert_session(
    session_id: SessionId,
    title: String,
    body: String,
) -> Result<KbArticle, ApiError> {
    let (state, Caller { user, .. }) = ctx::caller().await?;
    kb::convert(&state.pool, &user, session_id, &title, &body, Utc::now()).await
}
