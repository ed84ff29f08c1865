//! The JSON API, byte for byte, through Rocket's local client: every route,
//! every input encoding, every failure mode.

use auth_service::auth::token::digest;
use auth_service::db::UserChanges;

use crate::app::{body, Encoding, Fields, TestApp};
use rocket::http::{ContentType, Cookie, Header, Method, Status};

const EMAIL: &str = "bob@example.com";
const PASSWORD: &str = "correct horse battery";

#[rocket::async_test]
async fn index_says_bienvenue_exactly() {
    let app = TestApp::new().await;
    let response = app.client.get("/").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    assert_eq!(body(response).await, "{\"message\":\"Bienvenue\"}\n");
}

#[rocket::async_test]
async fn registration_works_in_every_encoding_and_stores_a_bcrypt_hash() {
    let app = TestApp::new().await;
    for (n, encoding) in Encoding::ALL.into_iter().enumerate() {
        let email = format!("user{n}@example.com");
        let response = app
            .send(
                Method::Post,
                "/users",
                encoding,
                &[("email", &email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), Status::Ok, "{encoding:?}");
        assert_eq!(
            body(response).await,
            format!("{{\"email\":\"{email}\",\"message\":\"user created\"}}\n")
        );
        let user = app.stored_user(&email).await.expect("the user is stored");
        assert!(
            user.hashed_password.starts_with("$2b$04$"),
            "{}",
            user.hashed_password
        );
        assert!(!user.hashed_password.contains(PASSWORD));
        assert!(app.stored_sessions(&email).await.is_empty());
        assert_eq!(user.reset_token, None);
    }
}

#[rocket::async_test]
async fn registering_an_email_twice_is_refused_whatever_its_case_and_spaces() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for again in [EMAIL, "  BOB@Example.COM "] {
        let response = app
            .post(
                "/users",
                &[("email", again), ("password", "another password")],
            )
            .await;
        assert_eq!(response.status(), Status::BadRequest);
        assert_eq!(
            body(response).await,
            "{\"message\":\"email already registered\"}\n"
        );
    }
    let user = app.stored_user(EMAIL).await.unwrap();
    assert_eq!(user.email, EMAIL);
    app.login(EMAIL, PASSWORD).await;
}

#[rocket::async_test]
async fn simultaneous_registrations_of_one_email_create_one_account() {
    let app = TestApp::new().await;
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    let (first, second) =
        rocket::tokio::join!(app.post("/users", &fields), app.post("/users", &fields));
    let mut statuses = [first.status().code, second.status().code];
    statuses.sort();
    assert_eq!(statuses, [200, 400]);
}

