//! What every request handler and server function can reach.

use super::{
    config::Config,
    rate_limit::{Limits, LoginLimiter},
    tokens::Keys,
};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub keys: Keys,
    pub limiter: Arc<LoginLimiter>,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config, leptos_options: LeptosOptions) -> Self {
        Self {
            keys: Keys::new(&config.jwt_secret),
            limiter: Arc::new(LoginLimiter::new(Limits::default())),
            pool,
            config: Arc::new(config),
            leptos_options,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
