//! `DB` alone, on a temporary SQLite file.

use auth_service::db::{DbError, UserChanges, UserQuery, DB};

use crate::app::db_in;
use crate::support::Store;

async fn db_with_bob() -> (Store, DB, i32) {
    let store = Store::new();
    let db = db_in(&store).await;
    let user = db
        .add_user(
            "Bob@Example.com",
            "bob@example.com",
            "$2b$04$hash",
            1_700_000_000,
        )
        .await
        .unwrap();
    (store, db, user.id)
}

#[rocket::async_test]
async fn add_user_returns_the_stored_row() {
    let (_store, db, id) = db_with_bob().await;
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.email, "Bob@Example.com");
    assert_eq!(user.normalized_email, "bob@example.com");
    assert_eq!(user.hashed_password, "$2b$04$hash");
    assert_eq!(user.created_at, 1_700_000_000);
    assert_eq!((user.session_id, user.reset_token), (None, None));
}

#[rocket::async_test]
async fn the_normalized_email_is_unique() {
    let (_store, db, _) = db_with_bob().await;
    let again = db
        .add_user("BOB@example.com", "bob@example.com", "$2b$04$other", 0)
        .await;
    assert!(matches!(again, Err(DbError::Conflict)), "{again:?}");
}

#[rocket::async_test]
async fn find_user_by_each_criterion() {
    let (_store, db, id) = db_with_bob().await;
    let changes = UserChanges {
        session_id: Some(Some("session-digest".into())),
        reset_token: Some(Some("token-digest".into())),
        ..UserChanges::default()
    };
    db.update_user(id, changes).await.unwrap();
    for query in [
        UserQuery::Id(id),
        UserQuery::Email("bob@example.com".into()),
        UserQuery::SessionId("session-digest".into()),
        UserQuery::ResetToken("token-digest".into()),
    ] {
        let user = db.find_user_by(query.clone()).await;
        assert_eq!(user.map(|user| user.id).ok(), Some(id), "{query:?}");
    }
}

#[rocket::async_test]
async fn no_result_is_not_found() {
    let (_store, db, id) = db_with_bob().await;
    for query in [
        UserQuery::Id(id + 1),
        UserQuery::Email("Bob@Example.com".into()), // not the normalized form
        UserQuery::SessionId("nothing".into()),
        UserQuery::ResetToken("nothing".into()),
    ] {
        let result = db.find_user_by(query.clone()).await;
        assert!(
            matches!(result, Err(DbError::NotFound)),
            "{query:?}: {result:?}"
        );
    }
}

#[rocket::async_test]
async fn update_user_changes_and_clears_columns() {
    let (_store, db, id) = db_with_bob().await;
    let set = UserChanges {
        hashed_password: Some("$2b$04$new".into()),
        session_id: Some(Some("s".into())),
        session_expires_at: Some(Some(42)),
        ..UserChanges::default()
    };
    db.update_user(id, set).await.unwrap();
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.hashed_password, "$2b$04$new");
    assert_eq!(
        (user.session_id.as_deref(), user.session_expires_at),
        (Some("s"), Some(42))
    );

    let clear = UserChanges {
        session_id: Some(None),
        session_expires_at: Some(None),
        ..UserChanges::default()
    };
    db.update_user(id, clear).await.unwrap();
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!((user.session_id, user.session_expires_at), (None, None));
    assert_eq!(user.hashed_password, "$2b$04$new");
}

#[rocket::async_test]
async fn update_of_an_unknown_user_is_not_found() {
    let (_store, db, id) = db_with_bob().await;
    let changes = UserChanges {
        hashed_password: Some("x".into()),
        ..UserChanges::default()
    };
    let result = db.update_user(id + 1, changes).await;
    assert!(matches!(result, Err(DbError::NotFound)), "{result:?}");
}

#[rocket::async_test]
async fn an_empty_change_set_is_an_invalid_request() {
    let (_store, db, id) = db_with_bob().await;
    let result = db.update_user(id, UserChanges::default()).await;
    assert!(
        matches!(result, Err(DbError::InvalidRequest(_))),
        "{result:?}"
    );
}

