//! What both test binaries share: a throw-away database for each test, and
//! a fixed secret key.
//!
//! The database is a temporary SQLite file, or a fresh PostgreSQL database
//! when `TEST_DATABASE_URL` names a PostgreSQL server (a role that may
//! create databases, its URL ending in an existing database such as
//! `/postgres`).

pub mod passkey;
pub mod smtp;

use auth_service::db::{QueuedMail, DB};
use diesel::{Connection, PgConnection, RunQueryDsl};
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
    _postgres: Option<PostgresDatabase>,
}

impl Store {
    /// A fresh store: PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if auth_service::db::is_postgres(&server) => {
                let postgres = PostgresDatabase::create(&server);
                Store {
                    dir,
                    url: postgres.url.clone(),
                    _postgres: Some(postgres),
                }
            }
            _ => {
                let url = dir.path().join("auth.db").display().to_string();
                Store {
                    dir,
                    url,
                    _postgres: None,
                }
            }
        }
    }

    /// A `DB` with one connection over this database, migrated.
    pub async fn db(&self) -> DB {
        let figment = rocket::Config::figment()
            .merge(("databases.auth.url", &self.url))
            .merge(("databases.auth.pool_size", 1));
        DB::connect(&rocket::custom(figment))
            .await
            .expect("the database")
    }

    /// The outbox of this database, as stored.
    pub async fn outbox(&self) -> Vec<QueuedMail> {
        self.db().await.queued_mails().await.expect("the outbox")
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

/// Runs `statement` on the database at `url`.
pub fn execute(url: &str, statement: &str) {
    use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
    if auth_service::db::is_postgres(url) {
        let mut connection = PgConnection::establish(url).unwrap();
        diesel::sql_query(statement)
            .execute(&mut connection)
            .unwrap();
    } else {
        let mut connection = SqliteConnection::establish(url).unwrap();
        // The service may be writing: wait for it, as its connections do.
        diesel::sql_query("PRAGMA busy_timeout = 10000")
            .execute(&mut connection)
            .unwrap();
        diesel::sql_query(statement)
            .execute(&mut connection)
            .unwrap();
    }
}
