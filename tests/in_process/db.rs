//! `DB` alone, on a temporary SQLite file.

use auth_service::db::{
    DbError, DeviceCookieStart, SessionLimits, SessionStart, UserChanges, UserCondition, UserQuery,
    UserUpdate, DB,
};
use auth_service::user::UserId;

use crate::app::execute;
use crate::support::Store;
use diesel::migration::{MigrationConnection, MigrationSource};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Starts a session whose id has the digest `digest` for the user
/// `user_id`.
async fn start_session(db: &DB, user_id: UserId, digest: &str) {
    let start = SessionStart {
        public_id: format!("handle-of-{digest}"),
        digest: digest.to_owned(),
        now: 1_700_000_000,
        expires_at: 4_102_444_800,
        persistent: true,
        device: "Firefox on Linux".to_owned(),
        ip: Some("192.0.2.7".to_owned()),
        second_factor_at: None,
        device_cookie: DeviceCookieStart {
            digest: format!("device-cookie-of-{digest}"),
            expires_at: 4_102_444_800,
            replacing: Vec::new(),
        },
    };
    let limits = SessionLimits {
        max_per_user: 50,
        idle_since: 0,
    };
    let started = db.start_session(user_id, start, limits).await.unwrap();
    assert!(started.is_some(), "user {user_id} has a session");
}

async fn db_with_bob() -> (Store, DB, UserId) {
    let store = Store::new();
    let db = store.db().await;
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
    assert_eq!((user.reset_token, user.email_verified_at), (None, None));
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
        reset_token: Some(Some("token-digest".into())),
        verify_token: Some(Some("verify-digest".into())),
        ..UserChanges::default()
    };
    db.update_user(id, changes).await.unwrap();
    start_session(&db, id, "session-digest").await;
    for query in [
        UserQuery::Id(id),
        UserQuery::Email("bob@example.com".into()),
        UserQuery::SessionId("session-digest".into()),
        UserQuery::ResetToken("token-digest".into()),
        UserQuery::VerifyToken("verify-digest".into()),
    ] {
        let user = db.find_user_by(query.clone()).await;
        assert_eq!(user.map(|user| user.id).ok(), Some(id), "{query:?}");
    }
}

#[rocket::async_test]
async fn no_result_is_not_found() {
    let (_store, db, id) = db_with_bob().await;
    for query in [
        UserQuery::Id(UserId(id.0 + 1)),
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
        reset_token: Some(Some("t".into())),
        reset_token_expires_at: Some(Some(42)),
        ..UserChanges::default()
    };
    db.update_user(id, set).await.unwrap();
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.hashed_password, "$2b$04$new");
    assert_eq!(
        (user.reset_token.as_deref(), user.reset_token_expires_at),
        (Some("t"), Some(42))
    );

    let clear = UserChanges {
        reset_token: Some(None),
        reset_token_expires_at: Some(None),
        ..UserChanges::default()
    };
    db.update_user(id, clear).await.unwrap();
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(
        (user.reset_token, user.reset_token_expires_at),
        (None, None)
    );
    assert_eq!(user.hashed_password, "$2b$04$new");
}

#[rocket::async_test]
async fn update_of_an_unknown_user_is_not_found() {
    let (_store, db, id) = db_with_bob().await;
    let changes = UserChanges {
        hashed_password: Some("x".into()),
        ..UserChanges::default()
    };
    let result = db.update_user(UserId(id.0 + 1), changes).await;
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
        reset_token_generation: Some(Some(0)),
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
    let reopened = store.db().await;
    let user = reopened.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.email, "Bob@Example.com");
}

#[rocket::async_test]
async fn login_failures_before_the_cutoff_are_forgotten() {
    let (store, db, _) = db_with_bob().await;
    for (email, at) in [("old@example.com", 99), ("edge@example.com", 100)] {
        execute(
            &store.url,
            &format!(
                "INSERT INTO login_failures (normalized_email, failures, last_failed_at) \
                 VALUES ('{email}', 1, {at})"
            ),
        );
    }
    assert_eq!(db.forget_login_failures_before(100).await.unwrap(), 1);
    assert_eq!(
        db.find_login_failures("old@example.com").await.unwrap(),
        None
    );
    let kept = db.find_login_failures("edge@example.com").await.unwrap();
    assert_eq!(kept.map(|failures| failures.last_failed_at), Some(100));
}

