//! What happens once, as the server ignites: the service built (see
//! [`crate::service`]), `Auth` managed, the static folder mounted, requests
//! counted if metrics are served; and at liftoff,
//! the mail sender and the session sweeper started and the metrics served
//! on their own address (all stop with the server).

use std::sync::Mutex;

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};

use super::metrics::RequestMetrics;
use crate::auth::Auth;
use crate::config::{ResetDelivery, Settings};
use crate::mail::{LinkPaths, Sender};
use crate::metrics::Metrics;
use crate::service::Service;

/// The mail sender, built at ignition, started at liftoff.
struct WaitingSender(Mutex<Option<Sender>>);

/// `rocket` with the fairings that start the service; ignition fails, with
/// the reason logged, when the settings are invalid, the mail templates do
/// not load or the database cannot be opened. Mails link to `links`.
pub fn stage(rocket: Rocket<Build>, links: LinkPaths) -> Rocket<Build> {
    let ignite = AdHoc::try_on_ignite("auth-service", move |rocket| async move {
        let metrics = Metrics::new();
        match start(&rocket, links, &metrics).await {
            Ok((Service { auth, sender }, static_files)) => {
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

/// The parts of the service, counting in `metrics`, and the static folder
/// to serve.
async fn start(
    rocket: &Rocket<Build>,
    links: LinkPaths,
    metrics: &Metrics,
) -> Result<(Service, FileServer), String> {
    let service = Service::build(rocket, links, metrics).await?;
    let settings = service.auth.settings();
    if !settings.static_dir.is_dir() {
        return Err(format!(
            "static_dir {} is not a directory",
            settings.static_dir.display()
        ));
    }
    warn_of_insecure_settings(rocket, settings);
    let static_files = FileServer::from(&settings.static_dir);
    Ok((service, static_files))
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
