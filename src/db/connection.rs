//! The connection pool behind `DB`, over SQLite or PostgreSQL: the database
//! URL chooses (`postgres://` or `postgresql://` for PostgreSQL, anything
//! else is an SQLite file path or `sqlite://` URL).
//!
//! rocket_sync_db_pools' own SQLite setup switches to WAL before it sets a
//! 1 s busy timeout, so a connection opened while another one writes can fail
//! with `database is locked`. This module owns the setup instead: the busy
//! timeout comes first and is long enough to ride out any write burst.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use rocket::{Build, Rocket};
use rocket_sync_db_pools::{database, Config, PoolResult, Poolable};

/// Statements run on every new SQLite connection, busy timeout first.
const SQLITE_SETUP: &str = "\
    PRAGMA busy_timeout = 10000;\
    PRAGMA journal_mode = WAL;\
    PRAGMA synchronous = FULL;\
    PRAGMA foreign_keys = ON;";

/// The pool named `auth` in Rocket's configuration (`databases.auth.url`).
#[database("auth")]
pub struct AuthPool(DbConnection);

/// One connection of the pool, to either backend.
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens and checks the pool's connections.
pub struct ConnectionManager {
    url: String,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        if is_postgres(&self.url) {
            let connection =
                PgConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
            return Ok(DbConnection::Postgres(connection));
        }
        let mut connection =
            SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
        connection
            .batch_execute(SQLITE_SETUP)
            .map_err(r2d2::Error::QueryError)?;
        Ok(DbConnection::Sqlite(connection))
    }

    fn is_valid(&self, connection: &mut DbConnection) -> Result<(), r2d2::Error> {
        let result = match connection {
            DbConnection::Sqlite(connection) => connection.batch_execute("SELECT 1"),
            DbConnection::Postgres(connection) => connection.batch_execute("SELECT 1"),
        };
        result.map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, connection: &mut DbConnection) -> bool {
        match connection {
            DbConnection::Sqlite(_) => false,
            DbConnection::Postgres(connection) => r2d2::R2D2Connection::is_broken(connection),
        }
    }
}

impl Poolable for DbConnection {
    type Manager = ConnectionManager;
    type Error = std::convert::Infallible;

    fn pool(db_name: &str, rocket: &Rocket<Build>) -> PoolResult<Self> {
        let config = Config::from(db_name, rocket)?;
        let manager = ConnectionManager { url: config.url };
        Ok(r2d2::Pool::builder()
            .max_size(config.pool_size)
            .connection_timeout(Duration::from_secs(config.timeout.into()))
            .build(manager)?)
    }
}
