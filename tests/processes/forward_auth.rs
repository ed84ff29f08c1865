//! Forward auth behind a real nginx (`auth_request`, as the README's
//! snippet configures it): the server binary answers for
//! `auth.example.test`, and guards `app.example.test` (a login),
//! `admin.example.test` (a second factor) and `other.example.test` (no
//! rule), whose application is a small server here that echoes the headers
//! it receives. Every host is 127.0.0.1 to the client.
//!
//! Needs nginx (Debian's has `auth_request`): run with `--include-ignored`
//! where it is installed (`.ci/run` installs it; `NGINX` names another
//! binary than `/usr/sbin/nginx`).

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::thread;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;

use crate::server::{client_builder, echo_application, free_port, Server};
use crate::support::Store;

const EMAIL: &str = "barbara@example.com";
const PASSWORD: &str = "liskov substitution";

/// nginx in front of the service and the application; killed when
/// dropped.
struct Proxy {
    process: Child,
    port: u16,
}

impl Proxy {
    /// nginx on a free port, with the configuration of `nginx.conf` (the
    /// README's snippet) for the service on `service_port` and the
    /// application on `app_port`, its files in `store`.
    fn start(store: &Store, service_port: u16, app_port: u16) -> Proxy {
        let port = free_port();
        let dir = store.dir.path();
        let config = NGINX_CONF
            .replace("{dir}", &dir.display().to_string())
            .replace("{port}", &port.to_string())
            .replace("{service}", &format!("127.0.0.1:{service_port}"))
            .replace("{app}", &format!("127.0.0.1:{app_port}"));
        let file = dir.join("nginx.conf");
        std::fs::write(&file, config).expect("nginx.conf written");
        let binary = std::env::var("NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".to_owned());
        let error_log = dir.join("nginx-error.log");
        let process = Command::new(binary)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&file)
            .arg("-e")
            .arg(&error_log)
            .spawn()
            .expect("nginx starts (is it installed? see README, Testing)");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut proxy = Proxy { process, port };
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = proxy.process.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(&error_log).unwrap_or_default();
                panic!("nginx does not listen; its error log:\n{log}");
            }
            thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    /// `http://host:port/path`, through this proxy.
    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The nginx configuration of the test: the README's snippet for the
/// guarded hosts ("Sign in to other applications"), its files in `{dir}`.
const NGINX_CONF: &str = r#"
daemon off;
master_process off;
pid {dir}/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    fastcgi_temp_path {dir}/nginx-fastcgi;
    uwsgi_temp_path {dir}/nginx-uwsgi;
    scgi_temp_path {dir}/nginx-scgi;

    # The service itself.
    server {
        listen 127.0.0.1:{port};
        server_name auth.example.test;
        location / {
            proxy_pass http://{service};
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
        }
    }

    # The applications it guards.
    server {
        listen 127.0.0.1:{port};
        server_name app.example.test admin.example.test other.example.test;

        location = /internal/authz {
            internal;
            proxy_pass http://{service}/api/authz/auth-request;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Real-IP $remote_addr;
        }

        location / {
            auth_request /internal/authz;
            auth_request_set $auth_user $upstream_http_remote_user;
            auth_request_set $auth_email $upstream_http_remote_email;
            auth_request_set $auth_name $upstream_http_remote_name;
            auth_request_set $auth_groups $upstream_http_remote_groups;
            auth_request_set $login $upstream_http_location;
            error_page 401 =302 $login;

            proxy_set_header Remote-User $auth_user;
            proxy_set_header Remote-Email $auth_email;
            proxy_set_header Remote-Name $auth_name;
            proxy_set_header Remote-Groups $auth_groups;
            proxy_pass http://{app};
        }
    }
}
"#;

/// The service, its session cookie for `example.test`, behind nginx.
fn guarded() -> (Store, Server, Proxy) {
    let store = Store::new();
    let service_port = free_port();
    let app_port = echo_application();
    let public_url = format!("http://auth.example.test:{service_port}");
    // The public URL is nginx's port: set once nginx's port is known.
    let proxy = Proxy::start(&store, service_port, app_port);
    let public_url = public_url.replace(&service_port.to_string(), &proxy.port.to_string());
    let rules = "[{host=\"app.example.test\",policy=\"signed_in\"},\
                 {host=\"admin.example.test\",policy=\"two_factor\"}]";
    let server = Server::start_on(
        &store,
        service_port,
        &[
            ("ROCKET_PUBLIC_URL", &public_url),
            ("ROCKET_SESSIONS__COOKIE_DOMAIN", "example.test"),
            ("ROCKET_PROXY__TRUSTED", "[\"127.0.0.1\"]"),
            ("ROCKET_FORWARD_AUTH__RULES", rules),
            ("ROCKET_FORWARD_AUTH__ALLOW_HTTP", "true"),
        ],
    );
    (store, server, proxy)
}

