//! Shared by the integration tests: a service over a throw-away database,
//! request bodies in each encoding, and look-ups of what the database holds.
//!
//! The database is a temporary SQLite file, or a fresh PostgreSQL database
//! when `TEST_DATABASE_URL` names a PostgreSQL server (a role that may
//! create databases, its URL ending in an existing database such as
//! `/postgres`).
#![allow(dead_code)] // each test crate uses its own part

pub mod server;

use std::path::Path;

use diesel::{Connection, PgConnection, RunQueryDsl};

use auth_service::db::{UserQuery, DB};
use auth_service::user::User;
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::serde::json::Value;
use tempfile::TempDir;

/// A secret key for tests that need one fixed (512 bits, base64).
pub const SECRET_KEY: &str =
    "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk4HU5uVkf0Ut8rgNUHvrAkB3Z1cUE3kTr3qiVpO2GTTQ==";

/// Where a test service keeps its data: a temporary directory and a
/// database of its own, both removed when dropped.
pub struct Store {
    pub dir: TempDir,
    /// The database URL to configure.
    pub url: String,
    postgres: Option<PostgresDatabase>,
}

impl Store {
    /// A fresh store: PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if auth_service::db::is_postgres(&server) => {
                let postgres = PostgresDatabase::create(&server);
                let url = postgres.url.clone();
                Store {
                    dir,
                    url,
                    postgres: Some(postgres),
                }
            }
            _ => {
                let url = dir.path().join("auth.db").display().to_string();
                Store {
                    dir,
                    url,
                    postgres: None,
                }
            }
        }
    }

    /// Whether the store is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The directory of the store's files.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

/// A PostgreSQL database created for one test, dropped after it.
struct PostgresDatabase {
    server: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    fn create(server: &str) -> Self {
        let name = format!("auth_test_{}", uuid::Uuid::new_v4().simple());
        let mut connection = PgConnection::establish(server).expect("TEST_DATABASE_URL answers");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .expect("a test database");
        let (base, _) = server.rsplit_once('/').expect("a URL ending in /DATABASE");
        let url = format!("{base}/{name}");
        PostgresDatabase {
            server: server.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut connection) = PgConnection::establish(&self.server) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut connection);
        }
    }
}

/// The configuration of a test service over `store`: cheap bcrypt, a fixed
/// secret key, no logging.
pub fn figment(store: &Store) -> Figment {
    rocket::Config::figment()
        .merge(("databases.auth.url", &store.url))
        .merge(("bcrypt_cost", 4))
        .merge(("secret_key", SECRET_KEY))
        .merge(("log_level", "off"))
}

/// A running service over its own temporary database.
pub struct TestApp {
    pub client: Client,
    pub store: Store,
}

impl TestApp {
    /// The service with the test configuration.
    pub async fn new() -> Self {
        TestApp::with(|figment| figment).await
    }

    /// The service with the test configuration changed by `configure`.
    pub async fn with(configure: impl FnOnce(Figment) -> Figment) -> Self {
        TestApp::start(Store::new(), configure).await
    }

    /// A new service over this one's files (database included), as after a
    /// restart.
    pub async fn restart(self, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let TestApp { client, store } = self;
        drop(client.terminate().await);
        TestApp::start(store, configure).await
    }

    async fn start(store: Store, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let rocket = auth_service::build(configure(figment(&store)));
        let client = Client::tracked(rocket).await.expect("the service starts");
        TestApp { client, store }
    }

    /// The service's `Auth`.
    pub fn auth(&self) -> &auth_service::auth::Auth {
        self.client.rocket().state().expect("Auth is managed")
    }

    /// Direct access to the service's database (a pool of its own), to
    /// check what it holds.
    pub async fn db(&self) -> DB {
        connect(self.client.rocket().figment().clone()).await
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

    /// The sealed session cookie in the client's cookie jar, as sent.
    pub fn session_cookie(&self) -> rocket::http::Cookie<'static> {
        let cookie = self.client.cookies().get("session_id").cloned();
        cookie.expect("a session cookie").into_owned()
    }

    /// Applies `changes` to the stored user `email`.
    pub async fn change_user(&self, email: &str, changes: auth_service::db::UserChanges) {
        let user = self.stored_user(email).await.expect("the user is stored");
        let db = self.db().await;
        db.update_user(user.id, changes)
            .await
            .expect("the user changes");
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

/// A bare pool over `store`, for tests of `DB` alone.
pub async fn db_in(store: &Store) -> DB {
    connect(figment(store)).await
}

/// A `DB` with one connection over the database `figment` configures.
async fn connect(figment: Figment) -> DB {
    let rocket = rocket::custom(figment.merge(("databases.auth.pool_size", 1)));
    DB::connect(&rocket).await.expect("the database")
}