#[rocket::async_test]
async fn emails_are_trimmed_and_compared_case_insensitively() {
    let app = TestApp::new().await;
    let response = app
        .post(
            "/users",
            &[("email", "  Alice@Example.com "), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        body(response).await,
        "{\"email\":\"Alice@Example.com\",\"message\":\"user created\"}\n"
    );
    app.login("alice@EXAMPLE.com", PASSWORD).await;
    let response = app.client.get("/profile").dispatch().await;
    assert_eq!(body(response).await, "{\"email\":\"Alice@Example.com\"}\n");
}

#[rocket::async_test]
async fn bad_fields_get_400_naming_the_field_on_every_route() {
    let app = TestApp::new().await;
    let cases: [(Method, &str, Fields, &str); 8] = [
        (
            Method::Post,
            "/users",
            &[("password", "x")],
            "email is required",
        ),
        (
            Method::Post,
            "/users",
            &[("email", EMAIL)],
            "password is required",
        ),
        (
            Method::Post,
            "/users",
            &[("email", ""), ("password", "x")],
            "email must not be empty",
        ),
        (
            Method::Post,
            "/users",
            &[("email", "bob"), ("password", "x")],
            "email is not a valid email address",
        ),
        (
            Method::Post,
            "/sessions",
            &[("email", EMAIL), ("password", "")],
            "password must not be empty",
        ),
        (
            Method::Post,
            "/reset_password",
            &[("email", "not an email")],
            "email is not a valid email address",
        ),
        (
            Method::Put,
            "/reset_password",
            &[("email", EMAIL), ("reset_token", ""), ("new_password", "x")],
            "reset_token must not be empty",
        ),
        (
            Method::Put,
            "/reset_password",
            &[("email", EMAIL), ("reset_token", "t")],
            "new_password is required",
        ),
    ];
    for (method, path, fields, message) in cases {
        app.for_each_encoding(method, path, fields, async |encoding, response| {
            assert_eq!(
                response.status(),
                Status::BadRequest,
                "{method} {path} {fields:?} {encoding:?}"
            );
            assert_eq!(response.content_type(), Some(ContentType::JSON));
            assert_eq!(
                body(response).await,
                format!("{{\"message\":\"{message}\"}}\n"),
                "{encoding:?}"
            );
        })
        .await;
    }
}

#[rocket::async_test]
async fn every_missing_field_is_named() {
    let app = TestApp::new().await;
    let response = app.post("/users", &[]).await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body(response).await,
        "{\"message\":\"email is required; password is required\"}\n"
    );
}

#[rocket::async_test]
async fn unexpected_fields_are_refused() {
    let app = TestApp::new().await;
    let fields = [("email", EMAIL), ("password", PASSWORD), ("admin", "yes")];
    app.for_each_encoding(
        Method::Post,
        "/users",
        &fields,
        async |encoding, response| {
            assert_eq!(response.status(), Status::BadRequest, "{encoding:?}");
            assert_eq!(
                body(response).await,
                "{\"message\":\"admin is not an expected field\"}\n"
            );
        },
    )
    .await;
    let twice = "email=a%40example.com&email=b%40example.com&password=correct+horse+battery";
    let response = app
        .client
        .post("/users")
        .header(ContentType::Form)
        .body(twice)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body(response).await,
        "{\"message\":\"email is given more than once\"}\n"
    );
    assert!(app.stored_user("a@example.com").await.is_none());
    assert!(app.stored_user(EMAIL).await.is_none());
}

#[rocket::async_test]
async fn malformed_bodies_get_400_with_a_message() {
    let app = TestApp::new().await;
    let cases: [(ContentType, &str, &str); 5] = [
        (
            ContentType::JSON,
            "{\"email\": ",
            "the request body is not a JSON object",
        ),
        (
            ContentType::JSON,
            "[\"bob@example.com\"]",
            "the request body is not a JSON object",
        ),
        (
            ContentType::JSON,
            "{\"email\": \"bob@example.com\", \"password\": 12345678}",
            "password must be a string",
        ),
        (
            ContentType::Plain,
            "email=bob@example.com&password=x",
            "unsupported content type text/plain; charset=utf-8: send a form or a JSON object",
        ),
        (
            ContentType::Form,
            "email=%ZZ&password=x",
            "email is not a valid email address",
        ),
    ];
    for (content_type, payload, message) in cases {
        let response = app
            .client
            .post("/users")
            .header(content_type)
            .body(payload)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::BadRequest, "{payload}");
        assert_eq!(
            body(response).await,
            format!("{{\"message\":\"{message}\"}}\n")
        );
    }
    assert_eq!(app.stored_user(EMAIL).await, None);
}

