//! Shared set-up for the integration tests: every test gets its own fresh database from
//! `#[sqlx::test]`, with the real migrations applied.

pub mod endpoints;
pub mod peers;
pub mod role;

use axum::{body::Body, http::Request, Router};
use domain::{
    config::{Config, Purpose},
    state::AppState,
};
use http_body_util::BodyExt;
use resolutionflow::http;
use sqlx::PgPool;
use std::collections::HashMap;
use tower::ServiceExt;
use uuid::Uuid;

/// Polls `probe` until it answers, every 50 ms for up to 30 s: for what a test waits on that
/// happens after the answer (a mail, an assessment). The deadline is generous on purpose: it
/// only decides how long a failing test takes to say so, never whether a slow machine passes.
pub async fn wait_for<T>(probe: impl AsyncFnMut() -> Option<T>) -> T {
    poll("the condition", probe).await
}

/// Polls `ready` as [`wait_for`] does, until it holds; a failure names `what`.
pub async fn eventually(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    poll(what, async || ready().await.then_some(())).await
}

async fn poll<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what}: not reached in 30 s");
}

/// A configuration as `serve` would read it, plus `extra` variables.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), "postgres://unused".into()),
        (
            "RF_JWT_SECRET".into(),
            "test-secret-test-secret-test-secret!".into(),
        ),
        ("RF_COOKIE_SECURE".into(), "false".into()),
    ]);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|k| env.get(k).cloned(), Purpose::Serve).expect("test config")
}

pub async fn state(pool: PgPool, config: Config) -> AppState {
    AppState::start(pool, config).await.expect("app state")
}

pub async fn router(pool: PgPool) -> Router {
    http::router(state(pool, config(&[])).await)
}

/// A response, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Answer {
    read_whole(router.clone().oneshot(req).await.expect("router answers")).await
}

/// A response read to its end (not for a stream that stays open).
pub async fn read_whole(res: axum::response::Response) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn get(router: &Router, path: &str) -> Answer {
    send(router, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn post_json(router: &Router, path: &str, body: &str) -> Answer {
    send(
        router,
        Request::post(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

/// The payloads of the audit events named `event`, oldest first.
pub async fn audits(pool: &PgPool, event: &str) -> Vec<serde_json::Value> {
    sqlx::query_scalar("SELECT payload FROM audit_events WHERE event_type = $1 ORDER BY id")
        .bind(event)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The router over freshly seeded demo data.
pub async fn seeded_router(pool: PgPool) -> Router {
    domain::seed::seed_demo(&pool).await.unwrap();
    router(pool).await
}

pub fn set_cookies(res: &Answer) -> Vec<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// `name=value` of the Set-Cookie line for `name`.
pub fn cookie_pair(res: &Answer, name: &str) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// `who` calls a server function with a JSON body.
pub async fn call(
    router: &Router,
    who: &Session,
    path: &str,
    body: impl std::borrow::Borrow<serde_json::Value>,
) -> Answer {
    post_with_cookies(router, path, &body.borrow().to_string(), &who.cookies()).await
}

/// `who` resolves session `id` with `note`; the server must accept it. Its answer (the
/// resolved session) is returned.
pub async fn resolve(router: &Router, who: &Session, id: Uuid, note: &str) -> serde_json::Value {
    let res = call(
        router,
        who,
        "/api/sessions/resolve",
        serde_json::json!({ "session_id": id, "resolution_note": note }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

pub async fn post_with_cookies(
    router: &Router,
    path: &str,
    body: &str,
    cookies: &[String],
) -> Answer {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .header("cookie", cookies.join("; "))
        .header("user-agent", "resolutionflow-tests")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(router, req).await
}

/// One signed-in browser: its two cookies and who it is.
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: Uuid,
    pub family_id: Uuid,
}

impl Session {
    pub fn cookies(&self) -> Vec<String> {
        vec![self.access.clone(), self.refresh.clone()]
    }

    pub fn refresh_token(&self) -> &str {
        self.refresh.split_once('=').unwrap().1
    }
}

/// Signs a demo user in through `/api/auth/login`.
pub async fn login_as(router: &Router, email: &str) -> Session {
    let body = format!(
        r#"{{"email":"{email}","password":"{}"}}"#,
        domain::seed::DEMO_PASSWORD
    );
    let res = post_with_cookies(router, "/api/auth/login", &body, &[]).await;
    assert_eq!(res.status, 200, "{email}: {}", res.body);
    Session::from_answer(&res)
}

impl Session {
    /// The browser an answer that signed someone in leaves behind (its cookies).
    pub fn from_answer(res: &Answer) -> Self {
        let refresh = cookie_pair(res, "rf_refresh").expect("refresh cookie");
        let keys = domain::auth::tokens::Keys::new(&config(&[]).jwt_secret);
        let claims =
            domain::auth::tokens::decode_refresh_any_age(&keys, refresh.split_once('=').unwrap().1)
                .unwrap();
        Session {
            access: cookie_pair(res, "rf_access").expect("access cookie"),
            refresh,
            user_id: claims.sub.0,
            family_id: claims.fam.unwrap().0,
        }
    }
}
