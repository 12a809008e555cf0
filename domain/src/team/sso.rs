//! Single sign-on (docs/API.md §12, docs/SECURITY.md "Single sign-on"): a member signs in with
//! their Microsoft or Google account, or accepts an invitation with it.
//!
//! `GET /auth/oidc/{provider}/start` sends the browser to the provider, holding what the
//! callback must check (`state`, `nonce`, the PKCE verifier, where to go next, an invitation)
//! in a signed cookie that lives ten minutes. `GET /auth/oidc/{provider}/callback`:
//!
//! 1. reads that cookie and checks the `state` the provider sent back against it;
//! 2. spends the `state`, so no callback works twice;
//! 3. exchanges the code and checks the ID token (`auth::oidc`): who it is, with a verified
//!    address;
//! 4. signs in the active member with that address, tying the provider account to them on
//!    the first sign-on and refusing any other provider account for them after; or, carrying a
//!    valid invitation to that address, makes them the invited member; nobody else gets in, and
//!    nobody is created without an invitation;
//! 5. answers 303 to `next` with the same cookies as a password sign-in, or to the sign-in page
//!    with the reason ([`SsoRefusal`]).

use super::{invitations, sign_in_new};
use crate::{
    audit,
    auth::{
        client::{user_agent, Client, ClientAddr},
        cookies::{cookie_names, login_cookies, read_cookie, sso_cookie},
        forms::see_other,
        logins::Issued,
        oidc::{Identity, OidcProvider},
        tokens::{self, Typed},
    },
    db::{self, Tx},
    links,
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use vocab::{
    error::{ApiError, ErrorCode},
    ids::{AccountId, UserId},
    paths::safe_next,
    team::{SsoProvider, SsoRefusal},
};

/// How long a sign-on may spend at the provider.
const PENDING_TTL: Duration = Duration::minutes(10);

/// The cookie's claims: a sign-on on its way through the provider.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    #[serde(rename = "type")]
    typ: String,
    exp: i64,
    provider: SsoProvider,
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation: Option<String>,
}

impl Typed for Pending {
    const TYPE: &'static str = "sso";
    fn typ(&self) -> &str {
        &self.typ
    }
    fn exp(&self) -> i64 {
        self.exp
    }
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
    invitation: Option<String>,
}

