//! Configuration from the environment (the README). Read once at start-up; every value is
//! validated here so a misconfiguration stops the process with a clear message.

use ipnet::IpNet;
use std::{fmt, net::SocketAddr, time::Duration};
use vocab::team::SsoProvider;

/// Bounds and defaults of one session window, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSettings {
    pub default: i32,
    pub min: i32,
    pub max: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginSettings {
    pub idle: WindowSettings,
    pub absolute: WindowSettings,
    pub access_token_minutes: i64,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub admin_database_url: String,
    /// Connections the server keeps to PostgreSQL (`DATABASE_MAX_CONNECTIONS`).
    pub database_max_connections: u32,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub jwt_secret: Vec<u8>,
    /// True when `RF_DEV=1` made up the secret: sessions do not survive a restart.
    pub jwt_secret_generated: bool,
    pub cookie_secure: bool,
    pub smtp_url: Option<String>,
    pub public_url: String,
    pub anthropic_api_key: Option<String>,
    /// Where the Anthropic API lives (`RF_ANTHROPIC_BASE_URL`; tests point it at a local server).
    pub anthropic_base_url: Option<String>,
    pub anthropic_model: Option<String>,
    /// The sender of outgoing mail (`RF_MAIL_FROM`).
    pub mail_from: String,
    pub login: LoginSettings,
    pub ai_assessment_timeout: Duration,
    /// The proxies whose `X-Forwarded-For` is believed (`RF_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<IpNet>,
    /// The most connections the HTTP server holds at once (`RF_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// `RF_WEBHOOK_ALLOW_PRIVATE`: webhooks may be plain http and reach private addresses
    /// (local testing only).
    pub webhook_allow_private: bool,
    /// `RF_SIGNUP=open`: anyone may create an account at `/signup` (default `closed`).
    pub signup_open: bool,
    /// The single sign-on providers with a client registered (`RF_OIDC_*`), in the order the
    /// sign-in page shows them.
    pub sso: Vec<SsoClient>,
}

/// One single sign-on provider as configured: the client this server is registered as.
#[derive(Clone)]
pub struct SsoClient {
    pub provider: SsoProvider,
    pub client_id: String,
    pub client_secret: String,
    /// The issuer whose discovery document is read; Microsoft's multi-tenant one answers with
    /// `{tenantid}` in its `issuer`.
    pub issuer: String,
}

impl fmt::Debug for SsoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoClient")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// The issuer used when `RF_OIDC_{PROVIDER}_ISSUER` is not set: the provider's own.
fn default_issuer(provider: SsoProvider) -> &'static str {
    match provider {
        SsoProvider::Microsoft => "https://login.microsoftonline.com/organizations/v2.0",
        SsoProvider::Google => "https://accounts.google.com",
    }
}

/// `RF_OIDC_{PROVIDER}_CLIENT_ID`, `_CLIENT_SECRET` and `_ISSUER` for each provider: enabled
/// by its id and secret together.
fn sso_clients(var: &impl Fn(&str) -> Option<String>) -> Result<Vec<SsoClient>, ConfigError> {
    let mut clients = Vec::new();
    for &provider in SsoProvider::ALL {
        let prefix = format!("RF_OIDC_{}", provider.as_str().to_uppercase());
        let id = var(&format!("{prefix}_CLIENT_ID"));
        let secret = var(&format!("{prefix}_CLIENT_SECRET"));
        let (client_id, client_secret) = match (id, secret) {
            (None, None) => continue,
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return Err(ConfigError(format!(
                    "{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET go together: set both or neither"
                )))
            }
        };
        let issuer = var(&format!("{prefix}_ISSUER"))
            .unwrap_or_else(|| default_issuer(provider).to_owned())
            .trim_end_matches('/')
            .to_owned();
        if url::Url::parse(&issuer).map_or(true, |u| !matches!(u.scheme(), "https" | "http")) {
            return Err(ConfigError(format!(
                "{prefix}_ISSUER must be an http(s) URL, not {issuer:?}"
            )));
        }
        clients.push(SsoClient {
            provider,
            client_id,
            client_secret,
            issuer,
        });
    }
    Ok(clients)
}

