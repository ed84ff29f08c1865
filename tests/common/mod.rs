//! Shared by the integration tests: a service on a temporary SQLite file,
//! request bodies in each encoding, and look-ups of what the database holds.
#![allow(dead_code)] // each test crate uses its own part

use std::path::{Path, PathBuf};

use auth_service::db::{AuthPool, UserQuery, DB};
use auth_service::user::User;
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::serde::json::Value;
use tempfile::TempDir;

/// A secret key for tests that need one fixed (512 bits, base64).
pub const SECRET_KEY: &str =
    "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk4HU5uVkf0Ut8rgNUHvrAkB3Z1cUE3kTr3qiVpO2GTTQ==";

/// The configuration of a test service whose files live in `dir`: cheap
/// bcrypt, a fixed secret key, no logging.
pub fn figment(dir: &Path) -> Figment {
    rocket::Config::figment()
        .merge(("databases.auth.url", database_path(dir)))
        .merge(("bcrypt_cost", 4))
        .merge(("secret_key", SECRET_KEY))
        .merge(("log_level", "off"))
}

/// The SQLite file of a test service whose files live in `dir`.
pub fn database_path(dir: &Path) -> PathBuf {
    dir.join("auth.db")
}

/// A running service over its own temporary database.
pub struct TestApp {
    pub client: Client,
    pub dir: TempDir,
}

impl TestApp {
    /// The service with the test configuration.
    pub async fn new() -> Self {
        TestApp::with(|figment| figment).await
    }

    /// The service with the test configuration changed by `configure`.
    pub async fn with(configure: impl FnOnce(Figment) -> Figment) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestApp::start(dir, configure).await
    }

    /// A new service over this one's files (database included), as after a
    /// restart.
    pub async fn restart(self, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let TestApp { client, dir } = self;
        drop(client.terminate().await);
        TestApp::start(dir, configure).await
    }

    async fn start(dir: TempDir, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let rocket = auth_service::build(configure(figment(dir.path())));
        let client = Client::tracked(rocket).await.expect("the service starts");
        TestApp { client, dir }
    }

    /// The service's `Auth`.
    pub fn auth(&self) -> &auth_service::auth::Auth {
        self.client.rocket().state().expect("Auth is managed")
    }

    /// Direct access to the service's database, to check what it holds.
    pub async fn db(&self) -> DB {
        DB::connect(self.client.rocket())
            .await
            .expect("the database")
    }

    /// The stored user `email` (normalized), if any.
    pub async fn stored_user(&self, email: &str) -> Option<User> {
        self.db()
            .await
            .find_user_by(UserQuery::Email(email.to_lowercase()))
            .await
            .ok()
    }

    /// Sends `fields` to `method path` in `encoding`.
    pub async fn send(
        &self,
        method: rocket::http::Method,
        path: &str,
        encoding: Encoding,
        fields: &[(&str, &str)],
    ) -> LocalResponse<'_> {
        let (content_type, body) = encoding.encode(fields);
        self.client
            .req(method, path.to_owned())
            .header(content_type)
            .body(body)
            .dispatch()
            .await
    }

    /// `POST path` with `fields` as a urlencoded form.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        self.send(rocket::http::Method::Post, path, Encoding::Form, fields)
            .await
    }

    /// `PUT path` with `fields` as a urlencoded form.
    pub async fn put(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        self.send(rocket::http::Method::Put, path, Encoding::Form, fields)
            .await
    }

    /// Registers `email` with `password`, expecting success.
    pub async fn register(&self, email: &str, password: &str) {
        let response = self
            .post("/users", &[("email", email), ("password", password)])
            .await;
        assert_eq!(response.status(), Status::Ok, "registering {email}");
    }

    /// Logs in, expecting success; the client keeps the session cookie.
    pub async fn login(&self, email: &str, password: &str) {
        let response = self
            .post("/sessions", &[("email", email), ("password", password)])
            .await;
        assert_eq!(response.status(), Status::Ok, "logging in {email}");
    }

    /// The session id in the client's cookie jar, decrypted.
    pub fn session_id(&self) -> Option<String> {
        self.client
            .cookies()
            .get_private("session_id")
            .map(|cookie| cookie.value().to_owned())
    }
}

/// The ways a client can encode a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Multipart,
    Json,
}

impl Encoding {
    pub const ALL: [Encoding; 3] = [Encoding::Form, Encoding::Multipart, Encoding::Json];

    /// The content type and body carrying `fields`.
    pub fn encode(self, fields: &[(&str, &str)]) -> (ContentType, Vec<u8>) {
        match self {
            Encoding::Form => {
                let pairs: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                    .collect();
                (ContentType::Form, pairs.join("&").into_bytes())
            }
            Encoding::Multipart => {
                let boundary = "X-TEST-BOUNDARY";
                let mut body = String::new();
                for (name, value) in fields {
                    body += &format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    );
                }
                body += &format!("--{boundary}--\r\n");
                let content_type =
                    ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
                (content_type, body.into_bytes())
            }
            Encoding::Json => {
                let object: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(name, value)| (name.to_string(), Value::from(*value)))
                    .collect();
                (ContentType::JSON, serde_json::to_vec(&object).unwrap())
            }
        }
    }
}

fn encode(text: &str) -> String {
    rocket::http::RawStr::new(text).percent_encode().to_string()
}

/// The response body as text.
pub async fn body(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

/// The SHA-256 hex digest of `text`, as the database stores tokens.
pub fn sha256(text: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

/// A bare pool over a fresh database file in `dir`, for tests of `DB` alone.
pub async fn db_in(dir: &Path) -> DB {
    let rocket = rocket::custom(figment(dir))
        .attach(AuthPool::fairing())
        .ignite()
        .await
        .expect("the pool starts");
    // `DB` holds its own handle on the pool, which outlives this Rocket.
    DB::connect(&rocket).await.expect("the database")
}
