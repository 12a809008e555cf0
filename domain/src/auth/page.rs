//! Page loads: a returning visitor whose access cookie has expired is refreshed here, before
//! the page renders, and what was learned is left on the request for the page to read.

use super::{
    client::Client,
    cookies::{cleared_cookies, cookie_names, login_cookies, read_cookie},
    logins::{self, AuthError},
    tokens::{self, AccessClaims},
};
use crate::state::AppState;
use axum::{
    extract::{Request, State},
    http::{header, Method},
    middleware::Next,
    response::Response,
};
use chrono::{DateTime, Utc};
use vocab::visitor::LoginEnd;

/// What the page-load layer learned about a request's session.
#[derive(Clone, Debug)]
pub enum PageAuth {
    Signed(AccessClaims),
    Ended(Option<LoginEnd>),
}

/// The windows of a session the page-load layer just refreshed.
#[derive(Clone, Copy, Debug)]
pub struct RefreshedWindows {
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// A browser's navigation: a page load, or a page's form posted without JavaScript, which
/// finds its caller as a page does (`session_forms`). Not the sign-in and sign-out forms: they
/// make and end logins themselves, and cookies set here would land after theirs.
fn is_page_load(req: &Request) -> bool {
    let path = req.uri().path();
    let navigation = match *req.method() {
        Method::GET | Method::HEAD => true,
        Method::POST => !matches!(path, "/login" | "/logout"),
        _ => false,
    };
    navigation
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// Page loads whose access token is missing or expired but whose refresh cookie is good are
/// refreshed here, before rendering, so a returning user is never bounced to the sign-in page.
pub async fn refresh_page_login(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if !is_page_load(&req) {
        return next.run(req).await;
    }
    let now = Utc::now();
    let names = cookie_names(state.config.cookie_secure);
    let headers = req.headers();
    let has_access = read_cookie(headers, names.access)
        .is_some_and(|t| tokens::decode_access(&state.keys, t, now).is_ok());
    let refresh = match read_cookie(headers, names.refresh) {
        Some(token) if !has_access => token.to_owned(),
        _ => return next.run(req).await,
    };
    let client = Client::of(headers, req.extensions());
    let outcome = logins::refresh(
        &state.pool,
        &state.keys,
        &state.config.login,
        &refresh,
        client,
        now,
    )
    .await;
    let (auth, cookies) = match outcome {
        Ok(issued) => {
            req.extensions_mut().insert(RefreshedWindows {
                idle_expires_at: issued.idle_expires_at,
                absolute_expires_at: issued.absolute_expires_at,
            });
            (
                PageAuth::Signed(issued.access.clone()),
                Some(login_cookies(&state, &issued, now)),
            )
        }
        // Another request of this browser rotated the token a moment ago. Its new cookies may
        // never have landed (a fetch this navigation cancelled): deliver that rotation again.
        // Failing that, render this page for the user without touching the cookies.
        Err(AuthError::RotatedConcurrently { user }) => {
            let again = logins::redeliver(
                &state.pool,
                &state.keys,
                &state.config.login,
                &refresh,
                Client::of(req.headers(), req.extensions()),
                now,
            )
            .await;
            match again {
                Ok(Some(issued)) => {
                    req.extensions_mut().insert(RefreshedWindows {
                        idle_expires_at: issued.idle_expires_at,
                        absolute_expires_at: issued.absolute_expires_at,
                    });
                    (
                        PageAuth::Signed(issued.access.clone()),
                        Some(login_cookies(&state, &issued, now)),
                    )
                }
                Ok(None) => (PageAuth::Signed(logins::grace_claims(&user, now)), None),
                Err(e) => {
                    tracing::error!(error = %e, "page-load redelivery failed");
                    (PageAuth::Signed(logins::grace_claims(&user, now)), None)
                }
            }
        }
        Err(AuthError::Db(e)) => {
            tracing::error!(error = %e, "page-load refresh failed");
            return next.run(req).await;
        }
        // A refresh checks no password: never busy.
        Err(AuthError::Busy) => return next.run(req).await,
        Err(AuthError::SessionExpiredIdle) => (
            PageAuth::Ended(Some(LoginEnd::Idle)),
            Some(cleared_cookies(&state)),
        ),
        Err(AuthError::SessionExpiredAbsolute) => (
            PageAuth::Ended(Some(LoginEnd::Absolute)),
            Some(cleared_cookies(&state)),
        ),
        Err(AuthError::InvalidRefreshToken | AuthError::InvalidCredentials) => {
            (PageAuth::Ended(None), Some(cleared_cookies(&state)))
        }
    };
    req.extensions_mut().insert(auth);
    let mut res = next.run(req).await;
    for value in cookies.into_iter().flatten() {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}
