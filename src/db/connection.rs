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

/// `url` as the pool and the session cache's listener open it: a
/// PostgreSQL URL that asks for a verified certificate (`sslmode=verify-ca`
/// or `verify-full`) without naming its CA (`sslrootcert`) is verified
/// against the system's CA certificates (found as OpenSSL's own tools find
/// them), not against libpq's `~/.postgresql/root.crt`.
pub fn with_system_roots(url: &str) -> String {
    let Some((_, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parameters = || query.split('&').filter_map(|pair| pair.split_once('='));
    let verified = parameters()
        .any(|(key, mode)| key == "sslmode" && matches!(mode, "verify-ca" | "verify-full"));
    let rooted = parameters().any(|(key, _)| key == "sslrootcert");
    match openssl_probe::probe().cert_file {
        Some(roots) if verified && !rooted => {
            let roots = roots.to_string_lossy();
            let escaped = roots.bytes().fold(String::new(), |mut escaped, byte| {
                match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' => {
                        escaped.push(char::from(byte));
                    }
                    _ => escaped.push_str(&format!("%{byte:02X}")),
                }
                escaped
            });
            format!("{url}&sslrootcert={escaped}")
        }
        _ => url.to_owned(),
    }
}

/// Why the database cannot be opened, for an operator: `error`, pointing at
/// the setting to check when TLS to PostgreSQL failed.
pub fn explain(url: &str, error: &str) -> String {
    let error = error.trim_end();
    let tls = ["certificate", "SSL", "TLS", "no encryption", "root.crt"];
    if is_postgres(url) && tls.iter().any(|word| error.contains(word)) {
        return format!(
            "{error} (TLS to PostgreSQL: check sslmode and sslrootcert in databases.auth.url)"
        );
    }
    error.to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "postgres://auth:secret@db.internal/auth";

    #[test]
    fn a_verified_connection_without_its_own_ca_trusts_the_systems() {
        let url = format!("{SERVER}?sslmode=verify-full");
        let expected = match openssl_probe::probe().cert_file {
            Some(roots) => format!("{url}&sslrootcert={}", roots.display()),
            None => url.clone(),
        };
        assert_eq!(with_system_roots(&url), expected);
        let url = format!("{SERVER}?application_name=x&sslmode=verify-ca");
        assert!(with_system_roots(&url).starts_with(&url));
    }

    #[test]
    fn other_urls_are_left_as_they_are() {
        for url in [
            SERVER.to_owned(),
            format!("{SERVER}?sslmode=require"),
            format!("{SERVER}?sslmode=verify-full&sslrootcert=/etc/auth/ca.crt"),
            "auth.db".to_owned(),
        ] {
            assert_eq!(with_system_roots(&url), url);
        }
    }

    #[test]
    fn a_tls_failure_names_the_setting_to_check() {
        let error = "server certificate for \"localhost\" does not match host name \"127.0.0.1\"";
        let explained = explain(SERVER, error);
        assert!(explained.starts_with(error), "{explained}");
        assert!(explained.contains("sslmode and sslrootcert in databases.auth.url"));
        assert_eq!(
            explain(SERVER, "password authentication failed"),
            "password authentication failed"
        );
    }
}
