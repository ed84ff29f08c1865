//! The metrics on the web: every request counted and timed (by route,
//! method and status), and `GET /metrics` served on `operations.metrics_address`
//! only, a listener of its own, so that the metrics are never public by
//! accident. Without `operations.metrics_address` neither happens.

use std::net::SocketAddr;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::ContentType;
use rocket::{get, routes, Data, Orbit, Request, Response, Rocket, State};

use super::logging::{note_arrival, seconds_since_arrival};
use crate::metrics::{Metrics, RequestLabels, Requests, RouteLabels, CONTENT_TYPE};

/// Counts and times every request.
pub struct RequestMetrics(pub Requests);

/// The route label of requests no route matched.
const UNMATCHED: &str = "unmatched";

#[rocket::async_trait]
impl Fairing for RequestMetrics {
    fn info(&self) -> Info {
        Info {
            name: "Request metrics",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        note_arrival(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let seconds = seconds_since_arrival(request);
        let route = request
            .route()
            .map_or(UNMATCHED, |route| route.uri.path())
            .to_owned();
        let method = request.method().as_str().to_owned();
        let duration = RouteLabels {
            route: route.clone(),
            method: method.clone(),
        };
        self.0.duration.get_or_create(&duration).observe(seconds);
        let count = RequestLabels {
            route,
            method,
            status: response.status().code,
        };
        self.0.count.get_or_create(&count).inc();
    }
}

/// Every metric, in Prometheus's text format.
#[get("/metrics")]
fn metrics(metrics: &State<Metrics>) -> (ContentType, String) {
    let content_type = ContentType::parse_flexible(CONTENT_TYPE).unwrap_or(ContentType::Plain);
    (content_type, metrics.encode())
}

/// Serves `GET /metrics` from `metrics` on `address`, beside `server`,
/// until `server` shuts down. A failure to bind is logged; the service
/// itself goes on.
pub async fn serve(server: &Rocket<Orbit>, address: SocketAddr, metrics: Metrics) {
    let main = server.config();
    let config = rocket::Config {
        address: address.ip(),
        port: address.port(),
        log_level: main.log_level,
        secret_key: main.secret_key.clone(),
        cli_colors: main.cli_colors,
        shutdown: rocket::config::Shutdown {
            ctrlc: false,
            #[cfg(unix)]
            signals: Default::default(),
            ..main.shutdown.clone()
        },
        ..rocket::Config::default()
    };
    let listener = rocket::custom(config)
        .mount("/", routes![metrics])
        .manage(metrics);
    let listener = match listener.ignite().await {
        Ok(listener) => listener,
        Err(error) => {
            log::error!("the metrics cannot be served: {}", error.pretty_print());
            return;
        }
    };
    let stop = listener.shutdown();
    let shutdown = server.shutdown();
    tokio::spawn(async move {
        shutdown.await;
        stop.notify();
    });
    tokio::spawn(async move {
        if let Err(error) = listener.launch().await {
            log::error!("the metrics cannot be served: {}", error.pretty_print());
        }
    });
}
