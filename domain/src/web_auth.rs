//! Authentication on the web: the session cookies, who a request is, sign-in with throttling,
//! the in-place refresh of page loads, and the sign-in form for browsers without JavaScript.

use crate::{
    auth::{self, AuthError, Issued},
    state::AppState,
    tokens::{self, AccessClaims},
};
use axum::{
    extract::{ConnectInfo, FromRequest, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Form,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use vocab::{
    error::{ApiError, ErrorCode},
    paths::safe_next,
    visitor::SessionEnd,
};

/// The two cookie names; `__Host-` needs `Secure`, so plain-http use drops the prefix.
#[derive(Clone, Copy, Debug)]
pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
}

pub fn cookie_names(secure: bool) -> CookieNames {
    if secure {
        CookieNames {
            access: "__Host-rf_access",
            refresh: "__Host-rf_refresh",
        }
    } else {
        CookieNames {
            access: "rf_access",
            refresh: "rf_refresh",
        }
    }
}

pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.max(0)
    ))
    .expect("cookie values are base64url tokens")
}

/// How long after its login can no longer be refreshed the refresh cookie stays, so that the
/// server can still say *why* the session ended (idle or absolute) instead of "not signed in".
const ENDED_SESSION_MEMORY_SECS: i64 = 7 * 24 * 3600;

pub fn session_cookies(state: &AppState, issued: &Issued, now: DateTime<Utc>) -> [HeaderValue; 2] {
    let secure = state.config.cookie_secure;
    let names = cookie_names(secure);
    let last_useful = issued.idle_expires_at.max(issued.absolute_expires_at);
    [
        cookie(
            names.access,
            &issued.access_token,
            issued.access_expires_at.timestamp() - now.timestamp(),
            secure,
        ),
        cookie(
            names.refresh,
            &issued.refresh_token,
            last_useful.timestamp() - now.timestamp() + ENDED_SESSION_MEMORY_SECS,
            secure,
        ),
    ]
}

pub fn cleared_cookies(state: &AppState) -> [HeaderValue; 2] {
    let secure = state.config.cookie_secure;
    let names = cookie_names(secure);
    [
        cookie(names.access, "", 0, secure),
        cookie(names.refresh, "", 0, secure),
    ]
}

/// What the page-load layer learned about a request's session.
#[derive(Clone, Debug)]
pub enum PageAuth {
    Signed(AccessClaims),
    Ended(Option<SessionEnd>),
}

/// The windows of a session the page-load layer just refreshed.
#[derive(Clone, Copy, Debug)]
pub struct RefreshedWindows {
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// The valid access claims of a request: from the page-load layer, a bearer token, or the
/// access cookie, in that order.
pub fn access_claims(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
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

pub fn refresh_cookie<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    read_cookie(headers, cookie_names(state.config.cookie_secure).refresh)
}

pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

pub fn client_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Sign-in with throttling: the shared path of the JSON API and the no-JavaScript form.
pub async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    ip: Option<IpAddr>,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let email = email.trim().to_lowercase();
    let mut fields = Vec::new();
    if email.is_empty() {
        fields.push(("email".to_owned(), "Enter your e-mail.".to_owned()));
    }
    if password.is_empty() {
        fields.push(("password".to_owned(), "Enter your password.".to_owned()));
    }
    if !fields.is_empty() {
        return Err(ApiError::validation(fields));
    }
    let ip = ip.map(|ip| ip.to_string());
    if let Err(seconds) = state.limiter.check(&email, ip.as_deref(), now) {
        return Err(rate_limited(seconds));
    }
    let result = auth::login(
        &state.pool,
        &state.keys,
        &state.config.session,
        &email,
        password,
        user_agent(headers),
        now,
    )
    .await;
    match result {
        Ok(issued) => {
            state.limiter.record_success(&email);
            Ok(issued)
        }
        Err(AuthError::InvalidCredentials) => {
            state.limiter.record_failure(&email, ip.as_deref(), now);
            Err(AuthError::InvalidCredentials.into())
        }
        Err(other) => Err(other.into()),
    }
}

