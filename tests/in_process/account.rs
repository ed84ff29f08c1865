//! What a logged-in user changes: the password, the address, the account
//! itself; in JSON (three encodings) and on the account page.

use auth_service::auth::{Device, Email, Login, Password};
use rocket::http::{Header, Method, Status};

use crate::app::{body, location, Encoding, Fields, TestApp};
use crate::support::smtp::SmtpSink;

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "compilers are friends";
const NEW_PASSWORD: &str = "nanoseconds of wire";

/// An app with `EMAIL` registered and logged in.
async fn logged_in(app: TestApp) -> TestApp {
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    app
}

// ---- The password --------------------------------------------------------

#[rocket::async_test]
async fn the_password_changes_in_every_encoding() {
    let app = logged_in(TestApp::new().await).await;
    let mut current = PASSWORD.to_owned();
    for (n, encoding) in Encoding::ALL.into_iter().enumerate() {
        let new = format!("{NEW_PASSWORD} {n}");
        let fields = [
            ("current_password", current.as_str()),
            ("new_password", &new),
        ];
        let response = app
            .send(Method::Put, "/profile/password", encoding, &fields)
            .await;
        assert_eq!(response.status(), Status::Ok, "{encoding:?}");
        assert_eq!(
            body(response).await,
            format!("{{\"email\":\"{EMAIL}\",\"message\":\"Password updated\"}}\n")
        );
        current = new;
    }
    let old = app.try_login(EMAIL, PASSWORD).await;
    assert_eq!(old.status(), Status::Unauthorized);
    app.login(EMAIL, &current).await;
}

#[rocket::async_test]
async fn a_password_change_ends_every_other_session_and_sends_a_notice() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::untracked(|figment| figment.merge(("mail.smtp_url", url))).await;
    app.register(EMAIL, PASSWORD).await;
    let credentials = [("email", EMAIL), ("password", PASSWORD)];
    let mut cookies = Vec::new();
    for _ in 0..3 {
        let response = app.post("/sessions", &credentials).await;
        cookies.push(
            response
                .cookies()
                .get("session_id")
                .unwrap()
                .clone()
                .into_owned(),
        );
    }
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
    ];
    let (content_type, payload) = Encoding::Json.encode(&fields);
    let response = app
        .client
        .put("/profile/password")
        .cookie(cookies[0].clone())
        .header(content_type)
        .body(payload)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    // The changer goes on under a new session id; its old one ends with
    // every other.
    let renewed = response.cookies().get("session_id").unwrap().clone();
    cookies.push(renewed.into_owned());
    let mut statuses = Vec::new();
    for cookie in &cookies {
        let response = app
            .client
            .get("/profile")
            .cookie(cookie.clone())
            .dispatch()
            .await;
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            Status::Forbidden,
            Status::Forbidden,
            Status::Forbidden,
            Status::Ok
        ]
    );
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 1);
    sink.wait_for_subject(EMAIL, "Your password was changed");
}

#[rocket::async_test]
async fn wrong_current_passwords_are_refused_and_throttled_like_logins() {
    let app = logged_in(TestApp::new().await).await;
    let wrong = [
        ("current_password", "a wild guess"),
        ("new_password", NEW_PASSWORD),
    ];
    // Five guesses count against the device cookie of this client's login,
    // which then is forgotten; five more against the account's untrusted
    // clients.
    for guess in 1..=10 {
        let encoding = Encoding::ALL[guess % Encoding::ALL.len()];
        let response = app
            .send(Method::Put, "/profile/password", encoding, &wrong)
            .await;
        assert_eq!(response.status(), Status::Forbidden, "guess {guess}");
        assert_eq!(body(response).await, "{\"message\":\"wrong password\"}\n");
        if guess == 5 {
            assert_eq!(app.stored_device_cookies(EMAIL), [] as [i64; 0]);
        }
    }
    let right = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
    ];
    app.for_each_encoding(
        Method::Put,
        "/profile/password",
        &right,
        async |encoding, response| {
            assert_eq!(response.status(), Status::TooManyRequests, "{encoding:?}");
            assert!(response.headers().get_one("Retry-After").is_some());
        },
    )
    .await;
    // The account's logins from untrusted clients wait too: the guesses
    // counted for it.
    let login = app.try_login(EMAIL, PASSWORD).await;
    assert_eq!(login.status(), Status::TooManyRequests);
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 1, "nothing ended");
}

