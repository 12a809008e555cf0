//! The account's Slack and Teams incoming webhooks: owners list, add and remove them; every
//! escalation is posted to each (see `notify::webhooks`), only ever to a public address.

use crate::{audit, db, security::require_owner, state::AppState};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use std::net::{IpAddr, SocketAddr};
use uuid::Uuid;
use vocab::{
    error::ApiError,
    ids::{AccountId, UserId},
    webhooks::{Webhook, WebhookKind},
};

pub async fn list(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
) -> Result<Vec<Webhook>, ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let hooks = sqlx::query_as("SELECT id, kind, url, created_at FROM account_webhooks WHERE account_id = $1 ORDER BY created_at")
        .bind(owner.account_id)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(hooks)
}

/// Adds a webhook: an owner's, [`check_url`]'s kind of address, at most [`MAX_PER_ACCOUNT`].
pub async fn add(
    state: &AppState,
    caller: UserId,
    account_id: AccountId,
    kind: &str,
    url: &str,
    now: DateTime<Utc>,
) -> Result<Webhook, ApiError> {
    let kind = WebhookKind::parse(kind)
        .ok_or_else(|| ApiError::invalid("kind", "Must be \"slack\" or \"teams\"."))?;
    let url = url.trim();
    check_url(url, state.config.webhook_allow_private)
        .map_err(|message| ApiError::invalid("url", message))?;
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    // Counted under a lock on the account row, so two adds at once cannot pass the limit.
    sqlx::query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE")
        .bind(owner.account_id)
        .execute(&mut *tx)
        .await?;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM account_webhooks WHERE account_id = $1")
            .bind(owner.account_id)
            .fetch_one(&mut *tx)
            .await?;
    if count >= MAX_PER_ACCOUNT {
        return Err(ApiError::invalid(
            "url",
            format!("An account can have {MAX_PER_ACCOUNT} webhooks; remove one first."),
        ));
    }
    let hook: Webhook = sqlx::query_as(
        "INSERT INTO account_webhooks (account_id, kind, url, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, kind, url, created_at",
    )
    .bind(owner.account_id)
    .bind(kind)
    .bind(url)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    // The URL itself stays out of the audit trail: it is a credential for the channel.
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.webhook_added",
        json!({ "webhook_id": hook.id, "kind": kind.as_str() }),
        now,
    )
    .await?;
    Ok(hook)
}

pub async fn remove(
    pool: &PgPool,
    caller: UserId,
    account_id: AccountId,
    webhook_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let owner = require_owner(&mut tx, caller).await?;
    let kind: Option<WebhookKind> = sqlx::query_scalar(
        "DELETE FROM account_webhooks WHERE id = $1 AND account_id = $2 RETURNING kind",
    )
    .bind(webhook_id)
    .bind(owner.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let kind = kind.ok_or_else(ApiError::not_found)?;
    audit::commit_with(
        tx,
        owner.account_id,
        Some(owner.user_id),
        "account.webhook_removed",
        json!({ "webhook_id": webhook_id, "kind": kind.as_str() }),
        now,
    )
    .await?;
    Ok(())
}

/// The most webhooks one account may have: each escalation posts to every one of them.
pub const MAX_PER_ACCOUNT: i64 = 10;

/// A webhook address as it may be stored (docs/SECURITY.md, "Webhooks"): `https`, a host, and
/// not an address of this machine or its network when the host is written as one. What a name
/// resolves to is checked when the server connects ([`PublicOnly`]), since it can change.
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, &'static str> {
    const PASTE: &str = "Paste the webhook's full https:// address.";
    if url.len() > 2000 || url.contains(char::is_whitespace) {
        return Err(PASTE);
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| PASTE)?;
    let scheme_ok = parsed.scheme() == "https" || (allow_private && parsed.scheme() == "http");
    if !scheme_ok || parsed.host().is_none() {
        return Err(PASTE);
    }
    if allow_private || host_is_public(&parsed) {
        Ok(parsed)
    } else {
        Err("That address is on a private network; a webhook must be reachable on the internet.")
    }
}

/// Whether the URL's host, when written as an address (or `localhost`), is a public one.
fn host_is_public(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost")
        }
        None => false,
    }
}

/// Whether `ip` is on the internet: not loopback, private, shared (CGNAT), link-local (where
/// cloud metadata lives), multicast, documentation, benchmarking or reserved space.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let v4 = std::net::Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                );
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

/// A resolver for the webhook client that hands it only public addresses: the address the
/// client connects to is one that was checked, so a name that resolves (or is re-pointed)
/// to a private address reaches nothing.
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The client that posts to webhooks: no redirects followed, and unless `allow_private`, only
/// public addresses resolved (an address written in the URL is checked before each post, as
/// the client does not resolve it).
pub fn client(allow_private: bool) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .user_agent("ResolutionFlow")
        .redirect(reqwest::redirect::Policy::none());
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(std::sync::Arc::new(PublicOnly))
    };
    builder.build().map_err(|e| format!("webhook client: {e}"))
}
