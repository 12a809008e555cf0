//! The OpenID Connect side of single sign-on, through the `openidconnect` crate: each provider's
//! discovery document and keys, the authorization URL, the code exchange, and the checks an ID
//! token must pass before anyone is signed in with it (docs/SECURITY.md, "Single sign-on").

use crate::config::SsoClient;
use chrono::{DateTime, Utc};
use openidconnect::{
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
        CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
        CoreProviderMetadata, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
        CoreTokenIntrospectionResponse, CoreTokenType,
    },
    reqwest, AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId,
    ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use vocab::team::SsoProvider;

/// How long a provider's discovery document and keys are used before they are read again.
/// A token signed with a key not among them has them read again at once.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// The most one request to a provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The part of Microsoft's multi-tenant `issuer` that stands for the tenant.
const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The claims beyond the standard ones that are checked: Microsoft's tenant (`tid`) and its
/// word that the tenant owns the address's domain (`xms_edov`, an optional claim the app
/// registration asks for; Microsoft sends no `email_verified`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    xms_edov: Option<serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type Tokens = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// A client made from a provider's discovery document: authorization and token endpoints.
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-on failed, for the log (the person is told only that it did).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("provider unreachable or answered badly: {0}")]
    Provider(String),
    #[error("ID token refused: {0}")]
    Token(String),
    #[error("the provider vouches for no e-mail address")]
    NoVerifiedEmail,
}

/// Who the provider says signed in: checked, with a verified address.
#[derive(Clone, Debug)]
pub struct Identity {
    pub provider: SsoProvider,
    /// The provider's `sub`, stable for this person and this app.
    pub subject: String,
    /// Lowercased.
    pub email: String,
    pub name: Option<String>,
}

/// What `start` sends the browser off with; the callback needs all three back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// One configured provider, its discovery read once an hour at most.
pub struct OidcProvider {
    client: SsoClient,
    redirect_url: RedirectUrl,
    http: reqwest::Client,
    discovered: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl OidcProvider {
    pub fn new(client: SsoClient, public_url: &str) -> Result<Self, String> {
        let redirect_url = RedirectUrl::new(format!(
            "{public_url}/auth/oidc/{}/callback",
            client.provider.as_str()
        ))
        .map_err(|e| format!("single sign-on callback URL: {e}"))?;
        let http = reqwest::Client::builder()
            .user_agent("ResolutionFlow")
            // A provider's answers are read as they are: following a redirect could take the
            // server anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|e| format!("single sign-on HTTP client: {e}"))?;
        Ok(Self {
            client,
            redirect_url,
            http,
            discovered: Mutex::new(None),
        })
    }

    pub fn provider(&self) -> SsoProvider {
        self.client.provider
    }

    /// The provider's discovery document with its keys; read again when older than
    /// [`DISCOVERY_TTL`] or when `stale` (a token named a key it lacks).
    async fn metadata(&self, stale: bool) -> Result<CoreProviderMetadata, OidcError> {
        let mut cached = self.discovered.lock().await;
        if let Some((at, metadata)) = cached.as_ref() {
            if !stale && at.elapsed() < DISCOVERY_TTL {
                return Ok(metadata.clone());
            }
        }
        let metadata = self.discover().await?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// Reads `{issuer}/.well-known/openid-configuration` and the keys it points at. Not the
    /// crate's `discover_async`: that requires the document's `issuer` to be the URL it was
    /// read from, and Microsoft's multi-tenant document names `{tenantid}` there instead. So the
    /// same rule is applied here, with that one exception for Microsoft.
    async fn discover(&self) -> Result<CoreProviderMetadata, OidcError> {
        let provider_error = |e: &dyn std::fmt::Display| OidcError::Provider(e.to_string());
        let url = format!("{}/.well-known/openid-configuration", self.client.issuer);
        let answer = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| provider_error(&e))?;
        let body = answer.bytes().await.map_err(|e| provider_error(&e))?;
        let metadata: CoreProviderMetadata =
            serde_json::from_slice(&body).map_err(|e| provider_error(&e))?;
        let issuer = metadata.issuer().as_str().trim_end_matches('/');
        let expected = self.client.issuer.as_str();
        let multi_tenant =
            self.client.provider == SsoProvider::Microsoft && tenant_template(&metadata).is_some();
        if issuer != expected && !multi_tenant {
            return Err(OidcError::Provider(format!(
                "the discovery document of {expected} names another issuer, {issuer}"
            )));
        }
        let jwks = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| provider_error(&e))?;
        Ok(metadata.set_jwks(jwks))
    }