#[rocket::async_test]
async fn a_weak_new_password_or_bad_fields_change_nothing() {
    let app = logged_in(TestApp::new().await).await;
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("current_password", PASSWORD), ("new_password", "password")],
            "new_password is too common; choose another",
        ),
        (
            &[("current_password", PASSWORD)],
            "new_password is required",
        ),
        (
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("admin", "1"),
            ],
            "admin is not an expected field",
        ),
    ];
    for (fields, message) in cases {
        app.for_each_encoding(
            Method::Put,
            "/profile/password",
            fields,
            async |encoding, response| {
                assert_eq!(
                    response.status(),
                    Status::BadRequest,
                    "{encoding:?} {fields:?}"
                );
                assert_eq!(
                    body(response).await,
                    format!("{{\"message\":\"{message}\"}}\n")
                );
            },
        )
        .await;
    }
    app.login(EMAIL, PASSWORD).await;
}

// ---- The address ---------------------------------------------------------

/// Follows the verification (or address change) link that `sink` got for
/// `address`, the `nth` to it (from 1); its answer's status and body.
async fn follow_link(
    app: &TestApp,
    sink: &SmtpSink,
    address: &str,
    nth: usize,
) -> (Status, String) {
    let mails = sink.wait_for(address, nth);
    let token = mails[nth - 1].token("/verify_email").expect("a link");
    app.verify_email(&token).await
}

#[rocket::async_test]
async fn the_address_changes_once_the_new_mailbox_follows_its_link() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = logged_in(TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await).await;
    assert_eq!(follow_link(&app, &sink, EMAIL, 1).await.0, Status::Ok);

    let new = "grace.hopper@example.org";
    let fields = [("password", PASSWORD), ("email", new)];
    let response = app.put("/profile/email", &fields).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{new}\",\"message\":\"confirmation link sent\"}}\n")
    );
    let asked = sink.wait_for_subject(EMAIL, "A change of your email address was asked");
    assert!(asked.decoded().contains(new));
    assert!(
        asked.link("/profile/email/cancel").is_some(),
        "a way to cancel"
    );
    let link = &sink.wait_for(new, 1)[0];
    assert_eq!(link.subject(), Some("Confirm your new email address"));

    // Until the new mailbox follows its link, nothing moves.
    assert!(app.stored_user(new).await.is_none());
    let stored = app.stored_user(EMAIL).await.expect("still the old address");
    assert!(stored.email_verified_at.is_some());
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(body(profile).await, format!("{{\"email\":\"{EMAIL}\"}}\n"));
    let early = app.try_login(new, PASSWORD).await;
    assert_eq!(early.status(), Status::Unauthorized);

    assert_eq!(
        follow_link(&app, &sink, new, 1).await,
        (
            Status::Ok,
            format!("{{\"email\":\"{new}\",\"message\":\"email verified\"}}\n")
        )
    );
    let notice = sink.wait_for_subject(EMAIL, "Your email address was changed");
    assert!(notice.decoded().contains(new));
    let user = app
        .stored_user(new)
        .await
        .expect("found by the new address");
    assert!(user.email_verified_at.is_some(), "proven by its link");
    assert_eq!(user.pending_email, None);
    assert!(app.stored_user(EMAIL).await.is_none());
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(body(profile).await, format!("{{\"email\":\"{new}\"}}\n"));
    app.login(new, PASSWORD).await;

    // Right after a login, no password is needed.
    for encoding in [Encoding::Json, Encoding::Multipart] {
        let newer = format!("grace.{encoding:?}@example.org").to_lowercase();
        let fields = [("email", newer.as_str())];
        let response = app
            .send(Method::Put, "/profile/email", encoding, &fields)
            .await;
        assert_eq!(
            body(response).await,
            format!("{{\"email\":\"{newer}\",\"message\":\"confirmation link sent\"}}\n")
        );
        assert_eq!(follow_link(&app, &sink, &newer, 1).await.0, Status::Ok);
        app.login(&newer, PASSWORD).await;
    }
}

