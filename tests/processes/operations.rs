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
    let sink = SmtpSink::start();
    let variables = [
        ("ROCKET_METRICS_ADDRESS", metrics_address.as_str()),
        ("ROCKET_SMTP_URL", &sink.url()),
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
    let wrong = [("email", "counted@example.com"), ("password", "wrong")];
    for _ in 0..2 {
        let status = post(&browser, server.url("/sessions"), &wrong).status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
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
    // The sender counts a batch once the server has taken it.
    let sent = "auth_mails_total{outcome=\"sent\"} 1";
    let deadline = Instant::now() + Duration::from_secs(10);
    while !scrape().contains(sent) {
        assert!(Instant::now() < deadline, "{sent} not in\n{}", scrape());
        thread::sleep(Duration::from_millis(50));
    }
    let text = scrape();
    for line in [
        "auth_http_requests_total{route=\"/users\",method=\"POST\",status=\"200\"} 1",
        "auth_http_requests_total{route=\"/sessions\",method=\"POST\",status=\"401\"} 2",
        "auth_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 2",
        "auth_http_request_duration_seconds_count{route=\"/sessions\",method=\"POST\"} 3",
        "auth_logins_total{outcome=\"success\"} 1",
        "auth_logins_total{outcome=\"wrong\"} 2",
        "auth_password_hash_queue 0",
        "auth_password_hash_wait_seconds_count 4",
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
