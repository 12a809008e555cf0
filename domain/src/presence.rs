//! `POST /api/presence`: a page says its user is viewing a session, typing in it, or has left
//! it (docs/API.md §9). Only someone who may read the session may say so, and only the people who
//! hear of the session hear it. Where presence lives, and why there, is [`crate::bus::presence`].

use crate::{
    bus::presence::{announce, Report},
    db,
    session_access::access,
};
use sqlx::PgPool;
use vocab::{
    error::ApiError,
    events::PresenceState,
    ids::SessionId,
    users::{User, UserRef},
};

pub fn state(word: &str) -> Result<PresenceState, ApiError> {
    PresenceState::parse(word)
        .ok_or_else(|| ApiError::invalid("state", "Must be viewing, typing or left."))
}

pub async fn report(
    pool: &PgPool,
    user: &User,
    session_id: SessionId,
    state: PresenceState,
) -> Result<(), ApiError> {
    let mut tx = db::tenant_tx(pool, user.account_id).await?;
    let access = access(&mut tx, session_id, false).await?;
    if !access.can_read(user) {
        return Err(ApiError::not_found());
    }
    let report = Report {
        account_id: user.account_id,
        session_id,
        user: UserRef {
            id: user.id,
            name: user.name.clone(),
        },
        state,
        audience: access.audience(),
    };
    // Heard by every process when this commits; nothing is written.
    announce(&mut tx, &report).await?;
    tx.commit().await?;
    Ok(())
}
