//! Access and refresh tokens: HS256 JWTs with the claims of docs/API.md §3.
//!
//! The algorithm is pinned (a token announcing any other, `none` included, is refused) and every
//! decode checks the token's `type`. Expiry is judged against an explicit `now`, never the clock.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;
use vocab::ids::{AccountId, LoginId, UserId};
use vocab::users::Role;

pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";

#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: UserId,
    pub account_id: AccountId,
    pub role: Role,
    #[serde(rename = "type")]
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
}

/// Refresh token claims. The policy claims are optional only so that tokens minted before the
/// session policy existed can still be read (and grandfathered once, docs/API.md §3, step 3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshClaims {
    pub sub: UserId,
    pub jti: Uuid,
    #[serde(rename = "type")]
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abs_max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<LoginId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Well-formed and correctly signed, but past its `exp`.
    Expired,
    /// Anything else: bad signature, other algorithm, wrong `type`, malformed.
    Invalid,
}

pub fn encode_token<T: Serialize>(keys: &Keys, claims: &T) -> String {
    encode(&Header::new(Algorithm::HS256), claims, &keys.encoding)
        .expect("HS256 signing of plain claims cannot fail")
}

/// Verifies the signature and algorithm only; expiry and type are the caller's to judge.
fn verify<T: for<'de> Deserialize<'de>>(keys: &Keys, token: &str) -> Result<T, TokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation.required_spec_claims = HashSet::new();
    decode::<T>(token, &keys.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|_| TokenError::Invalid)
}

fn judge(exp: i64, typ: &str, want: &str, now: DateTime<Utc>) -> Result<(), TokenError> {
    // Expiry first: an expired token is reported as expired, whatever else is wrong with it.
    if now.timestamp() >= exp {
        return Err(TokenError::Expired);
    }
    if typ != want {
        return Err(TokenError::Invalid);
    }
    Ok(())
}

/// The claims of one kind of token: its `type`, and when it expires.
pub trait Typed: for<'de> Deserialize<'de> {
    /// The `type` claim this kind carries.
    const TYPE: &'static str;
    fn typ(&self) -> &str;
    fn exp(&self) -> i64;
}

impl Typed for AccessClaims {
    const TYPE: &'static str = ACCESS;
    fn typ(&self) -> &str {
        &self.typ
    }
    fn exp(&self) -> i64 {
        self.exp
    }
}

impl Typed for RefreshClaims {
    const TYPE: &'static str = REFRESH;
    fn typ(&self) -> &str {
        &self.typ
    }
    fn exp(&self) -> i64 {
        self.exp
    }
}

/// A token of kind `T`, correctly signed and not expired at `now`.
pub fn decode_typed<T: Typed>(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<T, TokenError> {
    let claims: T = verify(keys, token)?;
    judge(claims.exp(), claims.typ(), T::TYPE, now)?;
    Ok(claims)
}

pub fn decode_access(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<AccessClaims, TokenError> {
    decode_typed(keys, token, now)
}

pub fn decode_refresh(
    keys: &Keys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<RefreshClaims, TokenError> {
    decode_typed(keys, token, now)
}

/// A refresh token whose signature is good, whether or not it has expired (for logout and for
/// reading the windows of the current session).
pub fn decode_refresh_any_age(keys: &Keys, token: &str) -> Result<RefreshClaims, TokenError> {
    let claims: RefreshClaims = verify(keys, token)?;
    if claims.typ != REFRESH {
        return Err(TokenError::Invalid);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> Keys {
        Keys::new(b"0123456789abcdef0123456789abcdef")
    }

    fn refresh_claims(now: DateTime<Utc>) -> RefreshClaims {
        RefreshClaims {
            sub: UserId(Uuid::new_v4()),
            jti: Uuid::new_v4(),
            typ: REFRESH.into(),
            iat: now.timestamp(),
            exp: (now + Duration::minutes(10)).timestamp(),
            auth_time: Some(now.timestamp()),
            idle_max: Some(600),
            abs_max: Some(3600),
            fam: Some(LoginId(Uuid::new_v4())),
        }
    }

    #[test]
    fn a_refresh_token_round_trips_and_expires_at_its_exp() {
        let now = Utc::now();
        let claims = refresh_claims(now);
        let token = encode_token(&keys(), &claims);
        assert_eq!(decode_refresh(&keys(), &token, now).unwrap(), claims);
        let at_exp = DateTime::from_timestamp(claims.exp, 0).unwrap();
        assert_eq!(
            decode_refresh(&keys(), &token, at_exp),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn the_wrong_type_or_key_or_algorithm_is_invalid() {
        let now = Utc::now();
        let claims = refresh_claims(now);
        let token = encode_token(&keys(), &claims);
        assert_eq!(
            decode_access(&keys(), &token, now),
            Err(TokenError::Invalid)
        );
        let other = Keys::new(b"another-secret-another-secret-xx");
        assert_eq!(
            decode_refresh(&other, &token, now),
            Err(TokenError::Invalid)
        );

        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert_eq!(
            decode_refresh(&keys(), &hs512, now),
            Err(TokenError::Invalid)
        );

        // An unsigned token ("alg": "none") with the same claims.
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let unsigned = format!(
            "{}.{}.",
            b64(br#"{"alg":"none","typ":"JWT"}"#),
            b64(serde_json::to_string(&claims).unwrap().as_bytes())
        );
        assert_eq!(
            decode_refresh(&keys(), &unsigned, now),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            decode_refresh(&keys(), "not.a.jwt", now),
            Err(TokenError::Invalid)
        );
    }
}
