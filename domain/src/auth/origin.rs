//! The cross-site request forgery guard.

use crate::state::AppState;
use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use vocab::error::{ApiError, ErrorCode};

/// Cross-site request forgery guard for every state-changing request (docs/SECURITY.md): a
/// browser sends `Origin` on a POST, and it must name this site. Where it says `null` (it does
/// under `Referrer-Policy: no-referrer`, which every page sets) or is absent, the browser's
/// `Sec-Fetch-Site` decides: a request from another site, or a sibling one, is refused. A
/// client that sends neither is no browser, and holds no one's cookies.
pub async fn origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD && !same_site(&state, &req) {
        return ApiError::new(ErrorCode::Forbidden, "Cross-site requests are not allowed.")
            .into_response();
    }
    next.run(req).await
}

fn same_site(state: &AppState, req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header("origin") {
        Some(origin) if origin != "null" => {
            let same_host = header("host").is_some_and(|host| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
            });
            same_host || origin == state.config.public_url
        }
        _ => header("sec-fetch-site").is_none_or(|site| site == "same-origin" || site == "none"),
    }
}
