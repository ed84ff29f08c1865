//! The real server binary on a free loopback port, over a test `Store`.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::secrets::{self, RememberingJar};
use crate::support::Store;

/// A server process; killed when dropped.
pub struct Server {
    process: Child,
    base: String,
    log: PathBuf,
    /// The client that `wait_until_ready` asks.
    probe: reqwest::blocking::Client,
}

impl Server {
    /// Starts the binary over `store` (its working directory, where the
    /// secret key file is written, and its database) in the release
    /// profile, and waits until it answers. The binary is this build's, or
    /// the one `AUTH_SERVICE_BIN` names (a release build, say).
    pub fn start(store: &Store) -> Server {
        Server::start_with(store, &[])
    }

    /// `start`, with more `ROCKET_*` variables.
    pub fn start_with(store: &Store, variables: &[(&str, &str)]) -> Server {
        let mut server = Server::spawn(store, variables);
        server.wait_until_ready();
        server
    }

    /// `start`, serving HTTPS only, with `certificate`.
    pub fn start_tls(store: &Store, certificate: &TestCertificate) -> Server {
        let tls = format!(
            "{{certs=\"{}\",key=\"{}\"}}",
            certificate.certs.display(),
            certificate.key.display()
        );
        let mut server = Server::spawn(store, &[("ROCKET_TLS", &tls)]);
        server.base = server.base.replacen("http:", "https:", 1);
        server.probe = certificate.client();
        server.wait_until_ready();
        server
    }

    /// `start_with`, on `port`.
    pub fn start_on(store: &Store, port: u16, variables: &[(&str, &str)]) -> Server {
        let mut server = Server::spawn_on(store, port, variables);
        server.wait_until_ready();
        server
    }

    /// Starts the binary (through `.ci/serve`, as the benchmark and the
    /// fuzzer do) without waiting for it to answer.
    pub fn spawn(store: &Store, variables: &[(&str, &str)]) -> Server {
        Server::spawn_on(store, free_port(), variables)
    }

    /// `spawn`, on `port`.
    fn spawn_on(store: &Store, port: u16, variables: &[(&str, &str)]) -> Server {
        let log = store.dir.path().join(format!("server-{port}.log"));
        let output = File::create(&log).expect("a log file");
        let process = serve_command(store, port, variables)
            .stdout(output.try_clone().expect("a log file"))
            .stderr(output)
            .spawn()
            .expect("the server starts");
        Server {
            process,
            base: format!("http://127.0.0.1:{port}"),
            log,
            probe: reqwest::blocking::Client::new(),
        }
    }

    /// Waits (at most 60 s) until the server answers `GET /`.
    pub fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let answer = self.probe.get(&self.base).send();
            if answer.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("the server exited ({status}); its log:\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the server did not answer within 60 s; its log:\n{}",
            self.log()
        );
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.process.kill().expect("kill");
        self.process.wait().expect("wait");
    }
}

impl Drop for Server {
    /// Kills the server, and checks that its log holds no secret.
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        if !thread::panicking() {
            secrets::assert_none_in(&self.log());
        }
    }
}

/// `.ci/serve` over `store` on `port`, with more `ROCKET_*` `variables`:
/// the binary is this build's, or the one `AUTH_SERVICE_BIN` names (a
/// release build, say). Arguments added to it go to the binary.
pub fn serve_command(store: &Store, port: u16, variables: &[(&str, &str)]) -> Command {
    let binary = std::env::var("AUTH_SERVICE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_auth-service").to_owned());
    let mut command = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/serve"));
    command
        .arg(store.dir.path())
        .arg(port.to_string())
        .arg(&store.url)
        .env("AUTH_SERVICE_BIN", binary)
        .envs(variables.iter().copied());
    command
}

/// A TCP port free on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A client that keeps cookies (remembering their values as secrets) and,
/// like Python's requests in the original clients, is driven step by step:
/// it does not follow redirects itself.
pub fn client() -> reqwest::blocking::Client {
    client_builder().build().expect("an HTTP client")
}

/// The builder of [`client`], to add to.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    reqwest::blocking::Client::builder()
        .cookie_provider(Arc::new(RememberingJar::default()))
        .redirect(reqwest::redirect::Policy::none())
}

/// A self-signed certificate for 127.0.0.1, made for one test: its PEM
/// files are in the test's store, so no key is ever committed.
pub struct TestCertificate {
    /// The certificate chain (PEM).
    pub certs: PathBuf,
    /// The private key (PEM).
    pub key: PathBuf,
    pem: String,
}

impl TestCertificate {
    /// A new certificate and key, written into `store`.
    pub fn new(store: &Store) -> TestCertificate {
        let rcgen::CertifiedKey { cert, signing_key } =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
                .expect("a certificate");
        let (certs, key) = (
            store.dir.path().join("cert.pem"),
            store.dir.path().join("key.pem"),
        );
        std::fs::write(&certs, cert.pem()).expect("the certificate file");
        std::fs::write(&key, signing_key.serialize_pem()).expect("the key file");
        TestCertificate {
            certs,
            key,
            pem: cert.pem(),
        }
    }

    /// A [`client`] that speaks HTTPS only and trusts this certificate
    /// alone.
    pub fn client(&self) -> reqwest::blocking::Client {
        let root = reqwest::Certificate::from_pem(self.pem.as_bytes()).expect("a PEM certificate");
        client_builder()
            .https_only(true)
            .add_root_certificate(root)
            .build()
            .expect("an HTTPS client")
    }
}

/// `POST url` with `fields` as a urlencoded form (remembering the secrets
/// among them).
pub fn post(
    client: &reqwest::blocking::Client,
    url: String,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    send_form(client.post(url), fields)
}

/// `PUT url` with `fields` as a urlencoded form (remembering the secrets
/// among them).
pub fn put(
    client: &reqwest::blocking::Client,
    url: String,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    send_form(client.put(url), fields)
}

fn send_form(
    request: reqwest::blocking::RequestBuilder,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    for (name, value) in fields {
        secrets::remember_field(name, value);
    }
    request.form(fields).send().expect("an answer")
}

/// An application on a free loopback port: answers every request with
/// the request's head, so that a test sees what reached it (what a proxy
/// handed it, the address a browser was sent back to). Runs until the
/// test ends; its port.
pub fn echo_application() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("a stream"));
            let mut head = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                head.push_str(&line);
                line.clear();
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{head}",
                head.len()
            );
            let mut stream = stream;
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}
