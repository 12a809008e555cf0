//! What a page loads with it: a resource over a server function, rendered on the server and
//! handed to the browser with the hydration data.
//!
//! The hydration data is JSON read with `serde_json::from_slice`, the same reader the server
//! functions' answers go through (Leptos's default codec reads it with `from_str`). Each reader
//! is its own copy of every type's deserializer in the WASM, so with one reader a type that is
//! both loaded with the page and fetched later is compiled once (docs/PERFORMANCE.md, "WASM").

use leptos::{
    prelude::*,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, read as bytes.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A page's data, loaded with it. (The app shell's own, which the response waits for, is
/// `Resource::new_with_options(.., true)` of this type.)
pub type Loaded<T> = Resource<T, Json>;

/// Loads `fetch(source())` with the page, and again whenever `source` changes.
pub fn loaded<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}