/// `GET /auth/oidc/{provider}/start?next=PATH[&invitation=TOKEN]`: 302 to the provider.
pub async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(oidc) = enabled(&state, &provider) else {
        return ApiError::not_found().into_response();
    };
    let now = Utc::now();
    let authorization = match oidc.authorize().await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(provider = %oidc.provider().as_str(), error = %e, "single sign-on could not start");
            return to_login(SsoRefusal::Failed);
        }
    };
    let pending = Pending {
        typ: Pending::TYPE.to_owned(),
        exp: (now + PENDING_TTL).timestamp(),
        provider: oidc.provider(),
        state: authorization.state,
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        next: safe_next(&query.next).to_owned(),
        invitation: query.invitation.filter(|t| !t.is_empty()),
    };
    let cookie = tokens::encode_token(&state.keys, &pending);
    let Ok(location) = HeaderValue::from_str(&authorization.url) else {
        return to_login(SsoRefusal::Failed);
    };
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (
                header::SET_COOKIE,
                sso_cookie(&state, &cookie, PENDING_TTL.num_seconds()),
            ),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/oidc/{provider}/callback`: the steps of the module's comment.
pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    let now = Utc::now();
    let client = Client {
        user_agent: user_agent(&headers),
        address: address.map(|Extension(a)| a.0),
    };
    let mut res = match finish(&state, &provider, query, &headers, client, now).await {
        Ok((issued, next)) => {
            let mut res = see_other(&next);
            for value in login_cookies(&state, &issued, now) {
                res.headers_mut().append(header::SET_COOKIE, value);
            }
            res
        }
        Err(refusal) => to_login(refusal),
    };
    // The attempt is over either way.
    res.headers_mut()
        .append(header::SET_COOKIE, sso_cookie(&state, "", 0));
    res
}

async fn finish(
    state: &AppState,
    provider: &str,
    query: CallbackQuery,
    headers: &HeaderMap,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<(Issued, String), SsoRefusal> {
    let failed = |why: &str| {
        tracing::warn!(provider, why, "single sign-on refused");
        SsoRefusal::Failed
    };
    let oidc = enabled(state, provider).ok_or_else(|| failed("provider not enabled"))?;

    // 1. The cookie `start` set, and the `state` it holds.
    let pending: Pending = read_cookie(headers, cookie_names(state.config.cookie_secure).sso)
        .and_then(|c| tokens::decode_typed(&state.keys, c, now).ok())
        .ok_or_else(|| failed("no single sign-on in progress in this browser"))?;
    if let Some(error) = &query.error {
        // The provider's error code (`access_denied` when the person cancelled), as far as it
        // looks like one: it came in a URL anyone can write.
        let code: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return Err(failed(&format!("the provider answered {code}")));
    }
    if pending.provider != oidc.provider() || query.state.as_deref() != Some(&pending.state) {
        return Err(failed("state does not match"));
    }
    let code = query.code.ok_or_else(|| failed("no code"))?;

    // 2. Spend the state.
    let mut tx = db::anonymous_tx(&state.pool).await.map_err(db_failed)?;
    let fresh: bool = sqlx::query_scalar("SELECT rf_spend_sso_state($1, $2)")
        .bind(links::hash(&pending.state))
        .bind(DateTime::from_timestamp(pending.exp, 0).unwrap_or(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_failed)?;
    tx.commit().await.map_err(db_failed)?;
    if !fresh {
        return Err(failed("state already used"));
    }

    // 3. Who the provider says it is.
    let identity = oidc
        .identify(code, pending.pkce_verifier, &pending.nonce, now)
        .await
        .map_err(|e| failed(&e.to_string()))?;

    // 4. A member, or an invitation to that address.
    let issued = match sign_in_member(state, &identity, client, now).await? {
        Some(issued) => issued,
        None => {
            let token = pending.invitation.as_deref().ok_or(SsoRefusal::NoAccount)?;
            invitations::accept_by_sso(state, token, &identity, client, now)
                .await
                .map_err(|e| match e.error {
                    ErrorCode::NotFound => SsoRefusal::NoAccount,
                    ErrorCode::ValidationFailed if e.field("email").is_some() => {
                        SsoRefusal::WrongEmail
                    }
                    _ => failed(&e.message),
                })?
        }
    };
    // 5. Where they were going.
    Ok((issued, pending.next))
}

/// Signs in the active member with the identity's address, if there is one. `None`: no such
/// member (or a deactivated one).
async fn sign_in_member(
    state: &AppState,
    identity: &Identity,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Issued>, SsoRefusal> {
    let mut tx = db::anonymous_tx(&state.pool).await.map_err(db_failed)?;
    let found: Option<(UserId, AccountId)> =
        sqlx::query_as("SELECT user_id, account_id FROM rf_login_lookup($1)")
            .bind(&identity.email)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_failed)?;
    tx.commit().await.map_err(db_failed)?;
    let Some((user_id, account_id)) = found else {
        return Ok(None);
    };
    let mut tx = db::tenant_tx(&state.pool, account_id)
        .await
        .map_err(db_failed)?;
    if !bind_identity(&mut tx, account_id, user_id, identity, now)
        .await
        .map_err(db_failed)?
    {
        tracing::warn!(
            provider = identity.provider.as_str(),
            %user_id,
            "single sign-on refused: another provider account claims this member's address"
        );
        return Err(SsoRefusal::Failed);
    }
    audit::record(
        &mut tx,
        account_id,
        Some(user_id),
        "auth.sso_login",
        json!({ "provider": identity.provider }),
        now,
    )
    .await
    .map_err(db_failed)?;
    sign_in_new(state, tx, user_id, client, now)
        .await
        .map(Some)
        .map_err(|_| SsoRefusal::Failed)
}

/// Ties the provider account to the member on their first sign-on with that provider. False
/// when it cannot be theirs: the member is tied to another account of the same provider, or
/// this provider account is tied to someone else. An address alone is not enough after the
/// first time, so an address reused at the provider (a leaver's, given to someone new) or a
/// second tenant claiming it does not open the member's account.
pub(super) async fn bind_identity(
    tx: &mut Tx,
    account_id: AccountId,
    user_id: UserId,
    identity: &Identity,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO user_identities (account_id, user_id, provider, subject, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(user_id)
    .bind(identity.provider)
    .bind(&identity.subject)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(true);
    }
    let tied: Option<String> = sqlx::query_scalar(
        "SELECT subject FROM user_identities WHERE user_id = $1 AND provider = $2",
    )
    .bind(user_id)
    .bind(identity.provider)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(tied.as_deref() == Some(identity.subject.as_str()))
}

/// The provider named in the path, when this server has it.
fn enabled<'a>(state: &'a AppState, provider: &str) -> Option<&'a OidcProvider> {
    let provider = SsoProvider::parse(provider)?;
    state.sso.iter().find(|p| p.provider() == provider)
}

fn db_failed(e: sqlx::Error) -> SsoRefusal {
    tracing::error!(error = %e, "database error in single sign-on");
    SsoRefusal::Failed
}

fn to_login(refusal: SsoRefusal) -> Response {
    see_other(&format!("/login?reason={}", refusal.as_str()))
}
