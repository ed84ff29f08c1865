//! The service's metrics, in Prometheus's text format: what each part
//! counts (requests, logins, hashing, the database pool, mail), held in one
//! registry. Each part gets the handles it updates; updating is an atomic
//! add, so the parts count whether or not the metrics are served (see
//! `web::metrics`, and `operations.metrics_address`).

use std::sync::Arc;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit::Seconds};

/// The `Content-Type` of the text format.
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Every metric of the service, and the registry that names them.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub requests: Requests,
    pub logins: Logins,
    pub access: Tally,
    /// The OpenID Connect provider's events.
    pub provider: Tally,
    pub hashing: Hashing,
    pub pool: Pool,
    pub mail: Mail,
}

/// HTTP requests, by route (its path pattern, `/sessions/<id>`, so that
/// the label stays bounded), method and status.
#[derive(Clone)]
pub struct Requests {
    pub count: Family<RequestLabels, Counter>,
    pub duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Default for Requests {
    fn default() -> Self {
        Requests {
            count: Family::default(),
            duration: Family::new_with_constructor(latency_histogram),
        }
    }
}

/// The labels of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
}

/// The labels of a route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

/// Login attempts (the password step), by outcome.
#[derive(Clone, Default)]
pub struct Logins {
    count: Family<LoginLabels, Counter>,
}

/// How a login attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginOutcome {
    Success,
    /// A wrong password or one-time code, or an unknown email.
    Wrong,
    Throttled,
    /// The password is right; a second factor is asked for.
    SecondFactor,
    /// The password is right; the address is not verified.
    Unverified,
}

/// The label of a login.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct LoginLabels {
    outcome: &'static str,
}

impl Logins {
    /// Counts one login that ended as `outcome`.
    pub fn count(&self, outcome: LoginOutcome) {
        let outcome = match outcome {
            LoginOutcome::Success => "success",
            LoginOutcome::Wrong => "wrong",
            LoginOutcome::Throttled => "throttled",
            LoginOutcome::SecondFactor => "second_factor",
            LoginOutcome::Unverified => "unverified",
        };
        self.count.get_or_create(&LoginLabels { outcome }).inc();
    }
}

/// Counts of events by the value of one label: forward auth's decisions
/// (`decision`: `granted`, `log_in`, `second_factor`, `denied`), the
/// provider's (`event`: tokens issued by grant, a reuse detected).
#[derive(Clone)]
pub struct Tally {
    label: &'static str,
    count: Family<Vec<(&'static str, &'static str)>, Counter>,
}

impl Tally {
    /// Counts labelled `label`.
    pub fn new(label: &'static str) -> Self {
        Tally {
            label,
            count: Family::default(),
        }
    }

    /// Counts one event of the label's `value`.
    pub fn count(&self, value: &'static str) {
        self.count.get_or_create(&vec![(self.label, value)]).inc();
    }
}

/// Password hashing: how many requests wait for a hashing thread, and for
/// how long.
#[derive(Clone)]
pub struct Hashing {
    pub queued: Gauge,
    pub wait: Histogram,
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing {
            queued: Gauge::default(),
            wait: wait_histogram(),
        }
    }
}

/// The database pool: connections in use, and how long a query waits for
/// one.
#[derive(Clone)]
pub struct Pool {
    pub in_use: Gauge,
    pub wait: Histogram,
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            in_use: Gauge::default(),
            wait: wait_histogram(),
        }
    }
}

impl Pool {
    /// Records a wait for a connection that began at `since`, and counts
    /// the connection in use until the returned guard drops.
    pub fn checked_out(&self, since: Instant) -> InUse {
        self.wait.observe(since.elapsed().as_secs_f64());
        self.in_use.inc();
        InUse(self.in_use.clone())
    }
}

/// A connection counted in use while this lives.
pub struct InUse(Gauge);

impl Drop for InUse {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Mail: the outbox's depth, and mails by outcome.
#[derive(Clone, Default)]
pub struct Mail {
    pub outbox: Gauge,
    count: Family<MailLabels, Counter>,
}

/// What became of one attempt to send a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    Sent,
    /// To be tried again later.
    Deferred,
    /// Given up on.
    Failed,
}

/// The label of a mail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct MailLabels {
    outcome: &'static str,
}

impl Mail {
    /// Counts `attempts` that ended as `outcome`.
    pub fn count(&self, outcome: Delivery, attempts: usize) {
        let attempts = u64::try_from(attempts).unwrap_or(u64::MAX);
        let outcome = match outcome {
            Delivery::Sent => "sent",
            Delivery::Deferred => "deferred",
            Delivery::Failed => "failed",
        };
        self.count
            .get_or_create(&MailLabels { outcome })
            .inc_by(attempts);
    }
}

impl Metrics {
    /// Every metric, registered under the `auth_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("auth");
        let requests = Requests::default();
        let (logins, hashing, pool, mail): (Logins, Hashing, Pool, Mail) = Default::default();
        let (access, provider) = (Tally::new("decision"), Tally::new("event"));
        let Logins { count: login_count } = &logins;
        let Mail {
            outbox,
            count: mail_count,
        } = &mail;
        let r = &mut registry;
        r.register(
            "http_requests",
            "HTTP requests answered",
            requests.count.clone(),
        );
        let latency = requests.duration.clone();
        r.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request",
            Seconds,
            latency,
        );
        r.register("logins", "Login attempts, by outcome", login_count.clone());
        r.register(
            "forward_auth_decisions",
            "Forward-auth requests (may a session open a host), by decision",
            access.count.clone(),
        );
        r.register(
            "provider_events",
            "OpenID Connect provider: tokens issued by grant, codes and refresh tokens reused",
            provider.count.clone(),
        );
        let queued = hashing.queued.clone();
        r.register(
            "password_hash_queue",
            "Password hashes waiting for a hashing thread",
            queued,
        );
        let wait = hashing.wait.clone();
        r.register_with_unit(
            "password_hash_wait",
            "Time a hash waited for a thread",
            Seconds,
            wait,
        );
        r.register(
            "db_connections_in_use",
            "Database connections in use",
            pool.in_use.clone(),
        );
        let wait = pool.wait.clone();
        r.register_with_unit(
            "db_connection_wait",
            "Time a query waited for a connection",
            Seconds,
            wait,
        );
        r.register(
            "outbox_mails",
            "Mails waiting in the outbox",
            outbox.clone(),
        );
        r.register(
            "mails",
            "Attempts to send a mail, by outcome",
            mail_count.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            requests,
            logins,
            access,
            provider,
            hashing,
            pool,
            mail,
        }
    }

    /// Every metric in Prometheus's text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String does not fail");
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// A histogram of waits: 100 µs to about 3 min.
fn wait_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 4.0, 12))
}

/// A histogram of request latencies: 100 µs to about 52 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 2.0, 20))
}