#[rocket::async_test]
async fn a_new_credential_voids_every_token_issued_before() {
    let (_store, db, id) = db_with_bob().await;
    let issue = UserChanges {
        reset_token: Some(Some("token-digest".into())),
        reset_token_generation: Some(Some(0)),
        verify_token: Some(Some("verify-digest".into())),
        verify_token_generation: Some(Some(0)),
        pending_email: Some(Some("bob@example.org".into())),
        email_change_token: Some(Some("change-digest".into())),
        email_change_generation: Some(Some(0)),
        ..UserChanges::default()
    };
    db.update_user(id, issue.clone()).await.unwrap();
    let new_password = UserUpdate {
        new_credentials: true,
        ..UserUpdate::new(
            UserCondition::Exists,
            UserChanges {
                hashed_password: Some("$2b$04$new".into()),
                ..UserChanges::default()
            },
        )
    };
    assert!(db.apply_user_update(id, new_password).await.unwrap());
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.credential_generation, 1);
    assert_eq!(
        (user.reset_token, user.verify_token, user.pending_email),
        (None, None, None)
    );

    // A token written back as issued before (a request that read the
    // account before the change, say) still redeems nothing.
    db.update_user(id, issue).await.unwrap();
    for condition in [
        UserCondition::ResetToken("token-digest".into()),
        UserCondition::VerifyToken("verify-digest".into()),
        UserCondition::EmailChangeToken("change-digest".into()),
    ] {
        let redeem = UserUpdate::new(
            condition.clone(),
            UserChanges {
                hashed_password: Some("$2b$04$taken".into()),
                ..UserChanges::default()
            },
        );
        assert!(
            !db.apply_user_update(id, redeem).await.unwrap(),
            "{condition:?}"
        );
    }
    let user = db.find_user_by(UserQuery::Id(id)).await.unwrap();
    assert_eq!(user.hashed_password, "$2b$04$new");
}

/// Applies the migrations of `url`'s backend whose names sort before
/// `release` (a date): the schema a previous release left.
fn migrate_before(url: &str, release: &str) {
    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
    const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
    if auth_service::db::is_postgres(url) {
        apply_before(PgConnection::establish(url).unwrap(), POSTGRES, release);
    } else {
        apply_before(SqliteConnection::establish(url).unwrap(), SQLITE, release);
    }
}

/// Applies, on `connection`, the `migrations` whose names sort before
/// `release`.
fn apply_before<C>(mut connection: C, migrations: EmbeddedMigrations, release: &str)
where
    C: Connection + MigrationConnection + MigrationHarness<C::Backend>,
    EmbeddedMigrations: MigrationSource<C::Backend>,
{
    connection.setup().unwrap();
    let mut all = MigrationSource::migrations(&migrations).unwrap();
    all.sort_by_key(|migration| migration.name().to_string());
    for migration in all {
        if migration.name().to_string().as_str() < release {
            connection.run_migration(&*migration).unwrap();
        }
    }
}

#[rocket::async_test]
async fn an_upgrade_keeps_users_live_sessions_and_tokens() {
    // The releases before mail (2026-11-26) and before a session per
    // device (2026-11-27) kept the session on the users row.
    for release in ["2026-11-26", "2026-11-27"] {
        let store = Store::new();
        migrate_before(&store.url, release);
        execute(
            &store.url,
            "INSERT INTO users (email, normalized_email, hashed_password, session_id, \
             session_expires_at, reset_token, reset_token_expires_at, created_at) VALUES \
             ('Old@Example.com', 'old@example.com', '$2b$04$hash', 'live-digest', \
             4102444800, 'token-digest', 4102444800, 1700000000), \
             ('gone@example.com', 'gone@example.com', '$2b$04$hash', 'expired-digest', \
             1000, NULL, NULL, 1700000000)",
        );
        let db = store.db().await;
        for query in [
            UserQuery::Email("old@example.com".into()),
            UserQuery::SessionId("live-digest".into()),
            UserQuery::ResetToken("token-digest".into()),
        ] {
            let user = db.find_user_by(query.clone()).await.unwrap();
            assert_eq!(user.email, "Old@Example.com", "{release}: {query:?}");
            assert_eq!(user.email_verified_at, None);
        }
        let (session, user) = db.find_session("live-digest").await.unwrap().unwrap();
        assert_eq!(user.email, "Old@Example.com");
        assert_eq!(session.expires_at, 4_102_444_800, "{release}");
        assert!(session.persistent, "its cookie has a Max-Age");
        assert_eq!(session.device, "Unknown device");
        assert_eq!(session.public_id.len(), 32);
        assert_eq!(db.find_session("expired-digest").await.unwrap(), None);
        assert!(db.queued_mails().await.unwrap().is_empty());
    }
}

