//! auth-service: registers users, logs them in with a session cookie, shows
//! their profile, logs them out and resets passwords (the original design's
//! JSON API, byte for byte); around it an account system (mail, a session
//! per device, two factors, passkeys, pages in two languages) and the place
//! where other applications sign their users in (an OpenID Connect provider,
//! forward auth for reverse proxies).
//!
//! Layers, from the outside in:
//! - [`flows`], one module per thing a person does (log in, register,
//!   recover, change a setting...), each with its JSON handlers and its
//!   pages side by side, talk only to [`auth::Auth`], through what [`web`]
//!   gives them: request bodies, one error type with its JSON and page
//!   answers, the session guard, browser protections (`web` knows no flow);
//! - `Auth` holds the rules (policy, hashing, throttling, tokens) and talks
//!   to [`db::DB`];
//! - only `DB` runs SQL;
//! - [`mail`] renders and seals the mails `Auth` writes to the outbox, and
//!   sends them from it in the background.
//!
//! [`service`] builds `Auth` and the mail sender from the configuration
//! ([`config`]), once, for the server ([`web::startup`]) and for [`cli`], the
//! admin command line, another way in to `Auth` that knows no web.
//! [`openapi`] documents the API from its routes, and nothing depends on it;
//! [`health`] answers the load balancers.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod flows;
pub mod health;
pub mod jose;
pub mod language;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod seal;
pub mod service;
pub mod user;
pub mod web;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// The whole service, configured by `figment` (see [`config::figment`]).
pub fn build(figment: Figment) -> Rocket<Build> {
    let rocket = rocket::custom(figment)
        .mount("/", flows::routes())
        .mount("/", openapi::routes())
        .register("/", web::catchers::all())
        .attach(web::security::shield())
        .attach(web::security::SecurityHeaders::default())
        .attach(web::logging::RequestLog {
            quiet: &health::PATHS,
        })
        .attach(flows::templates());
    web::startup::stage(rocket, flows::link_paths())
}
