//! The audit trail: one row per accepted change, written in the change's own transaction.

use crate::db::Tx;
use chrono::{DateTime, Utc};
use serde_json::Value;
use vocab::ids::{AccountId, UserId};

pub async fn record(
    tx: &mut Tx,
    account_id: AccountId,
    actor_user_id: Option<UserId>,
    event_type: &str,
    payload: Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (account_id, actor_user_id, event_type, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account_id)
    .bind(actor_user_id)
    .bind(event_type)
    .bind(payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes the change's audit row and commits the change with it: the two land together or
/// not at all.
pub async fn commit_with(
    mut tx: Tx,
    account_id: AccountId,
    actor_user_id: Option<UserId>,
    event_type: &str,
    payload: Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    record(&mut tx, account_id, actor_user_id, event_type, payload, now).await?;
    tx.commit().await
}
