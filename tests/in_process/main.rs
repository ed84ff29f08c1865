//! The service in process, through Rocket's local client: the JSON API byte
//! for byte, the pages, the security measures, the OpenAPI document, and
//! `Auth`, `DB` and the configuration on their own.

#[path = "../support/mod.rs"]
mod support;

mod account;
mod api;
mod app;
mod auth;
mod config;
mod db;
mod device_cookies;
mod forward_auth;
mod language;
mod mail;
mod openapi;
mod operations;
mod pages;
mod passkeys;
mod provider;
mod security;
mod sessions;
mod takeover;
mod two_factor;
