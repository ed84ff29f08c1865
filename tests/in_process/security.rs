//! Hardening: stored digests, lifetimes, throttling, enumeration, password
//! policy, cross-site requests and security headers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use auth_service::auth::token::digest;
use auth_service::auth::{Auth, AuthError, Password};

use rocket::figment::Figment;
use rocket::futures::future::join_all;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::LocalRequest;

use crate::app::{body, peer, TestApp, BROWSER};

const EMAIL: &str = "mallory.victim@example.com";
const PASSWORD: &str = "a perfectly good passphrase";

async fn login_from(app: &TestApp, address: &'static str, email: &str) -> Status {
    app.client
        .post("/sessions")
        .remote(peer(address))
        .header(ContentType::Form)
        .body(format!("email={email}&password=wrong+guess+here"))
        .dispatch()
        .await
        .status()
}

// ---- Sessions and tokens -------------------------------------------------

#[rocket::async_test]
async fn a_copy_of_the_database_opens_no_session_and_resets_no_password() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let token_response = app.post("/reset_password", &[("email", EMAIL)]).await;
    assert_eq!(token_response.status(), Status::Ok);
    let token_digest = app.stored_user(EMAIL).await.unwrap().reset_token.unwrap();
    // What the database keeps of the session: the digest of its id.
    let session_digest = digest(&app.session_id().unwrap());
    assert!(app
        .stored_session(&app.session_id().unwrap())
        .await
        .is_some());

    // Even with the secret key, a cookie carrying the stored value is no session.
    let response = app
        .client
        .get("/profile")
        .private_cookie(Cookie::new("session_id", session_digest))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let fields = [
        ("email", EMAIL),
        ("reset_token", token_digest.as_str()),
        ("new_password", "taken over!"),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn session_and_token_lifetimes_come_from_the_configuration() {
    let app = TestApp::with(|figment| {
        figment
            .merge(("sessions.ttl", 120))
            .merge(("mail.reset_token_ttl", 60))
    })
    .await;
    app.register(EMAIL, PASSWORD).await;
    let response = app.try_login(EMAIL, PASSWORD).await;
    let cookie = response.cookies().get("session_id").unwrap();
    assert_eq!(cookie.max_age(), Some(rocket::time::Duration::seconds(120)));
    app.post("/reset_password", &[("email", EMAIL)]).await;

    let user = app.stored_user(EMAIL).await.unwrap();
    let session = app.stored_sessions(EMAIL).await.remove(0);
    let now = auth_service::clock::now();
    let session_left = session.expires_at - now;
    let token_left = user.reset_token_expires_at.unwrap() - now;
    assert!((115..=120).contains(&session_left), "{session_left}");
    assert!((55..=60).contains(&token_left), "{token_left}");
}

#[rocket::async_test]
async fn an_expired_session_sends_a_browser_to_the_login_page() {
    let app = TestApp::with(|figment| figment.merge(("sessions.ttl", 1))).await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    rocket::tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let response = app.page("/profile").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/login?next=%2Fprofile")
    );
    let login = body(app.page("/login?next=%2Fprofile").await).await;
    assert!(login.contains("Your session has ended. Log in again."));
    assert_eq!(
        app.client.get("/profile").dispatch().await.status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn answers_carrying_a_session_or_a_token_are_not_stored() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let responses = [
        app.try_login(EMAIL, PASSWORD).await,
        app.post("/reset_password", &[("email", EMAIL)]).await,
        app.client
            .post("/reset_password")
            .header(Header::new("Accept", BROWSER))
            .header(ContentType::Form)
            .body(format!("email={EMAIL}"))
            .dispatch()
            .await,
        app.client.get("/profile").dispatch().await,
    ];
    for response in responses {
        assert_eq!(
            response.headers().get_one("Cache-Control"),
            Some("no-store")
        );
    }
}

// ---- Login throttling ----------------------------------------------------

#[rocket::async_test]
async fn repeated_failures_get_429_with_a_growing_retry_after() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(
            app.try_login(EMAIL, "wrong password").await.status(),
            Status::Unauthorized
        );
    }
    // Locked now, even with the right password.
    let response = app.try_login(EMAIL, PASSWORD).await;
    assert_eq!(response.status(), Status::TooManyRequests);
    let wait: u64 = response
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((29..=30).contains(&wait), "{wait}");
    assert_eq!(
        body(response).await,
        "{\"message\":\"too many login attempts; try again later\"}\n"
    );

    // One more failure once the wait is over doubles it.
    assert!(app.stored_sessions(EMAIL).await.is_empty());
    app.db().await.lock_logins(EMAIL, 0).await.unwrap();
    assert_eq!(
        app.try_login(EMAIL, "wrong again").await.status(),
        Status::Unauthorized
    );
    let response = app.try_login(EMAIL, PASSWORD).await;
    let wait: u64 = response
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((59..=60).contains(&wait), "{wait}");
}

