//! What happens once, as the server ignites: the settings read and checked,
//! the database opened and migrated, `Auth` built and managed, the static
//! folder mounted, requests counted if metrics are served; and at liftoff,
//! the mail sender and the session sweeper started and the metrics served
//! on their own address (all stop with the server).

use std::sync::{Arc, Mutex};

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};
use tokio::sync::Notify;

use super::metrics::RequestMetrics;
use crate::auth::{Auth, PasswordHasher};
use crate::config::{ResetDelivery, Settings};
use crate::db::DB;
use crate::mail::{Composer, LinkPaths, Mailer, Sender, Transport, OUTBOX_KEY};
use crate::metrics::Metrics;
use crate::seal::Sealer;

/// The mail sender, built at ignition, started at liftoff.
struct WaitingSender(Mutex<Option<Sender>>);

/// `rocket` with the fairings that start the service; ignition fails, with
/// the reason logged, when the settings are invalid, the mail templates do
/// not load or the database cannot be opened. Mails link to `links`.
pub fn stage(rocket: Rocket<Build>, links: LinkPaths) -> Rocket<Build> {
    let ignite = AdHoc::try_on_ignite("auth-service", move |rocket| async move {
        let metrics = Metrics::new();
        match start(&rocket, links, &metrics).await {
            Ok((auth, sender, static_files)) => {
                let served = auth.settings().operations.metrics_address.is_some();
                let rocket = rocket
                    .manage(auth)
                    .manage(WaitingSender(Mutex::new(Some(sender))))
                    .mount("/static", static_files);
                Ok(match served {
                    true => rocket
                        .attach(RequestMetrics(metrics.requests.clone()))
                        .manage(metrics),
                    false => rocket,
                })
            }
            Err(error) => {
                log::error!("auth-service cannot start: {error}");
                Err(rocket)
            }
        }
    });
    let liftoff = AdHoc::on_liftoff("Mail sender, session sweeper and metrics", |rocket| {
        Box::pin(async move {
            if let Some(auth) = rocket.state::<Auth>() {
                tokio::spawn(auth.session_sweeper().run(rocket.shutdown()));
            }
            let waiting = rocket.state::<WaitingSender>();
            let sender = waiting.and_then(|waiting| waiting.0.lock().ok()?.take());
            if let Some(sender) = sender {
                tokio::spawn(sender.run(rocket.shutdown()));
            }
            let address = rocket
                .state::<Auth>()
                .and_then(|auth| auth.settings().operations.metrics_address);
            if let (Some(address), Some(metrics)) = (address, rocket.state::<Metrics>()) {
                super::metrics::serve(rocket, address, metrics.clone()).await;
            }
        })
    });
    rocket.attach(ignite).attach(liftoff)
}

/// `Auth` as the service builds it at ignition, from `rocket`'s
/// configuration, for a command that acts once (the admin command line):
/// the mail it writes waits in the outbox for a running server to send.
/// Why not, in words, when the configuration or the database fails.
pub async fn auth(rocket: &Rocket<Build>, links: LinkPaths) -> Result<Auth, String> {
    let (auth, _sender, _static_files) = start(rocket, links, &Metrics::new()).await?;
    Ok(auth)
}

/// The parts of the service, counting in `metrics`.
async fn start(
    rocket: &Rocket<Build>,
    links: LinkPaths,
    metrics: &Metrics,
) -> Result<(Auth, Sender, FileServer), String> {
    let settings = Settings::from_figment(rocket.figment())?;
    if !settings.static_dir.is_dir() {
        return Err(format!(
            "static_dir {} is not a directory",
            settings.static_dir.display()
        ));
    }
    let static_files = FileServer::from(&settings.static_dir);
    warn_of_insecure_settings(rocket, &settings);
    let db = DB::connect(rocket)
        .await
        .map_err(|error| format!("database: {error}"))?
        .counted_in(metrics.pool.clone());
    let (cost, queue) = (
        settings.passwords.bcrypt_cost,
        settings.passwords.hash_queue_limit,
    );
    let hasher = tokio::task::spawn_blocking(move || PasswordHasher::new(cost, queue))
        .await
        .map_err(|error| error.to_string())?
        .map_err(|error| error.to_string())?
        .counted_in(metrics.hashing.clone());

    let wake = Arc::new(Notify::new());
    let secret = secret_material(&settings)?;
    let sealer = Arc::new(Sealer::new(&secret, OUTBOX_KEY));
    let composer = Composer::new(
        &settings.template_dir,
        &settings.mail.from,
        &settings.public_url,
    )?;
    let mailer = Mailer::new(composer, sealer.clone(), wake.clone(), links);
    let smtp_url = settings
        .mail
        .smtp_url
        .as_ref()
        .and_then(|url| url.expose_str());
    let mut sender = Sender::new(
        db.clone(),
        Transport::new(smtp_url)?,
        sealer,
        &settings.mail.from,
        settings.mail.max_attempts,
        wake,
    )?;
    if settings.operations.metrics_address.is_some() {
        sender = sender.counted_in(metrics.mail.clone());
    }
    Ok((
        Auth::new(db, hasher, mailer, &secret, settings)?.counted_in(metrics.logins.clone()),
        sender,
        static_files,
    ))
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

/// In the release profile, says what the settings leave open.
fn warn_of_insecure_settings(rocket: &Rocket<Build>, settings: &Settings) {
    if rocket.figment().profile() != rocket::Config::RELEASE_PROFILE {
        return;
    }
    if settings.mail.reset_delivery == ResetDelivery::Response {
        log::warn!(
            "POST /reset_password returns the reset token in its body, as the original API \
             does: anyone who can reach it can reset any account's password. Keep it away \
             from the public, or set mail.reset_delivery = \"email\" (see README, Production)."
        );
    }
    if settings.mail.smtp_url.is_none() {
        log::warn!(
            "mail is not configured: mails (reset and verification links among them) are \
             written to standard error instead of being sent. Set mail.smtp_url (see README, \
             Production)."
        );
    }
}
