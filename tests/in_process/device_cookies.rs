//! Device cookies: a client that logged in to an account before keeps
//! logging in while others guess its password; a stolen device cookie
//! locks itself, not the account.

use rocket::http::{ContentType, Cookie, Status};

use auth_service::auth::token::digest;

use crate::app::{peer, TestApp};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical engine";
const OTHER: &str = "grace@example.com";

/// The guesses an email (or a device cookie) gets before it waits.
const FREE_ATTEMPTS: usize = 5;

/// The tests of this module run with an untracked client: each request
/// carries the cookies of the device it comes from.
async fn accounts() -> TestApp {
    let app = TestApp::untracked(|figment| figment).await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.register_confirmed(OTHER, PASSWORD).await;
    app
}

/// What a login answered: its status, and the cookies it left.
struct Answer {
    status: Status,
    session_cookie: Option<Cookie<'static>>,
    device_cookie: Option<Cookie<'static>>,
}

impl TestApp {
    /// A JSON client's login as `email` with `password`, presenting
    /// `cookies`, from `address`.
    async fn attempt(
        &self,
        email: &str,
        password: &str,
        cookies: &[Cookie<'static>],
        address: &str,
    ) -> Answer {
        let response = self
            .client
            .post("/sessions")
            .header(ContentType::JSON)
            .remote(peer(address))
            .cookies(cookies.to_vec())
            .body(serde_json::json!({"email": email, "password": password}).to_string())
            .dispatch()
            .await;
        let named = |prefix: &str| {
            let cookies = response.cookies();
            let found = cookies
                .iter()
                .find(|cookie| cookie.name().starts_with(prefix));
            found.map(|cookie| cookie.clone().into_owned())
        };
        Answer {
            status: response.status(),
            session_cookie: named("session_id"),
            device_cookie: named("device_"),
        }
    }

    /// Logs `email` in from a device of its own; its device cookie.
    async fn trusted_device(&self, email: &str, address: &str) -> Cookie<'static> {
        let answer = self.attempt(email, PASSWORD, &[], address).await;
        assert_eq!(answer.status, Status::Ok, "logging in {email}");
        answer.device_cookie.expect("a device cookie")
    }

    /// Wrong passwords for `email` from a client without cookies, until
    /// its untrusted clients wait, even with the right `password`.
    async fn lock_out_untrusted_clients(&self, email: &str, password: &str) {
        for guess in 1..=FREE_ATTEMPTS {
            let answer = self
                .attempt(email, "a wild guess", &[], "203.0.113.66")
                .await;
            assert_eq!(answer.status, Status::Unauthorized, "guess {guess}");
        }
        let answer = self.attempt(email, password, &[], "203.0.113.66").await;
        assert_eq!(answer.status, Status::TooManyRequests, "even the right one");
    }
}

#[rocket::async_test]
async fn the_owner_logs_in_from_a_trusted_device_while_an_attacker_is_throttled() {
    let app = accounts().await;
    let owners = app.trusted_device(EMAIL, "192.0.2.7").await;

    app.lock_out_untrusted_clients(EMAIL, PASSWORD).await;
    let owner = app.attempt(EMAIL, PASSWORD, &[owners], "192.0.2.7").await;
    assert_eq!(owner.status, Status::Ok);
    let attacker = app.attempt(EMAIL, "guess", &[], "203.0.113.66").await;
    assert_eq!(attacker.status, Status::TooManyRequests);

    // The owner's new device cookie works as the old one did, and the old
    // one is spent: each login replaces it.
    let renewed = owner.device_cookie.expect("a new device cookie");
    assert_eq!(app.stored_device_cookies(EMAIL), [0]);
    let again = app.attempt(EMAIL, PASSWORD, &[renewed], "192.0.2.7").await;
    assert_eq!(again.status, Status::Ok);
}