/// A browser's client: every host of the test is nginx on 127.0.0.1.
fn browser(proxy: &Proxy) -> Client {
    let nginx = SocketAddr::from(([127, 0, 0, 1], proxy.port));
    let mut builder = client_builder();
    for host in [
        "auth.example.test",
        "app.example.test",
        "admin.example.test",
        "other.example.test",
    ] {
        builder = builder.resolve(host, nginx);
    }
    builder.build().expect("a client")
}

/// A browser of `EMAIL`, registered (not logged in).
fn registered(proxy: &Proxy) -> Client {
    let client = browser(proxy);
    let registered = client
        .post(proxy.url("auth.example.test", "/users"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(registered.status(), StatusCode::OK);
    client
}

/// `location` split into the address without its query, and its `rd`.
fn split_return(location: &reqwest::header::HeaderValue) -> (String, Option<String>) {
    let url = url::Url::parse(location.to_str().unwrap()).expect("an absolute URL");
    let rd = url.query_pairs().find(|(name, _)| name == "rd");
    let base = url
        .as_str()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    (base, rd.map(|(_, value)| value.into_owned()))
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Logs `EMAIL` in on the login page, going on to `next`: the answer.
fn log_in(client: &Client, proxy: &Proxy, next: &str) -> reqwest::blocking::Response {
    client
        .post(proxy.url("auth.example.test", "/sessions"))
        .header("Accept", "text/html")
        .form(&[("email", EMAIL), ("password", PASSWORD), ("next", next)])
        .send()
        .expect("a login")
}

#[test]
#[ignore = "needs nginx: installed by .ci/run (see README, Testing)"]
fn nginx_sends_a_stranger_to_log_in_and_hands_the_application_the_user() {
    let (_store, _server, proxy) = guarded();
    let client = registered(&proxy);

    // A stranger goes to the login page, which knows the way back.
    let reports = proxy.url("app.example.test", "/reports?year=2026");
    let stranger = browser(&proxy).get(&reports).send().unwrap();
    assert_eq!(stranger.status(), StatusCode::FOUND);
    let login = &stranger.headers()["location"];
    let expected = (
        proxy.url("auth.example.test", "/login"),
        Some(reports.clone()),
    );
    assert_eq!(split_return(login), expected);
    let page = client
        .get(login.to_str().unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    let next = format!("name=\"next\" value=\"{}\"", reports.replace('/', "&#x2F;"));
    assert!(page.contains(&next), "{page}");

    // Logged in, the person lands on the application, which learns who
    // they are; what a client writes in those headers itself is replaced.
    let response = log_in(&client, &proxy, &reports);
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], reports.as_str());
    let cookies = response.headers().get_all("set-cookie").iter();
    let session = cookies
        .filter_map(|cookie| cookie.to_str().ok())
        .find(|cookie| cookie.starts_with("session_id="))
        .expect("a session cookie");
    assert!(session.contains("Domain=example.test"), "{session}");
    let seen = client
        .get(&reports)
        .header("Remote-User", "mallory@example.com")
        .header("Remote-Groups", "admins")
        .send()
        .unwrap();
    assert_eq!(seen.status(), StatusCode::OK);
    let head = seen.text().unwrap();
    assert!(head.starts_with("GET /reports?year=2026 "), "{head}");
    let headers: Vec<&str> = head
        .lines()
        .filter(|line| line.to_ascii_lowercase().starts_with("remote-"))
        .collect();
    let user = format!("Remote-User: {EMAIL}");
    assert!(headers.contains(&user.as_str()), "{head}");
    assert!(!head.contains("mallory"), "{head}");
    assert!(!head.contains("admins"), "{head}");

    // No rule for a host: closed to everyone.
    let other = client
        .get(proxy.url("other.example.test", "/"))
        .send()
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
}

#[test]
#[ignore = "needs nginx: installed by .ci/run (see README, Testing)"]
fn a_foreign_return_address_is_refused_and_a_second_factor_is_asked_for() {
    let (_store, _server, proxy) = guarded();
    let client = registered(&proxy);

    for foreign in ["https://evil.example/", "http://example.test.evil.example/"] {
        let login = format!("/login?rd={}", encoded(foreign));
        let page = client
            .get(proxy.url("auth.example.test", &login))
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert!(!page.contains("name=\"next\""), "{foreign}: {page}");
        let response = log_in(&client, &proxy, foreign);
        assert_eq!(response.headers()["location"], "/profile", "{foreign}");
    }

    // A password is not enough for the admin host: on to the code step,
    // which, for an account without two-factor sign-in, says to set it up.
    let admin = proxy.url("admin.example.test", "/");
    let response = client.get(&admin).send().unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let step = &response.headers()["location"];
    let expected = (proxy.url("auth.example.test", "/login/code"), Some(admin));
    assert_eq!(split_return(step), expected);
    let response = client
        .get(step.to_str().unwrap())
        .header("Accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/profile");
}
