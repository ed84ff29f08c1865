//! `Auth` alone, over a temporary SQLite file.

use auth_service::auth::{AuthError, Device, Email, Password, ResetToken};

use crate::app::TestApp;

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn password(text: &str) -> Password {
    Password::parse(text).unwrap()
}

#[rocket::async_test]
async fn hash_password_gives_a_salted_bcrypt_hash() {
    let app = TestApp::new().await;
    let first = app
        .auth()
        .hash_password(&password("first secret"))
        .await
        .unwrap();
    let second = app
        .auth()
        .hash_password(&password("first secret"))
        .await
        .unwrap();
    assert!(first.starts_with("$2b$04$"));
    assert_ne!(first, second, "each hash has its own salt");
}

#[rocket::async_test]
async fn register_user_refuses_a_taken_email() {
    let app = TestApp::new().await;
    let auth = app.auth();
    let user = auth
        .register_user(&email("bob@example.com"), &password("first secret"))
        .await
        .unwrap();
    assert_eq!(user.email, "bob@example.com");
    let error = auth
        .register_user(&email("BOB@example.com"), &password("other secret"))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "User BOB@example.com already exists");
}

#[rocket::async_test]
async fn valid_login_checks_the_password() {
    let app = TestApp::new().await;
    let auth = app.auth();
    auth.register_user(&email("bob@example.com"), &password("first secret"))
        .await
        .unwrap();
    assert!(auth
        .valid_login(&email("bob@example.com"), &password("first secret"))
        .await
        .unwrap());
    assert!(!auth
        .valid_login(&email("bob@example.com"), &password("First secret"))
        .await
        .unwrap());
    assert!(!auth
        .valid_login(&email("eve@example.com"), &password("first secret"))
        .await
        .unwrap());
}

#[rocket::async_test]
async fn generate_uuid_is_a_fresh_v4_uuid() {
    let first = auth_service::auth::generate_uuid();
    let parsed = uuid::Uuid::parse_str(&first).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    assert_ne!(first, auth_service::auth::generate_uuid());
}

#[rocket::async_test]
async fn sessions_are_created_found_and_destroyed() {
    let app = TestApp::new().await;
    let auth = app.auth();
    let bob = auth
        .register_user(&email("bob@example.com"), &password("first secret"))
        .await
        .unwrap();
    let device = Device::unknown();
    assert_eq!(
        auth.create_session(&email("eve@example.com"), &device, true)
            .await
            .unwrap(),
        None
    );

    let session = auth
        .create_session(&email("bob@example.com"), &device, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.max_age, Some(auth.settings().sessions.ttl));
    let session_id = session.id.expose();
    let found = auth.get_user_from_session_id(session_id).await.unwrap();
    assert_eq!(found.map(|user| user.id), Some(bob.id));
    assert_eq!(
        auth.get_user_from_session_id("nonsense").await.unwrap(),
        None
    );

    auth.destroy_session(bob.id).await.unwrap();
    assert_eq!(
        auth.get_user_from_session_id(session_id).await.unwrap(),
        None
    );
}

#[rocket::async_test]
async fn reset_tokens_are_issued_for_known_emails_only() {
    let app = TestApp::new().await;
    let auth = app.auth();
    let error = auth
        .get_reset_password_token(&email("eve@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::UnknownEmail), "{error:?}");

    auth.register_user(&email("bob@example.com"), &password("first secret"))
        .await
        .unwrap();
    let first = auth
        .get_reset_password_token(&email("bob@example.com"))
        .await
        .unwrap();
    let second = auth
        .get_reset_password_token(&email("bob@example.com"))
        .await
        .unwrap();
    assert_ne!(first, second);
    // Only the newest token works.
    let token = ResetToken::parse(&first).unwrap();
    let result = auth
        .update_password(
            &email("bob@example.com"),
            &token,
            &password("brand new secret"),
            &Device::unknown(),
        )
        .await;
    assert!(
        matches!(result, Err(AuthError::InvalidResetToken)),
        "{result:?}"
    );
}

#[rocket::async_test]
async fn update_password_sets_the_password_and_clears_the_token() {
    let app = TestApp::new().await;
    let auth = app.auth();
    let bob = email("bob@example.com");
    auth.register_user(&bob, &password("first secret"))
        .await
        .unwrap();
    let token = auth.get_reset_password_token(&bob).await.unwrap();
    let token = ResetToken::parse(&token).unwrap();

    auth.update_password(&bob, &token, &password("second secret"), &Device::unknown())
        .await
        .unwrap();
    assert!(auth
        .valid_login(&bob, &password("second secret"))
        .await
        .unwrap());
    assert!(!auth
        .valid_login(&bob, &password("first secret"))
        .await
        .unwrap());
    let again = auth
        .update_password(&bob, &token, &password("third secret"), &Device::unknown())
        .await;
    assert!(
        matches!(again, Err(AuthError::InvalidResetToken)),
        "{again:?}"
    );
    assert_eq!(
        app.stored_user("bob@example.com")
            .await
            .unwrap()
            .reset_token,
        None
    );
}
