//! The cross-site request forgery guard.

use crate::state::AppState;
use axum::{
    extract::{Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use vocab::error::{ApiError, ErrorCode};

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
