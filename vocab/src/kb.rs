//! The knowledge base: articles written up from resolved sessions, and the plan's quota.

use crate::ids::{ArticleId, SessionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A knowledge-base article as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbArticleItem {
    pub id: ArticleId,
    pub title: String,
    pub psa_ticket_id: Option<String>,
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A knowledge-base article: a resolved session written up for the next engineer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbArticle {
    #[serde(flatten)]
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub item: KbArticleItem,
    pub body: String,
    /// The session it was written from, while that session exists.
    pub source_session_id: Option<SessionId>,
}

/// A resolved session that has not become an article yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KbCandidate {
    pub id: SessionId,
    pub problem_summary: String,
    pub psa_ticket_id: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Knowledge-base conversions made in the account's lifetime, against the plan's limit
/// (`None`: unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KbQuota {
    pub used: i64,
    pub limit: Option<i64>,
}

impl KbQuota {
    /// Whether another conversion would go over the limit.
    pub fn reached(self) -> bool {
        self.limit.is_some_and(|limit| self.used >= limit)
    }
}

/// `kb/list`: the articles (newest first), the caller's sessions that could become one, and
/// where the quota stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KnowledgeBase {
    pub articles: Vec<KbArticleItem>,
    pub candidates: Vec<KbCandidate>,
    pub quota: KbQuota,
}

/// The section headings of a drafted article, each alone on the first line of its paragraph;
/// the article page shows them as headings.
pub const KB_SECTIONS: [&str; 4] = ["Problem", "Resolution", "Fixes tried", "Steps taken"];

/// An article as first drafted from its session, for the engineer to edit before saving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KbDraft {
    pub title: String,
    pub body: String,
}