#[rocket::async_test]
async fn concurrent_guesses_past_the_free_attempts_are_checked_one_at_a_time() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for _ in 0..5 {
        app.try_login(EMAIL, "wrong password").await;
    }
    app.db().await.lock_logins(EMAIL, 0).await.unwrap();
    let before = app.auth().password_verifications();
    let guesses: Vec<String> = (0..8).map(|n| format!("parallel guess {n}")).collect();
    let responses = join_all(guesses.iter().map(|guess| app.try_login(EMAIL, guess))).await;
    let statuses: Vec<Status> = responses.iter().map(|response| response.status()).collect();
    assert_eq!(
        app.auth().password_verifications() - before,
        1,
        "{statuses:?}"
    );
    let refused = statuses
        .iter()
        .filter(|status| **status == Status::TooManyRequests);
    assert_eq!(refused.count(), 7, "{statuses:?}");
}

#[rocket::async_test]
async fn an_attempt_refused_as_busy_leaves_the_email_free_to_try_again() {
    let app = TestApp::with(|figment| {
        figment
            .merge(("passwords.hash_queue_limit", 0))
            .merge(("passwords.bcrypt_cost", 10))
            .merge(("login_limits.free_attempts", 1))
    })
    .await;
    app.register(EMAIL, PASSWORD).await;
    app.try_login(EMAIL, "wrong password").await;
    app.db().await.lock_logins(EMAIL, 0).await.unwrap();

    // Every hashing thread busy, and no queue: the next attempt past the
    // free ones claims the email, then cannot be checked.
    let secret = Password::parse("keeps a thread busy").unwrap();
    let occupied = occupy_every_hashing_thread(app.auth(), &secret).await;
    let refused = app.try_login(EMAIL, PASSWORD).await;
    assert_eq!(refused.status(), Status::ServiceUnavailable);
    drop(refused);
    for hashing in occupied {
        hashing.await.unwrap();
    }

    assert_eq!(app.try_login(EMAIL, PASSWORD).await.status(), Status::Ok);
}

/// Hashes of `secret` started on every thread of `auth`'s hasher (which has
/// no queue), not yet awaited.
async fn occupy_every_hashing_thread<'a>(
    auth: &'a Auth,
    secret: &'a Password,
) -> Vec<Pin<Box<impl Future<Output = Result<String, AuthError>> + 'a>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut context = Context::from_waker(Waker::noop());
    let mut occupied = Vec::new();
    while occupied.len() < threads {
        let mut hashing = Box::pin(auth.hash_password(secret));
        match hashing.as_mut().poll(&mut context) {
            Poll::Pending => occupied.push(hashing),
            // That thread is not back waiting for work yet: ask again.
            Poll::Ready(_) => rocket::tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
    occupied
}

#[rocket::async_test]
async fn a_few_mistakes_never_block_and_success_clears_the_count() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for _ in 0..3 {
        for _ in 0..3 {
            assert_eq!(
                app.try_login(EMAIL, "typo typo typo").await.status(),
                Status::Unauthorized
            );
        }
        assert_eq!(app.try_login(EMAIL, PASSWORD).await.status(), Status::Ok);
        assert_eq!(
            app.db().await.find_login_failures(EMAIL).await.unwrap(),
            None
        );
    }
}

