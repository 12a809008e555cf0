//! The HTTP surface: the axum router with the Leptos pages, the server functions under `/api`,
//! `/healthz`, static files, and an access log.

use super::{db, state::AppState};
use crate::{error::ApiError, shell, App};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::time::Instant;

/// Largest JSON body a server function accepts.
pub const MAX_API_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/{*fn_name}", post(server_fn))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
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

/// Runs a server function and gives its error the status and content type of CONTRACT §3.
async fn server_fn(State(state): State<AppState>, req: Request) -> Response {
    let res = handle_server_fns_with_context(move || provide_context(state.clone()), req)
        .await
        .into_response();
    if res.headers().contains_key("serverfnerror") {
        return with_error_status(res).await;
    }
    if res.status() == StatusCode::BAD_REQUEST {
        // No server function at that path: answer in the contract's shape.
        return error_response(&ApiError::not_found());
    }
    res
}

async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_API_BODY).await else {
        return error_response(&ApiError::internal());
    };
    let Ok(err) = serde_json::from_slice::<ApiError>(&bytes) else {
        return error_response(&ApiError::internal());
    };
    parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// An `ApiError` as a complete HTTP response.
pub fn error_response(err: &ApiError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(err).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
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
