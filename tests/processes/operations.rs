//! The metrics of a real server, on an address of their own.

use std::thread;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::server::{client, free_port, post, Server};
use crate::support::smtp::SmtpSink;
use crate::support::Store;

#[test]
fn metrics_are_served_on_their_own_address_only() {
    let store = Store::new();
    let metrics_address = format!("127.0.0.1:{}", free_port());
    let sink = SmtpSink::refusing(&["refused@example.com"]);
    let variables = [
        (
            "ROCKET_OPERATIONS__METRICS_ADDRESS",
            metrics_address.as_str(),
        ),
        ("ROCKET_MAIL__SMTP_URL", &sink.url()),
        ("ROCKET_MAIL__MAX_ATTEMPTS", "1"),
        ("ROCKET_LOGIN_LIMITS__FREE_ATTEMPTS", "2"),
    ];
    let server = Server::start_with(&store, &variables);
    let browser = client();
    let credentials = [
        ("email", "counted@example.com"),
        ("password", "one two three four"),
    ];
    assert_eq!(
        post(&browser, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&browser, server.url("/sessions"), &credentials).status(),
        StatusCode::OK
    );
    // A mail the server refuses, tried once (`mail_max_attempts`), fails.
    let refused = [
        ("email", "refused@example.com"),
        ("password", "one two three four"),
    ];
    assert_eq!(
        post(&browser, server.url("/users"), &refused).status(),
        StatusCode::OK
    );
    let wrong = [("email", "counted@example.com"), ("password", "wrong")];
    // From a client without a device cookie: the two free failures
    // (`login_free_attempts`)...
    let stranger = client();
    for _ in 0..2 {
        let status = post(&stranger, server.url("/sessions"), &wrong).status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // ...then the next guess waits, unchecked.
    let throttled = post(&stranger, server.url("/sessions"), &wrong).status();
    assert_eq!(throttled, StatusCode::TOO_MANY_REQUESTS);
    let session = browser.get(server.url("/sessions/abc")).send().unwrap();
    assert_eq!(session.status(), StatusCode::NOT_FOUND);

    sink.wait_for("counted@example.com", 1); // the verification link
    let public = browser.get(server.url("/metrics")).send().unwrap();
    assert_eq!(
        public.status(),
        StatusCode::NOT_FOUND,
        "not on the service's address"
    );

    let scrape = || {
        let response = browser
            .get(format!("http://{metrics_address}/metrics"))
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        response.text().unwrap()
    };
    // The sender counts a batch once the server has answered for it.
    let settled = [
        "auth_mails_total{outcome=\"sent\"} 1",
        "auth_mails_total{outcome=\"failed\"} 1",
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !settled.iter().all(|line| scrape().contains(line)) {
        assert!(
            Instant::now() < deadline,
            "{settled:?} not in\n{}",
            scrape()
        );
        thread::sleep(Duration::from_millis(50));
    }
    let text = scrape();
    for line in [
        "auth_http_requests_total{route=\"/users\",method=\"POST\",status=\"200\"} 2",
        "auth_http_requests_total{route=\"/sessions\",method=\"POST\",status=\"401\"} 2",
        "auth_http_requests_total{route=\"/sessions\",method=\"POST\",status=\"429\"} 1",
        "auth_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 2",
        "auth_http_request_duration_seconds_count{route=\"/sessions\",method=\"POST\"} 4",
        "auth_logins_total{outcome=\"success\"} 1",
        "auth_logins_total{outcome=\"wrong\"} 2",
        "auth_logins_total{outcome=\"throttled\"} 1",
        "auth_password_hash_queue 0",
        "auth_password_hash_wait_seconds_count 5",
        "auth_db_connections_in_use 0",
        "# TYPE auth_db_connection_wait_seconds histogram",
        "auth_outbox_mails 0",
    ] {
        assert!(
            text.lines().any(|shown| shown == line),
            "{line} not in\n{text}"
        );
    }
    assert!(
        !text.contains("counted@example.com"),
        "no address in the metrics"
    );
}
