//! The HTTP surface: the axum router with the Leptos pages, the server functions under `/api`,
//! `/healthz`, static files, and an access log; and the HTTP/1.1 server that serves it.

use super::{auth, db, sse, state::AppState, web_auth};
use crate::{error::ApiError, shell, App};
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Router,
};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, io, time::Duration, time::Instant};
use tokio::net::TcpListener;
use tower_service::Service;

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
        .layer(middleware::from_fn(read_api_body))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

/// Serves `app` over HTTP/1.1 until `shutdown` resolves; then stops accepting, lets each open
/// connection finish its response (an idle one closes at once) and returns when all have.
///
/// Not `axum::serve`: that speaks HTTP/2 on the same port too, and telling the two apart reads
/// each connection's first bytes ahead of hyper, whose read buffer then grows from 8 KiB to
/// 16 KiB on its next read. Every connection paid those 8 KiB for as long as it stayed open,
/// every open escalation stream included (docs/PERFORMANCE.md). Browsers speak HTTP/2 only over
/// TLS, which ends at the proxy in front; what reaches this port is HTTP/1.1.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let connections = GracefulShutdown::new();
    let http = http1::Builder::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            app.clone().call(req)
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
}

/// A connection that died before it was accepted concerns nobody. Anything else, most likely
/// running out of file descriptors, is logged and retried after a pause instead of spun on.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
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

/// Reads a server function's body before it does: a declared length over the cap is refused
/// before any byte is read, a streamed body over it when the cap is reached (both 413), and a
/// body that is not UTF-8 (JSON must be) is 400, even where the function would skip the bad bytes.
async fn read_api_body(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let too_large = || {
        error_response(&ApiError::new(
            crate::error::ErrorCode::PayloadTooLarge,
            "The request body is too large.",
        ))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_API_BODY) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_API_BODY).await else {
        return too_large();
    };
    if std::str::from_utf8(&bytes).is_err() {
        return error_response(&ApiError::bad_request(
            "The request body is not valid UTF-8.",
        ));
    }
    if escapes_nul(&bytes) {
        // PostgreSQL text cannot hold one; refused here rather than failing at the database.
        return error_response(&ApiError::bad_request(
            "Text can't contain NUL (\\u0000) characters.",
        ));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether a JSON text spells a NUL character (`\u0000`, the only way JSON can carry one).
/// Walks the escapes, so an escaped backslash followed by `u0000` is plain text.
fn escapes_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Gives a server function's error the status and content type of CONTRACT §3 (Leptos itself
/// answers every error with 500).
async fn api_error_status(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if res.headers().contains_key("serverfnerror") {
        with_error_status(res).await
    } else if api && res.status() == StatusCode::METHOD_NOT_ALLOWED {
        // The router's own answer to, say, a GET of a server function has no body: say why,
        // in the contract's shape, keeping the status and its `Allow` header.
        let (parts, _) = res.into_parts();
        let mut answer = error_response(&ApiError::bad_request(
            "This endpoint is called with POST and a JSON body.",
        ));
        *answer.status_mut() = parts.status;
        if let Some(allow) = parts.headers.get(header::ALLOW) {
            answer.headers_mut().insert(header::ALLOW, allow.clone());
        }
        answer
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

#[cfg(test)]
mod tests {
    use super::escapes_nul;

    #[test]
    fn only_an_escaped_nul_counts() {
        assert!(escapes_nul(br#"{"a":"x\u0000y"}"#));
        assert!(escapes_nul(br#"{"a":"\\\u0000"}"#));
        assert!(
            !escapes_nul(br#"{"a":"\\u0000"}"#),
            "an escaped backslash, then text"
        );
        assert!(!escapes_nul(br#"{"a":"\u0001 and \n"}"#));
        assert!(!escapes_nul(b"\\"));
    }
}
