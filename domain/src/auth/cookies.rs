//! The login's two cookies: their names, how they are set and cleared, and reading them back;
//! and the short-lived cookie of a single sign-on on its way through the provider.

use super::{logins::Issued, tokens};
use crate::state::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};
use vocab::ids::LoginId;

/// The cookie names; `__Host-` needs `Secure`, so plain-http use drops the prefix.
#[derive(Clone, Copy, Debug)]
pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
    /// A single sign-on in progress (`team::sso`).
    pub sso: &'static str,
    /// The e-mail of a sign-in without JavaScript that failed (`auth::forms`).
    pub typed_email: &'static str,
}

pub fn cookie_names(secure: bool) -> CookieNames {
    if secure {
        CookieNames {
            access: "__Host-rf_access",
            refresh: "__Host-rf_refresh",
            sso: "__Host-rf_sso",
            typed_email: "__Host-rf_typed_email",
        }
    } else {
        CookieNames {
            access: "rf_access",
            refresh: "rf_refresh",
            sso: "rf_sso",
            typed_email: "rf_typed_email",
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
    .expect("cookie values are base64url tokens or percent-encoded")
}

/// How long after its login can no longer be refreshed the refresh cookie stays, so that the
/// server can still say *why* the session ended (idle or absolute) instead of "not signed in".
const ENDED_SESSION_MEMORY_SECS: i64 = 7 * 24 * 3600;

pub fn login_cookies(state: &AppState, issued: &Issued, now: DateTime<Utc>) -> [HeaderValue; 2] {
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

/// The single sign-on cookie holding `value` for `max_age` seconds (0 clears it).
pub fn sso_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = state.config.cookie_secure;
    cookie(cookie_names(secure).sso, value, max_age, secure)
}

/// The cookie keeping the e-mail a failed sign-in without JavaScript was typed with
/// (percent-encoded) for `max_age` seconds (0 clears it).
pub fn typed_email_cookie(state: &AppState, encoded: &str, max_age: i64) -> HeaderValue {
    let secure = state.config.cookie_secure;
    cookie(cookie_names(secure).typed_email, encoded, max_age, secure)
}

pub fn refresh_cookie<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    read_cookie(headers, cookie_names(state.config.cookie_secure).refresh)
}

/// The login (refresh-token family) this browser's refresh cookie belongs to, if any.
pub fn this_login(state: &AppState, headers: &HeaderMap) -> Option<LoginId> {
    let token = refresh_cookie(state, headers)?;
    tokens::decode_refresh_any_age(&state.keys, token).ok()?.fam
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
