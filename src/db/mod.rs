//! `DB`: the only code that runs SQL, over a pool of SQLite or PostgreSQL
//! connections. Each table's queries live in a module of their own; every
//! query is compiled for both backends.

mod connection;
mod device_cookies;
mod groups;
mod listener;
mod login_failures;
mod migrations;
mod outbox;
mod passkeys;
mod pending_sign_ins;
mod provider;
mod rate_limits;
pub mod schema;
mod session_cache;
mod sessions;
mod users;

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use rocket::tokio::task;
use rocket::{Build, Rocket};
use tokio::sync::Mutex;

use crate::metrics::Pool as PoolMetrics;

pub use connection::is_postgres;
use connection::{DbConnection, Pool, POOL_NAME};
pub use device_cookies::{DeviceAttempt, DeviceCookieStart};
pub use listener::APPLICATION_NAME as CHANGE_LISTENER_NAME;
pub use login_failures::{ClaimTerms, LoginClaim, LoginFailures};
pub use outbox::{MailOutcome, NewMail, QueuedMail};
pub use passkeys::{NewCeremony, NewPasskey, StoredPasskey};
pub use pending_sign_ins::PendingSignIn;
pub use provider::{
    Redemption, Rotation, StoredClient, StoredCode, StoredConsent, StoredKey, StoredToken,
};
pub use rate_limits::Rate;
use session_cache::{Change, SessionCache};
pub use sessions::{Session, SessionLimits, SessionStart, SessionStarted};
pub use users::{
    EndDeviceCookies, EndSessions, NewUser, RecoveryCodeUse, UserChanges, UserCondition, UserQuery,
    UserUpdate,
};

/// Runs `$body` with `$connection` bound to the concrete connection of
/// either backend: the same Diesel query compiles once for each. A macro
/// because a generic function over the backend would carry, for every
/// query, Diesel's bounds (`QueryFragment<B>`, `QueryId`, `LoadQuery<'_, C,
/// T>`...) longer than the query itself; the macro keeps the query as
/// written and still type-checks it against each backend.
macro_rules! on_backend {
    ($connection:expr, |$concrete:ident| $body:expr) => {
        match $connection {
            DbConnection::Sqlite($concrete) => $body,
            DbConnection::Postgres($concrete) => $body,
        }
    };
}
use on_backend;

/// What can go wrong in the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The query matched no user.
    #[error("no user matches the request")]
    NotFound,
    /// The request itself is unusable (for instance an empty change set).
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    /// A unique column (email, session id, reset token) already holds the value.
    #[error("a user with this value already exists")]
    Conflict,
    /// No connection could be had within the pool's timeout.
    #[error("the database is unavailable")]
    Unavailable,
    /// The pool could not be configured or opened.
    #[error("cannot open the database: {0}")]
    Pool(String),
    /// The embedded migrations could not be applied.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Anything else the database reported.
    #[error("database error: {0}")]
    Query(DieselError),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => DbError::Conflict,
            DieselError::QueryBuilderError(_) => DbError::InvalidRequest("nothing to change"),
            other => DbError::Query(other),
        }
    }
}

/// Access to the database over the `auth` connection pool.
#[derive(Clone)]
pub struct DB {
    pool: Pool,
    /// Whether point reads may run on the caller's thread (SQLite only).
    reads_in_place: bool,
    /// On SQLite, the turn to write. SQLite lets one connection write at a
    /// time, and a connection that finds the database busy sleeps in its
    /// busy handler and tries again: unfair, and slow under load (hundreds
    /// of milliseconds at p99 with a few concurrent writers). Writers of
    /// this process queue here instead, first come first served; SQLite
    /// serves one process (several instances use PostgreSQL).
    write_turn: Option<Arc<Mutex<()>>>,
    /// Connections in use, and waits for one.
    metrics: PoolMetrics,
    /// The PostgreSQL URL, for the session cache's change channel.
    postgres_url: Option<String>,
    /// Recent session look-ups, on PostgreSQL when configured (see
    /// [`caching_sessions`](Self::caching_sessions)).
    sessions_cache: Option<Arc<SessionCache>>,
}

