//! The real server binary on a loopback port, driven over HTTP as the
//! original clients drive it.

use std::fs::File;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command};
use std::thread;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;

/// A server process; killed when dropped.
struct Server {
    process: Child,
    base: String,
}

impl Server {
    /// Starts the binary in `dir` (its database and secret key file live
    /// there) in the release profile, and waits until it answers.
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// `start`, with more `ROCKET_*` variables.
    fn start_with(dir: &Path, variables: &[(&str, &str)]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let database = dir.join("auth.db");
        let log = File::create(dir.join("server.log")).expect("a log file");
        let process = Command::new(env!("CARGO_BIN_EXE_auth-service"))
            .current_dir(dir)
            .env("ROCKET_PROFILE", "release")
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_BCRYPT_COST", "4")
            .env(
                "ROCKET_TEMPLATE_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            )
            .env(
                "ROCKET_STATIC_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/static"),
            )
            .env(
                "ROCKET_DATABASES",
                format!("{{auth={{url=\"{}\"}}}}", database.display()),
            )
            .envs(variables.iter().copied())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the server starts");
        let mut server = Server {
            process,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_ready(dir);
        server
    }

    fn wait_until_ready(&mut self, dir: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if reqwest::blocking::get(&self.base).is_ok_and(|r| r.status().is_success()) {
                return;
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                panic!("the server exited ({status}); its log:\n{log}");
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not answer within 60 s");
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `kill -9`.
    fn kill(mut self) {
        self.process.kill().expect("kill");
        self.process.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A client that keeps cookies and, like the original clients' tests here,
/// does not follow redirects on its own.
fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn post(client: &Client, url: String, fields: &[(&str, &str)]) -> reqwest::blocking::Response {
    client.post(url).form(fields).send().unwrap()
}

#[test]
fn the_original_flow() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
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
    let response = client
        .put(server.url("/reset_password"))
        .form(&update)
        .send()
        .unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let client = client();
    let credentials = [("email", "durable@example.com"), ("password", "still here")];

    let server = Server::start(dir.path());
    assert_eq!(
        post(&client, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );
    assert_eq!(
        post(&client, server.url("/sessions"), &credentials).status(),
        StatusCode::OK
    );
    server.kill();

    let server = Server::start(dir.path());
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
    let dir = tempfile::tempdir().unwrap();
    // Every client here comes from 127.0.0.1: lift the per-address limit.
    let server = Server::start_with(dir.path(), &[("ROCKET_LOGIN_IP_ATTEMPTS_PER_MINUTE", "0")]);
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
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("ROCKET_LOG_LEVEL", "normal")]);
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
    server.kill();

    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
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