#[rocket::async_test]
async fn a_change_of_case_needs_no_link() {
    let app = logged_in(TestApp::new().await).await;
    let fields = [("password", PASSWORD), ("email", "Grace@Example.com")];
    let response = app.put("/profile/email", &fields).await;
    assert_eq!(
        body(response).await,
        "{\"email\":\"Grace@Example.com\",\"message\":\"email updated\"}\n"
    );
    let user = app.stored_user(EMAIL).await.unwrap();
    assert_eq!(user.email, "Grace@Example.com");
    assert_eq!(user.pending_email, None);
}

#[rocket::async_test]
async fn a_change_of_address_is_cancelled_from_the_old_mailbox_or_the_account() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = logged_in(TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await).await;
    let new = "thief@example.net";
    let response = app.put("/profile/email", &[("email", new)]).await;
    assert_eq!(response.status(), Status::Ok);
    let asked = sink.wait_for_subject(EMAIL, "A change of your email address was asked");
    let cancel = asked.token("/profile/email/cancel").expect("a cancel link");
    let response = app
        .post("/profile/email/cancel", &[("token", &cancel)])
        .await;
    assert_eq!(
        (response.status(), body(response).await),
        (
            Status::Ok,
            "{\"message\":\"email change cancelled\"}\n".to_owned()
        )
    );
    assert_eq!(app.stored_user(EMAIL).await.unwrap().pending_email, None);
    // The new address's link opens nothing any more.
    assert_eq!(
        follow_link(&app, &sink, new, 1).await,
        (
            Status::BadRequest,
            "{\"message\":\"invalid verification token\"}\n".to_owned()
        )
    );
    let again = app
        .post("/profile/email/cancel", &[("token", &cancel)])
        .await;
    assert_eq!(
        (again.status(), body(again).await),
        (
            Status::NotFound,
            "{\"message\":\"no email change under way\"}\n".to_owned()
        )
    );

    // From the account, with the session.
    app.put("/profile/email", &[("email", new)]).await;
    assert!(app
        .stored_user(EMAIL)
        .await
        .unwrap()
        .pending_email
        .is_some());
    let cancelled = app.client.delete("/profile/email").dispatch().await;
    assert_eq!(cancelled.status(), Status::Ok);
    let none = app.client.delete("/profile/email").dispatch().await;
    assert_eq!(
        (none.status(), body(none).await),
        (
            Status::NotFound,
            "{\"message\":\"no email change under way\"}\n".to_owned()
        )
    );
    assert_eq!(follow_link(&app, &sink, new, 2).await.0, Status::BadRequest);
    assert!(app.stored_user(new).await.is_none());
}

#[rocket::async_test]
async fn a_taken_address_or_a_wrong_password_changes_nothing() {
    let app = logged_in(TestApp::new().await).await;
    app.register("taken@example.com", PASSWORD).await;
    let cases = [
        (
            [("password", PASSWORD), ("email", "TAKEN@example.com")],
            Status::BadRequest,
            "email already registered",
        ),
        (
            [
                ("password", "not my password"),
                ("email", "free@example.com"),
            ],
            Status::Forbidden,
            "wrong password",
        ),
        (
            [("password", PASSWORD), ("email", "not an address")],
            Status::BadRequest,
            "email is not a valid email address",
        ),
    ];
    for (fields, status, message) in cases {
        app.for_each_encoding(
            Method::Put,
            "/profile/email",
            &fields,
            async |encoding, response| {
                assert_eq!(response.status(), status, "{encoding:?} {fields:?}");
                assert_eq!(
                    body(response).await,
                    format!("{{\"message\":\"{message}\"}}\n")
                );
            },
        )
        .await;
    }
    assert!(app.stored_user(EMAIL).await.is_some());
    assert!(app.stored_user("free@example.com").await.is_none());
}

