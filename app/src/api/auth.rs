//! `/api/auth/*`: sign-in, refresh, sign-out and the current session (docs/API.md §3).

use chrono::{DateTime, Utc};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use vocab::{
    error::ApiError,
    users::User,
    visitor::{LoginEnd, SignedIn},
};

#[cfg(feature = "ssr")]
use {
    super::ctx,
    domain::auth::{
        client::Client,
        cookies::{cleared_cookies, login_cookies, refresh_cookie},
        logins::{self, AuthError, Issued},
        page::{PageAuth, RefreshedWindows},
        sign_in::sign_in,
    },
    vocab::error::ErrorCode,
};

/// A freshly issued pair as the client sees it: the session's two windows, and the tokens
/// themselves only for API clients without a cookie jar (login with `token_in_body`, or a
/// refresh whose token came in the body). The answer of refresh; flattened into login's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefreshAnswer {
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

#[cfg(feature = "ssr")]
impl RefreshAnswer {
    fn new(issued: &Issued, tokens_in_body: bool) -> Self {
        Self {
            idle_expires_at: issued.idle_expires_at,
            absolute_expires_at: issued.absolute_expires_at,
            access_token: tokens_in_body.then(|| issued.access_token.clone()),
            refresh_token: tokens_in_body.then(|| issued.refresh_token.clone()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LoginAnswer {
    pub user: User,
    #[serde(flatten)]
    pub issued: RefreshAnswer,
}

/// `{"ok": true}`: the call did what it says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Done {
    pub ok: bool,
}

/// What the app shell knows about the visitor: who is signed in, or why their login ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Visitor {
    /// `session` on the wire (docs/API.md §3).
    #[serde(rename = "session")]
    pub signed_in: Option<SignedIn>,
    pub ended: Option<LoginEnd>,
    /// The account's plan does not open the Pro features (the live stream among them).
    pub plan_lapsed: bool,
}

#[server(prefix = "/api", endpoint = "auth/login", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn login(
    email: String,
    password: String,
    #[server(default)] token_in_body: bool,
) -> Result<LoginAnswer, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let now = Utc::now();
    let client = Client::of(&parts.headers, &parts.extensions);
    let issued = sign_in(&state, client, &email, &password, now).await?;
    Ok(LoginAnswer::signed_in(&state, issued, token_in_body, now))
}

#[cfg(feature = "ssr")]
impl LoginAnswer {
    /// The answer of every call that signs someone in, with the login's cookies set on it.
    pub(crate) fn signed_in(
        state: &domain::state::AppState,
        issued: Issued,
        tokens_in_body: bool,
        now: DateTime<Utc>,
    ) -> Self {
        ctx::set_cookies(login_cookies(state, &issued, now));
        Self {
            issued: RefreshAnswer::new(&issued, tokens_in_body),
            user: issued.user,
        }
    }
}

#[server(prefix = "/api", endpoint = "auth/refresh", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn refresh(
    #[server(default)] refresh_token: Option<String>,
) -> Result<RefreshAnswer, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let now = Utc::now();
    let from_body = refresh_token.is_some();
    let token = refresh_token
        .or_else(|| refresh_cookie(&state, &parts.headers).map(str::to_owned))
        .ok_or_else(|| ApiError::from(AuthError::InvalidRefreshToken))?;
    let outcome = logins::refresh(
        &state.pool,
        &state.keys,
        &state.config.login,
        &token,
        Client::of(&parts.headers, &parts.extensions),
        now,
    )
    .await;
    match outcome {
        Ok(issued) => {
            ctx::set_cookies(login_cookies(&state, &issued, now));
            Ok(RefreshAnswer::new(&issued, from_body))
        }
        // The winner of a concurrent rotation already set fresh cookies: leave them alone.
        Err(err @ AuthError::RotatedConcurrently { .. }) => Err(err.into()),
        Err(err) => {
            if !from_body {
                ctx::set_cookies(cleared_cookies(&state));
            }
            Err(err.into())
        }
    }
}

#[server(prefix = "/api", endpoint = "auth/logout", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn logout() -> Result<Done, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    if let Some(token) = refresh_cookie(&state, &parts.headers) {
        logins::logout(&state.pool, &state.keys, token, Utc::now()).await?;
    }
    ctx::set_cookies(cleared_cookies(&state));
    Ok(Done { ok: true })
}

#[server(prefix = "/api", endpoint = "auth/session", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn session() -> Result<SignedIn, ApiError> {
    let (state, caller) = ctx::caller().await?;
    Ok(signed_in(&state, &ctx::parts()?, caller.user))
}

/// The app shell's view of the visitor; never an error for a signed-out visitor.
#[server(prefix = "/api", endpoint = "auth/current", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn current_visitor() -> Result<Visitor, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let ended = match parts.extensions.get::<PageAuth>() {
        Some(PageAuth::Ended(reason)) => *reason,
        _ => None,
    };
    let (who, plan_lapsed) = match ctx::caller().await {
        Ok((_, caller)) => {
            let plan_lapsed = caller.plan_lapsed();
            (Some(signed_in(&state, &parts, caller.user)), plan_lapsed)
        }
        Err(err) if err.error == ErrorCode::NotAuthenticated => (None, false),
        Err(err) => return Err(err),
    };
    Ok(Visitor {
        signed_in: who,
        ended,
        plan_lapsed,
    })
}

/// The signed-in user with the windows of this login.
#[cfg(feature = "ssr")]
fn signed_in(
    state: &domain::state::AppState,
    parts: &axum::http::request::Parts,
    user: vocab::users::User,
) -> SignedIn {
    // A page load refreshed in place carries the new windows; otherwise the cookie's.
    let windows = parts
        .extensions
        .get::<RefreshedWindows>()
        .map(|w| (w.idle_expires_at, w.absolute_expires_at))
        .or_else(|| {
            refresh_cookie(state, &parts.headers)
                .and_then(|token| logins::windows_of(&state.keys, token, user.id))
        });
    SignedIn {
        idle_expires_at: windows.map(|w| w.0),
        absolute_expires_at: windows.map(|w| w.1),
        user,
    }
}

/// Mails a reset link when the address has an account. The answer is the same either way.
#[server(prefix = "/api", endpoint = "auth/forgot-password", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn forgot_password(email: String) -> Result<Done, ApiError> {
    let state = ctx::state()?;
    domain::password_reset::request(&state, &email, Utc::now());
    Ok(Done { ok: true })
}

/// Sets a new password with a reset link's token; every login of that user is signed out.
#[server(prefix = "/api", endpoint = "auth/reset-password", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn reset_password(token: String, password: String) -> Result<Done, ApiError> {
    let state = ctx::state()?;
    domain::password_reset::redeem(&state, &token, &password, Utc::now()).await?;
    Ok(Done { ok: true })
}
