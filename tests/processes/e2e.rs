//! The real server binary on a loopback port, driven over HTTP as the
//! original clients drive it.

use std::thread;

use reqwest::StatusCode;

use crate::server::{client, post, put, Server, TestCertificate};
use crate::support::Store;

#[test]
fn the_original_flow() {
    let store = Store::new();
    let server = Server::start(&store);
    let client = client();
    let email = "guillaume@holberton.io";
    let (password, new_password) = ("b4l0u-holberton", "t4rt1fl3tt3");
    let credentials = [("email", email), ("password", password)];

    let response = post(&client, server.url("/users"), &credentials);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"user created\"}}\n")
    );
    let response = post(&client, server.url("/users"), &credentials);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().unwrap(),
        "{\"message\":\"email already registered\"}\n"
    );

    let wrong = [("email", email), ("password", "wrong")];
    assert_eq!(
        post(&client, server.url("/sessions"), &wrong).status(),
        StatusCode::UNAUTHORIZED
    );
    let response = client.get(server.url("/profile")).send().unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = post(&client, server.url("/sessions"), &credentials);
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .cookies()
        .any(|cookie| cookie.name() == "session_id"));
    assert_eq!(
        response.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"logged in\"}}\n")
    );
    let response = client.get(server.url("/profile")).send().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().unwrap(),
        format!("{{\"email\":\"{email}\"}}\n")
    );

    // Python's requests follows a 302 with a GET, whatever the method was
    // (reqwest would repeat the DELETE), so follow it here as requests does.
    let response = client.delete(server.url("/sessions")).send().unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/");
    let response = client.get(server.url(&location)).send().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().unwrap(), "{\"message\":\"Bienvenue\"}\n");
    assert_eq!(
        client.get(server.url("/profile")).send().unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let response = post(&client, server.url("/reset_password"), &[("email", email)]);
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = response.json().unwrap();
    assert_eq!(json["email"], email);
    let token = json["reset_token"].as_str().unwrap().to_owned();

    let update = [
        ("email", email),
        ("reset_token", &token),
        ("new_password", new_password),
    ];
    let response = put(&client, server.url("/reset_password"), &update);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"Password updated\"}}\n")
    );

    let new_credentials = [("email", email), ("password", new_password)];
    assert_eq!(
        post(&client, server.url("/sessions"), &new_credentials).status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&client, server.url("/sessions"), &credentials).status(),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn registrations_and_sessions_survive_kill_9() {
    let store = Store::new();
    let client = client();
    let credentials = [("email", "durable@example.com"), ("password", "still here")];

    let mut server = Server::start(&store);
    assert_eq!(
        post(&client, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&client, server.url("/sessions"), &credentials).status(),
        StatusCode::OK
    );
    server.kill();

    let server = Server::start(&store);
    let response = client.get(server.url("/profile")).send().unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the session survived the restart"
    );
    assert_eq!(
        post(&client, server.url("/sessions"), &credentials).status(),
        StatusCode::OK
    );
}

#[test]
fn concurrent_clients_never_see_a_database_error() {
    let store = Store::new();
    // Every client here comes from 127.0.0.1: lift the per-address limits.
    let server = Server::start_with(
        &store,
        &[
            ("ROCKET_LOGIN_LIMITS__IP_ATTEMPTS_PER_MINUTE", "0"),
            ("ROCKET_LOGIN_LIMITS__REGISTRATIONS_PER_HOUR", "0"),
        ],
    );
    let workers: Vec<_> = (0..24)
        .map(|n| {
            let (users, sessions, profile) = (
                server.url("/users"),
                server.url("/sessions"),
                server.url("/profile"),
            );
            thread::spawn(move || {
                let client = client();
                let email = format!("user{n}@example.com");
                let credentials = [("email", email.as_str()), ("password", "parallel requests")];
                let mut statuses = vec![post(&client, users, &credentials).status()];
                for _ in 0..3 {
                    statuses.push(post(&client, sessions.clone(), &credentials).status());
                    statuses.push(client.get(&profile).send().unwrap().status());
                }
                statuses
            })
        })
        .collect();
    for worker in workers {
        let statuses = worker.join().unwrap();
        assert!(
            statuses.iter().all(|status| *status == StatusCode::OK),
            "{statuses:?}"
        );
    }
}

