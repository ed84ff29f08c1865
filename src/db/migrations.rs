//! The embedded migrations of each backend, applied at start.

use diesel::backend::Backend;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{on_backend, DbConnection, DbError};

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

diesel::table! {
    /// Diesel's record of the applied migrations, read here without the
    /// `CREATE TABLE IF NOT EXISTS` that Diesel's own check runs first.
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

/// Whether some embedded migration of the connection's backend is not
/// applied: one `SELECT COUNT(*)` of the migrations table.
pub(super) fn pending(connection: &mut DbConnection) -> Result<bool, DbError> {
    use __diesel_schema_migrations::dsl::{__diesel_schema_migrations as applied, version};

    let embedded = match connection {
        DbConnection::Sqlite(_) => versions::<Sqlite>(SQLITE_MIGRATIONS)?,
        DbConnection::Postgres(_) => versions::<Pg>(POSTGRES_MIGRATIONS)?,
    };
    let count = applied.filter(version.eq_any(&embedded)).count();
    let found: i64 = on_backend!(connection, |connection| count.get_result(connection))?;
    Ok(usize::try_from(found).map_or(true, |found| found < embedded.len()))
}

/// The versions of the embedded `migrations`, as Diesel records them.
fn versions<B: Backend>(migrations: EmbeddedMigrations) -> Result<Vec<String>, DbError> {
    let migrations = MigrationSource::<B>::migrations(&migrations)
        .map_err(|error| DbError::Migration(error.to_string()))?;
    Ok(migrations
        .iter()
        .map(|migration| migration.name().version().to_string())
        .collect())
}