#[rocket::async_test]
async fn a_device_cookie_is_sealed_http_only_same_site_and_lives_a_year() {
    let app = accounts().await;
    let response = app
        .client
        .post("/sessions")
        .header(ContentType::Form)
        .body("email=ada%40example.com&password=analytical+engine")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let set_cookies: Vec<&str> = response.headers().get("Set-Cookie").collect();
    let device = set_cookies
        .iter()
        .find(|header| header.starts_with("device_"))
        .expect("a device cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(device.contains(attribute), "{attribute} in {device}");
    }
    // One per account, named for it without naming it.
    let other = app.trusted_device(OTHER, "192.0.2.7").await;
    let name = device.split('=').next().unwrap();
    assert_ne!(name, other.name());
    assert!(!name.contains("ada") && !other.name().contains("grace"));
    // The nonce is sealed: what the client holds is not what the database
    // knows the nonce by.
    let value = device.split(';').next().unwrap().split_once('=').unwrap().1;
    let stored = format!(
        "SELECT COUNT(*) AS n FROM device_cookies WHERE digest = '{}'",
        digest(value)
    );
    assert_eq!(app.numbers(&stored), [0]);
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM device_cookies"), [2]);
}

#[rocket::async_test]
async fn a_stolen_device_cookie_locks_itself_not_the_account() {
    let app = accounts().await;
    let stolen = app.trusted_device(EMAIL, "192.0.2.7").await;
    for guess in 1..=FREE_ATTEMPTS {
        let answer = app
            .attempt(
                EMAIL,
                "a wild guess",
                std::slice::from_ref(&stolen),
                "203.0.113.66",
            )
            .await;
        assert_eq!(answer.status, Status::Unauthorized, "guess {guess}");
        assert!(answer.device_cookie.is_none());
    }
    assert_eq!(
        app.stored_device_cookies(EMAIL),
        [] as [i64; 0],
        "forgotten"
    );
    let db = app.db().await;
    assert_eq!(db.find_login_failures(EMAIL).await.unwrap(), None);

    // The account is untouched: a client without a device cookie logs in
    // at once; with the spent cookie, guesses count as any stranger's.
    let owner = app.attempt(EMAIL, PASSWORD, &[], "192.0.2.8").await;
    assert_eq!(owner.status, Status::Ok);
    let after = app
        .attempt(EMAIL, "a wild guess", &[stolen], "203.0.113.66")
        .await;
    assert_eq!(after.status, Status::Unauthorized);
    let failures = db.find_login_failures(EMAIL).await.unwrap().unwrap();
    assert_eq!(failures.failures, 1);
}

#[rocket::async_test]
async fn a_right_password_forgives_a_device_cookies_failures() {
    let app = accounts().await;
    let device = app.trusted_device(EMAIL, "192.0.2.7").await;
    for _ in 1..FREE_ATTEMPTS {
        let answer = app
            .attempt(EMAIL, "typo", std::slice::from_ref(&device), "192.0.2.7")
            .await;
        assert_eq!(answer.status, Status::Unauthorized);
    }
    assert_eq!(app.stored_device_cookies(EMAIL), [4]);
    let answer = app.attempt(EMAIL, PASSWORD, &[device], "192.0.2.7").await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(app.stored_device_cookies(EMAIL), [0]);
}

#[rocket::async_test]
async fn a_device_cookie_of_one_account_does_nothing_for_another() {
    let app = accounts().await;
    let adas = app.trusted_device(EMAIL, "192.0.2.7").await;
    // Renamed as the other account's, it no longer opens.
    let others = app.trusted_device(OTHER, "192.0.2.9").await;
    let renamed = Cookie::new(others.name().to_owned(), adas.value().to_owned());
    for guess in 1..=FREE_ATTEMPTS {
        let cookies = [adas.clone(), renamed.clone()];
        let answer = app
            .attempt(OTHER, "a wild guess", &cookies, "192.0.2.7")
            .await;
        assert_eq!(answer.status, Status::Unauthorized, "guess {guess}");
    }
    let answer = app
        .attempt(OTHER, PASSWORD, std::slice::from_ref(&adas), "192.0.2.7")
        .await;
    assert_eq!(answer.status, Status::TooManyRequests);
    assert_eq!(app.stored_device_cookies(EMAIL), [0], "not counted");
    assert_eq!(app.stored_device_cookies(OTHER), [0], "not counted");
}

