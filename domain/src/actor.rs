//! Who is acting on their account, read fresh in the call's own transaction rather than taken
//! from the access token, which may be minutes old: a role changed or a member deactivated
//! since then counts at once.

use crate::db::Tx;
use vocab::{
    error::ApiError,
    ids::{AccountId, UserId},
    users::Role,
};

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub role: Role,
    pub name: String,
}

impl Actor {
    /// The member `user_id` as the database knows them now; 401 once they are gone or
    /// deactivated.
    pub async fn load(tx: &mut Tx, user_id: UserId) -> Result<Self, ApiError> {
        let row: Option<(AccountId, Role, String)> =
            sqlx::query_as("SELECT account_id, role, name FROM users WHERE id = $1 AND active")
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
        let (account_id, role, name) = row.ok_or_else(ApiError::not_authenticated)?;
        Ok(Self {
            user_id,
            account_id,
            role,
            name,
        })
    }

    /// [`Actor::load`], then 403 `forbidden` unless their role passes `allowed`.
    pub async fn load_if(
        tx: &mut Tx,
        user_id: UserId,
        allowed: impl FnOnce(Role) -> bool,
    ) -> Result<Self, ApiError> {
        let actor = Self::load(tx, user_id).await?;
        if allowed(actor.role) {
            Ok(actor)
        } else {
            Err(ApiError::forbidden())
        }
    }
}
