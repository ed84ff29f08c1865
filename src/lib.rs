//! auth-service: registers users, logs them in with a session cookie, shows
//! their profile, logs them out and resets passwords by token.
//!
//! Layers: `routes` talk only to [`auth::Auth`]; `Auth` talks to [`db::DB`];
//! only `DB` runs SQL.

pub mod auth;
pub mod catchers;
pub mod config;
pub mod db;
pub mod http;
pub mod routes;
pub mod user;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// The whole service, configured by `figment` (see [`config::figment`]).
pub fn build(figment: Figment) -> Rocket<Build> {
    let rocket = rocket::custom(figment)
        .mount("/", routes::all())
        .register("/", catchers::all());
    auth::stage(rocket)
}
