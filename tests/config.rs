//! The secret key that makes sessions survive restarts.

use std::os::unix::fs::PermissionsExt;

use auth_service::config::with_secret_key;
use rocket::config::SecretKey;
use rocket::figment::Figment;

fn configured_key(figment: &Figment) -> SecretKey {
    figment.extract_inner("secret_key").unwrap()
}

#[test]
fn a_key_is_generated_once_kept_private_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.key");
    let base = rocket::Config::figment().merge(("secret_key_file", &file));

    let first = with_secret_key(base.clone()).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(!configured_key(&first).is_zero());

    let second = with_secret_key(base).unwrap();
    assert_eq!(configured_key(&first), configured_key(&second));
}

#[test]
fn a_configured_key_wins_and_no_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.key");
    let key =
        "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk4HU5uVkf0Ut8rgNUHvrAkB3Z1cUE3kTr3qiVpO2GTTQ==";
    let base = rocket::Config::figment()
        .merge(("secret_key_file", &file))
        .merge(("secret_key", key));
    let figment = with_secret_key(base.clone()).unwrap();
    assert_eq!(configured_key(&figment), configured_key(&base));
    assert!(!file.exists());
}

#[test]
fn an_unwritable_key_file_is_a_clear_error() {
    let base = rocket::Config::figment().merge(("secret_key_file", "/nonexistent-dir/secret.key"));
    let error = with_secret_key(base).unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent-dir/secret.key"),
        "{error}"
    );
}
