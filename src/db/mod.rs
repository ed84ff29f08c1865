//! `DB`: the only code that runs SQL.

mod connection;
pub mod schema;

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use rocket::tokio::task;
use rocket::{Build, Rocket};

pub use connection::is_postgres;
use connection::{DbConnection, Pool, POOL_NAME};
use schema::{login_failures, users};

use crate::user::User;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock that lets one instance at a time
/// apply migrations (any constant; this one spells "auth").
const MIGRATION_LOCK: i64 = 0x6175_7468;

/// Runs `$body` with `$connection` bound to the concrete connection of
/// either backend: the same Diesel query compiles once for each.
macro_rules! on_backend {
    ($connection:expr, |$concrete:ident| $body:expr) => {
        match $connection {
            DbConnection::Sqlite($concrete) => $body,
            DbConnection::Postgres($concrete) => $body,
        }
    };
}

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

/// How to find one user: every criterion is backed by a unique index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserQuery {
    Id(i32),
    /// The normalized (lowercase, trimmed) email.
    Email(String),
    /// The digest of a session id.
    SessionId(String),
    /// The digest of a reset token.
    ResetToken(String),
}

/// A new row of `users`.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub normalized_email: &'a str,
    pub hashed_password: &'a str,
    pub created_at: i64,
}

/// Columns to change on one user; `None` leaves a column as it is and
/// `Some(None)` clears a nullable one.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub hashed_password: Option<String>,
    pub session_id: Option<Option<String>>,
    pub session_expires_at: Option<Option<i64>>,
    pub reset_token: Option<Option<String>>,
    pub reset_token_expires_at: Option<Option<i64>>,
}

/// The failed logins recorded for one normalized email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = login_failures)]
pub struct LoginFailures {
    /// Failures since the last success (or since the count restarted).
    pub failures: i32,
    /// Unix time of the latest failure.
    pub last_failed_at: i64,
    /// Until when (Unix time) no attempt is checked, if set.
    pub locked_until: Option<i64>,
}

/// Access to the `users` table over the `auth` connection pool.
#[derive(Clone)]
pub struct DB {
    pool: Pool,
    /// Whether point reads may run on the caller's thread (SQLite only).
    reads_in_place: bool,
}

impl DB {
    /// A `DB` over a new pool configured by `rocket` (`databases.auth`), with
    /// every embedded migration applied.
    pub async fn connect(rocket: &Rocket<Build>) -> Result<Self, DbError> {
        let config = rocket_sync_db_pools::Config::from(POOL_NAME, rocket)
            .map_err(|error| DbError::Pool(error.to_string()))?;
        let reads_in_place = !is_postgres(&config.url);
        let pool = task::spawn_blocking(move || connection::build_pool(config))
            .await
            .map_err(|error| DbError::Pool(error.to_string()))?
            .map_err(|error| DbError::Pool(error.to_string()))?;
        let db = DB {
            pool,
            reads_in_place,
        };
        db.with_connection(run_migrations).await?;
        Ok(db)
    }

    /// Runs `work` on a pooled connection, on one of Tokio's blocking
    /// threads; `Unavailable` when no connection frees up within the pool's
    /// timeout.
    async fn with_connection<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        task::spawn_blocking(move || {
            let mut connection = pool.get().map_err(|_| DbError::Unavailable)?;
            work(&mut connection)
        })
        .await
        .map_err(|_| DbError::Unavailable)?
    }

    /// Runs the Diesel `query` on a pooled connection.
    async fn run<T, F>(&self, query: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DieselError> + Send + 'static,
        T: Send + 'static,
    {
        self.with_connection(move |connection| query(connection).map_err(DbError::from))
            .await
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
                return query(&mut connection).map_err(DbError::from);
            }
        }
        self.run(query).await
    }

    /// Inserts a user; `Conflict` when the normalized email is taken.
    pub async fn add_user(
        &self,
        email: &str,
        normalized_email: &str,
        hashed_password: &str,
        created_at: i64,
    ) -> Result<User, DbError> {
        let (email, normalized_email, hashed_password) = (
            email.to_owned(),
            normalized_email.to_owned(),
            hashed_password.to_owned(),
        );
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::insert_into(users::table)
                    .values(NewUser {
                        email: &email,
                        normalized_email: &normalized_email,
                        hashed_password: &hashed_password,
                        created_at,
                    })
                    .returning(User::as_returning())
                    .get_result(connection)
            })
        })
        .await
    }

    /// The user matching `query`; `NotFound` when there is none.
    pub async fn find_user_by(&self, query: UserQuery) -> Result<User, DbError> {
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                let select = users::table.select(User::as_select());
                match query {
                    UserQuery::Id(id) => select.filter(users::id.eq(id)).first(connection),
                    UserQuery::Email(email) => select
                        .filter(users::normalized_email.eq(email))
                        .first(connection),
                    UserQuery::SessionId(digest) => select
                        .filter(users::session_id.eq(digest))
                        .first(connection),
                    UserQuery::ResetToken(digest) => select
                        .filter(users::reset_token.eq(digest))
                        .first(connection),
                }
            })
        })
        .await
    }

    /// Applies `changes` to the user `user_id`; `NotFound` when there is no
    /// such user, `InvalidRequest` when `changes` changes nothing.
    pub async fn update_user(&self, user_id: i32, changes: UserChanges) -> Result<(), DbError> {
        let updated = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::update(users::table.find(user_id))
                        .set(&changes)
                        .execute(connection)
                })
            })
            .await?;
        one_row_updated(updated)
    }

    /// Applies `changes` to the user `user_id` only if it still holds the reset
    /// token digest `reset_token`, so that a token is redeemed at most once even
    /// by concurrent requests. `NotFound` when it no longer does.
    pub async fn redeem_reset_token(
        &self,
        user_id: i32,
        reset_token: &str,
        changes: UserChanges,
    ) -> Result<(), DbError> {
        let reset_token = reset_token.to_owned();
        let updated = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::update(
                        users::table
                            .find(user_id)
                            .filter(users::reset_token.eq(reset_token)),
                    )
                    .set(&changes)
                    .execute(connection)
                })
            })
            .await?;
        one_row_updated(updated)
    }
}

