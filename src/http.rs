//! The HTTP surface: the axum router with the Leptos pages, the server functions under `/api`,
//! `/healthz`, static files, and an access log; and the HTTP/1.1 server that serves it.

use app::{shell, App};
use axum::extract::FromRef;
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Router,
};
use domain::{
    auth::{
        client::{self, ClientAddr},
        forms, logins,
        origin::origin_guard,
        page::refresh_page_login,
    },
    config::Config,
    db, session_forms, sse,
    state::AppState,
    team::sso,
};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use leptos::{
    config::LeptosOptions,
    nonce::Nonce,
    prelude::{provide_context, use_context},
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{
    future::Future,
    io,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower_service::Service;
use vocab::error::{ApiError, ErrorCode};

/// Largest JSON body a server function accepts.
pub const MAX_API_BODY: usize = 64 * 1024;

/// A connection that has not sent a request's headers within this is closed: a new one, and
/// one kept alive between requests (docs/SECURITY.md, "Slow clients").
pub const HEADER_DEADLINE: Duration = Duration::from_secs(10);

/// A request body not received whole within this is refused (408) and its connection closed.
pub const BODY_DEADLINE: Duration = Duration::from_secs(30);

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

/// The site as Leptos serves it: the built files under `LEPTOS_SITE_ROOT`, with the hashed
/// names of a release build when its `hash.txt` lies next to the binary (where Leptos reads it).
fn site_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("resolutionflow")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(leptos_env())
        .hash_files(hash_file().is_some_and(|f| f.exists()))
        .build()
}

/// Where cargo-leptos writes the file hashes of a build, and Leptos reads them: beside the
/// server binary.
fn hash_file() -> Option<std::path::PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join("hash.txt"))
}

/// `/pkg`: the built script, WASM and styles, as the brotli or gzip copy the build made when the
/// browser accepts it. Hashed names change with their content, so the browser keeps them for a
/// year without asking again; unhashed (a development build) it asks every time.
fn pkg_files(options: &LeptosOptions) -> Router<Site> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = tower_http::services::ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip();
    let caching = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(files)
        .layer(middleware::map_response(
            move |mut res: Response| async move {
                let found = res.status().is_success();
                let headers = res.headers_mut();
                if found {
                    headers.insert(
                        header::CACHE_CONTROL,
                        header::HeaderValue::from_static(caching),
                    );
                }
                headers.insert(
                    header::VARY,
                    header::HeaderValue::from_static("accept-encoding"),
                );
                res
            },
        ))
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
    let site = Site {
        leptos: site_options(&state.config),
        state: state.clone(),
    };
    let options = site.leptos.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi))
        // Known server functions are registered by `leptos_routes_with_context`; this catches the rest.
        .route("/api/{*rest}", any(unknown_api))
        .route("/login", post(forms::login_form))
        .route("/logout", post(forms::logout_form))
        .route("/forgot-password", post(forms::forgot_password_form))
        .route("/pilot", post(session_forms::start))
        .route("/pilot/{id}/messages", post(session_forms::message))
        .route("/auth/oidc/{provider}/start", get(sso::start))
        .route("/auth/oidc/{provider}/callback", get(sso::callback))
        .route("/api/escalations/stream", get(sse::stream))
        .nest("/pkg", pkg_files(&site.leptos))
        .leptos_routes_with_context(&site, routes, page_context(&state), move || {
            shell(options.clone())
        })
        // Static files, and the 404 page, which renders the app (and so calls server functions)
        // like any other page: with the domain's state in its context.
        .fallback(leptos_axum::file_and_error_handler_with_context::<Site, _>(
            page_context(&state),
            shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refresh_page_login,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), origin_guard))
        .layer(middleware::from_fn(api_error_status))
        .layer(middleware::from_fn(read_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_address,
        ))
        .layer(middleware::from_fn_with_state(state, security_headers))
        .layer(middleware::from_fn(access_log))
        .with_state(site)
}

/// What a page renders with besides what Leptos provides: the domain's state, and the nonce
/// of this response's script policy ([`security_headers`]), which Leptos then puts on every
/// inline script it writes (the hydration script, resolved resources).
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<ScriptNonce>().cloned());
        if let Some(ScriptNonce(nonce)) = nonce {
            provide_context(Nonce::from_value(nonce));
        }
    }
}

