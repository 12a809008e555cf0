//! The domain and its infrastructure. Server only: none of this reaches the browser.

pub mod config;
pub mod db;
pub mod http;
pub mod passwords;
pub mod seed;
pub mod state;
