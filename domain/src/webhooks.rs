//! The account's Slack and Teams incoming webhooks: owners list, add and remove them; every
//! escalation is posted to each (see `notify::webhooks`).

use crate::{audit, db, security::require_owner};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;
use vocab::{
    error::ApiError,
    ids::{AccountId, UserId},
    webhooks::{Webhook, WebhookKind},
};

pub async fn list(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
) -> Result<Vec<Webhook>, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let hooks = sqlx::query_as("SELECT id, kind, url, created_at FROM account_webhooks WHERE account_id = $1 ORDER BY created_at")
        .bind(owner.account_id)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(hooks)
}

pub async fn add(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    kind: &str,
    url: &str,
    now: DateTime<Utc>,
) -> Result<Webhook, ApiError> {
    let kind = WebhookKind::parse(kind)
        .ok_or_else(|| ApiError::invalid("kind", "Must be \"slack\" or \"teams\"."))?;
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 2000
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid(
            "url",
            "Paste the webhook's full https:// address.",
        ));
    }
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let hook: Webhook = sqlx::query_as(
        "INSERT INTO account_webhooks (account_id, kind, url, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, kind, url, created_at",
    )
    .bind(owner.account_id)
    .bind(kind)
    .bind(url)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    // The URL itself stays out of the audit trail: it is a credential for the channel.
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.webhook_added",
        json!({ "webhook_id": hook.id, "kind": kind.as_str() }),
        now,
    )
    .await?;
    Ok(hook)
}

pub async fn remove(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    webhook_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let kind: Option<WebhookKind> = sqlx::query_scalar(
        "DELETE FROM account_webhooks WHERE id = $1 AND account_id = $2 RETURNING kind",
    )
    .bind(webhook_id)
    .bind(owner.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let kind = kind.ok_or_else(ApiError::not_found)?;
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.webhook_removed",
        json!({ "webhook_id": webhook_id, "kind": kind.as_str() }),
        now,
    )
    .await?;
    Ok(())
}