/// The nonce of one response's `Content-Security-Policy`.
#[derive(Clone)]
struct ScriptNonce(String);

/// The headers every answer carries (docs/SECURITY.md, "Headers"): a script policy that runs
/// only this site's files and the inline scripts carrying this response's nonce, and no
/// framing; no content sniffing; no `Referer` (reset and invitation links carry tokens in their
/// URL); and, when the site is served over https, HSTS.
async fn security_headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // 122 random bits, as hex: a valid nonce, and unguessable.
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(ScriptNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if html {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        )
    } else {
        "default-src 'none'; frame-ancestors 'none'".to_owned()
    };
    let headers = res.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = header::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("content-security-policy", &policy);
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "no-referrer");
    if state.config.cookie_secure {
        set("strict-transport-security", "max-age=31536000");
    }
    res
}

/// Serves `app` over HTTP/1.1 until `shutdown` resolves; then stops accepting, lets each open
/// connection finish its response (an idle one closes at once) and returns when all have.
///
/// At most `max_connections` are held at once: beyond that, new ones wait in the listen queue
/// until one closes. A connection that takes longer than [`HEADER_DEADLINE`] to send a
/// request's headers, new or idle between requests, is closed, so a slow client (one byte now
/// and then) holds its connection for seconds, not forever.
///
/// Not `axum::serve`: that speaks HTTP/2 on the same port too, and telling the two apart reads
/// each connection's first bytes ahead of hyper, whose read buffer then grows from 8 KiB to
/// 16 KiB on its next read. Every connection paid those 8 KiB for as long as it stayed open,
/// every open escalation stream included (docs/PERFORMANCE.md). Browsers speak HTTP/2 only over
/// TLS, which ends at the proxy in front; what reaches this port is HTTP/1.1.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    let connections = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    // Without a timer hyper ignores its header deadline altogether.
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_DEADLINE);
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (slot, (stream, remote)) = tokio::select! {
            accepted = accept(&listener, &slots) => match accepted {
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
            drop(slot);
        });
    }
    drop(listener);
    connections.shutdown().await;
}

/// The next connection, once there is room for it.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> io::Result<(
    tokio::sync::OwnedSemaphorePermit,
    (tokio::net::TcpStream, std::net::SocketAddr),
)> {
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .expect("the connection semaphore is never closed");
    Ok((slot, listener.accept().await?))
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

/// The API's description for machines (docs/API.md, "The description for machines").
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app::api::openapi::json(),
    )
        .into_response()
}

async fn unknown_api() -> Response {
    ApiError::not_found().into_response()
}

/// Who the client is, resolved once for the request from the socket and the trusted proxies
/// (`auth::client::resolve`).
async fn client_address(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    if let Some(peer) = peer {
        if let Some(ip) = client::resolve(peer, req.headers(), &state.config.trusted_proxies) {
            req.extensions_mut().insert(ClientAddr(ip));
        }
    }
    next.run(req).await
}

/// Reads a request's body before its handler does, within [`BODY_DEADLINE`] (else 408 and the
/// connection closes) and [`MAX_API_BODY`]: a declared length over the cap is refused before
/// any byte is read, a streamed body over it when the cap is reached (both 413). A server
/// function's body that is not UTF-8 (JSON must be) is 400, even where the function would skip
/// the bad bytes.
async fn read_body(req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
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
    let api = req.uri().path().starts_with("/api/");
    let (parts, body) = req.into_parts();
    let bytes = match tokio::time::timeout(BODY_DEADLINE, to_bytes(body, MAX_API_BODY)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            let mut res =
                ApiError::bad_request("The request body did not arrive in time.").into_response();
            *res.status_mut() = StatusCode::REQUEST_TIMEOUT;
            res.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return res;
        }
    };
    if api && std::str::from_utf8(&bytes).is_err() {
        return ApiError::bad_request("The request body is not valid UTF-8.").into_response();
    }
    // serde reads a struct from a JSON array too, by position (`[]` is a call without
    // arguments): the API's bodies are objects, or empty, and nothing else.
    if api
        && bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b != b'{')
    {
        return ApiError::bad_request("The request body must be a JSON object.").into_response();
    }
    if api && escapes_nul(&bytes) {
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