#[rocket::async_test]
async fn a_body_without_content_type_is_read_as_a_form() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/users")
        .body(format!("email={EMAIL}&password=secret+password"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = app.client.post("/users").dispatch().await;
    assert_eq!(response.status(), Status::BadRequest);
}

#[rocket::async_test]
async fn login_sets_a_private_http_only_session_cookie() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let credentials = [("email", EMAIL), ("password", PASSWORD)];
    app.for_each_encoding(
        Method::Post,
        "/sessions",
        &credentials,
        async |encoding, response| {
            assert_eq!(response.status(), Status::Ok, "{encoding:?}");
            let cookie = response
                .cookies()
                .get("session_id")
                .expect("a session cookie")
                .clone();
            assert_eq!(cookie.http_only(), Some(true));
            assert_eq!(cookie.same_site(), Some(rocket::http::SameSite::Lax));
            assert_eq!(cookie.path(), Some("/"));
            assert_eq!(
                body(response).await,
                format!("{{\"email\":\"{EMAIL}\",\"message\":\"logged in\"}}\n")
            );
            // The cookie is encrypted: its value is not the session id, and the
            // database keeps only the id's digest.
            let session_id = app.session_id().expect("the cookie decrypts");
            assert_ne!(cookie.value(), session_id);
            let stored = app.stored_session(&session_id).await.expect("stored");
            assert!(stored.persistent, "a JSON login is kept");
            assert!(!stored.public_id.contains(&session_id));
        },
    )
    .await;
}

#[rocket::async_test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for (email, password) in [(EMAIL, "wrong password"), ("nobody@example.com", PASSWORD)] {
        let response = app.try_login(email, password).await;
        assert_eq!(response.status(), Status::Unauthorized);
        assert!(response.cookies().get("session_id").is_none());
        assert_eq!(
            body(response).await,
            "{\"message\":\"wrong email or password\"}\n"
        );
    }
    assert!(app.stored_sessions(EMAIL).await.is_empty());
}

#[rocket::async_test]
async fn passwords_that_differ_after_byte_72_are_not_confused() {
    let app = TestApp::new().await;
    let prefix = "p".repeat(72);
    app.register(EMAIL, &format!("{prefix}-one")).await;
    let response = app
        .post(
            "/sessions",
            &[("email", EMAIL), ("password", &format!("{prefix}-two"))],
        )
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    app.login(EMAIL, &format!("{prefix}-one")).await;
}

#[rocket::async_test]
async fn profile_shows_the_session_user() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let response = app.client.get("/profile").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body(response).await, format!("{{\"email\":\"{EMAIL}\"}}\n"));
}

#[rocket::async_test]
async fn profile_without_a_valid_session_is_403() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let no_session = "{\"message\":\"not logged in\"}\n";

    let response = app.client.get("/profile").dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(body(response).await, no_session);

    // Garbage, or a cookie with a session id in clear (not encrypted).
    for value in ["garbage", "8a1f0b6e-4bb1-4bd0-9d1b-0b4f9d1c1e53"] {
        let response = app
            .client
            .get("/profile")
            .cookie(Cookie::new("session_id", value))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden);
        assert_eq!(body(response).await, no_session);
    }

    // A real cookie with one character changed.
    app.login(EMAIL, PASSWORD).await;
    let mut tampered = app.session_cookie().value().as_bytes().to_vec();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let response = app
        .client
        .get("/profile")
        .cookie(Cookie::new(
            "session_id",
            String::from_utf8(tampered).unwrap(),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn an_expired_session_is_no_session() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    app.execute("UPDATE sessions SET expires_at = 0");
    let response = app.client.get("/profile").dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn a_new_login_leaves_the_other_sessions() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let old = app.session_cookie();
    app.login(EMAIL, PASSWORD).await;
    let response = app.client.get("/profile").cookie(old).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let response = app.client.get("/profile").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 2);
}

#[rocket::async_test]
async fn logout_ends_the_session_and_redirects_home() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let sealed = app.session_cookie();

    let response = app.client.delete("/sessions").dispatch().await;
    assert_eq!(response.status(), Status::Found);
    assert_eq!(response.headers().get_one("Location"), Some("/"));
    // Following the redirect, as Python's requests does.
    let response = app.client.get("/").dispatch().await;
    assert_eq!(body(response).await, "{\"message\":\"Bienvenue\"}\n");

    assert!(app.stored_sessions(EMAIL).await.is_empty());
    assert!(app.client.cookies().get("session_id").is_none());
    // The old cookie, replayed, opens nothing.
    let response = app.client.get("/profile").cookie(sealed).dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn logout_without_a_session_is_403() {
    let app = TestApp::new().await;
    let response = app.client.delete("/sessions").dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(body(response).await, "{\"message\":\"not logged in\"}\n");
}