    fn oidc_client(&self, metadata: CoreProviderMetadata) -> OidcClient {
        Client::from_provider_metadata(
            metadata,
            ClientId::new(self.client.client_id.clone()),
            Some(ClientSecret::new(self.client.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }

    /// Where to send the browser: the authorization endpoint with a fresh `state`, `nonce` and
    /// PKCE (S256) challenge, asking for the address and name.
    pub async fn authorize(&self) -> Result<Authorization, OidcError> {
        let client = self.oidc_client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Authorization {
            url: url.into(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges `code` (with the PKCE verifier) and checks the ID token it brings: signature
    /// against the provider's keys, `iss`, `aud`, `exp` at `now`, `nonce`, Microsoft's tenant,
    /// and a verified address.
    pub async fn identify(
        &self,
        code: String,
        pkce_verifier: String,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<Identity, OidcError> {
        let metadata = self.metadata(false).await?;
        let template = tenant_template(&metadata);
        let client = self.oidc_client(metadata);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        let id_token = tokens
            .extra_fields()
            .id_token()
            .ok_or_else(|| OidcError::Token("the token answer has no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let check = |client: &OidcClient| {
            let verifier = client
                .id_token_verifier()
                // Multi-tenant: `iss` is the tenant's, checked against `tid` below.
                .require_issuer_match(template.is_none())
                .set_time_fn(move || now);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match check(&client) {
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider has rolled its keys since they were read.
                let client = self.oidc_client(self.metadata(true).await?);
                check(&client)
            }
            other => other,
        }
        .map_err(|e| OidcError::Token(e.to_string()))?;

        if let Some(template) = &template {
            let tid = claims.additional_claims().tid.as_deref().unwrap_or("");
            if !tenant_issuer_matches(template, claims.issuer().as_str(), tid) {
                return Err(OidcError::Token(format!(
                    "issuer {} is not the issuer of tenant {tid:?}",
                    claims.issuer().as_str()
                )));
            }
        }
        let verified = match self.client.provider {
            SsoProvider::Google => claims.email_verified() == Some(true),
            SsoProvider::Microsoft => {
                let edov = &claims.additional_claims().xms_edov;
                claims.email_verified() == Some(true)
                    || matches!(edov, Some(serde_json::Value::Bool(true)))
                    || matches!(edov, Some(serde_json::Value::String(s)) if s == "1" || s == "true")
            }
        };
        let email = claims
            .email()
            .filter(|_| verified)
            .and_then(|e| crate::text::email("email", e.as_str()).ok())
            .ok_or(OidcError::NoVerifiedEmail)?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().trim().to_owned())
            .filter(|n| !n.is_empty());
        Ok(Identity {
            provider: self.client.provider,
            subject: claims.subject().as_str().to_owned(),
            email,
            name,
        })
    }
}

/// Microsoft's multi-tenant issuer, `…/{tenantid}/v2.0`, when the document names one.
fn tenant_template(metadata: &CoreProviderMetadata) -> Option<String> {
    let issuer = metadata.issuer().as_str();
    issuer
        .contains(TENANT_PLACEHOLDER)
        .then(|| issuer.to_owned())
}

/// Whether `iss` is what the multi-tenant issuer `template` becomes for tenant `tid`: what
/// Microsoft tells multi-tenant apps to check in place of a fixed issuer.
fn tenant_issuer_matches(template: &str, iss: &str, tid: &str) -> bool {
    let plausible = !tid.is_empty() && tid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plausible
        && iss.trim_end_matches('/')
            == template
                .replace(TENANT_PLACEHOLDER, tid)
                .trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
    const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

    #[test]
    fn a_tenants_issuer_must_be_the_one_its_tid_names() {
        let own = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
        assert!(tenant_issuer_matches(TEMPLATE, &own, TENANT));
        let other = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";
        assert!(!tenant_issuer_matches(TEMPLATE, other, TENANT));
        assert!(!tenant_issuer_matches(TEMPLATE, &own, ""));
        assert!(!tenant_issuer_matches(
            TEMPLATE,
            "https://evil.example/v2.0",
            TENANT
        ));
        // A `tid` cannot smuggle a path into the issuer it is compared with.
        let smuggled = "https://login.microsoftonline.com/x/../y/v2.0";
        assert!(!tenant_issuer_matches(TEMPLATE, smuggled, "x/../y"));
    }
}
