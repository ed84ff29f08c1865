//! The service's parts, built once from the configuration: the settings
//! read and checked, the database opened and migrated, the password hasher,
//! the mailer with its sender, and `Auth` over them. The server
//! (`web::startup`) and the admin command line (`cli`) build them here
//! alike; neither the web layer nor a flow is involved.

use std::sync::Arc;
use std::time::Duration;

use rocket::{Build, Rocket};
use tokio::sync::Notify;

use crate::auth::{Auth, PasswordHasher};
use crate::config::Settings;
use crate::db::DB;
use crate::mail::{Composer, LinkPaths, Mailer, Sender, Transport, OUTBOX_KEY};
use crate::metrics::Metrics;
use crate::seal::Sealer;

/// `Auth`, and the sender of the mails it writes to the outbox (a server
/// runs it; a command that acts once leaves the mails for a server).
pub struct Service {
    /// The rules of accounts, over the database.
    pub auth: Auth,
    /// Sends what waits in the outbox, once started.
    pub sender: Sender,
}

impl Service {
    /// The service configured by `rocket`'s figment (see
    /// [`crate::config::Settings`]), counting in `metrics`, its mails
    /// linking to `links`. Why not, in words for an operator, when the
    /// settings, the mail templates or the database fail.
    pub async fn build(
        rocket: &Rocket<Build>,
        links: LinkPaths,
        metrics: &Metrics,
    ) -> Result<Self, String> {
        let settings = Settings::from_figment(rocket.figment())?;
        let sessions = &settings.sessions;
        let cache_ttl = Duration::from_secs(sessions.cache_ttl);
        let db = DB::connect(rocket)
            .await
            .and_then(|db| db.caching_sessions(cache_ttl, sessions.cache_size))
            .map_err(|error| format!("database: {error}"))?
            .counted_in(metrics.pool.clone());
        let passwords = &settings.passwords;
        let (cost, queue) = (passwords.bcrypt_cost, passwords.hash_queue_limit);
        let hasher = tokio::task::spawn_blocking(move || PasswordHasher::new(cost, queue))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())?
            .counted_in(metrics.hashing.clone());

        let wake = Arc::new(Notify::new());
        let secret = secret_material(&settings)?;
        let sealer = Arc::new(Sealer::new(&secret, OUTBOX_KEY));
        let mail = &settings.mail;
        let composer = Composer::new(
            &settings.template_dir,
            &mail.from,
            &settings.public_url,
            &settings.site_name,
        )?;
        let mailer = Mailer::new(composer, sealer.clone(), wake.clone(), links);
        let smtp_url = mail.smtp_url.as_ref().and_then(|url| url.expose_str());
        let mut sender = Sender::new(
            db.clone(),
            Transport::new(smtp_url)?,
            sealer,
            &mail.from,
            mail.max_attempts,
            wake,
        )?;
        if settings.operations.metrics_address.is_some() {
            sender = sender.counted_in(metrics.mail.clone());
        }
        let auth = Auth::new(db, hasher, mailer, &secret, settings)?.counted_in(
            metrics.logins.clone(),
            metrics.access.clone(),
            metrics.provider.clone(),
        );
        Ok(Service { auth, sender })
    }
}

/// The secret that the keys of sealed values derive from: the configured
/// `secret_key`. Without one (only the debug profile starts so), a random
/// one: waiting mails and TOTP secrets then do not survive a restart.
fn secret_material(settings: &Settings) -> Result<Vec<u8>, String> {
    if let Some(key) = &settings.secret_key {
        return Ok(key.expose().to_vec());
    }
    let mut random = vec![0u8; 64];
    getrandom::getrandom(&mut random).map_err(|error| error.to_string())?;
    Ok(random)
}
