//! The server's log, in both formats: one line per request (health checks
//! aside), and never a password, a token or a session id.

use reqwest::blocking::Client;
use reqwest::header::SET_COOKIE;
use reqwest::StatusCode;

use crate::secrets::mailed_token;
use crate::server::{client, post, put, Server};
use crate::support::smtp::SmtpSink;
use crate::support::Store;

const EMAIL: &str = "logged@example.com";
const PASSWORD: &str = "a passphrase never logged";
const NEW_PASSWORD: &str = "another passphrase never logged";

/// Runs a whole account's life against a server logging in `format`;
/// its log, and every secret that went over the wire.
fn logged_life(format: &str) -> (String, Vec<String>) {
    let store = Store::new();
    let sink = SmtpSink::start();
    let variables = [
        ("ROCKET_OPERATIONS__LOG_FORMAT", format),
        ("ROCKET_LOG_LEVEL", "normal"),
        ("ROCKET_MAIL__SMTP_URL", &sink.url()),
        ("ROCKET_MAIL__RESET_DELIVERY", "email"),
    ];
    let server = Server::start_with(&store, &variables);
    let browser = client();
    let mut secrets = vec![PASSWORD.to_owned(), NEW_PASSWORD.to_owned()];
    let credentials = [("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(
        post(&browser, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );
    let login = post(&browser, server.url("/sessions"), &credentials);
    assert_eq!(login.status(), StatusCode::OK);
    secrets.extend(cookie_values(&login));
    let verification = token(&sink, "Confirm your email address", "/verify_email");
    let verified = browser
        .get(server.url(&format!("/verify_email?token={verification}")))
        .send()
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);
    secrets.push(verification);
    for path in ["/profile", "/health/alive", "/health/ready"] {
        let response = browser.get(server.url(path)).send().unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }

    let asked = post(
        &Client::new(),
        server.url("/reset_password"),
        &[("email", EMAIL)],
    );
    assert_eq!(asked.status(), StatusCode::OK);
    let reset = token(&sink, "Reset your password", "/reset_password");
    let update = [
        ("email", EMAIL),
        ("reset_token", reset.as_str()),
        ("new_password", NEW_PASSWORD),
    ];
    let updated = put(&Client::new(), server.url("/reset_password"), &update);
    assert_eq!(updated.status(), StatusCode::OK);
    secrets.push(reset);
    (server.log(), secrets)
}

/// The token of the link to `path` in the mail `subject` to `EMAIL`.
fn token(sink: &SmtpSink, subject: &str, path: &str) -> String {
    mailed_token(&sink.wait_for_subject(EMAIL, subject), path)
}

/// The values of the cookies `response` sets.
fn cookie_values(response: &reqwest::blocking::Response) -> Vec<String> {
    let headers = response.headers().get_all(SET_COOKIE).iter();
    headers
        .map(|header| {
            let pair = header.to_str().unwrap().split(';').next().unwrap();
            pair.split_once('=').unwrap().1.to_owned()
        })
        .collect()
}

fn assert_no_secret(log: &str, secrets: &[String]) {
    assert!(secrets.len() >= 6, "{secrets:?}");
    for secret in secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{secret:?} in the log:\n{log}"
        );
    }
}

#[test]
fn json_logs_hold_one_object_per_line_a_line_per_request_and_no_secret() {
    let (log, secrets) = logged_life("json");
    assert_no_secret(&log, &secrets);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    for line in &lines {
        for key in ["time", "level", "message"] {
            assert!(line[key].is_string(), "{key} in {line}");
        }
    }
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["target"] == "request")
        .collect();
    let verify = requests
        .iter()
        .find(|line| line["path"] == "/verify_email")
        .expect("the verification request");
    assert_eq!(verify["method"], "GET");
    assert_eq!(verify["status"], 200);
    assert_eq!(verify["client"], "127.0.0.1");
    assert!(verify["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert!(requests.iter().any(|line| line["path"] == "/profile"));
    assert!(
        requests
            .iter()
            .all(|line| !line["path"].as_str().unwrap().starts_with("/health")),
        "health checks are not logged"
    );
}

#[test]
fn text_logs_are_readable_lines_with_no_secret() {
    let (log, secrets) = logged_life("text");
    assert_no_secret(&log, &secrets);
    assert!(
        log.lines()
            .any(|line| line.starts_with("GET /verify_email 200 (")
                && line.ends_with(" ms) from 127.0.0.1")),
        "{log}"
    );
    assert!(log.contains("login succeeded for \"logged@example.com\" from 127.0.0.1"));
    assert!(
        !log.lines().any(|line| line.starts_with("GET /health/")),
        "health checks are not logged"
    );
}

#[test]
fn a_setting_under_its_flat_name_of_the_release_before_still_counts_and_is_warned_of() {
    let store = Store::new();
    let sink = SmtpSink::start();
    let variables = [
        ("ROCKET_LOG_LEVEL", "normal"),
        ("ROCKET_SMTP_URL", &sink.url()),
    ];
    let server = Server::start_with(&store, &variables);
    let credentials = [("email", EMAIL), ("password", PASSWORD)];
    let registered = post(&client(), server.url("/users"), &credentials);
    assert_eq!(registered.status(), StatusCode::OK);
    sink.wait_for_subject(EMAIL, "Confirm your email address");
    let log = server.log();
    assert!(
        log.contains("the setting smtp_url is now mail.smtp_url"),
        "{log}"
    );
}
