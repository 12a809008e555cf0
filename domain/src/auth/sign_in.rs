//! Signing in with a password, throttled: the one path of the JSON API and the form.

use super::{
    client::Client,
    logins::{self, AuthError, Issued},
    throttle::{self, Counted},
};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use vocab::error::{ApiError, ErrorCode};

/// Sign-in with throttling: the shared path of the JSON API and the no-JavaScript form.
pub async fn sign_in(
    state: &AppState,
    client: Client<'_>,
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
    // Counted before the password is checked: see `throttle`.
    let counted = Counted::new(&email, client.address);
    if let Err(seconds) = throttle::attempt(&state.pool, &state.limits, &counted, now).await? {
        return Err(rate_limited("Too many sign-in attempts.", seconds));
    }
    let result = logins::login(
        &state.pool,
        &state.keys,
        &state.hashes,
        &state.config.login,
        &email,
        password,
        client,
        now,
    )
    .await;
    let given_back = match &result {
        Ok(_) => Some(true),
        // Refused before its password was checked: no guess was made.
        Err(AuthError::Busy) => Some(false),
        Err(_) => None,
    };
    if let Some(cleared) = given_back {
        if let Err(e) = throttle::give_back(&state.pool, &counted, cleared).await {
            tracing::error!(error = %e, "giving back a sign-in attempt");
        }
    }
    result.map_err(ApiError::from)
}

/// 429 `rate_limited`: `what` happened, and how long until it may be tried again.
pub fn rate_limited(what: &str, seconds: i64) -> ApiError {
    let minutes = (seconds + 59) / 60;
    let wait = if minutes <= 1 {
        "a minute".to_owned()
    } else {
        format!("{minutes} minutes")
    };
    ApiError::new(
        ErrorCode::RateLimited,
        format!("{what} Try again in {wait}."),
    )
    .with("retry_after", seconds)
}