impl fmt::Debug for Config {
    // Secrets never reach the logs, not even through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_max_connections", &self.database_max_connections)
            .field("site_addr", &self.site_addr)
            .field("site_root", &self.site_root)
            .field("jwt_secret_generated", &self.jwt_secret_generated)
            .field("cookie_secure", &self.cookie_secure)
            .field("smtp", &self.smtp_url.is_some())
            .field("public_url", &self.public_url)
            .field("anthropic", &self.anthropic_api_key.is_some())
            .field("login", &self.login)
            .field("ai_assessment_timeout", &self.ai_assessment_timeout)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_connections", &self.max_connections)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field("signup_open", &self.signup_open)
            .field("sso", &self.sso)
            .finish_non_exhaustive()
    }
}

/// A configuration error, phrased for the operator.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Which start-up checks apply: `serve` needs the signing secret, the CLI tools do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Serve,
    Tool,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(purpose: Purpose) -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok(), purpose)
    }

    /// Reads configuration through `get`, so tests can supply their own environment.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        purpose: Purpose,
    ) -> Result<Self, ConfigError> {
        let var = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let database_url = var("DATABASE_URL").ok_or_else(|| {
            ConfigError(
                "DATABASE_URL is not set (e.g. postgres://127.0.0.1:5432/resolutionflow)".into(),
            )
        })?;
        let admin_database_url = var("ADMIN_DATABASE_URL").unwrap_or_else(|| database_url.clone());
        let database_max_connections = int(
            &var,
            "DATABASE_MAX_CONNECTIONS",
            default_max_connections().into(),
        )?;
        let database_max_connections = u32::try_from(database_max_connections)
            .ok()
            .filter(|n| (1..=MAX_CONNECTIONS_LIMIT).contains(n))
            .ok_or_else(|| {
                ConfigError(format!(
                    "DATABASE_MAX_CONNECTIONS must be between 1 and {MAX_CONNECTIONS_LIMIT}"
                ))
            })?;

        let site_addr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| {
                ConfigError("LEPTOS_SITE_ADDR must be host:port, e.g. 127.0.0.1:3000".into())
            })?;
        let site_root = var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into());

        let dev = var("RF_DEV").as_deref() == Some("1");
        let (jwt_secret, jwt_secret_generated) = match var("RF_JWT_SECRET") {
            Some(s) if s.len() >= 32 => (s.into_bytes(), false),
            Some(_) => {
                return Err(ConfigError(
                    "RF_JWT_SECRET must be at least 32 bytes long".into(),
                ))
            }
            None if dev || purpose == Purpose::Tool => (random_secret(), true),
            None => {
                return Err(ConfigError(
                    "RF_JWT_SECRET is not set: give it at least 32 random bytes, \
                     or set RF_DEV=1 for a throwaway development secret"
                        .into(),
                ))
            }
        };

        let cookie_secure = parse_bool(&var, "RF_COOKIE_SECURE", true)?;
        let public_url = var("RF_PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:3000".into())
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError(
                "RF_PUBLIC_URL must start with http:// or https://".into(),
            ));
        }
        let smtp_url = var("RF_SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError(
                    "RF_SMTP_URL must look like smtp://host:port".into(),
                ));
            }
        }

        let idle = window(&var, "SESSION_IDLE_MINUTES", 4320, 15, 43200)?;
        let absolute = window(&var, "SESSION_ABSOLUTE_MINUTES", 20160, 60, 129600)?;
        if idle.default > absolute.default {
            return Err(ConfigError(
                "SESSION_IDLE_MINUTES_DEFAULT must not exceed SESSION_ABSOLUTE_MINUTES_DEFAULT"
                    .into(),
            ));
        }
        let access_token_minutes = int(&var, "ACCESS_TOKEN_MINUTES", 5)?;
        if access_token_minutes < 1 {
            return Err(ConfigError(
                "ACCESS_TOKEN_MINUTES must be at least 1".into(),
            ));
        }
        let ai_secs = int(&var, "ESCALATION_AI_ASSESSMENT_TIMEOUT_SECONDS", 45)?;
        if ai_secs < 1 {
            return Err(ConfigError(
                "ESCALATION_AI_ASSESSMENT_TIMEOUT_SECONDS must be at least 1".into(),
            ));
        }

        let trusted_proxies = match var("RF_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(proxy_net)
                .collect::<Result<_, _>>()?,
        };
        let signup_open = match var("RF_SIGNUP").as_deref().map(str::trim) {
            None | Some("closed") => false,
            Some("open") => true,
            Some(_) => return Err(ConfigError("RF_SIGNUP must be open or closed".into())),
        };
        let max_connections = int(&var, "RF_MAX_CONNECTIONS", 20_000)?;
        let max_connections = usize::try_from(max_connections)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ConfigError("RF_MAX_CONNECTIONS must be at least 1".into()))?;

        Ok(Self {
            database_url,
            admin_database_url,
            database_max_connections,
            site_addr,
            site_root,
            jwt_secret,
            jwt_secret_generated,
            cookie_secure,
            smtp_url,
            public_url,
            anthropic_api_key: var("RF_ANTHROPIC_API_KEY"),
            anthropic_base_url: var("RF_ANTHROPIC_BASE_URL"),
            anthropic_model: var("RF_ANTHROPIC_MODEL"),
            mail_from: var("RF_MAIL_FROM")
                .unwrap_or_else(|| "ResolutionFlow <no-reply@resolutionflow.invalid>".into()),
            login: LoginSettings {
                idle,
                absolute,
                access_token_minutes,
            },
            ai_assessment_timeout: Duration::from_secs(ai_secs as u64),
            trusted_proxies,
            max_connections,
            webhook_allow_private: parse_bool(&var, "RF_WEBHOOK_ALLOW_PRIVATE", false)?,
            signup_open,
            sso: sso_clients(&var)?,
        })
    }
}

