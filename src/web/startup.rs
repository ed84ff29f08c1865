//! What happens once, as the server ignites: the settings read and checked,
//! the database opened and migrated, `Auth` built and managed, the static
//! folder mounted.

use rocket::fairing::{AdHoc, Fairing};
use rocket::fs::FileServer;
use rocket::{Build, Rocket};

use crate::auth::{Auth, PasswordHasher};
use crate::config::Settings;
use crate::db::DB;

/// The fairing that starts the service; ignition fails, with the reason
/// logged, when the settings are invalid or the database cannot be opened.
pub fn fairing() -> impl Fairing {
    AdHoc::try_on_ignite("auth-service", |rocket| async move {
        match start(&rocket).await {
            Ok((auth, static_files)) => Ok(rocket.manage(auth).mount("/static", static_files)),
            Err(error) => {
                log::error!("auth-service cannot start: {error}");
                Err(rocket)
            }
        }
    })
}

async fn start(rocket: &Rocket<Build>) -> Result<(Auth, FileServer), String> {
    let settings = Settings::from_figment(rocket.figment())?;
    if !settings.static_dir.is_dir() {
        return Err(format!(
            "static_dir {} is not a directory",
            settings.static_dir.display()
        ));
    }
    let static_files = FileServer::from(&settings.static_dir);
    if rocket.figment().profile() == rocket::Config::RELEASE_PROFILE {
        log::warn!(
            "POST /reset_password returns the reset token in its body, as the original \
             API does: anyone who can reach it can reset any account's password. Keep it \
             away from the public (see README, Security)."
        );
    }
    let db = DB::connect(rocket)
        .await
        .map_err(|error| format!("database: {error}"))?;
    let (cost, queue) = (settings.bcrypt_cost, settings.hash_queue_limit);
    let hasher = rocket::tokio::task::spawn_blocking(move || PasswordHasher::new(cost, queue))
        .await
        .map_err(|error| error.to_string())?
        .map_err(|error| error.to_string())?;
    Ok((Auth::new(db, hasher, settings), static_files))
}
