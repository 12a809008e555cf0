//! The HTTP surface: the axum router with the Leptos pages, the server functions under `/api`,
//! `/healthz`, static files, and an access log; and the HTTP/1.1 server that serves it.

use app::{shell, App};
use axum::extract::FromRef;
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Router,
};
use domain::{
    auth::{forms, logins, origin::origin_guard, page::refresh_page_login},
    config::Config,
    db, sse,
    state::AppState,
};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown};
use leptos::{config::LeptosOptions, prelude::provide_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{
    future::Future,
    io,
    time::{Duration, Instant},
};
use tokio::net::TcpListener;
use tower_service::Service;
use vocab::error::{ApiError, ErrorCode};

/// Largest JSON body a server function accepts.
pub const MAX_API_BODY: usize = 64 * 1024;

/// What the router's handlers reach: the domain's state, and where Leptos finds the site.
#[derive(Clone)]
struct Site {
    state: AppState,
    leptos: LeptosOptions,
}

impl FromRef<Site> for AppState {
    fn from_ref(site: &Site) -> Self {
        site.state.clone()
    }
}

impl FromRef<Site> for LeptosOptions {
    fn from_ref(site: &Site) -> Self {
        site.leptos.clone()
    }
}

/// The site as Leptos serves it: the built files under `LEPTOS_SITE_ROOT`.
fn site_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("resolutionflow")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(leptos_env())
        .build()
}

/// `LEPTOS_ENV` when given, else production for release builds and development otherwise.
fn leptos_env() -> leptos::config::Env {
    match std::env::var("LEPTOS_ENV").ok().as_deref() {
        Some("DEV" | "dev" | "development") => leptos::config::Env::DEV,
        Some(_) => leptos::config::Env::PROD,
        None if cfg!(debug_assertions) => leptos::config::Env::DEV,
        None => leptos::config::Env::PROD,
    }
}

pub fn router(state: AppState) -> Router {
    logins::warm_up();
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let fallback_state = state.clone();
    let site = Site {
        leptos: site_options(&state.config),
        state: state.clone(),
    };
    let options = site.leptos.clone();
    Router::new()
        .route("/healthz", get(healthz))
        // Known server functions are registered by `leptos_routes_with_context`; this catches the rest.
        .route("/api/{*rest}", any(unknown_api))
        .route("/login", post(forms::login_form))
        .route("/logout", post(forms::logout_form))
        .route("/api/escalations/stream", get(sse::stream))
        .leptos_routes_with_context(
            &site,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        // Static files, and the 404 page, which renders the app (and so calls server functions)
        // like any other page: with the domain's state in its context.
        .fallback(leptos_axum::file_and_error_handler_with_context::<Site, _>(
            move || provide_context(fallback_state.clone()),
            shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refresh_page_login,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .layer(middleware::from_fn(api_error_status))
        .layer(middleware::from_fn(read_api_body))
        .layer(middleware::from_fn(access_log))
        .with_state(site)
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
    ApiError::not_found().into_response()
}

/// Reads a server function's body before it does: a declared length over the cap is refused
/// before any byte is read, a streamed body over it when the cap is reached (both 413), and a
/// body that is not UTF-8 (JSON must be) is 400, even where the function would skip the bad bytes.
async fn read_api_body(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let too_large = || {
        ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.").into_response()
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
        return ApiError::bad_request("The request body is not valid UTF-8.").into_response();
    }
    if escapes_nul(&bytes) {
        // PostgreSQL text cannot hold one; refused here rather than failing at the database.
        return ApiError::bad_request("Text can't contain NUL (\\u0000) characters.")
            .into_response();
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

/// Gives a server function's error the status and content type of docs/API.md §2 (Leptos itself
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
        let mut answer =
            ApiError::bad_request("This endpoint is called with POST and a JSON body.")
                .into_response();
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
        return ApiError::internal().into_response();
    };
    let Ok(err) = serde_json::from_slice::<ApiError>(&bytes) else {
        return ApiError::internal().into_response();
    };
    // Keep the headers the server function set (cookies cleared on a failed refresh).
    parts.status = err.http_headers(&mut parts.headers);
    Response::from_parts(parts, Body::from(bytes))
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
