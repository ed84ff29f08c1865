//! auth-service: registers users, logs them in with a session cookie, shows
//! their profile, logs them out and resets passwords by token.
//!
//! Layers: `routes` (the JSON API) and `pages` (the same routes for
//! browsers) talk only to [`auth::Auth`]; `Auth` talks to [`db::DB`]; only
//! `DB` runs SQL.

pub mod auth;
pub mod catchers;
pub mod config;
pub mod db;
pub mod http;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod user;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};
use rocket_dyn_templates::Template;

/// The whole service, configured by `figment` (see [`config::figment`]).
pub fn build(figment: Figment) -> Rocket<Build> {
    let rocket = rocket::custom(figment)
        .mount("/", routes::all())
        .mount("/", pages::all())
        .register("/", catchers::all())
        .attach(http::security::shield())
        .attach(http::security::SecurityHeaders)
        .attach(Template::fairing())
        .attach(static_files());
    auth::stage(rocket)
}

/// Serves the `static_dir` folder (default `static`) under `/static`.
fn static_files() -> AdHoc {
    AdHoc::try_on_ignite("Static files", |rocket| async move {
        let dir = config::Settings::from_figment(rocket.figment())
            .map(|settings| settings.static_dir)
            .unwrap_or_default();
        if dir.is_dir() {
            Ok(rocket.mount("/static", FileServer::from(dir)))
        } else {
            rocket::error!("static_dir {} is not a directory", dir.display());
            Err(rocket)
        }
    })
}
