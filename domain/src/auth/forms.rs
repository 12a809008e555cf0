//! The sign-in and sign-out forms for browsers without JavaScript (`POST /login`, `POST /logout`).

use super::{
    client::Client,
    cookies::{cleared_cookies, login_cookies, refresh_cookie},
    logins::{self, AuthError},
    sign_in::sign_in,
};
use crate::state::AppState;
use axum::{
    extract::{FromRequest, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Form,
};
use chrono::Utc;
use serde::Deserialize;
use vocab::paths::safe_next;

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