#[rocket::async_test]
async fn tampered_or_expired_device_cookies_count_as_untrusted() {
    let app = accounts().await;
    let tampered = {
        let genuine = app.trusted_device(EMAIL, "192.0.2.7").await;
        let mut value = genuine.value().to_owned();
        let last = if value.ends_with('A') { "B" } else { "A" };
        value.replace_range(value.len() - 1.., last);
        Cookie::new(genuine.name().to_owned(), value)
    };
    let ageing = app.trusted_device(EMAIL, "192.0.2.8").await;
    app.lock_out_untrusted_clients(EMAIL, PASSWORD).await;

    let answer = app.attempt(EMAIL, PASSWORD, &[tampered], "192.0.2.7").await;
    assert_eq!(answer.status, Status::TooManyRequests, "tampered");
    let answer = app.attempt(EMAIL, PASSWORD, &[ageing], "192.0.2.8").await;
    assert_eq!(answer.status, Status::Ok, "not expired yet");
    app.execute("UPDATE device_cookies SET expires_at = 1000");
    let expired = answer.device_cookie.unwrap();
    let answer = app.attempt(EMAIL, PASSWORD, &[expired], "192.0.2.8").await;
    assert_eq!(answer.status, Status::TooManyRequests, "expired");
}

/// Logs `email` in from a fourth device; the session and device cookies.
async fn changing_device(app: &TestApp) -> Vec<Cookie<'static>> {
    let answer = app.attempt(EMAIL, PASSWORD, &[], "192.0.2.10").await;
    vec![
        answer.device_cookie.unwrap(),
        answer.session_cookie.unwrap(),
    ]
}

#[rocket::async_test]
async fn a_password_change_or_reset_revokes_every_other_device_cookie() {
    let app = accounts().await;
    let revoked = app.trusted_device(EMAIL, "192.0.2.7").await;
    let changer = changing_device(&app).await;
    let response = app
        .client
        .put("/profile/password")
        .header(ContentType::JSON)
        .cookies(changer.clone())
        .body(r#"{"current_password": "analytical engine", "new_password": "difference engine"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    // The changer goes on in a new session, with a new device cookie.
    let renewed = response
        .cookies()
        .iter()
        .find(|cookie| cookie.name().starts_with("device_"))
        .map(|cookie| cookie.clone().into_owned())
        .expect("a new device cookie");
    assert_eq!(app.stored_device_cookies(EMAIL), [0], "only the changer's");

    app.lock_out_untrusted_clients(EMAIL, "difference engine")
        .await;
    let answer = app
        .attempt(EMAIL, "difference engine", &[revoked], "192.0.2.7")
        .await;
    assert_eq!(answer.status, Status::TooManyRequests, "revoked");
    let answer = app
        .attempt(EMAIL, "difference engine", &[renewed], "192.0.2.10")
        .await;
    assert_eq!(answer.status, Status::Ok, "the changer's device");

    // A reset from a device that presents its device cookie keeps that one.
    let revoked = app.trusted_device(OTHER, "192.0.2.7").await;
    let resetting = app.trusted_device(OTHER, "192.0.2.10").await;
    let response = app
        .client
        .post("/reset_password")
        .header(ContentType::JSON)
        .body(format!(r#"{{"email": "{OTHER}"}}"#))
        .dispatch()
        .await;
    let token: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let update = serde_json::json!({
        "email": OTHER,
        "reset_token": token["reset_token"],
        "new_password": "difference engine",
    });
    let response = app
        .client
        .put("/reset_password")
        .header(ContentType::JSON)
        .cookie(resetting.clone())
        .body(update.to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(app.stored_device_cookies(OTHER), [0], "only the resetter's");
    app.lock_out_untrusted_clients(OTHER, "difference engine")
        .await;
    let answer = app
        .attempt(OTHER, "difference engine", &[revoked], "192.0.2.7")
        .await;
    assert_eq!(answer.status, Status::TooManyRequests, "revoked");
    let answer = app
        .attempt(OTHER, "difference engine", &[resetting], "192.0.2.10")
        .await;
    assert_eq!(answer.status, Status::Ok, "the resetter's device");
}