#[rocket::async_test]
async fn a_reset_token_is_redeemed_once() {
    let (_store, db, id) = db_with_bob().await;
    let issue = UserChanges {
        reset_token: Some(Some("token-digest".into())),
        ..UserChanges::default()
    };
    db.update_user(id, issue).await.unwrap();
    let redeem = UserChanges {
        hashed_password: Some("$2b$04$new".into()),
        reset_token: Some(None),
        ..UserChanges::default()
    };
    db.redeem_reset_token(id, "token-digest", redeem.clone())
        .await
        .unwrap();
    let again = db.redeem_reset_token(id, "token-digest", redeem).await;
    assert!(matches!(again, Err(DbError::NotFound)), "{again:?}");
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(
        (user.hashed_password.as_str(), user.reset_token),
        ("$2b$04$new", None)
    );
}

#[rocket::async_test]
async fn data_survives_reopening_the_file() {
    let (store, db, id) = db_with_bob().await;
    drop(db);
    let reopened = db_in(&store).await;
    let user = reopened.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.email, "Bob@Example.com");
}

#[rocket::async_test]
async fn login_failures_before_the_cutoff_are_forgotten() {
    let (_store, db, _) = db_with_bob().await;
    for (email, at) in [("old@example.com", 99), ("edge@example.com", 100)] {
        db.record_login_failure(email, at, false).await.unwrap();
    }
    assert_eq!(db.forget_login_failures_before(100).await.unwrap(), 1);
    assert_eq!(
        db.find_login_failures("old@example.com").await.unwrap(),
        None
    );
    let kept = db.find_login_failures("edge@example.com").await.unwrap();
    assert_eq!(kept.map(|failures| failures.last_failed_at), Some(100));
}

/// Applies the migrations of `url`'s backend whose names sort before
/// `release` (a date): the schema a previous release left.
fn migrate_before(url: &str, release: &str) {
    use diesel::migration::{MigrationConnection, MigrationSource};
    use diesel::{Connection, PgConnection, SqliteConnection};
    use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
    const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
    macro_rules! apply {
        ($connection:expr, $migrations:expr) => {{
            let mut connection = $connection;
            connection.setup().unwrap();
            let mut all = MigrationSource::migrations(&$migrations).unwrap();
            all.sort_by_key(|migration| migration.name().to_string());
            for migration in all {
                if migration.name().to_string().as_str() < release {
                    connection.run_migration(&migration).unwrap();
                }
            }
        }};
    }
    if auth_service::db::is_postgres(url) {
        apply!(PgConnection::establish(url).unwrap(), POSTGRES);
    } else {
        apply!(SqliteConnection::establish(url).unwrap(), SQLITE);
    }
}

/// Runs `statement` on the database at `url`, as an older release would.
fn execute(url: &str, statement: &str) {
    use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
    if auth_service::db::is_postgres(url) {
        let mut connection = PgConnection::establish(url).unwrap();
        diesel::sql_query(statement)
            .execute(&mut connection)
            .unwrap();
    } else {
        let mut connection = SqliteConnection::establish(url).unwrap();
        diesel::sql_query(statement)
            .execute(&mut connection)
            .unwrap();
    }
}

#[rocket::async_test]
async fn the_mail_release_upgrades_in_place_keeping_users_sessions_and_tokens() {
    let store = Store::new();
    migrate_before(&store.url, "2026-11-26");
    execute(
        &store.url,
        "INSERT INTO users (email, normalized_email, hashed_password, session_id, \
         session_expires_at, reset_token, reset_token_expires_at, created_at) VALUES \
         ('Old@Example.com', 'old@example.com', '$2b$04$hash', 'session-digest', \
         4102444800, 'token-digest', 4102444800, 1700000000)",
    );
    let db = db_in(&store).await;
    for query in [
        UserQuery::Email("old@example.com".into()),
        UserQuery::SessionId("session-digest".into()),
        UserQuery::ResetToken("token-digest".into()),
    ] {
        let user = db.find_user_by(query.clone()).await.unwrap();
        assert_eq!(user.email, "Old@Example.com", "{query:?}");
        assert_eq!(user.session_expires_at, Some(4102444800));
        assert_eq!(user.email_verified_at, None);
    }
    assert!(db.queued_mails().await.unwrap().is_empty());
}