impl DB {
    /// The failed logins recorded for `normalized_email`, if any.
    pub async fn find_login_failures(
        &self,
        normalized_email: &str,
    ) -> Result<Option<LoginFailures>, DbError> {
        let email = normalized_email.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                login_failures::table
                    .find(email)
                    .select(LoginFailures::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Counts one more failed login for `normalized_email` at `now`, or
    /// restarts the count at one when `restart` is set. Atomic, so that
    /// concurrent failures all count.
    pub async fn record_login_failure(
        &self,
        normalized_email: &str,
        now: i64,
        restart: bool,
    ) -> Result<LoginFailures, DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                // failures × 1 + 1 counts one more; failures × 0 + 1 restarts.
                let kept = i32::from(!restart);
                diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::normalized_email.eq(email),
                        login_failures::failures.eq(1),
                        login_failures::last_failed_at.eq(now),
                    ))
                    .on_conflict(login_failures::normalized_email)
                    .do_update()
                    .set((
                        login_failures::failures.eq(login_failures::failures * kept + 1),
                        login_failures::last_failed_at.eq(now),
                    ))
                    .returning(LoginFailures::as_returning())
                    .get_result(connection)
            })
        })
        .await
    }

    /// Sets when the next login attempt of `normalized_email` may be checked.
    pub async fn lock_logins(&self, normalized_email: &str, until: i64) -> Result<(), DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(login_failures::table.find(email))
                    .set(login_failures::locked_until.eq(until))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Claims the right to check one login attempt of `normalized_email` at
    /// `now`, by locking further attempts until `lease_until`, in one atomic
    /// statement: of concurrent attempts, one gets it. `Ok(None)` when
    /// claimed, `Ok(Some(locked_until))` when another attempt's lock holds.
    pub async fn claim_login(
        &self,
        normalized_email: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<i64>, DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let free = login_failures::locked_until
                    .is_null()
                    .or(login_failures::locked_until.le(now));
                let claimed = diesel::update(login_failures::table.find(&email).filter(free))
                    .set(login_failures::locked_until.eq(lease_until))
                    .execute(connection)?;
                if claimed > 0 {
                    return Ok(None);
                }
                login_failures::table
                    .find(&email)
                    .select(login_failures::locked_until)
                    .first::<Option<i64>>(connection)
                    .optional()
                    .map(Option::flatten)
            })
        })
        .await
    }

    /// Forgets every email's failed logins last counted before `cutoff`
    /// (Unix seconds), which count no more; returns how many emails.
    pub async fn forget_login_failures_before(&self, cutoff: i64) -> Result<usize, DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(
                    login_failures::table.filter(login_failures::last_failed_at.lt(cutoff)),
                )
                .execute(connection)
            })
        })
        .await
    }

    /// Forgets the failed logins of `normalized_email`.
    pub async fn clear_login_failures(&self, normalized_email: &str) -> Result<(), DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(login_failures::table.find(email))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }
}

/// Applies the pending migrations of the connection's backend. On
/// PostgreSQL an advisory lock makes instances starting together take turns.
fn run_migrations(connection: &mut DbConnection) -> Result<(), DbError> {
    match connection {
        DbConnection::Sqlite(connection) => migrate(connection, SQLITE_MIGRATIONS),
        DbConnection::Postgres(connection) => {
            let lock = format!("SELECT pg_advisory_lock({MIGRATION_LOCK})");
            diesel::sql_query(lock).execute(connection)?;
            let result = migrate(connection, POSTGRES_MIGRATIONS);
            let unlock = format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})");
            diesel::sql_query(unlock).execute(connection)?;
            result
        }
    }
}

fn migrate<B: diesel::backend::Backend>(
    harness: &mut impl MigrationHarness<B>,
    migrations: EmbeddedMigrations,
) -> Result<(), DbError> {
    harness
        .run_pending_migrations(migrations)
        .map(drop)
        .map_err(|error| DbError::Migration(error.to_string()))
}

/// `NotFound` when an update by primary key touched no row.
fn one_row_updated(updated: usize) -> Result<(), DbError> {
    match updated {
        0 => Err(DbError::NotFound),
        _ => Ok(()),
    }
}