/// The most connections `DATABASE_MAX_CONNECTIONS` may ask for (PostgreSQL's own default
/// `max_connections` is 100).
const MAX_CONNECTIONS_LIMIT: u32 = 1000;

/// Four connections per core of this machine, between 4 and 32. More connections than the
/// database has cores to run them only take turns: on two cores, 100 concurrent claims ran
/// with a p99 of 76–106 ms on 32 connections and 48–73 ms on 8, and PostgreSQL spent a quarter
/// less CPU per claim (docs/PERFORMANCE.md). The database usually runs on a machine like this
/// one; where it has more cores, `DATABASE_MAX_CONNECTIONS` says so.
fn default_max_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Clamped first, so the conversion is exact.
    cores.saturating_mul(4).clamp(4, 32) as u32
}

/// One entry of `RF_TRUSTED_PROXIES`: an address (`10.0.0.5`) or a range (`10.0.0.0/8`).
fn proxy_net(entry: &str) -> Result<IpNet, ConfigError> {
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| {
            ConfigError(format!(
                "RF_TRUSTED_PROXIES must list addresses or CIDR ranges, not {entry:?}"
            ))
        })
}

fn random_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut bytes = vec![0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn parse_bool(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "TRUE" | "yes") => Ok(true),
        Some("0" | "false" | "FALSE" | "no") => Ok(false),
        Some(other) => Err(ConfigError(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

fn int(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: i64,
) -> Result<i64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError(format!("{name} must be a whole number, not {v:?}"))),
    }
}