#[rocket::async_test]
async fn an_upgrade_keeps_the_links_already_mailed_and_the_sessions_proof() {
    // The release before identity proofs (2026-12-04) kept tokens without
    // the generation they were issued at.
    let store = Store::new();
    migrate_before(&store.url, "2026-12-04");
    execute(
        &store.url,
        "INSERT INTO users (email, normalized_email, hashed_password, reset_token, \
         reset_token_expires_at, verify_token, verify_token_expires_at, created_at) VALUES \
         ('old@example.com', 'old@example.com', '$2b$04$hash', 'reset-digest', 4102444800, \
         'verify-digest', 4102444800, 1700000000)",
    );
    execute(
        &store.url,
        "INSERT INTO sessions (public_id, digest, user_id, created_at, last_seen_at, \
         expires_at, persistent, device) SELECT 'handle', 'live-digest', id, 1700000123, \
         1700000123, 4102444800, TRUE, 'Firefox on Linux' FROM users",
    );
    let db = store.db().await;
    let (session, user) = db.find_session("live-digest").await.unwrap().unwrap();
    assert_eq!(
        session.authenticated_at, 1_700_000_123,
        "proved at its login"
    );
    assert_eq!(user.credential_generation, 0);
    assert_eq!(
        (user.reset_token_generation, user.verify_token_generation),
        (Some(0), Some(0))
    );
    for condition in [
        UserCondition::VerifyToken("verify-digest".into()),
        UserCondition::ResetToken("reset-digest".into()),
    ] {
        let redeem = UserUpdate::new(
            condition.clone(),
            UserChanges {
                email_verified_at: Some(Some(1_800_000_000)),
                ..UserChanges::default()
            },
        );
        let redeemed = db.apply_user_update(user.id, redeem).await.unwrap();
        assert!(redeemed, "{condition:?} still works");
    }
}

#[rocket::async_test]
async fn an_upgrade_keeps_accounts_speaking_english_with_their_sessions_and_codes() {
    // The release before languages (2026-12-05) spoke English to everyone.
    let store = Store::new();
    migrate_before(&store.url, "2026-12-05");
    execute(
        &store.url,
        "INSERT INTO users (email, normalized_email, hashed_password, reset_token, \
         reset_token_expires_at, reset_token_generation, created_at) VALUES \
         ('old@example.com', 'old@example.com', '$2b$04$hash', 'reset-digest', 4102444800, \
         0, 1700000000)",
    );
    execute(
        &store.url,
        "INSERT INTO sessions (public_id, digest, user_id, created_at, last_seen_at, \
         expires_at, persistent, device, authenticated_at) SELECT 'handle', 'live-digest', \
         id, 1700000123, 1700000123, 4102444800, TRUE, 'Firefox on Linux', 1700000123 \
         FROM users",
    );
    execute(
        &store.url,
        "INSERT INTO recovery_codes (user_id, digest) SELECT id, 'code-digest' FROM users",
    );
    let db = store.db().await;
    let (_, user) = db.find_session("live-digest").await.unwrap().unwrap();
    assert_eq!(user.language, auth_service::language::Language::En);
    assert_eq!(db.count_recovery_codes(user.id).await.unwrap(), 1, "unused");
    let by_token = db
        .find_user_by(UserQuery::ResetToken("reset-digest".into()))
        .await
        .unwrap();
    assert_eq!(by_token.id, user.id);
}

#[rocket::async_test]
async fn an_upgrade_keeps_sessions_that_proved_no_second_factor_yet() {
    // The release before forward auth (2026-12-06) did not record a
    // session's second factor, nor groups.
    let store = Store::new();
    migrate_before(&store.url, "2026-12-06");
    execute(
        &store.url,
        "INSERT INTO users (email, normalized_email, hashed_password, created_at, language) \
         VALUES ('old@example.com', 'old@example.com', '$2b$04$hash', 1700000000, 'fr')",
    );
    execute(
        &store.url,
        "INSERT INTO sessions (public_id, digest, user_id, created_at, last_seen_at, \
         expires_at, persistent, device, authenticated_at) SELECT 'handle', 'live-digest', \
         id, 1700000123, 1700000123, 4102444800, TRUE, 'Firefox on Linux', 1700000123 \
         FROM users",
    );
    let db = store.db().await;
    let (session, user) = db.find_session("live-digest").await.unwrap().unwrap();
    assert_eq!(user.language, auth_service::language::Language::Fr);
    assert_eq!(session.authenticated_at, 1_700_000_123);
    assert_eq!(
        session.second_factor_at, None,
        "a code step for two-factor hosts"
    );
    assert!(db.user_groups(user.id).await.unwrap().is_empty());
    assert!(db.add_user_group(user.id, "ops").await.unwrap());
    assert!(!db.add_user_group(user.id, "ops").await.unwrap(), "once");
    assert_eq!(db.user_groups(user.id).await.unwrap(), ["ops"]);
    db.second_factor_proven(session.id, 1_800_000_000)
        .await
        .unwrap();
    let (session, _) = db.find_session("live-digest").await.unwrap().unwrap();
    assert_eq!(session.second_factor_at, Some(1_800_000_000));
}
