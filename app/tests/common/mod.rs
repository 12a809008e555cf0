//! Shared set-up for the integration tests: every test gets its own fresh database from
//! `#[sqlx::test]`, with the real migrations applied.
#![allow(dead_code)] // each test binary uses a different part of this module

use app::server::{
    config::{Config, Purpose},
    http,
    state::AppState,
};
use axum::{body::Body, http::Request, Router};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::collections::HashMap;
use tower::ServiceExt;

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

pub fn state(pool: PgPool, config: Config) -> AppState {
    let leptos_options = LeptosOptions::builder()
        .output_name("resolutionflow")
        .site_root("target/site")
        .build();
    AppState::new(pool, config, leptos_options)
}

pub fn router(pool: PgPool) -> Router {
    http::router(state(pool, config(&[])))
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
    let res = router.clone().oneshot(req).await.expect("router answers");
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
