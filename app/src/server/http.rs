//! The HTTP surface: the axum router with the Leptos pages, the server functions under `/api`,
//! `/healthz`, static files, and an access log.

use super::{auth, db, sse, state::AppState, web_auth};
use crate::{error::ApiError, shell, App};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::time::Instant;

/// Largest JSON body a server function accepts.
pub const MAX_API_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    auth::warm_up();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        // Known server functions are registered by `leptos_routes_with_context`; this catches the rest.
        .route("/api/{*rest}", any(unknown_api))
        .route("/login", post(web_auth::login_form))
        .route("/logout", post(web_auth::logout_form))
        .route("/api/escalations/stream", get(sse::stream))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web_auth::refresh_page_session,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web_auth::origin_guard,
        ))
        .layer(middleware::from_fn(api_error_status))
        .layer(middleware::from_fn(limit_api_body))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    if db::ping(&state.pool).await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

async fn unknown_api() -> Response {
    error_response(&ApiError::not_found())
}

/// Caps what a server function may read. A declared length over the cap is refused before any
/// byte is read; a streamed body is cut off at the cap (the server function then fails with
/// `payload_too_large`).
async fn limit_api_body(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_API_BODY) {
        return error_response(&ApiError::new(
            crate::error::ErrorCode::PayloadTooLarge,
            "The request body is too large.",
        ));
    }
    let (parts, body) = req.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, MAX_API_BODY));
    next.run(Request::from_parts(parts, limited)).await
}

/// Gives a server function's error the status and content type of CONTRACT §3 (Leptos itself
/// answers every error with 500).
async fn api_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.headers().contains_key("serverfnerror") {
        with_error_status(res).await
    } else {
        res
    }
}

async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_API_BODY).await else {
        return error_response(&ApiError::internal());
    };
    let Ok(err) = serde_json::from_slice::<ApiError>(&bytes) else {
        return error_response(&ApiError::internal());
    };
    // Keep the headers the server function set (cookies cleared on a failed refresh).
    parts.status = error_headers(&err, &mut parts.headers);
    Response::from_parts(parts, Body::from(bytes))
}

/// An `ApiError` as a complete HTTP response.
pub fn error_response(err: &ApiError) -> Response {
    let mut res = Body::from(serde_json::to_vec(err).unwrap_or_default()).into_response();
    *res.status_mut() = error_headers(err, res.headers_mut());
    res
}

/// The one place an error's code becomes an HTTP status (and `Retry-After` when it says when).
fn error_headers(err: &ApiError, headers: &mut HeaderMap) -> StatusCode {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(seconds) = err.details.get("retry_after").and_then(|v| v.as_i64()) {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// One line per request: method, path (never the query string, which can carry tokens),
/// status and duration.
async fn access_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request failed");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    res
}
