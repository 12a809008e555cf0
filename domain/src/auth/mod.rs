//! Signing in and staying signed in: a *login* is one sign-in and its family of refresh tokens.
//!
//! - `tokens`: the signed access and refresh tokens and their claims;
//! - `passwords`: hashing and checking passwords;
//! - `logins`: sign-in, refresh (the algorithm of docs/API.md §3, step by step) and sign-out;
//! - `throttle`: the limits on repeated sign-in failures;
//! - `sign_in`: signing in with a password, throttled;
//! - `cookies`: the two cookies a browser holds;
//! - `page`: page loads refreshed in place before they render;
//! - `caller`: who a request is ([`caller::Caller`]);
//! - `client`: the client's address and browser;
//! - `forms`: sign-in and sign-out for browsers without JavaScript;
//! - `oidc`: the OpenID Connect providers of single sign-on, and the checks of their ID tokens;
//! - `origin`: the cross-site request guard.

pub mod caller;
pub mod client;
pub mod cookies;
pub mod forms;
pub mod logins;
pub mod oidc;
pub mod origin;
pub mod page;
pub mod passwords;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