#[rocket::async_test]
async fn throttling_affects_no_other_account_and_tells_nothing_of_existence() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.register("bystander@example.com", PASSWORD).await;
    let ghost = "nobody.here@example.com";
    for email in [EMAIL, ghost] {
        for _ in 0..5 {
            app.try_login(email, "wrong password").await;
        }
    }
    let known = app.try_login(EMAIL, "wrong password").await;
    let unknown = app.try_login(ghost, "wrong password").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(body(known).await, body(unknown).await);
    app.login("bystander@example.com", PASSWORD).await;
}

#[rocket::async_test]
async fn throttling_holds_across_a_restart() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for _ in 0..5 {
        app.try_login(EMAIL, "wrong password").await;
    }
    let app = app.restart(|figment| figment).await;
    assert_eq!(
        app.try_login(EMAIL, PASSWORD).await.status(),
        Status::TooManyRequests
    );
}

#[rocket::async_test]
async fn failures_past_the_window_are_deleted_as_new_ones_come() {
    let app = TestApp::with(|figment| figment.merge(("login_limits.failure_window", 3600))).await;
    let db = app.db().await;
    let now = auth_service::clock::now();
    let stale = "stale.guess@example.com";
    let recent = "recent.guess@example.com";
    for (email, at) in [(stale, now - 3601), (recent, now - 3500)] {
        app.execute(&format!(
            "INSERT INTO login_failures (normalized_email, failures, last_failed_at) \
             VALUES ('{email}', 1, {at})"
        ));
    }

    assert_eq!(
        app.try_login(EMAIL, "wrong password").await.status(),
        Status::Unauthorized
    );
    assert_eq!(db.find_login_failures(stale).await.unwrap(), None);
    let kept = db.find_login_failures(recent).await.unwrap().unwrap();
    assert_eq!((kept.failures, kept.last_failed_at), (1, now - 3500));
    let counted = db.find_login_failures(EMAIL).await.unwrap().unwrap();
    assert_eq!(counted.failures, 1);
}

#[rocket::async_test]
async fn one_client_address_is_limited_in_memory() {
    let app =
        TestApp::with(|figment| figment.merge(("login_limits.ip_attempts_per_minute", 3))).await;
    for n in 0..3 {
        let email = format!("target{n}@example.com");
        assert_eq!(
            login_from(&app, "203.0.113.7", &email).await,
            Status::Unauthorized
        );
    }
    assert_eq!(
        login_from(&app, "203.0.113.7", "another@example.com").await,
        Status::TooManyRequests
    );
    assert_eq!(
        login_from(&app, "198.51.100.1", "another@example.com").await,
        Status::Unauthorized
    );
}

// ---- No account enumeration ----------------------------------------------

#[rocket::async_test]
async fn unknown_emails_cost_one_bcrypt_verification_like_known_ones() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for (email, password) in [
        ("nobody.here@example.com", PASSWORD),
        (EMAIL, "wrong password"),
        (EMAIL, PASSWORD),
    ] {
        let before = app.auth().password_verifications();
        app.try_login(email, password).await;
        assert_eq!(app.auth().password_verifications() - before, 1, "{email}");
    }
}

// ---- Passwords -----------------------------------------------------------

