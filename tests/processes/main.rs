//! The real server binary, started as operators start it, on loopback
//! ports: end to end over HTTP and HTTPS, several instances over one
//! PostgreSQL, and a person in headless Chromium.

#[path = "../support/mod.rs"]
mod support;

mod admin;
mod browser;
mod e2e;
mod forward_auth;
mod logs;
mod mail;
mod multi_instance;
mod openid;
mod operations;
mod postgres_tls;
mod secrets;
mod server;
mod session_cache;