/// Asks for a reset token for `email` and returns it.
async fn reset_token(app: &TestApp, email: &str) -> String {
    let response = app.post("/reset_password", &[("email", email)]).await;
    assert_eq!(response.status(), Status::Ok);
    let json: serde_json::Value = serde_json::from_str(&body(response).await).unwrap();
    assert_eq!(json["email"], email);
    json["reset_token"]
        .as_str()
        .expect("a reset token")
        .to_owned()
}

#[rocket::async_test]
async fn reset_token_is_returned_and_stored_as_a_digest() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let request = [("email", EMAIL)];
    app.for_each_encoding(
        Method::Post,
        "/reset_password",
        &request,
        async |encoding, response| {
            assert_eq!(response.status(), Status::Ok, "{encoding:?}");
            let text = body(response).await;
            let token = text
                .strip_prefix(&format!("{{\"email\":\"{EMAIL}\",\"reset_token\":\""))
                .and_then(|rest| rest.strip_suffix("\"}\n"))
                .expect("the original body shape");
            assert!(uuid::Uuid::parse_str(token).is_ok(), "{token}");
            let user = app.stored_user(EMAIL).await.unwrap();
            assert_eq!(user.reset_token, Some(digest(token)));
        },
    )
    .await;
}

#[rocket::async_test]
async fn reset_token_for_an_unknown_email_is_403() {
    let app = TestApp::new().await;
    let response = app.post("/reset_password", &[("email", EMAIL)]).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        body(response).await,
        "{\"message\":\"email not registered\"}\n"
    );
}

#[rocket::async_test]
async fn update_password_in_every_encoding() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for (n, encoding) in Encoding::ALL.into_iter().enumerate() {
        let token = reset_token(&app, EMAIL).await;
        let new_password = format!("new password {n}");
        let fields = [
            ("email", EMAIL),
            ("reset_token", &token),
            ("new_password", &new_password),
        ];
        let response = app
            .send(Method::Put, "/reset_password", encoding, &fields)
            .await;
        assert_eq!(response.status(), Status::Ok, "{encoding:?}");
        assert_eq!(
            body(response).await,
            format!("{{\"email\":\"{EMAIL}\",\"message\":\"Password updated\"}}\n")
        );
        app.login(EMAIL, &new_password).await;
    }
}

#[rocket::async_test]
async fn update_password_changes_the_password_once_and_ends_the_session() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let token = reset_token(&app, EMAIL).await;
    let fields = [
        ("email", EMAIL),
        ("reset_token", &token),
        ("new_password", "brand new"),
    ];

    let response = app.put("/reset_password", &fields).await;
    assert_eq!(response.status(), Status::Ok);
    let user = app.stored_user(EMAIL).await.unwrap();
    assert_eq!(user.reset_token, None);
    assert!(app.stored_sessions(EMAIL).await.is_empty());
    assert_eq!(
        app.client.get("/profile").dispatch().await.status(),
        Status::Forbidden
    );

    // Single use.
    let response = app.put("/reset_password", &fields).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        body(response).await,
        "{\"message\":\"invalid reset token\"}\n"
    );

    let response = app.try_login(EMAIL, PASSWORD).await;
    assert_eq!(response.status(), Status::Unauthorized);
    app.login(EMAIL, "brand new").await;
}