fn window(
    var: &impl Fn(&str) -> Option<String>,
    prefix: &str,
    default: i32,
    min: i32,
    max: i32,
) -> Result<WindowSettings, ConfigError> {
    let get = |suffix: &str, d: i32| -> Result<i32, ConfigError> {
        let name = format!("{prefix}_{suffix}");
        let v = int(var, &name, d.into())?;
        i32::try_from(v)
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| ConfigError(format!("{name} must be a positive number of minutes")))
    };
    let w = WindowSettings {
        default: get("DEFAULT", default)?,
        min: get("MIN", min)?,
        max: get("MAX", max)?,
    };
    if !(w.min <= w.default && w.default <= w.max) {
        return Err(ConfigError(format!(
            "{prefix}_MIN <= {prefix}_DEFAULT <= {prefix}_MAX must hold (got {} / {} / {})",
            w.min, w.default, w.max
        )));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)], purpose: Purpose) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| env.get(k).cloned(), purpose)
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://127.0.0.1/rf");

    #[test]
    fn serve_refuses_to_start_without_a_secret_unless_dev() {
        let err = load(&[DB], Purpose::Serve).unwrap_err();
        assert!(err.0.contains("RF_JWT_SECRET"), "{err}");
        let dev = load(&[DB, ("RF_DEV", "1")], Purpose::Serve).unwrap();
        assert!(dev.jwt_secret_generated);
        assert!(dev.jwt_secret.len() >= 32);
    }

    #[test]
    fn a_short_secret_is_refused_even_in_dev() {
        let err = load(
            &[DB, ("RF_DEV", "1"), ("RF_JWT_SECRET", "short")],
            Purpose::Serve,
        );
        assert!(err.unwrap_err().0.contains("32 bytes"));
    }

    #[test]
    fn a_provider_is_enabled_by_its_id_and_secret_together() {
        let secret = ("RF_JWT_SECRET", "x".repeat(32));
        let secret = (secret.0, secret.1.as_str());
        let none = load(&[DB, secret], Purpose::Serve).unwrap();
        assert!(none.sso.is_empty());
        let google = load(
            &[
                DB,
                secret,
                ("RF_OIDC_GOOGLE_CLIENT_ID", "id"),
                ("RF_OIDC_GOOGLE_CLIENT_SECRET", "the-client-secret"),
            ],
            Purpose::Serve,
        )
        .unwrap();
        assert_eq!(google.sso.len(), 1);
        assert_eq!(google.sso[0].provider, SsoProvider::Google);
        assert_eq!(google.sso[0].issuer, "https://accounts.google.com");
        assert!(!format!("{google:?}").contains("the-client-secret"));
        let half = load(
            &[DB, secret, ("RF_OIDC_MICROSOFT_CLIENT_ID", "id")],
            Purpose::Serve,
        );
        assert!(half
            .unwrap_err()
            .0
            .contains("RF_OIDC_MICROSOFT_CLIENT_SECRET"));
        let bad_issuer = load(
            &[
                DB,
                secret,
                ("RF_OIDC_MICROSOFT_CLIENT_ID", "id"),
                ("RF_OIDC_MICROSOFT_CLIENT_SECRET", "s"),
                ("RF_OIDC_MICROSOFT_ISSUER", "login.microsoftonline.com"),
            ],
            Purpose::Serve,
        );
        assert!(bad_issuer
            .unwrap_err()
            .0
            .contains("RF_OIDC_MICROSOFT_ISSUER"));
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = load(&[DB, ("RF_JWT_SECRET", &"x".repeat(32))], Purpose::Serve).unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.site_root, "target/site");
        assert!(c.cookie_secure);
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.admin_database_url, c.database_url);
        assert!((4..=32).contains(&c.database_max_connections));
        assert_eq!(
            c.login.idle,
            WindowSettings {
                default: 4320,
                min: 15,
                max: 43200
            }
        );
        assert_eq!(
            c.login.absolute,
            WindowSettings {
                default: 20160,
                min: 60,
                max: 129600
            }
        );
        assert_eq!(c.login.access_token_minutes, 5);
        assert_eq!(c.ai_assessment_timeout, Duration::from_secs(45));
        assert!(c.smtp_url.is_none() && c.anthropic_api_key.is_none());
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.max_connections, 20_000);
        assert!(!c.webhook_allow_private);
        assert!(!c.signup_open, "sign-up is closed unless RF_SIGNUP=open");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let secret = "x".repeat(32);
        let c = load(
            &[
                DB,
                ("RF_JWT_SECRET", &secret),
                ("RF_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.9,::1"),
            ],
            Purpose::Serve,
        )
        .unwrap();
        let listed: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(listed, ["10.0.0.0/8", "127.0.0.9/32", "::1/128"]);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let secret = "x".repeat(32);
        let base = [DB, ("RF_JWT_SECRET", secret.as_str())];
        for (k, v) in [
            ("RF_COOKIE_SECURE", "maybe"),
            ("ACCESS_TOKEN_MINUTES", "five"),
            ("SESSION_IDLE_MINUTES_DEFAULT", "5"),
            ("LEPTOS_SITE_ADDR", "nowhere"),
            ("RF_SMTP_URL", "mail.example.com"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("DATABASE_MAX_CONNECTIONS", "many"),
            ("DATABASE_MAX_CONNECTIONS", "5000"),
            ("RF_TRUSTED_PROXIES", "10.0.0.1, proxy.internal"),
            ("RF_MAX_CONNECTIONS", "0"),
            ("RF_WEBHOOK_ALLOW_PRIVATE", "sometimes"),
            ("RF_SIGNUP", "yes"),
        ] {
            let mut pairs = base.to_vec();
            pairs.push((k, v));
            let err = load(&pairs, Purpose::Serve).unwrap_err();
            assert!(err.0.contains(k), "{k}: {err}");
        }
    }

    #[test]
    fn debug_output_never_contains_the_secret() {
        let secret = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        let c = load(&[DB, ("RF_JWT_SECRET", secret)], Purpose::Serve).unwrap();
        assert!(!format!("{c:?}").contains(secret));
    }
}
