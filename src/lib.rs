//! auth-service: registers users, logs them in with a session cookie, shows
//! their profile, logs them out and resets passwords.
//!
//! Layers, from the outside in:
//! - [`api`] (the JSON API) and [`pages`] (the same routes for browsers)
//!   talk only to [`auth::Auth`], through what [`web`] gives both: request
//!   bodies, one error type, the session guard, browser protections;
//! - `Auth` holds the rules (policy, hashing, throttling, tokens) and talks
//!   to [`db::DB`];
//! - only `DB` runs SQL;
//! - [`mail`] renders and seals the mails `Auth` writes to the outbox, and
//!   sends them from it in the background.
//!
//! [`openapi`] documents the API from its routes, and nothing depends on it;
//! [`cli`] is the admin command line, another way in to `Auth`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod seal;
pub mod user;
pub mod web;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// The whole service, configured by `figment` (see [`config::figment`]).
pub fn build(figment: Figment) -> Rocket<Build> {
    let rocket = rocket::custom(figment)
        .mount("/", api::routes())
        .mount("/", pages::routes())
        .mount("/", openapi::routes())
        .register("/", web::catchers::all())
        .attach(web::security::shield())
        .attach(web::security::SecurityHeaders)
        .attach(web::logging::RequestLog {
            quiet: &api::health::PATHS,
        })
        .attach(pages::templates());
    web::startup::stage(rocket, pages::link_paths())
}
