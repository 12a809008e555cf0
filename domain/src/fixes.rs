//! Suggested fixes and their outcomes. The server owns the rules: which outcome may follow
//! which (`FixStatus::can_become`), what each needs (partial: what still isn't right; pending:
//! what it waits on), and the stamps (`applied_at` the first time a fix is applied, pending
//! included; `verified_at` only with a verdict, and cleared when a fix goes back to waiting).

use crate::{
    db::{self, Tx},
    session_access,
    text::required_text,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use vocab::{
    error::ApiError,
    fixes::{FixStatus, SuggestedFix},
    ids::{FixId, SessionId},
    users::User,
};

pub const TITLE_MAX: usize = 500;
pub const NOTES_MAX: usize = 4000;

const COLUMNS: &str = "id, session_id, title, details, status, partial_notes, pending_reason, \
                       outcome_notes, applied_at, verified_at, created_at, updated_at";

/// The session's fixes, oldest first.
pub async fn list(tx: &mut Tx, session_id: SessionId) -> Result<Vec<SuggestedFix>, ApiError> {
    let fixes: Vec<SuggestedFix> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM suggested_fixes WHERE session_id = $1 ORDER BY created_at, id"
    ))
    .bind(session_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(fixes)
}

fn optional_text(field: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => required_text(field, t, NOTES_MAX).map(Some),
        None => Ok(None),
    }
}

pub async fn suggest(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    title: &str,
    details: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SuggestedFix, ApiError> {
    let title = required_text("title", title, TITLE_MAX)?;
    let details = optional_text("details", details)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    session_access::workable(&mut tx, user, session_id).await?;
    let fix: SuggestedFix = sqlx::query_as(&format!(
        "INSERT INTO suggested_fixes (account_id, session_id, title, details, suggested_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    ))
    .bind(user.account_id)
    .bind(session_id)
    .bind(&title)
    .bind(&details)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    commit(tx, session_id, fix, now).await
}

/// A fix changed: its session is touched, and both commit together.
async fn commit(
    mut tx: Tx,
    session_id: SessionId,
    fix: SuggestedFix,
    now: DateTime<Utc>,
) -> Result<SuggestedFix, ApiError> {
    session_access::touch(&mut tx, session_id, now).await?;
    tx.commit().await?;
    Ok(fix)
}

/// Records what became of a fix. `notes` is what still isn't right for a partial outcome (and
/// an optional remark otherwise); `pending_reason` what a pending fix waits on.
pub async fn record_outcome(
    pool: &PgPool,
    user: &User,
    fix_id: FixId,
    outcome: &str,
    notes: Option<&str>,
    pending_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SuggestedFix, ApiError> {
    let to = FixStatus::parse(outcome).ok_or_else(|| {
        ApiError::invalid(
            "outcome",
            "Must be one of applied_verifying, applied_success, applied_failed, applied_partial, applied_pending or dismissed.",
        )
    })?;
    let notes = optional_text("notes", notes)?;
    let pending_reason = optional_text("pending_reason", pending_reason)?;
    if to == FixStatus::AppliedPartial && notes.is_none() {
        return Err(ApiError::invalid("notes", "Say what still isn't working."));
    }
    if to == FixStatus::AppliedPending && pending_reason.is_none() {
        return Err(ApiError::invalid(
            "pending_reason",
            "Say what you're waiting on before it can be verified.",
        ));
    }
    // A reason belongs to a pending outcome only; it stays on record after the verdict.
    let pending_reason = pending_reason.filter(|_| to == FixStatus::AppliedPending);

    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let current: Option<(SessionId, FixStatus)> =
        sqlx::query_as("SELECT session_id, status FROM suggested_fixes WHERE id = $1 FOR UPDATE")
            .bind(fix_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (session_id, from) = current.ok_or_else(ApiError::not_found)?;
    session_access::workable(&mut tx, user, session_id).await?;
    if !from.can_become(to) {
        return Err(ApiError::invalid(
            "outcome",
            format!(
                "A fix that {} can't be marked \"{}\".",
                match from {
                    FixStatus::Suggested => "is only suggested".to_owned(),
                    other => format!("is recorded as \"{}\"", other.words()),
                },
                to.words()
            ),
        ));
    }
    let fix: SuggestedFix = sqlx::query_as(&format!(
        "UPDATE suggested_fixes SET status = $2, \
            applied_at = CASE WHEN $3 THEN coalesce(applied_at, $6) ELSE applied_at END, \
            verified_at = CASE WHEN $4 THEN $6 WHEN $2 = 'applied_pending' THEN NULL ELSE verified_at END, \
            partial_notes = CASE WHEN $2 = 'applied_partial' THEN $5 ELSE partial_notes END, \
            outcome_notes = CASE WHEN $2 IN ('applied_success', 'applied_failed', 'dismissed') THEN $5 ELSE outcome_notes END, \
            pending_reason = coalesce($7, pending_reason), \
            updated_at = $6 \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(fix_id)
    .bind(to)
    .bind(to.is_applied())
    .bind(to.is_verdict())
    .bind(&notes)
    .bind(now)
    .bind(&pending_reason)
    .fetch_one(&mut *tx)
    .await?;
    commit(tx, session_id, fix, now).await
}
