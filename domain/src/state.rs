//! What every request handler and server function can reach.

use crate::{
    assessor::{Assessor, ANTHROPIC_MODEL, ANTHROPIC_URL},
    auth::{
        throttle::{Limits, LoginLimiter},
        tokens::Keys,
    },
    bus::Bus,
    config::Config,
    notify::Mailer,
};
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub keys: Keys,
    pub limiter: Arc<LoginLimiter>,
    pub bus: Bus,
    pub mailer: Mailer,
    pub assessor: Assessor,
    pub http: reqwest::Client,
}

impl AppState {
    /// Everything a serving process needs, including its bus listener.
    pub async fn start(pool: PgPool, config: Config) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent("ResolutionFlow")
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_from)?;
        let assessor = match &config.anthropic_api_key {
            Some(api_key) => Assessor::Anthropic {
                http: http.clone(),
                api_key: api_key.clone(),
                base_url: config
                    .anthropic_base_url
                    .clone()
                    .unwrap_or_else(|| ANTHROPIC_URL.to_owned()),
                model: config
                    .anthropic_model
                    .clone()
                    .unwrap_or_else(|| ANTHROPIC_MODEL.to_owned()),
            },
            None => Assessor::Heuristic,
        };
        let bus = Bus::start(pool.clone())
            .await
            .map_err(|e| format!("bus listener: {e}"))?;
        Ok(Self {
            keys: Keys::new(&config.jwt_secret),
            limiter: Arc::new(LoginLimiter::new(Limits::default())),
            bus,
            mailer,
            assessor,
            http,
            pool,
            config: Arc::new(config),
        })
    }
}
