//! The knowledge base: a resolved session written up as an article for the next engineer who
//! meets the problem. Every member of the account reads the articles; whoever may write to a
//! session (its owner or claimer) turns it into one, once. Conversions count against the plan's
//! lifetime quota (the free plan's three), in a counter that never goes down.

use crate::{
    db::{self, Tx},
    plans, session_access, session_record,
    text::required_text,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use vocab::{
    error::ApiError,
    ids::{AccountId, ArticleId, SessionId},
    kb::{KbArticle, KbArticleItem, KbCandidate, KbDraft, KbQuota, KnowledgeBase, KB_SECTIONS},
    sessions::{SessionDetail, SessionStatus},
    users::User,
};

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
/// A drafted title is the problem's first line, cut to this many characters.
const DRAFT_TITLE_CHARS: usize = 120;
/// The candidates the page offers, most recently resolved first.
const CANDIDATES_SHOWN: i64 = 50;
/// The articles the page lists, newest first (every answer has a bounded size).
pub const ARTICLES_SHOWN: i64 = 1000;

/// What a list row shows, and where it comes from.
const ITEM_COLUMNS: &str = "a.id, a.title, a.psa_ticket_id, u.name AS author_name, a.created_at";
const ARTICLES: &str = "kb_articles a LEFT JOIN users u ON u.id = a.created_by";

/// The articles, the caller's resolved sessions still to write up, and the quota.
pub async fn overview(pool: &PgPool, user: &User) -> Result<KnowledgeBase, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let articles: Vec<KbArticleItem> = sqlx::query_as(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ARTICLES} ORDER BY a.created_at DESC, a.id LIMIT $1"
    ))
    .bind(ARTICLES_SHOWN)
    .fetch_all(&mut *tx)
    .await?;
    let candidates: Vec<KbCandidate> = if user.role.can_work() {
        sqlx::query_as(
            "SELECT s.id, s.problem_summary, s.psa_ticket_id, s.resolved_at \
             FROM troubleshooting_sessions s \
             WHERE s.status = 'resolved' AND (s.user_id = $1 OR s.escalated_to_id = $1) \
               AND NOT EXISTS (SELECT 1 FROM kb_articles a WHERE a.source_session_id = s.id) \
             ORDER BY s.resolved_at DESC NULLS LAST, s.id LIMIT $2",
        )
        .bind(user.id)
        .bind(CANDIDATES_SHOWN)
        .fetch_all(&mut *tx)
        .await?
    } else {
        Vec::new()
    };
    let subscription = plans::subscription_in(&mut tx, user.account_id).await?;
    let quota = KbQuota {
        used: conversions_used(&mut tx, user.account_id, false).await?,
        limit: plans::kb_conversion_limit(&subscription),
    };
    tx.commit().await?;
    Ok(KnowledgeBase {
        articles,
        candidates,
        quota,
    })
}

/// One article of the caller's account; another account's is `not_found`.
pub async fn article(
    pool: &PgPool,
    user: &User,
    article_id: ArticleId,
) -> Result<KbArticle, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let found = load(&mut tx, article_id).await?;
    tx.commit().await?;
    found.ok_or_else(ApiError::not_found)
}

/// The session's first draft as an article, for the engineer to edit.
pub async fn draft_for(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
) -> Result<KbDraft, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    convertible(&mut tx, user, session_id).await?;
    let detail = session_record::load_detail(&mut tx, session_id).await?;
    tx.commit().await?;
    Ok(draft(&detail))
}