#[rocket::async_test]
async fn with_verification_required_the_account_keeps_its_address_until_the_new_one_is_confirmed() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(|figment| {
        figment
            .merge(("mail.smtp_url", url))
            .merge(("sessions.require_verified_email", true))
    })
    .await;
    app.register(EMAIL, PASSWORD).await;
    // No login before the address is proven: the link's page asks for the
    // password instead.
    let token = sink.wait_for(EMAIL, 1)[0].token("/verify_email").unwrap();
    let proven = app.prove_link_by_password(&token, PASSWORD).await;
    assert_eq!(location(&proven), Some("/login"));
    app.login(EMAIL, PASSWORD).await;

    let new = "grace@example.net";
    let response = app.put("/profile/email", &[("email", new)]).await;
    assert_eq!(response.status(), Status::Ok);
    let refused = app.try_login(new, PASSWORD).await;
    assert_eq!(
        refused.status(),
        Status::Unauthorized,
        "not its address yet"
    );
    app.login(EMAIL, PASSWORD).await;
    assert_eq!(follow_link(&app, &sink, new, 1).await.0, Status::Ok);
    app.login(new, PASSWORD).await;
}

// ---- The account ---------------------------------------------------------

#[rocket::async_test]
async fn a_deleted_account_takes_everything_with_it_and_the_address_registers_again() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // No SMTP server answers: the verification mail waits in the outbox.
    let app = logged_in(
        TestApp::with(|figment| {
            figment.merge(("mail.smtp_url", format!("smtp://127.0.0.1:{port}")))
        })
        .await,
    )
    .await;
    app.post("/reset_password", &[("email", EMAIL)]).await;
    // One wrong guess from this client's device cookie, one from elsewhere.
    let guess = [("email", EMAIL), ("password", "one wrong guess")];
    app.post("/sessions", &guess).await;
    let (email, guess) = (
        Email::parse(EMAIL).unwrap(),
        Password::parse("guess").unwrap(),
    );
    let elsewhere = app
        .auth()
        .log_in(&email, &guess, &Device::unknown(), false, None, None)
        .await;
    assert_eq!(elsewhere.unwrap(), Login::WrongCredentials);
    let db = app.db().await;
    assert!(!db.queued_mails().await.unwrap().is_empty());
    assert!(db.find_login_failures(EMAIL).await.unwrap().is_some());
    assert_eq!(app.stored_device_cookies(EMAIL), [1]);

    let wrong = [("password", "nope")];
    app.for_each_encoding(
        Method::Delete,
        "/profile",
        &wrong,
        async |encoding, response| {
            assert_eq!(response.status(), Status::Forbidden, "{encoding:?}");
            assert_eq!(body(response).await, "{\"message\":\"wrong password\"}\n");
        },
    )
    .await;
    assert!(app.stored_user(EMAIL).await.is_some());

    let response = app
        .send(
            Method::Delete,
            "/profile",
            Encoding::Json,
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body(response).await, "{\"message\":\"account deleted\"}\n");
    assert!(app.session_id().is_none(), "the cookie is removed");
    assert!(app.stored_user(EMAIL).await.is_none());
    assert!(db.queued_mails().await.unwrap().is_empty());
    assert_eq!(db.find_login_failures(EMAIL).await.unwrap(), None);
    assert_eq!(app.stored_device_cookies(EMAIL), [] as [i64; 0]);
    assert_eq!(
        app.client.get("/profile").dispatch().await.status(),
        Status::Forbidden
    );

    // Again, in the other encodings.
    for encoding in [Encoding::Form, Encoding::Multipart] {
        app.register(EMAIL, NEW_PASSWORD).await;
        app.login(EMAIL, NEW_PASSWORD).await;
        let fields = [("password", NEW_PASSWORD)];
        let response = app
            .send(Method::Delete, "/profile", encoding, &fields)
            .await;
        assert_eq!(response.status(), Status::Ok, "{encoding:?}");
        assert!(app.stored_user(EMAIL).await.is_none(), "{encoding:?}");
    }
}

