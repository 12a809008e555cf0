//! Handoffs (docs/API.md §6): escalate or park a session, the queue of unclaimed escalations, the
//! race-safe claim, and what happens after an escalation commits (the bus, mail, webhooks, the
//! AI assessment), none of which can fail or undo it.

use crate::{
    bus,
    db::{self, Tx},
    notify::{self, Recipient},
    session_access, session_record,
    state::AppState,
    text::required_text,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::{types::Json, PgPool};
use vocab::{
    error::{ApiError, ErrorCode},
    events::EscalationEvent,
    handoffs::{Assessment, AssessmentStatus, ClaimedBy, Handoff, Intent, QueueItem, Snapshot},
    ids::{AccountId, HandoffId, SessionId, UserId},
    users::{Role, User, UserRef},
};

pub const REASON_MAX: usize = 4000;

/// The intent named in a request, or the 422 that names the field.
pub fn intent(word: &str) -> Result<Intent, ApiError> {
    Intent::parse(word)
        .ok_or_else(|| ApiError::invalid("intent", "Must be \"escalate\" or \"park\"."))
}

/// What a committed escalation still has to tell the world.
#[derive(Clone, Debug)]
pub struct Created {
    pub handoff: Handoff,
    pub account_id: AccountId,
    pub title: String,
    pub recipients: Vec<Recipient>,
}

fn target_error(message: &str) -> ApiError {
    ApiError::invalid("target_user_id", message)
}

pub async fn create(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    intent: Intent,
    reason: &str,
    target_user_id: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Created, ApiError> {
    session_access::require_worker(user)?;
    let reason = required_text("reason", reason, REASON_MAX)?;
    if target_user_id == Some(user.id) {
        return Err(target_error("You can't escalate to yourself."));
    }
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let access = session_access::access(&mut tx, session_id, true).await?;
    if !access.can_write(user) {
        return Err(if access.can_read(user) {
            ApiError::forbidden()
        } else {
            ApiError::not_found()
        });
    }
    if let Some(target) = target_user_id {
        let role: Option<Role> = sqlx::query_scalar(
            "SELECT role FROM users WHERE id = $1 AND account_id = $2 AND active",
        )
        .bind(target)
        .bind(user.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        if !role.is_some_and(Role::can_work) {
            return Err(target_error(
                "Choose a senior in your account who works sessions.",
            ));
        }
    }
    if let Some(why) = access.status.why_not_hand_on() {
        return Err(ApiError::invalid("session_id", why));
    }

    let detail = session_record::load_detail(&mut tx, session_id).await?;
    // What the assessor reads, plus who, when, and how much was said.
    let snapshot = Snapshot {
        session_id: Some(detail.id),
        from_user: Some(UserRef {
            id: user.id,
            name: user.name.clone(),
        }),
        message_count: Some(detail.messages.len()),
        taken_at: Some(now),
        ..detail.snapshot(reason.clone())
    };
    let handoff_id: HandoffId = sqlx::query_scalar(
        "INSERT INTO session_handoffs (account_id, session_id, from_user_id, intent, reason, target_user_id, snapshot, assessment_status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(user.account_id)
    .bind(session_id)
    .bind(user.id)
    .bind(intent)
    .bind(&reason)
    .bind(target_user_id)
    .bind(Json(&snapshot))
    .bind(match intent {
        Intent::Escalate => AssessmentStatus::Pending,
        Intent::Park => AssessmentStatus::NotApplicable,
    })
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;

    let (title, recipients) = match intent {
        Intent::Escalate => {
            sqlx::query(
                "UPDATE troubleshooting_sessions SET status = 'requesting_escalation', escalation_reason = $2, \
                 escalated_to_id = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(session_id)
            .bind(&reason)
            .bind(target_user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let title = notify::escalation_title(
                &user.name,
                detail.psa_ticket_id.as_deref(),
                &detail.problem_summary,
            );
            let recipients = notify::recipients(&mut tx, user.account_id, user.id).await?;
            notify::in_app(
                &mut tx,
                user.account_id,
                &recipients,
                &title,
                session_id,
                now,
            )
            .await?;
            (title, recipients)
        }
        Intent::Park => {
            sqlx::query("UPDATE troubleshooting_sessions SET status = 'parked', updated_at = $2 WHERE id = $1")
                .bind(session_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            (String::new(), Vec::new())
        }
    };
    let handoff = load(&mut tx, handoff_id).await?;
    tx.commit().await?;
    Ok(Created {
        handoff,
        account_id: user.account_id,
        title,
        recipients,
    })
}

/// After an escalation commits: announce it on the bus (awaited: it is one insert), then mail,
/// webhooks and the assessment in the background. Parking announces nothing.
pub async fn after_commit(state: &AppState, created: Created) {
    if created.handoff.intent != Intent::Escalate {
        return;
    }
    let h = &created.handoff;
    let event = EscalationEvent::HandoffCreated {
        handoff_id: h.id,
        session_id: h.session_id,
    };
    if let Err(e) = bus::publish(&state.pool, created.account_id, &event, None).await {
        tracing::error!(error = %e, handoff_id = %h.id, "publishing handoff_created");
    }
    let state = state.clone();
    tokio::spawn(async move {
        tokio::join!(
            deliver(&state, &created),
            assess(
                &state,
                created.account_id,
                created.handoff.id,
                &created.handoff.snapshot
            ),
        );
    });
}

/// Mail to every recipient and the account's chat webhooks, concurrently.
pub async fn deliver(state: &AppState, created: &Created) {
    let url = format!(
        "{}{}",
        state.config.public_url,
        notify::pickup_link(created.handoff.session_id)
    );
    let body = format!(
        "{}\n\nReason: {}\n\nPick it up: {url}\n",
        created.title, created.handoff.reason
    );
    let recipients: Vec<&str> = created
        .recipients
        .iter()
        .map(|r| r.email.as_str())
        .collect();
    tokio::join!(
        state.mailer.send_to_all(
            &state.pool,
            created.account_id,
            &recipients,
            &created.title,
            &body,
        ),
        notify::webhooks(
            &state.webhook_http,
            state.config.webhook_allow_private,
            &state.pool,
            created.account_id,
            &created.title,
            &url
        ),
    );
}

/// Runs the assessor within its budget, stores what came (or that nothing did), then tells the
/// stream.
pub async fn assess(
    state: &AppState,
    account_id: AccountId,
    handoff_id: HandoffId,
    snapshot: &Snapshot,
) {
    let outcome = match tokio::time::timeout(
        state.config.ai_assessment_timeout,
        state.assessor.assess(snapshot),
    )
    .await
    {
        Ok(Ok(assessment)) => Some(assessment),
        Ok(Err(e)) => {
            tracing::warn!(%handoff_id, error = %e, "assessor failed");
            None
        }
        Err(_) => {
            tracing::warn!(%handoff_id, "assessor ran past its budget");
            None
        }
    };
    if let Err(e) = store_assessment(&state.pool, account_id, handoff_id, outcome.as_ref()).await {
        tracing::error!(%handoff_id, error = %e, "storing the assessment");
        return;
    }
    let event = EscalationEvent::HandoffAssessmentReady {
        handoff_id,
        has_assessment: outcome.is_some(),
    };
    if let Err(e) = bus::publish(&state.pool, account_id, &event, None).await {
        tracing::error!(%handoff_id, error = %e, "publishing handoff_assessment_ready");
    }
}

async fn store_assessment(
    pool: &PgPool,
    account_id: AccountId,
    handoff_id: HandoffId,
    assessment: Option<&Assessment>,
) -> Result<(), sqlx::Error> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    sqlx::query(
        "UPDATE session_handoffs SET ai_assessment = $2, assessment_status = $3 WHERE id = $1",
    )
    .bind(handoff_id)
    .bind(assessment.map(|a| serde_json::to_value(a).unwrap_or(Value::Null)))
    .bind(if assessment.is_some() {
        AssessmentStatus::Ready
    } else {
        AssessmentStatus::Unavailable
    })
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Tells every stream in the account who won, so the card leaves every other queue at once.
pub async fn announce_claim(state: &AppState, account_id: AccountId, handoff: &Handoff) {
    let Some(winner) = &handoff.claimed_by else {
        return;
    };
    let event = EscalationEvent::HandoffClaimed {
        handoff_id: handoff.id,
        claimed_by: ClaimedBy {
            user_id: winner.id,
            name: winner.name.clone(),
        },
    };
    if let Err(e) = bus::publish(&state.pool, account_id, &event, None).await {
        tracing::error!(error = %e, handoff_id = %handoff.id, "publishing handoff_claimed");
    }
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    handoff_id: HandoffId,
    session_id: SessionId,
    from_user_id: UserId,
    from_name: String,
    problem_summary: String,
    reason: String,
    psa_ticket_id: Option<String>,
    step_count: i64,
    confidence_tier: Option<Value>,
    created_at: DateTime<Utc>,
}

pub async fn queue(pool: &PgPool, user: &User) -> Result<Vec<QueueItem>, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let rows: Vec<QueueRow> = sqlx::query_as(
        "SELECT h.id AS handoff_id, h.session_id, h.from_user_id, u.name AS from_name, s.problem_summary, \
                h.reason, s.psa_ticket_id, jsonb_array_length(h.snapshot -> 'steps')::bigint AS step_count, \
                h.ai_assessment -> 'confidence_tier' AS confidence_tier, h.created_at \
         FROM session_handoffs h JOIN users u ON u.id = h.from_user_id \
         JOIN troubleshooting_sessions s ON s.id = h.session_id \
         WHERE h.account_id = $1 AND h.intent = 'escalate' AND h.claimed_by IS NULL AND h.from_user_id <> $2 \
               AND s.status <> 'resolved' \
         ORDER BY h.created_at DESC, h.id LIMIT 200",
    )
    .bind(user.account_id)
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| QueueItem {
            handoff_id: r.handoff_id,
            session_id: r.session_id,
            from_user: UserRef {
                id: r.from_user_id,
                name: r.from_name,
            },
            problem_summary: r.problem_summary,
            reason: r.reason,
            psa_ticket_id: r.psa_ticket_id,
            step_count: r.step_count,
            confidence_tier: r
                .confidence_tier
                .and_then(|t| serde_json::from_value(t).ok()),
            created_at: r.created_at,
        })
        .collect())
}

/// The claim, in one statement: the conditional UPDATE that decides the race (zero rows: someone
/// else holds it, or it is the caller's own, or not an escalation), the session handed to the
/// winner, its bell rows read for everyone (`notify::handled`), and the handoff as it stands
/// after the attempt.
const CLAIM: &str = "WITH won AS ( \
        UPDATE session_handoffs SET claimed_by = $2, claimed_at = $3 \
        WHERE id = $1 AND intent = 'escalate' AND claimed_by IS NULL AND from_user_id <> $2 \
        RETURNING *), \
    handed AS ( \
        UPDATE troubleshooting_sessions s SET status = 'escalated', escalated_to_id = $2, updated_at = $3 \
        FROM won WHERE s.id = won.session_id), \
    handled AS ( \
        UPDATE notifications n SET read_at = $3 \
        FROM won WHERE n.session_id = won.session_id AND n.read_at IS NULL), \
    h AS ( \
        SELECT * FROM won \
        UNION ALL SELECT * FROM session_handoffs WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM won)) \
    SELECT EXISTS (SELECT 1 FROM won) AS won, ";

#[derive(sqlx::FromRow)]
struct ClaimRow {
    won: bool,
    #[sqlx(flatten)]
    handoff: HandoffRow,
}

/// Claims an escalation for `user`; the winner claiming again gets the same answer. Two seniors
/// racing can't both win: the database settles it (see [`CLAIM`]).
pub async fn claim(
    mut tx: Tx,
    user: &User,
    handoff_id: HandoffId,
    now: DateTime<Utc>,
) -> Result<(Handoff, bool), ApiError> {
    session_access::require_worker(user)?;
    let row: Option<ClaimRow> = sqlx::query_as(&format!("{CLAIM}{HANDOFF_SELECT}"))
        .bind(handoff_id)
        .bind(user.id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(ClaimRow { won, handoff }) = row else {
        tx.commit().await?;
        return Err(ApiError::not_found());
    };
    let mut handoff = Handoff::from(handoff);
    let escalation = handoff.intent == Intent::Escalate;
    if !won && escalation && handoff.claimed_by.is_none() && handoff.from_user.id != user.id {
        // Lost to a claim that committed while this one waited for the row: the statement read
        // the handoff as it was before that claim. Read it again to name the winner.
        handoff = load(&mut tx, handoff_id).await?;
    }
    tx.commit().await?;
    if won {
        return Ok((handoff, true));
    }
    if !escalation {
        return Err(ApiError::not_found());
    }
    match &handoff.claimed_by {
        Some(winner) if winner.id == user.id => Ok((handoff, false)),
        Some(winner) => Err(ApiError::new(
            ErrorCode::AlreadyClaimed,
            format!("Already claimed by {}.", winner.name),
        )
        .with(
            "claimed_by",
            json!({ "user_id": winner.id, "name": winner.name }),
        )
        .with("claimed_at", json!(handoff.claimed_at))),
        None if handoff.from_user.id == user.id => Err(ApiError::new(
            ErrorCode::CannotClaimOwnHandoff,
            "You can't pick up your own escalation.",
        )),
        None => Err(ApiError::not_found()),
    }
}

/// One handoff. A parked session is private to the engineer who parked it.
pub async fn get(pool: &PgPool, user: &User, handoff_id: HandoffId) -> Result<Handoff, ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let handoff = load(&mut tx, handoff_id).await?;
    tx.commit().await?;
    if handoff.intent == Intent::Park && handoff.from_user.id != user.id {
        return Err(ApiError::not_found());
    }
    Ok(handoff)
}

/// The session's most recent escalation, if it was ever escalated.
pub async fn latest_escalation(
    tx: &mut Tx,
    session_id: SessionId,
) -> Result<Option<Handoff>, ApiError> {
    let id: Option<HandoffId> = sqlx::query_scalar(
        "SELECT id FROM session_handoffs WHERE session_id = $1 AND intent = 'escalate' \
         ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(session_id)
    .fetch_optional(&mut **tx)
    .await?;
    match id {
        Some(id) => load(tx, id).await.map(Some),
        None => Ok(None),
    }
}

/// Who an escalation can be addressed to: the account's other members who work sessions.
pub async fn targets(pool: &PgPool, user: &User) -> Result<Vec<UserRef>, ApiError> {
    session_access::require_worker(user)?;
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let people = notify::recipients(&mut tx, user.account_id, user.id).await?;
    tx.commit().await?;
    let mut people: Vec<UserRef> = people
        .into_iter()
        .map(|r| UserRef {
            id: r.id,
            name: r.name,
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(people)
}

#[derive(sqlx::FromRow)]
struct HandoffRow {
    id: HandoffId,
    session_id: SessionId,
    from_user_id: UserId,
    from_name: String,
    intent: Intent,
    reason: String,
    target_user_id: Option<UserId>,
    target_name: Option<String>,
    snapshot: Json<Snapshot>,
    claimed_by: Option<UserId>,
    claimer_name: Option<String>,
    claimed_at: Option<DateTime<Utc>>,
    ai_assessment: Option<Value>,
    assessment_status: AssessmentStatus,
    created_at: DateTime<Utc>,
}

/// A handoff's columns, from `h` (the handoff) with the names of who raised it, whom it was
/// addressed to, and who claimed it.
const HANDOFF_SELECT: &str =
    "h.id, h.session_id, h.from_user_id, f.name AS from_name, h.intent, h.reason, \
        h.target_user_id, t.name AS target_name, h.snapshot, h.claimed_by, c.name AS claimer_name, \
        h.claimed_at, h.ai_assessment, h.assessment_status, h.created_at \
    FROM h JOIN users f ON f.id = h.from_user_id \
    LEFT JOIN users t ON t.id = h.target_user_id LEFT JOIN users c ON c.id = h.claimed_by";

async fn load(tx: &mut Tx, handoff_id: HandoffId) -> Result<Handoff, ApiError> {
    let row: HandoffRow = sqlx::query_as(&format!(
        "WITH h AS (SELECT * FROM session_handoffs WHERE id = $1) SELECT {HANDOFF_SELECT}"
    ))
    .bind(handoff_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(ApiError::not_found)?;
    Ok(row.into())
}

impl From<HandoffRow> for Handoff {
    fn from(row: HandoffRow) -> Self {
        let user_ref = |id: Option<UserId>, name: Option<String>| {
            id.zip(name).map(|(id, name)| UserRef { id, name })
        };
        Handoff {
            id: row.id,
            session_id: row.session_id,
            from_user: UserRef {
                id: row.from_user_id,
                name: row.from_name,
            },
            intent: row.intent,
            reason: row.reason,
            target_user: user_ref(row.target_user_id, row.target_name),
            snapshot: row.snapshot.0,
            claimed_by: user_ref(row.claimed_by, row.claimer_name),
            claimed_at: row.claimed_at,
            ai_assessment: row
                .ai_assessment
                .and_then(|a| serde_json::from_value(a).ok()),
            assessment_status: row.assessment_status,
            created_at: row.created_at,
        }
    }
}