/// Turns a resolved session into an article, within the plan's lifetime quota: 402
/// `subscription_required` (with `limit` and `count`) once the quota is used up.
pub async fn convert(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<KbArticle, ApiError> {
    let title = required_text("title", title, TITLE_MAX)?;
    let body = required_text("body", body, BODY_MAX)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let ticket = convertible(&mut tx, user, session_id).await?;
    // The usage row is locked until commit: concurrent conversions queue here, so the limit
    // holds exactly.
    let used = conversions_used(&mut tx, user.account_id, true).await?;
    let subscription = plans::subscription_in(&mut tx, user.account_id).await?;
    if let Some(limit) = plans::kb_conversion_limit(&subscription) {
        if used >= limit {
            return Err(plans::kb_quota_exceeded(subscription, limit, used));
        }
    }
    let id: ArticleId = sqlx::query_scalar(
        "INSERT INTO kb_articles (account_id, source_session_id, title, body, psa_ticket_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(user.account_id)
    .bind(session_id)
    .bind(&title)
    .bind(&body)
    .bind(ticket)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE account_usage SET kb_conversions = kb_conversions + 1 WHERE account_id = $1",
    )
    .bind(user.account_id)
    .execute(&mut *tx)
    .await?;
    let article = load(&mut tx, id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(article)
}

async fn load(tx: &mut Tx, article_id: ArticleId) -> Result<Option<KbArticle>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ITEM_COLUMNS}, a.body, a.source_session_id FROM {ARTICLES} WHERE a.id = $1"
    ))
    .bind(article_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The account's lifetime conversions; with `lock`, the counter row is created if missing and
/// held for the rest of the transaction.
async fn conversions_used(tx: &mut Tx, account_id: AccountId, lock: bool) -> Result<i64, ApiError> {
    if lock {
        sqlx::query("INSERT INTO account_usage (account_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
    }
    let sql = if lock {
        "SELECT kb_conversions FROM account_usage WHERE account_id = $1 FOR UPDATE"
    } else {
        "SELECT kb_conversions FROM account_usage WHERE account_id = $1"
    };
    let used: Option<i32> = sqlx::query_scalar(sql)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(used.map_or(0, i64::from))
}

/// Checks that the caller may turn the session into an article now (it is theirs to write, it
/// is resolved, it is not an article yet), locking it; gives its ticket.
async fn convertible(
    tx: &mut Tx,
    user: &User,
    session_id: SessionId,
) -> Result<Option<String>, ApiError> {
    session_access::writable(tx, user, session_id).await?;
    let (status, ticket, converted): (SessionStatus, Option<String>, bool) = sqlx::query_as(
        "SELECT s.status, s.psa_ticket_id, \
                EXISTS (SELECT 1 FROM kb_articles a WHERE a.source_session_id = s.id) \
         FROM troubleshooting_sessions s WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut **tx)
    .await?;
    let refusal = if converted {
        Some("This session is already in the knowledge base.")
    } else if status != SessionStatus::Resolved {
        Some("Resolve the session before writing it up.")
    } else {
        None
    };
    match refusal {
        Some(message) => Err(ApiError::invalid("session_id", message)),
        None => Ok(ticket),
    }
}

/// An article drafted from the session's record: the problem, how it was resolved, the fixes
/// that were tried and the steps taken. Empty sections are left out.
pub fn draft(detail: &SessionDetail) -> KbDraft {
    let first_line = detail.problem_summary.lines().next().unwrap_or_default();
    let mut title: String = first_line.trim().chars().take(DRAFT_TITLE_CHARS).collect();
    if first_line.trim().chars().count() > DRAFT_TITLE_CHARS {
        title.push('…');
    }
    let [problem, resolution, fixes_tried, steps_taken] = KB_SECTIONS;
    let mut sections = vec![format!("{problem}\n{}", detail.problem_summary.trim())];
    if let Some(note) = detail.resolution_note.as_deref().map(str::trim) {
        if !note.is_empty() {
            sections.push(format!("{resolution}\n{note}"));
        }
    }
    let fixes: Vec<String> = detail
        .fixes
        .iter()
        .filter(|fix| fix.status.is_applied())
        .map(|fix| {
            let notes = fix
                .partial_notes
                .as_deref()
                .or(fix.pending_reason.as_deref())
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            format!("- {} ({}){notes}", fix.title, fix.status.words())
        })
        .collect();
    if !fixes.is_empty() {
        sections.push(format!("{fixes_tried}\n{}", fixes.join("\n")));
    }
    let steps: Vec<String> = detail
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let notes = step
                .notes
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            format!(
                "{}. {} ({}){notes}",
                i + 1,
                step.action,
                step.outcome.as_str()
            )
        })
        .collect();
    if !steps.is_empty() {
        sections.push(format!("{steps_taken}\n{}", steps.join("\n")));
    }
    KbDraft {
        title,
        body: sections.join("\n\n"),
    }
}