#[rocket::async_test]
async fn update_password_with_a_bad_token_is_403_and_changes_nothing() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.register("eve@example.com", "eve's password").await;
    let token = reset_token(&app, EMAIL).await;
    let before = app.stored_user(EMAIL).await.unwrap();

    let attempts = [
        (EMAIL, "not-the-token"),
        ("eve@example.com", token.as_str()), // another account's email
    ];
    for (email, reset_token) in attempts {
        let fields = [
            ("email", email),
            ("reset_token", reset_token),
            ("new_password", "hijacked"),
        ];
        let response = app.put("/reset_password", &fields).await;
        assert_eq!(response.status(), Status::Forbidden, "{email}");
        assert_eq!(
            body(response).await,
            "{\"message\":\"invalid reset token\"}\n"
        );
    }
    assert_eq!(app.stored_user(EMAIL).await.unwrap(), before);
    app.login(EMAIL, PASSWORD).await;
    app.login("eve@example.com", "eve's password").await;
}

#[rocket::async_test]
async fn an_expired_reset_token_is_refused() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let token = reset_token(&app, EMAIL).await;
    let expired = UserChanges {
        reset_token_expires_at: Some(Some(0)),
        ..UserChanges::default()
    };
    app.change_user(EMAIL, expired).await;
    let fields = [
        ("email", EMAIL),
        ("reset_token", &token),
        ("new_password", "brand new"),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Forbidden
    );
    app.login(EMAIL, PASSWORD).await;
}

#[rocket::async_test]
async fn unknown_paths_get_404_and_other_methods_405_in_json() {
    let app = TestApp::new().await;
    let response = app.client.get("/nowhere").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    assert_eq!(body(response).await, "{\"message\":\"Not Found\"}\n");

    for (method, path, allow) in [
        (Method::Patch, "/users", "POST"),
        (Method::Put, "/sessions", "DELETE, GET, HEAD, POST"),
        (Method::Trace, "/profile", "DELETE, GET, HEAD"),
        (Method::Put, "/", "GET, HEAD"),
    ] {
        let response = app.client.req(method, path).dispatch().await;
        assert_eq!(
            response.status(),
            Status::MethodNotAllowed,
            "{method} {path}"
        );
        assert_eq!(
            response.headers().get_one("Allow"),
            Some(allow),
            "{method} {path}"
        );
        assert_eq!(
            body(response).await,
            "{\"message\":\"Method Not Allowed\"}\n"
        );
    }
}

#[rocket::async_test]
async fn a_json_client_asking_for_json_gets_json() {
    let app = TestApp::new().await;
    for accept in ["*/*", "application/json"] {
        let response = app
            .client
            .get("/")
            .header(Header::new("Accept", accept))
            .dispatch()
            .await;
        assert_eq!(body(response).await, "{\"message\":\"Bienvenue\"}\n");
    }
}

#[rocket::async_test]
async fn a_null_stands_for_a_missing_value_only_in_an_expected_field() {
    let app = TestApp::new().await;
    let send = async |body: &'static str| {
        let response = app
            .client
            .post("/users")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await;
        (
            response.status(),
            response.into_string().await.unwrap_or_default(),
        )
    };
    let unexpected =
        send("{\"email\":\"bob@example.com\",\"password\":\"correct horse battery\",\"\":null}")
            .await;
    assert_eq!(unexpected.0, Status::BadRequest);
    assert_eq!(
        unexpected.1,
        "{\"message\":\"\\\"\\\" is not an expected field\"}\n"
    );
    let admin = send(
        "{\"email\":\"bob@example.com\",\"password\":\"correct horse battery\",\"admin\":null}",
    )
    .await;
    assert_eq!(
        admin.1,
        "{\"message\":\"admin is not an expected field\"}\n"
    );
    let missing = send("{\"email\":\"bob@example.com\",\"password\":null}").await;
    assert_eq!(missing.1, "{\"message\":\"password is required\"}\n");
    assert!(app.stored_user("bob@example.com").await.is_none());
}
