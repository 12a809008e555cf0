//! `ApiError`: the one error type of the wire (docs/API.md §2).
//!
//! Every server function and domain call returns `Result<T, ApiError>`. The error serialises
//! to `{"error": CODE, "message": TEXT, ...details}`; the HTTP status is derived from the code
//! in exactly one place, [`ErrorCode::status`], applied to every response by the server's API
//! middleware. `docs/API.md` lists the codes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

words! {
    /// The machine-readable error codes of docs/API.md §2.
    pub enum ErrorCode {
        InvalidCredentials = "invalid_credentials",
        NotAuthenticated = "not_authenticated",
        SessionExpiredIdle = "session_expired_idle",
        SessionExpiredAbsolute = "session_expired_absolute",
        InvalidRefreshToken = "invalid_refresh_token",
        SubscriptionRequired = "subscription_required",
        Forbidden = "forbidden",
        CannotClaimOwnHandoff = "cannot_claim_own_handoff",
        NotFound = "not_found",
        AlreadyClaimed = "already_claimed",
        PayloadTooLarge = "payload_too_large",
        BadRequest = "bad_request",
        ValidationFailed = "validation_failed",
        RateLimited = "rate_limited",
        /// A bug or an outage on our side. Never carries internal detail.
        Internal = "internal_error",
    }
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidCredentials
            | NotAuthenticated
            | SessionExpiredIdle
            | SessionExpiredAbsolute
            | InvalidRefreshToken => 401,
            SubscriptionRequired => 402,
            Forbidden | CannotClaimOwnHandoff => 403,
            NotFound => 404,
            AlreadyClaimed => 409,
            PayloadTooLarge => 413,
            BadRequest => 400,
            ValidationFailed => 422,
            RateLimited => 429,
            Internal => 500,
        }
    }

    /// What the code means, in a sentence, for a page that was sent back with nothing but the
    /// code: a form posted without JavaScript (docs/API.md §3 and §5).
    pub fn in_words(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidCredentials => "That e-mail and password don't match an account.",
            NotAuthenticated
            | SessionExpiredIdle
            | SessionExpiredAbsolute
            | InvalidRefreshToken => "Your session has ended. Sign in again to go on.",
            SubscriptionRequired => "Your account's plan has lapsed. An owner can renew it.",
            Forbidden | CannotClaimOwnHandoff => "Your role in this account doesn't allow that.",
            NotFound => "That isn't there any more.",
            AlreadyClaimed => "Someone else got there first.",
            PayloadTooLarge => "That is too long to send.",
            BadRequest | ValidationFailed => "That wasn't accepted. Check what you entered.",
            RateLimited => "Too many attempts. Try again in a few minutes.",
            Internal => "Something went wrong on our side. Please try again.",
        }
    }
}

/// An error as the client sees it: a code, a human message, and code-specific details that are
/// flattened into the JSON object (`fields`, `plan`, `claimed_by`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
    pub details: Map<String, Value>,
}

/// The error answer in the API's description (`/api/openapi.json`): the code and the message,
/// and whatever details the code has beside them.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for ApiError {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{schema::Type, ObjectBuilder};
        ObjectBuilder::new()
            .property("error", <ErrorCode as utoipa::PartialSchema>::schema())
            .property("message", ObjectBuilder::new().schema_type(Type::String))
            .required("error")
            .required("message")
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for ApiError {}

// The JSON object is written and read by hand rather than with `#[serde(flatten)]`, whose
// deserializer buffers every field first; in the browser's WASM that machinery is a few KB,
// and every error answer is read this way.
impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2 + self.details.len()))?;
        map.serialize_entry("error", &self.error)?;
        map.serialize_entry("message", &self.message)?;
        for (key, value) in &self.details {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut details = Map::<String, Value>::deserialize(deserializer)?;
        let mut text = |key: &'static str| match details.remove(key) {
            Some(Value::String(text)) => Ok(text),
            _ => Err(D::Error::missing_field(key)),
        };
        let code = text("error")?;
        let error = ErrorCode::parse(&code)
            .ok_or_else(|| D::Error::unknown_variant(&code, ErrorCode::WORDS))?;
        let message = text("message")?;
        Ok(ApiError {
            error,
            message,
            details,
        })
    }
}