#[rocket::async_test]
async fn account_changes_need_a_session_in_every_encoding() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let changes: [(Method, &str, Fields); 5] = [
        (
            Method::Put,
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        ),
        (
            Method::Put,
            "/profile/email",
            &[("password", PASSWORD), ("email", "free@example.com")],
        ),
        (Method::Delete, "/profile", &[("password", PASSWORD)]),
        (Method::Delete, "/sessions/others", &[]),
        (Method::Delete, "/sessions/0123456789abcdef", &[]),
    ];
    for (method, path, fields) in changes {
        app.for_each_encoding(method, path, fields, async |encoding, response| {
            let what = format!("{encoding:?} {method} {path}");
            assert_eq!(response.status(), Status::Forbidden, "{what}");
            assert!(body(response).await.starts_with("{\"message\":"), "{what}");
        })
        .await;
    }
    assert!(app.stored_user("free@example.com").await.is_none());
    app.login(EMAIL, PASSWORD).await;
}

#[rocket::async_test]
async fn account_changes_refuse_cross_site_requests() {
    let app = logged_in(TestApp::new().await).await;
    let listed = body(app.client.get("/sessions").dispatch().await).await;
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let own_session = format!("/sessions/{}", listed[0]["id"].as_str().unwrap());
    let fields = "current_password=compilers+are+friends&new_password=nanoseconds+of+wire";
    for (method, path, body) in [
        (Method::Put, "/profile/password", fields),
        (
            Method::Put,
            "/profile/email",
            "password=compilers+are+friends&email=a%40b.example",
        ),
        (Method::Delete, "/profile", "password=compilers+are+friends"),
        (Method::Delete, "/sessions/others", ""),
        (Method::Delete, &own_session, ""),
    ] {
        let response = app
            .client
            .req(method, path)
            .header(Header::new("Sec-Fetch-Site", "cross-site"))
            .header(rocket::http::ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden, "{method} {path}");
    }
    assert!(app.stored_user(EMAIL).await.is_some());
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(profile.status(), Status::Ok, "the session goes on");
    app.login(EMAIL, PASSWORD).await;
}

// ---- On the account page -------------------------------------------------

#[rocket::async_test]
async fn the_account_page_changes_the_password_and_shows_errors_beside_their_field() {
    let app = logged_in(TestApp::new().await).await;
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("action=\"/profile/password\""));
    crate::app::assert_inputs_labelled(&html);

    let wrong = [
        ("_method", "PUT"),
        ("current_password", "nope"),
        ("new_password", NEW_PASSWORD),
    ];
    let response = app.submit("/profile/password", &wrong).await;
    let html = app.back_to(response, "/profile").await;
    assert!(html.contains("<p class=\"error\" id=\"current_password-error\">Wrong password.</p>"));
    assert!(html.contains("id=\"current_password\" name=\"current_password\" type=\"password\" value=\"\" required autocomplete=\"current-password\" autofocus"));
    assert!(!html.contains(NEW_PASSWORD), "never a password");

    let weak = [
        ("_method", "PUT"),
        ("current_password", PASSWORD),
        ("new_password", "12345678"),
    ];
    let response = app.submit("/profile/password", &weak).await;
    let html = app.back_to(response, "/profile").await;
    assert!(html.contains("New password is too common; choose another."));

    // Both wrong: both said at once, each beside its field, the first
    // focused; JSON clients are told of the current password, as ever.
    let both = [
        ("_method", "PUT"),
        ("current_password", "nope"),
        ("new_password", "12345678"),
    ];
    let response = app.submit("/profile/password", &both).await;
    let html = app.back_to(response, "/profile").await;
    assert!(html.contains("<p class=\"error\" id=\"current_password-error\">Wrong password.</p>"));
    assert!(html.contains(
        "<p class=\"error\" id=\"new_password-error\">New password is too common; choose another.</p>"
    ));
    assert!(
        html.contains("autocomplete=\"current-password\" autofocus"),
        "{html}"
    );
    let json = app.put("/profile/password", &both[1..]).await;
    assert_eq!(json.status(), Status::Forbidden);
    assert_eq!(body(json).await, "{\"message\":\"wrong password\"}\n");

    let right = [
        ("_method", "PUT"),
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
    ];
    let response = app.submit("/profile/password", &right).await;
    assert_eq!(location(&response), Some("/profile"));
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Password changed. Your other sessions have ended."));
    app.login(EMAIL, NEW_PASSWORD).await;
}

