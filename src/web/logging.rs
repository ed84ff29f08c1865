//! The service's log: readable lines by default, or one JSON object per line
//! (`log_format = "json"` under `[default.operations]`) for log collectors.
//! Its format and level are read from the configuration before Rocket
//! ignites (the logger must exist before anything logs), the rest of the
//! settings once at ignition. One line per request (its
//! method, path without the query, status, duration and client address),
//! never for the health checks; Rocket's own account of each request, which
//! prints the whole URI (and so the tokens of links), is left out.
//! Nothing here ever holds a password, a token or a session id: requests
//! are logged by path, and the service logs addresses and outcomes only.

use std::io::Write;
use std::time::Instant;

use super::client::client_address;
use crate::config::LogFormat;
use log::kv::{Key, Value, VisitSource};
use log::{Level, LevelFilter, Log, Metadata, Record};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::{Data, Request, Response};

/// The target of request lines.
const REQUEST: &str = "request";

/// Installs the service's logger, in the `operations.log_format` (or its
/// old flat name) and at the `log_level` of `figment` (an invalid format is
/// reported when the settings are read; meanwhile lines are text). Call it before building
/// the server: Rocket then keeps this logger instead of its own.
pub fn install(figment: &Figment) {
    let (figment, _) = crate::config::with_aliases(figment.clone());
    let format = figment
        .extract_inner::<LogFormat>("operations.log_format")
        .unwrap_or_default();
    let level = figment
        .extract_inner::<rocket::config::LogLevel>("log_level")
        .map_or(LevelFilter::Info, LevelFilter::from);
    if log::set_boxed_logger(Box::new(ServiceLogger { format })).is_ok() {
        log::set_max_level(level);
    }
}

/// Writes each record as one line on standard output.
struct ServiceLogger {
    format: LogFormat,
}

impl Log for ServiceLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) || is_noise(record) {
            return;
        }
        let line = match self.format {
            LogFormat::Text => text_line(record),
            LogFormat::Json => json_line(record),
        };
        // A closed standard output loses the line, and nothing else.
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}

/// Whether `record` is Rocket's own account of a request (this module
/// writes one line instead) or a library's debugging detail.
fn is_noise(record: &Record<'_>) -> bool {
    let module = record.module_path().unwrap_or_default();
    let detail = ["hyper", "rustls", "r2d2"]
        .iter()
        .any(|library| module.starts_with(library));
    if detail && log::max_level() < LevelFilter::Trace {
        return true;
    }
    if !record.target().starts_with("rocket::server") {
        return false;
    }
    // Handler panics and failed catchers stay: errors not about one
    // request's URI.
    let kept_error = record.level() == Level::Error
        && !record.args().to_string().starts_with("No matching routes");
    !kept_error
}

/// `record` as Rocket writes it: "Error: ..." or "Warning: ..." or the
/// message, indented details after ">>".
fn text_line(record: &Record<'_>) -> String {
    let indent = if record.target().ends_with('_') {
        "   >> "
    } else {
        ""
    };
    let prefix = match record.level() {
        Level::Error if indent.is_empty() => "Error: ",
        Level::Warn if indent.is_empty() && !record.target().contains("rocket::launch") => {
            "Warning: "
        }
        _ => "",
    };
    format!("{indent}{prefix}{}", record.args())
}

/// `record` as one JSON object.
fn json_line(record: &Record<'_>) -> String {
    let mut object = serde_json::Map::new();
    let time = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    object.insert("time".to_owned(), time.into());
    // Rocket's launch messages are information, whatever their level.
    let level = match record.target().contains("rocket::launch") {
        true => Level::Info,
        false => record.level(),
    };
    object.insert("level".to_owned(), level.as_str().into());
    object.insert("target".to_owned(), record.target().into());
    object.insert("message".to_owned(), record.args().to_string().into());
    let mut fields = Fields(&mut object);
    let _ = record.key_values().visit(&mut fields);
    serde_json::Value::Object(object).to_string()
}

/// Copies a record's fields into a JSON object.
struct Fields<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        let value = match (value.to_u64(), value.to_f64()) {
            (Some(number), _) => number.into(),
            (None, Some(number)) => number.into(),
            (None, None) => value.to_string().into(),
        };
        self.0.insert(key.to_string(), value);
        Ok(())
    }
}

/// Logs one line per request, except on its quiet paths.
pub struct RequestLog {
    /// Paths never logged (the health checks, asked every few seconds).
    pub quiet: &'static [&'static str],
}

/// When a request came in.
struct Received(Instant);

/// Notes when `request` came in (once, whichever fairing asks first).
pub fn note_arrival(request: &Request<'_>) {
    request.local_cache(|| Received(Instant::now()));
}

/// How long since `request` came in, in seconds.
pub fn seconds_since_arrival(request: &Request<'_>) -> f64 {
    let Received(received) = request.local_cache(|| Received(Instant::now()));
    received.elapsed().as_secs_f64()
}

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "Request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        note_arrival(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let path = request.uri().path().as_str();
        if !log::log_enabled!(target: REQUEST, Level::Info) || self.quiet.contains(&path) {
            return;
        }
        let milliseconds = seconds_since_arrival(request) * 1000.0;
        let duration_ms = (milliseconds * 1000.0).round() / 1000.0;
        let method = request.method().as_str();
        let status = response.status().code;
        let client =
            client_address(request).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        log::info!(
            target: REQUEST,
            method, path, status, duration_ms, client = client.as_str();
            "{method} {path} {status} ({duration_ms} ms) from {client}"
        );
    }
}