impl DB {
    /// A `DB` over a new pool configured by `rocket` (`databases.auth`), with
    /// every embedded migration applied.
    pub async fn connect(rocket: &Rocket<Build>) -> Result<Self, DbError> {
        let mut config = rocket_sync_db_pools::Config::from(POOL_NAME, rocket)
            .map_err(|error| DbError::Pool(error.to_string()))?;
        config.url = connection::with_system_roots(&config.url);
        let sqlite = !is_postgres(&config.url);
        let postgres_url = (!sqlite).then(|| config.url.clone());
        let url = config.url.clone();
        let pool = task::spawn_blocking(move || connection::build_pool(config))
            .await
            .map_err(|error| DbError::Pool(error.to_string()))?
            .map_err(|error| DbError::Pool(connection::explain(&url, &error.to_string())))?;
        let db = DB {
            pool,
            reads_in_place: sqlite,
            write_turn: sqlite.then(|| Arc::new(Mutex::new(()))),
            metrics: PoolMetrics::default(),
            postgres_url,
            sessions_cache: None,
        };
        db.with_connection(migrations::run).await?;
        Ok(db)
    }

    /// This `DB`, keeping up to `capacity` session look-ups in memory for
    /// `ttl` each, on PostgreSQL: every change of a session or a user, from
    /// any instance, reaches each instance's cache through `LISTEN`, and the
    /// cache is bypassed while that channel is down (see `session_cache`).
    /// On SQLite (one machine, where the admin command line changes the
    /// same file unannounced) a look-up takes microseconds and is not kept;
    /// nor is it with a `ttl` or `capacity` of zero.
    pub fn caching_sessions(self, ttl: Duration, capacity: usize) -> Result<Self, DbError> {
        let Some(url) = &self.postgres_url else {
            return Ok(self);
        };
        if ttl.is_zero() || capacity == 0 {
            return Ok(self);
        }
        let cache = Arc::new(SessionCache::new(ttl, capacity));
        listener::spawn(url, &cache).map_err(|error| DbError::Pool(error.to_string()))?;
        Ok(DB {
            sessions_cache: Some(cache),
            ..self
        })
    }

    /// This `DB`, counting its connections in use and waits in `metrics`.
    pub fn counted_in(self, metrics: PoolMetrics) -> Self {
        DB { metrics, ..self }
    }

    /// Whether the database answers, within `timeout`, with every embedded
    /// migration applied: `Unavailable` or `Migration` if not. One query.
    pub async fn readiness(&self, timeout: Duration) -> Result<(), DbError> {
        let pool = self.pool.clone();
        task::spawn_blocking(move || {
            let mut connection = pool
                .get_timeout(timeout)
                .map_err(|_| DbError::Unavailable)?;
            match migrations::pending(&mut connection) {
                Ok(false) => Ok(()),
                Ok(true) => Err(DbError::Migration("migrations are pending".to_owned())),
                // The migrations table cannot be read: the connection broke.
                Err(_) => Err(DbError::Unavailable),
            }
        })
        .await
        .map_err(|_| DbError::Unavailable)?
    }

    /// Runs `work` on a pooled connection, on one of Tokio's blocking
    /// threads; `Unavailable` when no connection frees up within the pool's
    /// timeout.
    async fn with_connection<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, metrics) = (self.pool.clone(), self.metrics.clone());
        let since = Instant::now();
        task::spawn_blocking(move || {
            let mut connection = pool.get().map_err(|_| DbError::Unavailable)?;
            let _in_use = metrics.checked_out(since);
            work(&mut connection)
        })
        .await
        .map_err(|_| DbError::Unavailable)?
    }

    /// Runs the Diesel `query`, which writes, on a pooled connection, in
    /// its turn on SQLite.
    async fn run<T, F>(&self, query: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.write_turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        self.with_connection(move |connection| query(connection).map_err(DbError::from))
            .await
    }

    /// [`run`](Self::run) for a query that changes sessions or users: then
    /// forgets this instance's cached look-ups that `change` makes stale
    /// (the other instances hear of it from PostgreSQL's triggers, and so
    /// does this one, a moment later).
    async fn run_changing<T, F>(&self, change: Change, query: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        let result = self.run(query).await;
        if let Some(cache) = &self.sessions_cache {
            cache.forget(&change);
        }
        result
    }

    /// Runs the Diesel `query`, a read of one row by an index, on a pooled
    /// connection. On SQLite with a connection idle, it runs right here on
    /// the async worker: such a read of a cached page takes microseconds,
    /// less than the trip to a blocking thread it saves, and in WAL mode it
    /// never waits for a writer. Otherwise (PostgreSQL's network round trip,
    /// or every connection busy) it goes to a blocking thread, like writes.
    async fn read<T, F>(&self, query: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        if self.reads_in_place {
            if let Some(mut connection) = self.pool.try_get() {
                let _in_use = self.metrics.checked_out(Instant::now());
                return query(&mut connection).map_err(DbError::from);
            }
        }
        self.with_connection(move |connection| query(connection).map_err(DbError::from))
            .await
    }
}

/// `NotFound` when an update by primary key touched no row.
fn one_row_updated(updated: usize) -> Result<(), DbError> {
    match updated {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}
