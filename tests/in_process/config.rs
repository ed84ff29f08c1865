//! The settings: the secret key that makes sessions survive restarts, and
//! settings refused at start.

use std::os::unix::fs::PermissionsExt;

use auth_service::config::{with_secret_key, AccessPolicy, Settings};
use rocket::config::SecretKey;
use rocket::figment::Figment;

use rocket::error::ErrorKind;
use rocket::local::asynchronous::Client;

use crate::app::figment;
use crate::support::{Store, SECRET_KEY};

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
    let base = rocket::Config::figment()
        .merge(("secret_key_file", &file))
        .merge(("secret_key", SECRET_KEY));
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

#[rocket::async_test]
async fn an_invalid_setting_stops_the_start() {
    let store = Store::new();
    let missing = store.dir.path().join("no-such-folder");
    let cases = [
        figment(&store).merge(("static_dir", &missing)),
        figment(&store).merge(("passwords.bcrypt_cost", 3)),
        figment(&store).merge(("sessions.ttl", 0)),
        figment(&store).merge(("sessions.device_cookie_ttl", 0)),
        figment(&store).merge(("operations.metrics_address", "not an address")),
        // A passkey relying party the origin is not in.
        figment(&store).merge(("passkeys.rp_id", "example.com")),
        figment(&store)
            .merge(("public_url", "http://127.0.0.1:8000"))
            .merge(("passkeys.rp_id", "127.0.0.1")),
        figment(&store).merge(("passkeys.timeout", 0)),
        figment(&store).merge(("sessions.recent_login_ttl", 0)),
        figment(&store).merge(("provider.key_publish_ahead", "100y")),
        figment(&store).merge(("proxy.trusted", ["10.0.0.0/33"])),
        figment(&store).merge(("proxy.trusted", ["a proxy"])),
        // A misspelt key of a section, and a duration that is not one.
        figment(&store).merge(("sessions.tll", "7d")),
        figment(&store).merge(("sessions.ttl", "a week")),
    ];
    for configured in cases {
        let refused = Client::tracked(auth_service::build(configured)).await.err();
        let failed = match refused.as_ref().map(|error| error.kind()) {
            Some(ErrorKind::FailedFairings(failed)) => {
                failed.iter().map(|info| info.name).collect::<Vec<_>>()
            }
            other => panic!("the service started: {other:?}"),
        };
        assert_eq!(failed, ["auth-service"]);
    }
}

#[test]
fn a_passkey_relying_party_that_does_not_fit_the_public_url_is_explained() {
    let store = Store::new();
    let configured = figment(&store).merge(("passkeys.rp_id", "example.com"));
    let settings = Settings::from_figment(&configured).unwrap();
    assert_eq!(
        auth_service::auth::relying_party(&settings).err(),
        Some(
            "passkeys.rp_id \"example.com\" must be public_url's host (localhost) or a domain \
             it belongs to"
                .to_owned()
        )
    );
}

#[test]
fn trusted_proxies_are_addresses_or_networks() {
    let store = Store::new();
    let configured = figment(&store).merge((
        "proxy.trusted",
        ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"],
    ));
    let settings = Settings::from_figment(&configured).unwrap();
    let proxies: Vec<String> = settings
        .proxy
        .trusted
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        proxies,
        ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fd00::/8"]
    );
    let refused = figment(&store).merge(("proxy.trusted", ["proxy.internal"]));
    let error = Settings::from_figment(&refused).unwrap_err();
    assert!(
        error.contains("\"proxy.internal\" is not an IP address or network"),
        "{error}"
    );
}

#[test]
fn durations_are_seconds_or_words() {
    let store = Store::new();
    let configured = figment(&store)
        .merge(("sessions.ttl", "7d"))
        .merge(("sessions.idle_ttl", "1h 30m"))
        .merge(("mail.reset_token_ttl", 900))
        .merge(("mail.verify_token_ttl", "3600"));
    let settings = Settings::from_figment(&configured).unwrap();
    assert_eq!(settings.sessions.ttl, 7 * 24 * 3600);
    assert_eq!(settings.sessions.idle_ttl(), 5400);
    assert_eq!(settings.mail.reset_token_ttl, 900);
    assert_eq!(settings.mail.verify_token_ttl, 3600);

    let refused = figment(&store).merge(("sessions.ttl", "a week"));
    let error = Settings::from_figment(&refused).unwrap_err();
    assert!(error.contains("\"a week\" is not a duration"), "{error}");
    assert!(error.contains("sessions.ttl"), "{error}");
}

