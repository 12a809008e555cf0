//! Plans (CONTRACT §8): sessions, handoffs, fixes and the escalation stream need an active or
//! past-due Pro subscription. Everything else (sign-in, the account, its security, billing)
//! stays open, so a lapsed account can still sign in and put things right.

use super::{db, security::db_error};
use crate::error::{ApiError, ErrorCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// The account's plan and status, if it has a subscription at all.
pub async fn subscription(
    pool: &PgPool,
    account_id: Uuid,
) -> Result<Option<(String, String)>, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await.map_err(db_error)?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT plan, status FROM subscriptions WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(row)
}

/// Whether a subscription opens the Pro features.
pub fn is_pro(plan: &str, status: &str) -> bool {
    plan == "pro" && matches!(status, "active" | "past_due")
}

/// Whether the account's plan keeps the Pro features closed (what the app shell needs to know).
pub async fn lapsed(pool: &PgPool, account_id: Uuid) -> Result<bool, ApiError> {
    let found = subscription(pool, account_id).await?;
    Ok(!found.is_some_and(|(plan, status)| is_pro(&plan, &status)))
}

/// 402 `subscription_required` (with the plan and status, both null when there is no
/// subscription) unless the account is on an active or past-due Pro plan.
pub async fn require_pro(pool: &PgPool, account_id: Uuid) -> Result<(), ApiError> {
    match subscription(pool, account_id).await? {
        Some((plan, status)) if is_pro(&plan, &status) => Ok(()),
        found => {
            let (plan, status) = found.unzip();
            Err(ApiError::new(
                ErrorCode::SubscriptionRequired,
                "Your account's Pro plan isn't active, so sessions, escalations and fixes are paused. Everything recorded is kept.",
            )
            .with("plan", json!(plan))
            .with("status", json!(status)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_pro;

    #[test]
    fn only_an_active_or_past_due_pro_plan_opens_the_pro_features() {
        assert!(is_pro("pro", "active") && is_pro("pro", "past_due"));
        for (plan, status) in [
            ("pro", "locked"),
            ("pro", "canceled"),
            ("free", "active"),
            ("free", "past_due"),
        ] {
            assert!(!is_pro(plan, status), "{plan} {status}");
        }
    }
}