#[rocket::async_test]
async fn new_passwords_follow_the_policy() {
    let app = TestApp::new().await;
    let cases = [
        ("seven 7", "password must be at least 8 characters"),
        ("password", "password is too common; choose another"),
        ("qwertyuiop", "password is too common; choose another"),
        (EMAIL, "password is too common; choose another"),
    ];
    for (password, message) in cases {
        let response = app
            .post("/users", &[("email", EMAIL), ("password", password)])
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{password}");
        assert_eq!(
            body(response).await,
            format!("{{\"message\":\"{message}\"}}\n")
        );
    }
    assert!(app.stored_user(EMAIL).await.is_none());

    app.register(EMAIL, PASSWORD).await;
    let response = app.post("/reset_password", &[("email", EMAIL)]).await;
    let json: serde_json::Value = serde_json::from_str(&body(response).await).unwrap();
    let token = json["reset_token"].as_str().unwrap();
    let fields = [
        ("email", EMAIL),
        ("reset_token", token),
        ("new_password", "12345678"),
    ];
    let response = app.put("/reset_password", &fields).await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body(response).await,
        "{\"message\":\"new_password is too common; choose another\"}\n"
    );
    // The token is still good for a proper password.
    let fields = [
        ("email", EMAIL),
        ("reset_token", token),
        ("new_password", "a better one, really"),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn the_minimum_length_is_configurable() {
    let app = TestApp::with(|figment| figment.merge(("passwords.min_length", 12))).await;
    let response = app
        .post("/users", &[("email", EMAIL), ("password", "eleven char")])
        .await;
    assert_eq!(
        body(response).await,
        "{\"message\":\"password must be at least 12 characters\"}\n"
    );
}

#[rocket::async_test]
async fn long_unicode_passwords_count_in_full() {
    let app = TestApp::new().await;
    // 64 characters of 4 bytes each: 256 bytes, far past bcrypt's 72.
    let long: String = "\u{1F511}".repeat(63) + "a";
    let almost: String = "\u{1F511}".repeat(63) + "b";
    app.register(EMAIL, &long).await;
    assert_eq!(
        app.try_login(EMAIL, &almost).await.status(),
        Status::Unauthorized
    );
    assert_eq!(app.try_login(EMAIL, &long).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn composed_and_decomposed_accents_log_in_alike() {
    let app = TestApp::new().await;
    app.register(EMAIL, "cr\u{e8}me br\u{fb}l\u{e9}e maison")
        .await;
    let decomposed = "cre\u{300}me bru\u{302}le\u{301}e maison";
    assert_eq!(app.try_login(EMAIL, decomposed).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn an_oversized_password_is_refused_clearly() {
    let app = TestApp::new().await;
    let huge = "x".repeat(1025);
    for path in ["/users", "/sessions"] {
        let response = app
            .post(path, &[("email", EMAIL), ("password", &huge)])
            .await;
        assert_eq!(response.status(), Status::BadRequest);
        assert_eq!(
            body(response).await,
            "{\"message\":\"password must be at most 1024 characters\"}\n"
        );
    }
    // Counted in characters, as the OpenAPI document's maxLength counts:
    // 1024 accented letters (2048 bytes) fit.
    let just_fits = "\u{e9}".repeat(1024);
    app.register(EMAIL, &just_fits).await;
    app.login(EMAIL, &just_fits).await;
    let one_too_many = "\u{e9}".repeat(1025);
    let response = app
        .post(
            "/sessions",
            &[("email", EMAIL), ("password", &one_too_many)],
        )
        .await;
    assert_eq!(response.status(), Status::BadRequest);
}

// ---- Browser protections -------------------------------------------------

/// `request` with `headers` added.
fn with_headers<'c>(
    mut request: LocalRequest<'c>,
    headers: &[Header<'static>],
) -> LocalRequest<'c> {
    for header in headers {
        request = request.header(header.clone());
    }
    request
}

#[rocket::async_test]
async fn cross_site_state_changes_are_refused() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let cross_site = [
        vec![Header::new("Sec-Fetch-Site", "cross-site")],
        vec![
            Header::new("Sec-Fetch-Site", "cross-site"),
            Header::new("Origin", "http://localhost"),
        ],
        vec![Header::new("Origin", "https://evil.example")],
        vec![Header::new("Origin", "null")],
        // A sibling subdomain (someone else's blog, say) is not this site.
        vec![
            Header::new("Sec-Fetch-Site", "same-site"),
            Header::new("Origin", "https://blog.example"),
        ],
        vec![Header::new("Sec-Fetch-Site", "something-new")],
    ];
    for headers in cross_site {
        let response = with_headers(app.client.post("/users"), &headers)
            .header(ContentType::Form)
            .body("email=other@example.com&password=twelve+chars")
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden, "{headers:?}");
        assert_eq!(
            body(response).await,
            "{\"message\":\"cross-site request refused\"}\n"
        );

        let response = with_headers(app.client.delete("/sessions"), &headers)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden);

        let page = with_headers(app.client.post("/sessions"), &headers)
            .header(Header::new("Accept", BROWSER))
            .header(ContentType::Form)
            .body("_method=DELETE")
            .dispatch()
            .await;
        assert_eq!(page.status(), Status::Forbidden);
        assert_eq!(page.content_type(), Some(ContentType::HTML));
    }
    assert!(app.stored_user("other@example.com").await.is_none());
    assert_eq!(
        app.client.get("/profile").dispatch().await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn same_origin_and_header_less_clients_pass() {
    let app = TestApp::new().await;
    let same_origin = [
        vec![
            Header::new("Host", "auth.example:5000"),
            Header::new("Origin", "https://auth.example:5000"),
        ],
        // What Chromium sends with this site's own forms.
        vec![
            Header::new("Sec-Fetch-Site", "same-origin"),
            Header::new("Origin", "null"),
        ],
        vec![Header::new("Sec-Fetch-Site", "none")],
        vec![],
    ];
    for (n, headers) in same_origin.into_iter().enumerate() {
        let response = with_headers(app.client.post("/users"), &headers)
            .header(ContentType::Form)
            .body(format!(
                "email=visitor{n}@example.com&password=same+origin+password"
            ))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{headers:?}");
    }
}

#[rocket::async_test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let responses = [
        app.client.get("/").dispatch().await,
        app.client.get("/nowhere").dispatch().await,
        app.client.get("/register").dispatch().await,
        app.client.post("/users").dispatch().await,
        app.client.get("/profile").dispatch().await,
        app.client.get("/static/style.css").dispatch().await,
    ];
    for response in responses {
        let headers = response.headers();
        assert_eq!(
            headers.get_one("Content-Security-Policy"),
            Some("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        );
        assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(headers.get_one("X-Frame-Options"), Some("DENY"));
        assert_eq!(headers.get_one("Referrer-Policy"), Some("same-origin"));
    }
}

/// The service configured for TLS in the release profile. The local client
/// does not open sockets, so the certificate is never read.
fn with_tls(figment: Figment) -> Figment {
    figment
        .merge(("tls.certs", "/nonexistent/cert.pem"))
        .merge(("tls.key", "/nonexistent/key.pem"))
        .select("release")
}

#[rocket::async_test]
async fn with_tls_the_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::with(with_tls).await;
    app.register(EMAIL, PASSWORD).await;
    let response = app.try_login(EMAIL, PASSWORD).await;
    let device = response
        .cookies()
        .iter()
        .find(|c| c.name().starts_with("device_"));
    for cookie in [response.cookies().get("session_id"), device] {
        let cookie = cookie.expect("a session and a device cookie");
        assert_eq!(cookie.secure(), Some(true), "{}", cookie.name());
        assert_eq!(cookie.http_only(), Some(true), "{}", cookie.name());
    }
    assert!(response
        .headers()
        .get_one("Strict-Transport-Security")
        .is_some());

    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let response = app.try_login(EMAIL, PASSWORD).await;
    assert_ne!(
        response.cookies().get("session_id").unwrap().secure(),
        Some(true)
    );
}
