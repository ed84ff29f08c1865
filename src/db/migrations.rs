//! The embedded migrations of each backend, applied at start.

use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConnection, DbError};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock that lets one instance at a time
/// apply migrations (any constant; this one spells "auth").
const MIGRATION_LOCK: i64 = 0x6175_7468;

/// Applies the pending migrations of the connection's backend. On
/// PostgreSQL an advisory lock makes instances starting together take turns.
pub(super) fn run(connection: &mut DbConnection) -> Result<(), DbError> {
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

/// Whether some embedded migration of the connection's backend is not
/// applied (one query of the migrations table).
pub(super) fn pending(connection: &mut DbConnection) -> Result<bool, DbError> {
    let pending = match connection {
        DbConnection::Sqlite(connection) => connection.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgres(connection) => connection.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    pending.map_err(|error| DbError::Migration(error.to_string()))
}
