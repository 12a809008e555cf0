//! Plans (docs/API.md §10): sessions, handoffs, fixes and the escalation stream need an active or
//! past-due Pro subscription. Everything else (sign-in, the account, its security, billing)
//! stays open, so a lapsed account can still sign in and put things right.

use crate::db::Tx;
use serde_json::json;
use vocab::error::{ApiError, ErrorCode};
use vocab::ids::AccountId;

/// An account's plan and status, when it has a subscription at all.
pub type Subscription = Option<(String, String)>;

/// The account's subscription, inside a transaction that is already open.
pub async fn subscription_in(
    tx: &mut Tx,
    account_id: AccountId,
) -> Result<Subscription, sqlx::Error> {
    sqlx::query_as("SELECT plan, status FROM subscriptions WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await
}

/// Whether a subscription opens the Pro features.
pub fn is_pro(plan: &str, status: &str) -> bool {
    plan == "pro" && matches!(status, "active" | "past_due")
}

/// Whether the plan keeps the Pro features closed (what the app shell needs to know).
pub fn is_lapsed(found: &Subscription) -> bool {
    !found
        .as_ref()
        .is_some_and(|(plan, status)| is_pro(plan, status))
}

/// 402 `subscription_required` (with the plan and status, both null when there is no
/// subscription) unless the account is on an active or past-due Pro plan.
pub fn require_pro(found: &Subscription) -> Result<(), ApiError> {
    if !is_lapsed(found) {
        return Ok(());
    }
    Err(subscription_required(
        found.clone(),
        "Your account's Pro plan isn't active, so sessions, escalations and fixes are paused. Everything recorded is kept.",
    ))
}

/// 402 `subscription_required` with the plan and status (null when there is no subscription).
fn subscription_required(found: Subscription, message: impl Into<String>) -> ApiError {
    let (plan, status) = found.unzip();
    ApiError::new(ErrorCode::SubscriptionRequired, message)
        .with("plan", json!(plan))
        .with("status", json!(status))
}

/// Knowledge-base conversions the free plan allows in an account's lifetime.
pub const FREE_KB_CONVERSIONS: i64 = 3;

/// How many knowledge-base conversions the account may make in its lifetime: unlimited on an
/// open Pro plan; a free, lapsed or missing plan gets the free allowance.
pub fn kb_conversion_limit(found: &Subscription) -> Option<i64> {
    is_lapsed(found).then_some(FREE_KB_CONVERSIONS)
}

/// 402 for a conversion over the plan's lifetime limit, with the limit and the count so far.
pub fn kb_quota_exceeded(found: Subscription, limit: i64, used: i64) -> ApiError {
    subscription_required(
        found,
        format!(
            "Your plan includes {limit} knowledge-base conversions and this account has used {used}. \
             Upgrade to Pro to write more; the articles you have stay."
        ),
    )
    .with("quota", "kb_conversions")
    .with("limit", limit)
    .with("count", used)
}

#[cfg(test)]
mod tests {
    use super::{is_pro, kb_conversion_limit, FREE_KB_CONVERSIONS};

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

    #[test]
    fn only_an_open_pro_plan_converts_without_limit() {
        let sub = |plan: &str, status: &str| Some((plan.to_owned(), status.to_owned()));
        assert_eq!(kb_conversion_limit(&sub("pro", "active")), None);
        assert_eq!(kb_conversion_limit(&sub("pro", "past_due")), None);
        for lapsed in [
            sub("free", "active"),
            sub("pro", "locked"),
            sub("pro", "canceled"),
            None,
        ] {
            assert_eq!(
                kb_conversion_limit(&lapsed),
                Some(FREE_KB_CONVERSIONS),
                "{lapsed:?}"
            );
        }
    }
}
