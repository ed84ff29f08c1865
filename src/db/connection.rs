//! The connection pool behind `DB`, over SQLite or PostgreSQL: the database
//! URL chooses (`postgres://` or `postgresql://` for PostgreSQL, anything
//! else is an SQLite file path or `sqlite://` URL).
//!
//! The pool is an r2d2 pool configured as rocket_sync_db_pools configures its
//! own (`databases.auth`: `url`, `pool_size`, `timeout`), with two changes:
//! - rocket_sync_db_pools' own SQLite setup switches to WAL before it sets a
//!   1 s busy timeout, so a connection opened while another one writes can
//!   fail with `database is locked`. This module owns the setup instead: the
//!   busy timeout comes first and is long enough to ride out any write burst.
//! - `DB` holds the r2d2 pool itself rather than rocket_sync_db_pools'
//!   `ConnectionPool`, which makes three trips to Tokio's blocking threads
//!   per query (check-out, query, check-in): `DB::run` makes one, which
//!   doubles the rate of the session look-up behind every authenticated
//!   request (see bench/run).

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use rocket_sync_db_pools::Config;

/// Statements run on every new SQLite connection, busy timeout first.
const SQLITE_SETUP: &str = "\
    PRAGMA busy_timeout = 10000;\
    PRAGMA journal_mode = WAL;\
    PRAGMA synchronous = FULL;\
    PRAGMA foreign_keys = ON;";

/// The name of the pool in Rocket's configuration (`databases.auth.url`).
pub const POOL_NAME: &str = "auth";

/// The pool of connections.
pub type Pool = r2d2::Pool<ConnectionManager>;

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

    /// Run by the pool on every check-out. A PostgreSQL connection can go
    /// stale (server restart, idle timeout), so it is pinged; an SQLite
    /// connection is an open file, so it is not, which spares the session
    /// look-up behind every authenticated request a second statement.
    fn is_valid(&self, connection: &mut DbConnection) -> Result<(), r2d2::Error> {
        match connection {
            DbConnection::Sqlite(_) => Ok(()),
            DbConnection::Postgres(connection) => connection
                .batch_execute("SELECT 1")
                .map_err(r2d2::Error::QueryError),
        }
    }

    fn has_broken(&self, connection: &mut DbConnection) -> bool {
        match connection {
            DbConnection::Sqlite(_) => false,
            DbConnection::Postgres(connection) => r2d2::R2D2Connection::is_broken(connection),
        }
    }
}

/// The pool that `config` describes; opens its first connections, so call
/// it off the async workers.
pub fn build_pool(config: Config) -> Result<Pool, r2d2::PoolError> {
    let manager = ConnectionManager { url: config.url };
    r2d2::Pool::builder()
        .max_size(config.pool_size)
        .connection_timeout(Duration::from_secs(config.timeout.into()))
        .build(manager)
}
