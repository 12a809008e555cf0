//! What a request says about the client: its address and its browser.

use axum::{
    extract::ConnectInfo,
    http::{header, Extensions, HeaderMap},
};
use std::net::{IpAddr, SocketAddr};

/// The browser, as its `User-Agent` names it (kept with each login).
pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// The address the connection came from.
pub fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}
