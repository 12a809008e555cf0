//! Who is calling: the one place a request's identity, account, role and plan are worked out.
//!
//! [`Caller`] is an axum extractor. Handlers take it as an argument (the escalation stream);
//! server functions reach it through `leptos_axum::extract_with_state`. Either way the access
//! token is checked, then the user and the account's subscription are read as the database
//! knows them now (a role changed or a user removed since the token was minted counts).

use super::{
    cookies::{cookie_names, read_cookie},
    logins,
    page::PageAuth,
    tokens::{self, AccessClaims},
};
use crate::{
    db::{self, Tx},
    plans::{self, Subscription},
    state::AppState,
};
use axum::{
    extract::{FromRef, FromRequestParts},
    http::{header, request::Parts, Extensions, HeaderMap},
};
use chrono::{DateTime, Utc};
use vocab::{error::ApiError, users::User};

/// The signed-in caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    /// The account's subscription, when it has one.
    pub plan: Subscription,
}

impl Caller {
    /// The caller of `parts`, and the tenant transaction the check ran in, for a call that
    /// goes on to do its work in the same transaction (one round trip fewer on a hot path).
    pub async fn in_tx(state: &AppState, parts: &Parts) -> Result<(Self, Tx), ApiError> {
        let now = Utc::now();
        let claims = access_claims(state, &parts.headers, &parts.extensions, now)
            .ok_or_else(ApiError::not_authenticated)?;
        let mut tx = db::tenant_tx(&state.pool, claims.account_id).await?;
        let (user, plan) = logins::member_in(&mut tx, claims.sub)
            .await?
            .ok_or_else(ApiError::not_authenticated)?;
        Ok((Self { user, plan }, tx))
    }

    /// 402 `subscription_required` unless the account's plan opens the Pro features.
    pub fn require_pro(&self) -> Result<(), ApiError> {
        plans::require_pro(&self.plan)
    }

    /// Whether the Pro features are closed to this account (what the app shell shows).
    pub fn plan_lapsed(&self) -> bool {
        plans::is_lapsed(&self.plan)
    }
}

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let (caller, tx) = Self::in_tx(&AppState::from_ref(state), parts).await?;
        tx.commit().await?;
        Ok(caller)
    }
}

/// The valid access claims of a request: from the page-load layer, a bearer token, or the
/// access cookie, in that order.
pub fn access_claims(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &Extensions,
    now: DateTime<Utc>,
) -> Option<AccessClaims> {
    match extensions.get::<PageAuth>() {
        Some(PageAuth::Signed(claims)) => return Some(claims.clone()),
        Some(PageAuth::Ended(_)) => return None,
        None => {}
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let names = cookie_names(state.config.cookie_secure);
    let token = bearer.or_else(|| read_cookie(headers, names.access))?;
    tokens::decode_access(&state.keys, token.trim(), now).ok()
}