#[test]
fn the_flat_keys_of_the_release_before_still_count_and_the_nested_win() {
    let store = Store::new();
    let configured = figment(&store)
        .merge(("session_ttl", 3600))
        .merge(("password_min_length", 12))
        .merge(("trusted_proxies", ["10.0.0.0/8"]))
        .merge(("mail_from", "Accounts <accounts@example.com>"))
        .merge(("reset_token_ttl", 600))
        .merge(("mail.reset_token_ttl", 1200));
    let settings = Settings::from_figment(&configured).unwrap();
    assert_eq!(settings.sessions.ttl, 3600);
    assert_eq!(settings.passwords.min_length, 12);
    assert_eq!(settings.proxy.trusted[0].to_string(), "10.0.0.0/8");
    assert_eq!(settings.mail.from, "Accounts <accounts@example.com>");
    assert_eq!(settings.mail.reset_token_ttl, 1200, "the nested key wins");

    let (_, found) = auth_service::config::with_aliases(configured);
    let flat: Vec<&str> = found.iter().map(|(flat, _)| *flat).collect();
    assert_eq!(
        flat,
        [
            "password_min_length",
            "session_ttl",
            "mail_from",
            "reset_token_ttl",
            "trusted_proxies"
        ]
    );
}

#[test]
fn forward_auth_rules_name_hosts_and_the_first_that_matches_decides() {
    let store = Store::new();
    let rules = serde_json::json!([
        {"host": "App.Example.com", "policy": "signed_in"},
        {"host": "*.example.com", "policy": "two_factor", "groups": ["admins"]},
    ]);
    let configured = figment(&store)
        .merge(("public_url", "https://auth.example.com"))
        .merge(("forward_auth.rules", rules));
    let settings = Settings::from_figment(&configured).unwrap();
    let rules = &settings.forward_auth;
    let policy = |host| rules.rule_for(host).map(|rule| rule.policy);
    assert_eq!(policy("app.example.com"), Some(AccessPolicy::SignedIn));
    assert_eq!(policy("APP.example.com."), Some(AccessPolicy::SignedIn));
    assert_eq!(policy("db.example.com"), Some(AccessPolicy::TwoFactor));
    assert_eq!(policy("a.b.example.com"), Some(AccessPolicy::TwoFactor));
    for unnamed in [
        "example.com",
        "badexample.com",
        "example.com.evil.example",
        "",
    ] {
        assert_eq!(policy(unnamed), None, "{unnamed:?}");
    }
    let groups = &rules.rule_for("db.example.com").unwrap().groups;
    assert_eq!(groups[0].as_str(), "admins");

    for (rule, message) in [
        (
            serde_json::json!({"host": "app example.com", "policy": "signed_in"}),
            "forward_auth.rules: \"app example.com\" is not a host name",
        ),
        (
            serde_json::json!({"host": "app.example.com", "policy": "always"}),
            "found `always`, expected ``signed_in` or `two_factor``",
        ),
        (
            serde_json::json!({"host": "a.example.com", "policy": "signed_in", "groups": ["a,b"]}),
            "\"a,b\" is not a group name",
        ),
    ] {
        let refused = figment(&store).merge(("forward_auth.rules", [rule]));
        let error = Settings::from_figment(&refused).unwrap_err();
        assert!(error.contains(message), "{error}");
    }
}

#[test]
fn the_cookie_domain_holds_the_public_host_and_bounds_the_return_addresses() {
    let store = Store::new();
    let configured = figment(&store)
        .merge(("public_url", "https://auth.example.com"))
        .merge(("sessions.cookie_domain", ".Example.com"))
        .merge((
            "forward_auth.rules",
            serde_json::json!([{"host": "app.example.com", "policy": "signed_in"}]),
        ));
    let settings = Settings::from_figment(&configured).unwrap();
    assert_eq!(
        settings.sessions.cookie_domain.as_deref(),
        Some("example.com")
    );
    for allowed in [
        "https://app.example.com/x?y=1",
        "https://example.com/",
        "https://deep.app.example.com:8443/",
    ] {
        assert!(settings.may_return_to(allowed), "{allowed}");
    }
    for refused in [
        "http://app.example.com/",
        "https://evil.example/",
        "https://example.com.evil.example/",
        "https://badexample.com/",
        "https://user:pass@app.example.com/",
        "https://app.example.com/a b",
        "https://app.example.com\\@evil.example/",
        "/profile",
        "javascript:alert(1)",
    ] {
        assert!(!settings.may_return_to(refused), "{refused}");
    }

    for (domain, public_url) in [
        ("other.com", "https://auth.example.com"),
        ("com", "https://auth.example.com"),
        ("uth.example.com", "https://auth.example.com"),
        ("not a domain", "https://auth.example.com"),
    ] {
        let refused = figment(&store)
            .merge(("public_url", public_url))
            .merge(("sessions.cookie_domain", domain));
        let error = Settings::from_figment(&refused).unwrap_err();
        assert!(
            error.contains("sessions.cookie_domain must be the host of public_url"),
            "{domain}: {error}"
        );
    }
}
