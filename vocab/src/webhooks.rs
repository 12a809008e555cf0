//! Slack and Teams incoming webhooks of an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

words! {
    /// Where a webhook posts.
    pub enum WebhookKind {
        Slack = "slack",
        Teams = "teams",
    }
}

/// A Slack or Teams incoming webhook of the account. The URL is a secret of sorts (anyone who
/// has it can post to the channel), so only owners see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Webhook {
    pub id: Uuid,
    pub kind: WebhookKind,
    pub url: String,
    pub created_at: DateTime<Utc>,
}