fn rate_limited(seconds: i64) -> ApiError {
    let minutes = (seconds + 59) / 60;
    let wait = if minutes <= 1 {
        "a minute".to_owned()
    } else {
        format!("{minutes} minutes")
    };
    ApiError::new(
        ErrorCode::RateLimited,
        format!("Too many sign-in attempts. Try again in {wait}."),
    )
    .with("retry_after", seconds)
}

fn is_page_load(req: &Request) -> bool {
    let path = req.uri().path();
    (req.method() == Method::GET || req.method() == Method::HEAD)
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
pub async fn refresh_page_session(
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
    let ua = user_agent(headers).map(str::to_owned);
    let outcome = auth::refresh(
        &state.pool,
        &state.keys,
        &state.config.session,
        &refresh,
        ua.as_deref(),
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
                Some(session_cookies(&state, &issued, now)),
            )
        }
        // Another request of this browser rotated the token a moment ago and set the new
        // cookies; render this page for the user without touching them.
        Err(AuthError::RotatedConcurrently { user }) => {
            (PageAuth::Signed(auth::grace_claims(&user, now)), None)
        }
        Err(AuthError::Db(e)) => {
            tracing::error!(error = %e, "page-load refresh failed");
            return next.run(req).await;
        }
        Err(AuthError::SessionExpiredIdle) => (
            PageAuth::Ended(Some(SessionEnd::Idle)),
            Some(cleared_cookies(&state)),
        ),
        Err(AuthError::SessionExpiredAbsolute) => (
            PageAuth::Ended(Some(SessionEnd::Absolute)),
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

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: the sign-in form for browsers without JavaScript. Success redirects to where
/// the user was headed with the session cookies; failure back to the form with the reason.
pub async fn login_form(State(state): State<AppState>, req: Request) -> Response {
    let now = Utc::now();
    let ip = client_ip(req.extensions());
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &state).await else {
        return see_other("/login?error=bad_request");
    };
    let next = safe_next(&form.next).to_owned();
    match sign_in(&state, &headers, ip, &form.email, &form.password, now).await {
        Ok(issued) => {
            let mut res = see_other(&next);
            for value in session_cookies(&state, &issued, now) {
                res.headers_mut().append(header::SET_COOKIE, value);
            }
            res
        }
        Err(err) => {
            let query =
                serde_urlencoded::to_string([("error", err.error.as_str()), ("next", &next)])
                    .unwrap_or_default();
            see_other(&format!("/login?{query}"))
        }
    }
}

/// `POST /logout`: signs out this browser (the user menu's form) and returns to the sign-in page.
pub async fn logout_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = refresh_cookie(&state, &headers) {
        if let Err(AuthError::Db(e)) =
            auth::logout(&state.pool, &state.keys, token, Utc::now()).await
        {
            tracing::error!(error = %e, "sign-out could not revoke the refresh token");
        }
    }
    let mut res = see_other("/login");
    for value in cleared_cookies(&state) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(loc) => (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response(),
        Err(_) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login"))],
        )
            .into_response(),
    }
}

/// Cross-site request forgery guard for every state-changing request: a browser always sends
/// `Origin` on a cross-origin POST, and it must name this site.
pub async fn origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        if let Some(origin) = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
        {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok());
            let same_host = host.is_some_and(|host| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
            });
            if !same_host && origin != state.config.public_url {
                return ApiError::new(ErrorCode::Forbidden, "Cross-site requests are not allowed.")
                    .into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; rf_access=tok.en; b=2"),
        );
        assert_eq!(read_cookie(&headers, "rf_access"), Some("tok.en"));
        assert_eq!(read_cookie(&headers, "rf_refresh"), None);
    }
}