impl ApiError {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error,
            message: message.into(),
            details: Map::new(),
        }
    }

    /// Adds a detail field to the JSON body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    pub fn status(&self) -> u16 {
        self.error.status()
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "You do not have permission to do that.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "Not found.")
    }

    pub fn not_authenticated() -> Self {
        Self::new(ErrorCode::NotAuthenticated, "Please sign in.")
    }

    /// 422 with one message per offending field.
    pub fn validation(fields: impl IntoIterator<Item = (String, String)>) -> Self {
        let fields: Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Self::new(ErrorCode::ValidationFailed, "Some fields need attention.")
            .with("fields", Value::Object(fields))
    }

    /// 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::validation([(field.to_owned(), message.into())])
    }

    /// What to tell a person where there is no field to put a message next to: the field
    /// messages of a 422 (which say what to do), the message otherwise.
    pub fn user_message(&self) -> String {
        let fields = self
            .details
            .get("fields")
            .and_then(Value::as_object)
            .map(|fields| {
                fields
                    .values()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|joined| !joined.is_empty());
        fields.unwrap_or_else(|| self.message.clone())
    }

    /// The bare 500. The cause is logged by whoever produced it, never sent.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }

    /// Every `(field, message)` of a `validation_failed` error; none for any other.
    pub fn fields(&self) -> Vec<(String, String)> {
        let Some(fields) = self.details.get("fields").and_then(Value::as_object) else {
            return Vec::new();
        };
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect()
    }

    /// The message of a `validation_failed` error for one field, if any.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.details.get("fields")?.get(name)?.as_str()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(feature = "leptos")]
impl server_fn::error::FromServerFnError for ApiError {
    type Encoder = server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        use server_fn::error::ServerFnErrorErr;
        let too_large = |msg: &str| msg.contains("length limit exceeded");
        match value {
            // On the server: the request could not be decoded (malformed JSON, wrong types,
            // missing fields, invalid UTF-8) or was too large.
            ServerFnErrorErr::Args(msg)
            | ServerFnErrorErr::MissingArg(msg)
            | ServerFnErrorErr::Deserialization(msg)
            | ServerFnErrorErr::Request(msg)
                if cfg!(feature = "ssr") =>
            {
                if too_large(&msg) {
                    Self::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                } else {
                    Self::bad_request(format!("The request could not be read: {msg}"))
                }
            }
            // In the browser: the network failed or the answer was not ours to read.
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => Self::new(
                ErrorCode::Internal,
                "Could not reach ResolutionFlow. Check your connection and try again.",
            ),
            _ => Self::internal(),
        }
    }
}

/// A database error is ours, never the caller's: logged with where it happened (the `?` that
/// converted it, through `track_caller`) and answered as the bare 500.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for ApiError {
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(error = %e, %at, "database error");
        ApiError::internal()
    }
}

/// How an error answers over HTTP (server only).
#[cfg(feature = "ssr")]
mod http {
    use super::ApiError;
    use axum::{
        body::Body,
        http::{header, HeaderMap, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
    };

    impl ApiError {
        /// The one place an error's code becomes an HTTP status: returns it, and sets the JSON
        /// content type (and `Retry-After` when the error says when to come back).
        pub fn http_headers(&self, headers: &mut HeaderMap) -> StatusCode {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Some(seconds) = self.details.get("retry_after").and_then(|v| v.as_i64()) {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// The error as a complete response: its status, its headers, its JSON body.
    impl IntoResponse for ApiError {
        fn into_response(self) -> Response {
            let mut res = Body::from(serde_json::to_vec(&self).unwrap_or_default()).into_response();
            *res.status_mut() = self.http_headers(res.headers_mut());
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_contract_shape_with_flattened_details() {
        let err = ApiError::validation([(
            "session_idle_minutes".to_string(),
            "must be at least 15".to_string(),
        )]);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["error"], "validation_failed");
        assert_eq!(
            json["fields"]["session_idle_minutes"],
            "must be at least 15"
        );
        assert_eq!(err.status(), 422);
        let back: ApiError = serde_json::from_value(json).unwrap();
        assert_eq!(back, err);
        // Where no field is on screen, the person is told what the field needs.
        assert_eq!(err.user_message(), "must be at least 15");
        assert_eq!(
            ApiError::forbidden().user_message(),
            ApiError::forbidden().message
        );
    }

    #[test]
    fn every_code_spells_as_its_serde_name() {
        use ErrorCode::*;
        for code in [
            InvalidCredentials,
            NotAuthenticated,
            SessionExpiredIdle,
            SessionExpiredAbsolute,
            InvalidRefreshToken,
            SubscriptionRequired,
            Forbidden,
            CannotClaimOwnHandoff,
            NotFound,
            AlreadyClaimed,
            PayloadTooLarge,
            BadRequest,
            ValidationFailed,
            RateLimited,
            Internal,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                Value::String(code.as_str().into())
            );
        }
    }

    #[cfg(all(feature = "leptos", feature = "ssr"))]
    #[test]
    fn undecodable_arguments_are_a_bad_request_not_a_500() {
        use server_fn::error::{FromServerFnError, ServerFnErrorErr};
        let err = ApiError::from_server_fn_error(ServerFnErrorErr::Args(
            "expected value at line 1 column 1".into(),
        ));
        assert_eq!(err.error, ErrorCode::BadRequest);
        assert_eq!(err.status(), 400);
    }
}