#[test]
fn login_attempts_are_logged_without_passwords() {
    let store = Store::new();
    let mut server = Server::start_with(&store, &[("ROCKET_LOG_LEVEL", "normal")]);
    let client = client();
    let (email, password) = ("audited@example.com", "the secret itself");
    post(
        &client,
        server.url("/users"),
        &[("email", email), ("password", password)],
    );
    let wrong = "a wrong guess";
    post(
        &client,
        server.url("/sessions"),
        &[("email", email), ("password", wrong)],
    );
    post(
        &client,
        server.url("/sessions"),
        &[("email", email), ("password", password)],
    );
    // Without mail.smtp_url, the verification mail is written to the log.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log().contains("Subject: Confirm your email address") {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.kill();

    let log = server.log();
    assert!(
        log.contains("mail to \"audited@example.com\" (mail.smtp_url is not set, so it is logged"),
        "{log}"
    );
    assert!(log.contains("/verify_email?token="), "the link: {log}");
    assert!(
        log.contains("mail is not configured: mails (reset and verification links among them)"),
        "the release warning: {log}"
    );
    assert!(
        log.contains("login failed for \"audited@example.com\" from 127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("login succeeded for \"audited@example.com\" from 127.0.0.1"),
        "{log}"
    );
    assert!(
        log.contains("returns the reset token in its body"),
        "the release warning: {log}"
    );
    assert!(!log.contains(password) && !log.contains(wrong), "{log}");
}

#[test]
fn json_requests_leave_no_warning_in_a_critical_log() {
    let store = Store::new();
    let mut server = Server::start_with(&store, &[("ROCKET_LOG_LEVEL", "critical")]);
    let client = client();
    let fields = [
        ("email", "quiet@example.com"),
        ("password", "a quiet passphrase"),
    ];
    assert_eq!(
        post(&client, server.url("/users"), &fields).status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&client, server.url("/sessions"), &fields).status(),
        StatusCode::OK
    );
    let profile = client
        .get(server.url("/profile"))
        .send()
        .expect("an answer");
    assert_eq!(profile.status(), StatusCode::OK);
    assert_eq!(
        profile.text().unwrap(),
        "{\"email\":\"quiet@example.com\"}\n"
    );
    server.kill();

    // The page routes of these paths let JSON clients through silently.
    let log = server.log();
    assert!(!log.contains("forwarding"), "{log}");
}

#[test]
fn over_https_the_session_cookie_is_secure_and_hsts_is_sent() {
    let store = Store::new();
    let certificate = TestCertificate::new(&store);
    let server = Server::start_tls(&store, &certificate);
    let client = certificate.client();
    let fields = [
        ("email", "tls@example.com"),
        ("password", "a passphrase sent encrypted"),
    ];
    assert_eq!(
        post(&client, server.url("/users"), &fields).status(),
        StatusCode::OK
    );

    let response = post(&client, server.url("/sessions"), &fields);
    assert_eq!(response.status(), StatusCode::OK);
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let cookie = response
        .cookies()
        .find(|cookie| cookie.name() == "session_id")
        .expect("a session cookie");
    assert!(cookie.secure() && cookie.http_only());

    // The Secure cookie goes back over HTTPS and opens the profile.
    let profile = client.get(server.url("/profile")).send().unwrap();
    assert_eq!(profile.text().unwrap(), "{\"email\":\"tls@example.com\"}\n");

    // Nothing is served in clear text on that port.
    let clear = server.url("/").replacen("https:", "http:", 1);
    assert!(reqwest::blocking::get(clear).is_err());
}

#[test]
fn without_smtp_url_a_mail_reaches_standard_error_whatever_the_log_level() {
    let store = Store::new();
    // What an operator gets outside the checkout: no Rocket.toml, and the
    // release profile's log level.
    let mut server = Server::start_with(&store, &[("ROCKET_LOG_LEVEL", "critical")]);
    let credentials = [
        ("email", "quiet@example.com"),
        ("password", "a quiet start"),
    ];
    let registered = post(&client(), server.url("/users"), &credentials);
    assert_eq!(registered.status(), StatusCode::OK);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log().contains("Subject: Confirm your email address") {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.kill();
    assert!(server.log().contains("/verify_email?token="));
}
