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
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if auth_service::db::is_postgres(&server) => Store::on_server(&server),
            _ => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = dir.path().join("auth.db").display().to_string();
                Store {
                    dir,
                    url,
                    _postgres: None,
                }
            }
        }
    }

    /// A fresh store on the PostgreSQL server `server` (a URL, its
    /// parameters kept for the new database's).
    pub fn on_server(server: &str) -> Self {
        let postgres = PostgresDatabase::create(server);
        Store {
            dir: tempfile::tempdir().expect("a temporary directory"),
            url: postgres.url.clone(),
            _postgres: Some(postgres),
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
        let (address, parameters) = match server.split_once('?') {
            Some((address, parameters)) => (address, format!("?{parameters}")),
            None => (server, String::new()),
        };
        let (base, _) = address.rsplit_once('/').expect("a URL naming /DATABASE");
        let url = format!("{base}/{name}{parameters}");
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

/// Runs `statement` on the database at `url`; on PostgreSQL, waits until
/// the change has reached the session caches of the servers over it (see
/// [`heard`]).
pub fn execute(url: &str, statement: &str) {
    use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
    if auth_service::db::is_postgres(url) {
        let mut connection = PgConnection::establish(url).unwrap();
        diesel::sql_query(statement)
            .execute(&mut connection)
            .unwrap();
        heard(url);
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

/// Waits, on PostgreSQL, for a change made beside a server (by a test, as
/// by an operator) to reach its session cache: a trigger announces it and
/// the cache's listener hears it within a moment (see
/// `auth_service::db::session_cache`), while the test's next request may be
/// quicker still.
pub fn heard(url: &str) {
    if auth_service::db::is_postgres(url) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