#[rocket::async_test]
async fn the_account_page_changes_the_address() {
    let app = logged_in(TestApp::new().await).await;
    app.register("taken@example.com", PASSWORD).await;
    let taken = [("_method", "PUT"), ("email", "taken@example.com")];
    let response = app.submit("/profile/email", &taken).await;
    let html = app.back_to(response, "/profile").await;
    assert!(
        html.contains("<p class=\"error\" id=\"new-email-error\">Email already registered.</p>")
    );
    assert!(html.contains("<details open>"));

    let new = "grace@example.net";
    let fields = [("_method", "PUT"), ("email", new)];
    let response = app.submit("/profile/email", &fields).await;
    assert_eq!(location(&response), Some("/profile"));
    let html = body(app.page("/profile").await).await;
    assert!(html.contains(&format!(
        "We have sent a link to {new}: follow it to make it your address."
    )));
    assert!(html.contains(&format!(
        "Waiting for <strong>{new}</strong> to be confirmed"
    )));
    assert!(html.contains("Cancel the change"));

    let response = app.submit("/profile/email", &[("_method", "DELETE")]).await;
    assert_eq!(location(&response), Some("/profile"));
    let html = body(app.page("/profile").await).await;
    assert!(html.contains(&format!("Change cancelled: your address stays {EMAIL}.")));
    assert!(!html.contains("Waiting for"));
}

#[rocket::async_test]
async fn the_account_is_deleted_behind_a_confirmation_that_asks_for_the_password() {
    let app = logged_in(TestApp::new().await).await;
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("href=\"/profile/delete\""));
    let html = body(app.page("/profile/delete").await).await;
    assert!(html.contains("action=\"/profile\"") && html.contains("value=\"DELETE\""));
    crate::app::assert_inputs_labelled(&html);

    let response = app
        .submit("/profile", &[("_method", "DELETE"), ("password", "nope")])
        .await;
    let html = app.back_to(response, "/profile/delete").await;
    assert!(html.contains("Wrong password."));
    assert!(app.stored_user(EMAIL).await.is_some());

    let response = app
        .submit("/profile", &[("_method", "DELETE"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&response), Some("/"));
    let html = body(app.page("/").await).await;
    assert!(html.contains("Your account has been deleted."));
    assert!(html.contains("href=\"/login\""));
    assert!(app.stored_user(EMAIL).await.is_none());
}

#[rocket::async_test]
async fn the_link_to_the_old_address_cancels_the_change_with_a_button() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = logged_in(TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await).await;
    app.put("/profile/email", &[("email", "thief@example.net")])
        .await;
    let asked = sink.wait_for_subject(EMAIL, "A change of your email address was asked");
    let token = asked.token("/profile/email/cancel").expect("a cancel link");
    app.client.delete("/sessions").dispatch().await;

    // Following the link changes nothing: a mail scanner may follow it.
    let page = app
        .page(&format!("/profile/email/cancel?token={token}"))
        .await;
    assert_eq!(page.status(), Status::Ok);
    assert_eq!(
        page.headers().get_one("Referrer-Policy"),
        Some("no-referrer")
    );
    let html = body(page).await;
    assert!(
        html.contains("<form method=\"post\" action=\"/profile/email/cancel\">"),
        "{html}"
    );
    assert!(html.contains("Cancel the change"));
    assert!(app
        .stored_user(EMAIL)
        .await
        .unwrap()
        .pending_email
        .is_some());

    let response = app
        .submit("/profile/email/cancel", &[("token", &token)])
        .await;
    assert_eq!(location(&response), Some("/"));
    let html = body(app.page("/").await).await;
    assert!(
        html.contains("The change to thief@example.net is cancelled"),
        "{html}"
    );
    assert_eq!(app.stored_user(EMAIL).await.unwrap().pending_email, None);

    let again = app
        .submit("/profile/email/cancel", &[("token", &token)])
        .await;
    assert_eq!(again.status(), Status::BadRequest);
    assert!(body(again).await.contains("This link no longer works"));
}
