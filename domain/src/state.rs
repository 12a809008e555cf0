//! What every request handler and server function can reach.

use crate::{
    assessor::{Assessor, ANTHROPIC_MODEL, ANTHROPIC_URL},
    auth::{oidc::OidcProvider, passwords::HashSlots, throttle::Limits, tokens::Keys},
    bus::Bus,
    config::Config,
    notify::Mailer,
    sse::OpenStreams,
};
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub keys: Keys,
    /// The sign-in limits (`auth::throttle`); the counts are in the database.
    pub limits: Limits,
    pub hashes: HashSlots,
    pub bus: Bus,
    pub streams: OpenStreams,
    pub mailer: Mailer,
    pub assessor: Assessor,
    /// The client that posts to webhooks (`webhooks::client`).
    pub webhook_http: reqwest::Client,
    /// The single sign-on providers configured (`RF_OIDC_*`).
    pub sso: Arc<[OidcProvider]>,
}

impl AppState {
    /// Everything a serving process needs, including its bus listener.
    pub async fn start(pool: PgPool, config: Config) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent("ResolutionFlow")
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let webhook_http = crate::webhooks::client(config.webhook_allow_private)?;
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_from)?;
        let assessor = match &config.anthropic_api_key {
            Some(api_key) => Assessor::Anthropic {
                http,
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
        let sso = config
            .sso
            .iter()
            .map(|client| OidcProvider::new(client.clone(), &config.public_url))
            .collect::<Result<Vec<_>, _>>()?;
        let bus = Bus::start(pool.clone())
            .await
            .map_err(|e| format!("bus listener: {e}"))?;
        Ok(Self {
            keys: Keys::new(&config.jwt_secret),
            limits: Limits::default(),
            hashes: HashSlots::for_this_machine(),
            bus,
            streams: OpenStreams::default(),
            mailer,
            assessor,
            webhook_http,
            sso: sso.into(),
            pool,
            config: Arc::new(config),
        })
    }
}
