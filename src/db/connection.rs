//! The connection pool behind `DB`: SQLite connections set up for a server
//! that many requests share.
//!
//! rocket_sync_db_pools' own SQLite setup switches to WAL before it sets a
//! 1 s busy timeout, so a connection opened while another one writes can fail
//! with `database is locked`. This module owns the setup instead: the busy
//! timeout comes first and is long enough to ride out any write burst.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, SqliteConnection};
use rocket::{Build, Rocket};
use rocket_sync_db_pools::{database, Config, PoolResult, Poolable};

/// Statements run on every new connection, busy timeout first.
const CONNECTION_SETUP: &str = "\
    PRAGMA busy_timeout = 10000;\
    PRAGMA journal_mode = WAL;\
    PRAGMA synchronous = FULL;\
    PRAGMA foreign_keys = ON;";

/// The pool named `auth` in Rocket's configuration (`databases.auth.url`).
#[database("auth")]
pub struct AuthPool(DbConnection);

/// One SQLite connection of the pool.
pub struct DbConnection(SqliteConnection);

impl Deref for DbConnection {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.0
    }
}

impl DerefMut for DbConnection {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }
}

/// Opens and checks the pool's connections.
pub struct ConnectionManager {
    url: String,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut connection =
            SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
        connection
            .batch_execute(CONNECTION_SETUP)
            .map_err(r2d2::Error::QueryError)?;
        Ok(DbConnection(connection))
    }

    fn is_valid(&self, connection: &mut DbConnection) -> Result<(), r2d2::Error> {
        connection
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _: &mut DbConnection) -> bool {
        false
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
