//! The sign-in, sign-out and forgotten-password forms for browsers without JavaScript
//! (`POST /login`, `POST /logout`, `POST /forgot-password`; docs/API.md §3).

use super::{
    client::Client,
    cookies::{
        cleared_cookies, cookie_names, login_cookies, read_cookie, refresh_cookie,
        typed_email_cookie,
    },
    logins::{self, AuthError},
    sign_in::sign_in,
};
use crate::{password_reset, state::AppState};
use axum::{
    extract::{rejection::FormRejection, FromRequest, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Form,
};
use chrono::Utc;
use serde::Deserialize;
use url::form_urlencoded;
use vocab::paths::safe_next;

/// How long the form remembers the e-mail of a failed sign-in: long enough to fix a password.
const TYPED_EMAIL_SECS: i64 = 300;
/// The longest address an e-mail can have; anything longer is not worth keeping.
const EMAIL_MAX: usize = 254;

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
    let headers = req.headers().clone();
    let client = Client::of(&headers, req.extensions());
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &state).await else {
        return see_other("/login?error=bad_request");
    };
    let next = safe_next(&form.next).to_owned();
    match sign_in(&state, client, &form.email, &form.password, now).await {
        Ok(issued) => {
            let mut res = see_other(&next);
            for value in login_cookies(&state, &issued, now) {
                res.headers_mut().append(header::SET_COOKIE, value);
            }
            res.headers_mut()
                .append(header::SET_COOKIE, typed_email_cookie(&state, "", 0));
            res
        }
        Err(err) => {
            let query =
                serde_urlencoded::to_string([("error", err.error.as_str()), ("next", &next)])
                    .unwrap_or_default();
            let mut res = see_other(&format!("/login?{query}"));
            // The form comes back with the address in it, as a page with JavaScript keeps it.
            if let Some(kept) = keep_typed_email(&state, &form.email) {
                res.headers_mut().append(header::SET_COOKIE, kept);
            }
            res
        }
    }
}

/// An address worth giving back to the form: something typed, and short enough to be one.
fn worth_keeping(email: &str) -> bool {
    !email.is_empty() && email.len() <= EMAIL_MAX
}

/// The cookie that keeps `email`, as typed into a sign-in that failed, for five minutes.
fn keep_typed_email(state: &AppState, email: &str) -> Option<HeaderValue> {
    let email = email.trim();
    worth_keeping(email).then(|| {
        let encoded: String = form_urlencoded::byte_serialize(email.as_bytes()).collect();
        typed_email_cookie(state, &encoded, TYPED_EMAIL_SECS)
    })
}

/// The e-mail this browser typed before its last sign-in without JavaScript failed, if that
/// was in the last five minutes ([`keep_typed_email`]): the sign-in page renders it back into
/// the form.
pub fn typed_email(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let raw = read_cookie(
        headers,
        cookie_names(state.config.cookie_secure).typed_email,
    )?;
    form_urlencoded::parse(raw.as_bytes())
        .next()
        .map(|(email, _)| email.into_owned())
        .filter(|email| worth_keeping(email))
}

#[derive(Deserialize)]
pub struct ForgotPasswordForm {
    email: String,
}

/// `POST /forgot-password`: asks for a reset link, then shows the page's confirmation, which
/// reads the same whether or not the address has an account.
pub async fn forgot_password_form(
    State(state): State<AppState>,
    form: Result<Form<ForgotPasswordForm>, FormRejection>,
) -> Response {
    if let Ok(Form(form)) = form {
        password_reset::request(&state, &form.email, Utc::now());
    }
    see_other("/forgot-password?sent=1")
}

/// `POST /logout`: signs out this browser (the user menu's form) and returns to the sign-in page.
pub async fn logout_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = refresh_cookie(&state, &headers) {
        if let Err(AuthError::Db(e)) =
            logins::logout(&state.pool, &state.keys, token, Utc::now()).await
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

/// 303 to `location`, or to the sign-in page when it cannot be a header.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(loc) => (StatusCode::SEE_OTHER, [(header::LOCATION, loc)]).into_response(),
        Err(_) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/login"))],
        )
            .into_response(),
    }
}
