//! No takeover through the account's own features: each attack of the
//! threat model (README, Threat model) tried as an attacker would, and
//! refused.

use rocket::futures::future::join_all;
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{json, Value};

use crate::app::{body, location, notice, peer, Fields, TestApp, BROWSER};
use crate::passkeys::{add_passkey_with, answer, finish_sign_in, start_sign_in};
use crate::support::passkey::{Authenticator, ORIGIN};
use crate::support::smtp::SmtpSink;
use crate::two_factor::{app_for, code};

const VICTIM: &str = "victim@example.com";
/// An account that has nothing to do with the victim's.
const BYSTANDER: &str = "bystander@example.org";
const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a staple in the horse";
/// What the attacker chose as the password of the account they registered
/// at the victim's address.
const ATTACKERS: &str = "the attacker's own";

/// A service mailing to `sink`, with reset links by mail only.
async fn mailing(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    TestApp::with(|figment| {
        figment
            .merge(("mail.smtp_url", url))
            .merge(("mail.reset_delivery", "email"))
    })
    .await
}

/// The token of the link to `path` in the mail to `address` whose subject
/// is `subject`.
fn mailed_token(sink: &SmtpSink, address: &str, subject: &str, path: &str) -> String {
    let mail = sink.wait_for_subject(address, subject);
    mail.token(path).expect("a link")
}

const VERIFY: &str = "Confirm your email address";
const RESET: &str = "Reset your password";
const CONFIRM_NEW: &str = "Confirm your new email address";

/// `PUT /reset_password` with `token` for `email`: the status.
async fn reset(app: &TestApp, email: &str, token: &str) -> Status {
    let fields = [
        ("email", email),
        ("reset_token", token),
        ("new_password", NEW_PASSWORD),
    ];
    app.put("/reset_password", &fields).await.status()
}

/// Makes the session of the client's cookie look as if its login was an
/// hour ago: past `recent_login_ttl`.
fn age_sessions(app: &TestApp) {
    app.execute("UPDATE sessions SET authenticated_at = authenticated_at - 3600");
}

// ---- A token is bound to what it was issued for --------------------------

#[rocket::async_test]
async fn a_reset_link_mailed_before_an_address_change_resets_nothing() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    app.register(VICTIM, PASSWORD).await;
    app.login(VICTIM, PASSWORD).await;
    let verify = mailed_token(&sink, VICTIM, VERIFY, "/verify_email");
    assert_eq!(app.verify_email(&verify).await.0, Status::Ok);
    // Someone asks for a reset link, mailed to the address of the day.
    app.post("/reset_password", &[("email", VICTIM)]).await;
    let old_link = mailed_token(&sink, VICTIM, RESET, "/reset_password");

    // The owner moves the account to a new address.
    app.login(VICTIM, PASSWORD).await;
    let new = "owner@example.org";
    app.put("/profile/email", &[("email", new)]).await;
    let confirm = mailed_token(&sink, new, CONFIRM_NEW, "/verify_email");
    assert_eq!(app.verify_email(&confirm).await.0, Status::Ok);

    // Whoever reads the old mailbox holds a link that opens nothing.
    for email in [VICTIM, new] {
        assert_eq!(reset(&app, email, &old_link).await, Status::Forbidden);
    }
    let link = format!("/reset_password?token={old_link}");
    let html = app.link_no_longer_works(&link, "/reset_password/new").await;
    assert!(html.contains("This link no longer works"));
    app.login(new, PASSWORD).await;
}

#[rocket::async_test]
async fn a_verification_link_mailed_before_an_address_change_verifies_nothing() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    app.register(VICTIM, PASSWORD).await;
    let old_link = mailed_token(&sink, VICTIM, VERIFY, "/verify_email");
    app.login(VICTIM, PASSWORD).await;
    let new = "owner@example.org";
    app.put("/profile/email", &[("email", new)]).await;
    let confirm = mailed_token(&sink, new, CONFIRM_NEW, "/verify_email");
    assert_eq!(app.verify_email(&confirm).await.0, Status::Ok);

    assert_eq!(
        app.verify_email(&old_link).await,
        (
            Status::BadRequest,
            "{\"message\":\"invalid verification token\"}\n".to_owned()
        )
    );
    let user = app.stored_user(new).await.unwrap();
    assert_eq!(user.verify_token, None);
}

#[rocket::async_test]
async fn a_new_password_voids_the_links_mailed_before() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    app.register(VICTIM, PASSWORD).await;
    app.post("/reset_password", &[("email", VICTIM)]).await;
    let reset_link = mailed_token(&sink, VICTIM, RESET, "/reset_password");
    let verify_link = mailed_token(&sink, VICTIM, VERIFY, "/verify_email");

    app.login(VICTIM, PASSWORD).await;
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
    ];
    assert_eq!(
        app.put("/profile/password", &fields).await.status(),
        Status::Ok
    );
    assert_eq!(reset(&app, VICTIM, &reset_link).await, Status::Forbidden);
    assert_eq!(
        app.verify_email(&verify_link).await,
        (
            Status::BadRequest,
            "{\"message\":\"invalid verification token\"}\n".to_owned()
        )
    );
    let user = app.stored_user(VICTIM).await.unwrap();
    assert_eq!((user.reset_token, user.verify_token), (None, None));
}

// ---- Pre-account takeover ------------------------------------------------

#[rocket::async_test]
async fn no_second_factor_is_added_before_the_address_is_proven() {
    let app = TestApp::new().await;
    // The attacker registers the victim's address first, and logs in.
    app.register(VICTIM, ATTACKERS).await;
    app.login(VICTIM, ATTACKERS).await;
    let totp = app.post("/profile/totp", &[]).await;
    assert_eq!(
        (totp.status(), body(totp).await),
        (
            Status::Forbidden,
            "{\"message\":\"confirm your email address first\"}\n".to_owned()
        )
    );
    let passkey = app
        .post(
            "/profile/passkeys/options",
            &[("name", "Mine now"), ("password", ATTACKERS)],
        )
        .await;
    assert_eq!(
        (passkey.status(), body(passkey).await),
        (
            Status::Forbidden,
            "{\"message\":\"confirm your email address first\"}\n".to_owned()
        )
    );
    let user = app.stored_user(VICTIM).await.unwrap();
    assert_eq!((user.totp_secret, user.totp_enabled_at), (None, None));
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Confirm your email address first"), "{html}");
    assert!(!html.contains("Set up two-factor sign-in"));
}

/// The attacker's account at the victim's address, holding a session, a
/// TOTP secret, a passkey and a device cookie, all added before anyone
/// proved the mailbox (as a release before this one allowed): the
/// attacker's client, their authenticator and their TOTP app.
async fn planted(app: &TestApp) -> (Cookie<'static>, Authenticator, totp_rs::Totp) {
    app.register(VICTIM, ATTACKERS).await;
    app.confirm_address(VICTIM);
    app.login(VICTIM, ATTACKERS).await;
    let mut authenticator = Authenticator::new(ORIGIN);
    add_passkey_with(app, &mut authenticator, "Attacker's key", ATTACKERS).await;
    let secret: Value =
        serde_json::from_str(&body(app.post("/profile/totp", &[]).await).await).expect("a secret");
    let totp = app_for(secret["secret"].as_str().unwrap());
    let confirmed = app
        .put("/profile/totp", &[("code", &code(&totp, 0).await)])
        .await;
    assert_eq!(confirmed.status(), Status::Ok);
    app.execute("UPDATE users SET email_verified_at = NULL, totp_last_step = NULL");
    let session = app.session_cookie();
    (session, authenticator, totp)
}

/// After the victim's first proof of the mailbox, nothing the attacker
/// planted opens the account: their session, their passkey, their TOTP
/// (no code is asked at login), their device cookie; and the victim logs
/// in with `password`.
async fn nothing_planted_works(
    app: &TestApp,
    session: Cookie<'static>,
    authenticator: &mut Authenticator,
    password: &str,
) {
    let profile = app.client.get("/profile").cookie(session).dispatch().await;
    assert_eq!(
        profile.status(),
        Status::Forbidden,
        "the attacker's session"
    );
    let (ceremony, options) = start_sign_in(app).await;
    let (status, json) = finish_sign_in(app, &ceremony, &authenticator.get(&options)).await;
    assert_eq!(
        (status, json),
        (
            Status::Unauthorized,
            json!({"message": "passkey not accepted"})
        ),
        "the attacker's passkey"
    );
    let user = app.stored_user(VICTIM).await.unwrap();
    assert!(user.email_verified_at.is_some(), "the mailbox is proven");
    assert_eq!((user.totp_secret, user.totp_enabled_at), (None, None));
    assert_eq!(app.stored_device_cookies(VICTIM), [] as [i64; 0]);
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM recovery_codes"), [0]);
    let login = app.try_login(VICTIM, password).await;
    assert_eq!(login.status(), Status::Ok, "no code asked");
}

#[rocket::async_test]
async fn the_first_reset_link_of_a_never_proven_address_removes_what_was_planted() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    let (session, mut authenticator, _) = planted(&app).await;

    // The victim asks for a reset link, and follows it: their mailbox.
    app.post("/reset_password", &[("email", VICTIM)]).await;
    let token = mailed_token(&sink, VICTIM, RESET, "/reset_password");
    assert_eq!(reset(&app, VICTIM, &token).await, Status::Ok);
    nothing_planted_works(&app, session, &mut authenticator, NEW_PASSWORD).await;
}

#[rocket::async_test]
async fn the_first_verification_link_of_a_never_proven_address_removes_what_was_planted() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    let (session, mut authenticator, totp) = planted(&app).await;
    // The account's holder follows the link from another session: every
    // other one ends.
    let code = code(&totp, 0).await;
    let login = [("email", VICTIM), ("password", ATTACKERS), ("otp", &code)];
    assert_eq!(app.post("/sessions", &login).await.status(), Status::Ok);
    let token = mailed_token(&sink, VICTIM, VERIFY, "/verify_email");
    let (status, answer) = app.verify_email(&token).await;
    assert_eq!(status, Status::Ok, "{answer}");
    assert_eq!(
        app.page("/profile").await.status(),
        Status::Ok,
        "the follower's"
    );
    nothing_planted_works(&app, session, &mut authenticator, ATTACKERS).await;
}

#[rocket::async_test]
async fn a_mailbox_alone_proves_nothing_of_an_account_it_does_not_hold() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    // The attacker registers the victim's address; the victim's mail
    // scanner fetches the link, then the victim opens it.
    app.register(VICTIM, ATTACKERS).await;
    let token = mailed_token(&sink, VICTIM, VERIFY, "/verify_email");
    assert_eq!(
        app.verify_email(&token).await,
        (
            Status::Forbidden,
            "{\"message\":\"not logged in\"}\n".to_owned()
        )
    );
    let refused = app.prove_link_by_password(&token, PASSWORD).await;
    assert_eq!(location(&refused), Some("/verify_email"));
    // Neither did a session of another account.
    app.register_confirmed(BYSTANDER, PASSWORD).await;
    app.login(BYSTANDER, PASSWORD).await;
    let another = app.follow_verification_link(&token).await;
    assert_eq!(location(&another), Some("/profile"));
    let said = notice(&another).expect("a notice");
    assert!(said.contains("another account"), "{said}");
    assert_eq!(
        app.stored_user(VICTIM).await.unwrap().email_verified_at,
        None
    );

    // So the attacker, back in, still adds no second factor; and the
    // victim's reset link, the first proof, takes the account.
    app.login(VICTIM, ATTACKERS).await;
    assert_eq!(
        app.post("/profile/totp", &[]).await.status(),
        Status::Forbidden
    );
    let attackers = app.session_cookie();
    app.post("/reset_password", &[("email", VICTIM)]).await;
    let reset_token = mailed_token(&sink, VICTIM, RESET, "/reset_password");
    assert_eq!(reset(&app, VICTIM, &reset_token).await, Status::Ok);
    let profile = app.client.get("/profile").cookie(attackers).dispatch();
    assert_eq!(profile.await.status(), Status::Forbidden);
    assert_eq!(
        app.try_login(VICTIM, ATTACKERS).await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn an_address_is_not_taken_by_a_change_its_mailbox_never_confirmed() {
    let sink = SmtpSink::start();
    let app = mailing(&sink).await;
    // A verified account of the attacker asks to move to the victim's
    // address.
    let attacker = "attacker@example.net";
    app.register_confirmed(attacker, ATTACKERS).await;
    app.login(attacker, ATTACKERS).await;
    let response = app.put("/profile/email", &[("email", VICTIM)]).await;
    assert_eq!(response.status(), Status::Ok);
    assert!(app.stored_user(VICTIM).await.is_none(), "not taken");
    let link = mailed_token(&sink, VICTIM, CONFIRM_NEW, "/verify_email");
    app.client.delete("/sessions").dispatch().await;
    // The victim's mailbox follows the link: without the account, nothing.
    assert_eq!(app.verify_email(&link).await.0, Status::Forbidden);
    assert!(app.stored_user(VICTIM).await.is_none(), "not taken");

    // The victim registers their own address meanwhile: the change cannot
    // take it, even followed from the account.
    app.register(VICTIM, PASSWORD).await;
    app.login(attacker, ATTACKERS).await;
    assert_eq!(
        app.verify_email(&link).await,
        (
            Status::BadRequest,
            "{\"message\":\"email already registered\"}\n".to_owned()
        )
    );
    let victims = app.stored_user(VICTIM).await.unwrap();
    let attackers = app.stored_user(attacker).await.unwrap();
    assert_ne!(victims.id, attackers.id);
    app.login(VICTIM, PASSWORD).await;
}

// ---- A session alone is not enough ---------------------------------------

#[rocket::async_test]
async fn a_stolen_session_alone_changes_nothing_that_could_take_the_account() {
    let app = TestApp::new().await;
    app.register_confirmed(VICTIM, PASSWORD).await;
    let mut authenticator = Authenticator::new(ORIGIN);
    // The owner's phone, then the thief's copy of the laptop's cookie.
    app.login(VICTIM, PASSWORD).await;
    let phone = app.session_id().expect("a session");
    app.login(VICTIM, PASSWORD).await;
    let passkey = add_passkey_with(&app, &mut authenticator, "Laptop", PASSWORD).await;
    age_sessions(&app);

    let required = "{\"message\":\"password confirmation required\"}\n";
    let passkey_path = format!("/profile/passkeys/{passkey}");
    let listed = app.client.get("/sessions").dispatch().await;
    let sessions: Value = serde_json::from_str(&body(listed).await).expect("the sessions");
    let phone_path = sessions
        .as_array()
        .into_iter()
        .flatten()
        .find(|session| session["current"] == false)
        .map(|session| format!("/sessions/{}", session["id"].as_str().unwrap()))
        .expect("the phone's session");
    let changes: [(Method, &str, Fields); 6] = [
        (Method::Post, "/profile/totp", &[]),
        (Method::Put, "/profile/totp", &[("code", "123456")]),
        (
            Method::Put,
            "/profile/email",
            &[("email", "thief@example.net")],
        ),
        (Method::Delete, &passkey_path, &[]),
        (Method::Delete, "/sessions/others", &[]),
        (Method::Delete, &phone_path, &[]),
    ];
    for (method, path, fields) in changes {
        app.for_each_encoding(method, path, fields, async |encoding, response| {
            let what = format!("{encoding:?} {method} {path}");
            assert_eq!(response.status(), Status::Forbidden, "{what}");
            assert_eq!(body(response).await, required, "{what}");
        })
        .await;
    }
    let user = app.stored_user(VICTIM).await.unwrap();
    assert_eq!((user.totp_secret, user.pending_email), (None, None));
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM passkeys"), [1]);
    assert!(
        app.stored_session(&phone).await.is_some(),
        "the phone's session"
    );

    // A wrong password is refused; the right one does it, and renews the
    // session's proof for the next change.
    let wrong = [("email", "owner@example.org"), ("password", "a guess")];
    let response = app.put("/profile/email", &wrong).await;
    assert_eq!(body(response).await, "{\"message\":\"wrong password\"}\n");
    let right = [("email", "owner@example.org"), ("password", PASSWORD)];
    assert_eq!(app.put("/profile/email", &right).await.status(), Status::Ok);
    let (status, _) = answer(app.client.delete(passkey_path).dispatch().await).await;
    assert_eq!(status, Status::Ok, "proven a moment ago");
}

#[rocket::async_test]
async fn the_account_page_asks_for_the_password_in_place_and_comes_back_to_the_change() {
    let app = TestApp::new().await;
    app.register_confirmed(VICTIM, PASSWORD).await;
    app.login(VICTIM, PASSWORD).await;
    age_sessions(&app);
    let new = "owner@example.org";
    let response = app
        .submit("/profile/email", &[("_method", "PUT"), ("email", new)])
        .await;
    let html = app.back_to(response, "/profile/confirm").await;
    assert!(html.contains("Confirm it’s you"), "{html}");
    assert!(html.contains("To change your email address, enter your password."));
    assert!(html.contains("<form method=\"post\" action=\"/profile/email\""));
    assert!(html.contains("<input type=\"hidden\" name=\"_method\" value=\"PUT\">"));
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"email\" value=\"{new}\">"
    )));
    crate::app::assert_inputs_labelled(&html);
    assert!(app
        .stored_user(VICTIM)
        .await
        .unwrap()
        .pending_email
        .is_none());

    let wrong = [("_method", "PUT"), ("email", new), ("password", "a guess")];
    let response = app.submit("/profile/email", &wrong).await;
    let html = app.back_to(response, "/profile/confirm").await;
    assert!(html.contains("<p class=\"error\" id=\"password-error\">Wrong password.</p>"));
    assert!(html.contains(&format!("name=\"email\" value=\"{new}\"")));
    // Shown once: a reload (or the address typed) is the account page.
    let again = app.page("/profile/confirm").await;
    assert_eq!(location(&again), Some("/profile"));

    let right = [("_method", "PUT"), ("email", new), ("password", PASSWORD)];
    let response = app.submit("/profile/email", &right).await;
    assert_eq!(location(&response), Some("/profile"));
    let said = notice(&response).expect("a notice");
    assert!(
        said.contains(&format!("We have sent a link to {new}")),
        "{said}"
    );
    let user = app.stored_user(VICTIM).await.unwrap();
    assert_eq!(user.pending_email.as_deref(), Some(new));
}

// ---- The two-factor step lives on the server -----------------------------

/// `VICTIM` with two-factor sign-in on (their address proven), set up in a
/// session that the (untracked) client does not keep; their TOTP app.
async fn with_two_factor(app: &TestApp) -> totp_rs::Totp {
    app.register_confirmed(VICTIM, PASSWORD).await;
    let login = send(app, "/sessions", VICTIM, PASSWORD).await;
    let session = login.cookies().get("session_id").cloned().unwrap();
    let session = session.into_owned();
    let started = app
        .client
        .post("/profile/totp")
        .cookie(session.clone())
        .dispatch()
        .await;
    let secret: Value = serde_json::from_str(&body(started).await).expect("a secret");
    let totp = app_for(secret["secret"].as_str().unwrap());
    let confirmed = app
        .client
        .put("/profile/totp")
        .cookie(session)
        .header(ContentType::Form)
        .body(format!("code={}", code(&totp, -1).await))
        .dispatch()
        .await;
    assert_eq!(confirmed.status(), Status::Ok);
    totp
}

/// A browser's right password: the sign-in waits for its code, and the
/// browser holds its cookie (returned, to replay it elsewhere).
async fn password_given(app: &TestApp) -> Cookie<'static> {
    let fields = [("email", VICTIM), ("password", PASSWORD)];
    let response = app.submit("/sessions", &fields).await;
    assert_eq!(location(&response), Some("/login/code"));
    let cookie = response.cookies().get("pending_sign_in").cloned();
    cookie.expect("the pending sign-in's cookie").into_owned()
}

/// `POST /login/code` with `code`, carrying `pending` (the cookie of a
/// waiting sign-in).
async fn give_code<'a>(
    app: &'a TestApp,
    pending: &Cookie<'static>,
    code: &str,
) -> LocalResponse<'a> {
    app.client
        .post("/login/code")
        .header(Header::new("Accept", BROWSER))
        .header(ContentType::Form)
        .cookie(pending.clone())
        .body(format!("code={code}"))
        .dispatch()
        .await
}

#[rocket::async_test]
async fn a_waiting_sign_in_ends_with_a_new_password_and_is_used_once() {
    let app = TestApp::untracked(|figment| figment).await;
    let totp = with_two_factor(&app).await;

    // A sign-in whose password was right waits; the password changes
    // (a reset, by the operator here): the waiting sign-in is over.
    let stale = password_given(&app).await;
    let email = auth_service::auth::Email::parse(VICTIM).unwrap();
    let password = auth_service::auth::Password::parse(NEW_PASSWORD).unwrap();
    app.auth().set_password(&email, &password).await.unwrap();
    let response = give_code(&app, &stale, &code(&totp, 0).await).await;
    assert_eq!(location(&response), Some("/login"));
    assert!(notice(&response).unwrap().contains("took too long"));
    assert!(response.cookies().get("session_id").is_none());
    assert_eq!(
        app.numbers("SELECT COUNT(*) AS n FROM pending_sign_ins"),
        [0]
    );

    // A sign-in finishes once: its cookie, replayed, opens no second session.
    app.execute("UPDATE users SET totp_last_step = NULL");
    let fields = [("email", VICTIM), ("password", NEW_PASSWORD)];
    let response = app.submit("/sessions", &fields).await;
    let pending = response.cookies().get("pending_sign_in").cloned().unwrap();
    let pending = pending.into_owned();
    let first = give_code(&app, &pending, &code(&totp, 0).await).await;
    assert_eq!(location(&first), Some("/profile"));
    assert!(first.cookies().get("session_id").is_some());
    let replayed = give_code(&app, &pending, &code(&totp, 1).await).await;
    assert_eq!(location(&replayed), Some("/login"));
    assert!(replayed.cookies().get("session_id").is_none());
    assert_eq!(app.stored_sessions(VICTIM).await.len(), 1);
}

#[rocket::async_test]
async fn wrong_codes_end_every_waiting_sign_in_at_the_cap() {
    let app = TestApp::untracked(|figment| figment).await;
    let totp = with_two_factor(&app).await;
    let sessions = app.stored_sessions(VICTIM).await.len();
    let (first, second) = (password_given(&app).await, password_given(&app).await);
    for guess in 1..5 {
        let pending = [&first, &second][guess % 2];
        let response = give_code(&app, pending, "000000").await;
        assert_eq!(location(&response), Some("/login/code"), "guess {guess}");
    }
    let capped = give_code(&app, &first, "000000").await;
    assert_eq!(location(&capped), Some("/login"));
    let said = notice(&capped).expect("a notice");
    assert!(said.contains("The code was wrong too many times"), "{said}");
    // Both sign-ins ended: even the right code opens nothing.
    let right = give_code(&app, &second, &code(&totp, 0).await).await;
    assert_eq!(location(&right), Some("/login"));
    assert_eq!(app.stored_sessions(VICTIM).await.len(), sessions);
}

// ---- Floods and spoofing -------------------------------------------------

/// `POST path` with `email` and `password`.
async fn send<'a>(app: &'a TestApp, path: &str, email: &str, password: &str) -> LocalResponse<'a> {
    app.post(path, &[("email", email), ("password", password)])
        .await
}

/// `POST /users` from `address`: the response.
async fn register_from<'a>(app: &'a TestApp, address: &str, email: &str) -> LocalResponse<'a> {
    app.client
        .post("/users")
        .remote(peer(address))
        .header(ContentType::Form)
        .body(format!("email={email}&password=correct+horse+battery"))
        .dispatch()
        .await
}

#[rocket::async_test]
async fn registrations_are_limited_per_address_and_ipv6_per_64() {
    let app =
        TestApp::with(|figment| figment.merge(("login_limits.registrations_per_hour", 3))).await;
    for n in 0..3 {
        let email = format!("flood{n}@example.com");
        let response = register_from(&app, "203.0.113.7", &email).await;
        assert_eq!(response.status(), Status::Ok);
    }
    let refused = register_from(&app, "203.0.113.7", "flood3@example.com").await;
    assert_eq!(refused.status(), Status::TooManyRequests);
    let wait: u64 = refused
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1200).contains(&wait), "{wait}");
    assert_eq!(
        body(refused).await,
        "{\"message\":\"too many requests from this address; try again later\"}\n"
    );
    assert!(app.stored_user("flood3@example.com").await.is_none());
    let other = register_from(&app, "198.51.100.1", "other@example.com").await;
    assert_eq!(other.status(), Status::Ok);

    // One IPv6 /64 is one address.
    for (n, address) in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"]
        .iter()
        .enumerate()
    {
        let response = register_from(&app, address, &format!("six{n}@example.com")).await;
        assert_eq!(response.status(), Status::Ok, "{address}");
    }
    let same_network = register_from(&app, "2001:db8:1:2:abcd::9", "six9@example.com").await;
    assert_eq!(same_network.status(), Status::TooManyRequests);
    let next_network = register_from(&app, "2001:db8:1:3::1", "seven@example.com").await;
    assert_eq!(next_network.status(), Status::Ok);

    // The page says so beside the form.
    let page = app
        .client
        .post("/users")
        .remote(peer("203.0.113.7"))
        .header(Header::new("Accept", BROWSER))
        .header(ContentType::Form)
        .body("email=flood9%40example.com&password=correct+horse+battery")
        .dispatch()
        .await;
    let html = app.back_to(page, "/register").await;
    assert!(html.contains("Too many requests from your network. Try again in"));
}

#[rocket::async_test]
async fn requests_for_mailed_links_are_limited_per_address() {
    let app =
        TestApp::with(|figment| figment.merge(("login_limits.mailed_links_per_hour", 2))).await;
    app.register(VICTIM, PASSWORD).await;
    let ask = async |path: &str| {
        app.client
            .post(path.to_owned())
            .remote(peer("203.0.113.7"))
            .header(ContentType::Form)
            .body(format!("email={VICTIM}"))
            .dispatch()
            .await
            .status()
    };
    assert_eq!(ask("/reset_password").await, Status::Ok);
    assert_eq!(ask("/verify_email").await, Status::Ok);
    assert_eq!(ask("/reset_password").await, Status::TooManyRequests);
    assert_eq!(ask("/verify_email").await, Status::TooManyRequests);
}

#[rocket::async_test]
async fn logins_keep_answering_during_a_flood_of_registrations() {
    // Hashing slow enough to pile up, and one place in each queue: the
    // registrations fill theirs, and are refused past it.
    let app = TestApp::with(|figment| {
        figment
            .merge(("passwords.bcrypt_cost", 10))
            .merge(("passwords.hash_queue_limit", 1))
    })
    .await;
    app.register(VICTIM, PASSWORD).await;
    let emails: Vec<String> = (0..12).map(|n| format!("flood{n}@example.com")).collect();
    let flood = join_all(
        emails
            .iter()
            .map(|email| send(&app, "/users", email, PASSWORD)),
    );
    let login = send(&app, "/sessions", VICTIM, PASSWORD);
    let (registered, login) = rocket::tokio::join!(flood, login);
    let statuses: Vec<Status> = registered.iter().map(LocalResponse::status).collect();
    assert!(
        statuses.contains(&Status::ServiceUnavailable),
        "the flood met its limit: {statuses:?}"
    );
    assert_eq!(login.status(), Status::Ok, "{statuses:?}");
}

#[rocket::async_test]
async fn a_client_cannot_choose_its_own_address() {
    // A client without cookies: a device cookie would spare it the limit.
    let app =
        TestApp::untracked(|figment| figment.merge(("login_limits.ip_attempts_per_minute", 2)))
            .await;
    app.register(VICTIM, PASSWORD).await;
    let from = async |forged: &str| {
        let response = app
            .client
            .post("/sessions")
            .remote(peer("203.0.113.7"))
            .header(Header::new("X-Real-IP", forged.to_owned()))
            .header(ContentType::Form)
            .body(format!("email={VICTIM}&password=correct+horse+battery"))
            .dispatch()
            .await;
        response.status()
    };
    assert_eq!(from("198.51.100.1").await, Status::Ok);
    assert_eq!(from("198.51.100.2").await, Status::Ok);
    assert_eq!(from("198.51.100.3").await, Status::TooManyRequests);
    let sessions = app.stored_sessions(VICTIM).await;
    let addresses: Vec<_> = sessions
        .iter()
        .map(|session| session.ip.as_deref())
        .collect();
    assert_eq!(addresses, [Some("203.0.113.7"), Some("203.0.113.7")]);
}

#[rocket::async_test]
async fn a_trusted_proxy_names_the_client() {
    let app = TestApp::with(|figment| {
        figment
            .merge(("proxy.trusted", ["10.0.0.0/8"]))
            .merge(("ip_header", "X-Forwarded-For"))
    })
    .await;
    app.register(VICTIM, PASSWORD).await;
    let response = app
        .client
        .post("/sessions")
        .remote(peer("10.0.0.5"))
        // The client wrote the first; the proxy appended what it saw.
        .header(Header::new("X-Forwarded-For", "198.51.100.1, 203.0.113.9"))
        .header(ContentType::Form)
        .body(format!("email={VICTIM}&password=correct+horse+battery"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let sessions = app.stored_sessions(VICTIM).await;
    assert_eq!(sessions[0].ip.as_deref(), Some("203.0.113.9"));
}

#[rocket::async_test]
async fn concurrent_wrong_passwords_get_no_more_checks_than_the_free_attempts() {
    let app = TestApp::new().await;
    app.register(VICTIM, PASSWORD).await;
    let before = app.auth().password_verifications();
    let guesses: Vec<String> = (0..40).map(|n| format!("parallel guess {n}")).collect();
    let responses = join_all(
        guesses
            .iter()
            .map(|guess| send(&app, "/sessions", VICTIM, guess)),
    )
    .await;
    let checked = app.auth().password_verifications() - before;
    let statuses: Vec<Status> = responses.iter().map(LocalResponse::status).collect();
    assert_eq!(checked, 5, "{statuses:?}");
    let wrong = statuses
        .iter()
        .filter(|status| **status == Status::Unauthorized);
    assert_eq!(wrong.count(), 5, "{statuses:?}");
}

// ---- The smaller points --------------------------------------------------

#[rocket::async_test]
async fn addresses_the_mailer_could_not_write_to_are_refused() {
    let app = TestApp::new().await;
    for address in [
        "Anyone <victim@example.com>",
        "\"<b>x</b>\"@example.com",
        "victim@[192.0.2.1]",
        "victim@example.com\r\nBcc: eve@example.com",
    ] {
        app.for_each_encoding(
            Method::Post,
            "/users",
            &[("email", address), ("password", PASSWORD)],
            async |encoding, response| {
                assert_eq!(
                    response.status(),
                    Status::BadRequest,
                    "{encoding:?} {address:?}"
                );
                assert_eq!(
                    body(response).await,
                    "{\"message\":\"email is not a valid email address\"}\n"
                );
            },
        )
        .await;
    }
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM users"), [0]);
}

#[rocket::async_test]
async fn a_duplicated_json_member_is_refused() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/users")
        .header(ContentType::JSON)
        .body(r#"{"email": "bob@example.com", "password": "correct horse battery", "email": "victim@example.com"}"#)
        .dispatch()
        .await;
    assert_eq!(
        (response.status(), body(response).await),
        (
            Status::BadRequest,
            "{\"message\":\"email is given more than once\"}\n".to_owned()
        )
    );
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM users"), [0]);
}

#[rocket::async_test]
async fn the_failures_of_an_account_go_with_it() {
    let app = TestApp::untracked(|figment| figment).await;
    with_two_factor(&app).await;
    // A right password forgets its account's password failures: the code
    // guess first.
    let code_guess = [("email", VICTIM), ("password", PASSWORD), ("otp", "000000")];
    app.post("/sessions", &code_guess).await;
    app.try_login(VICTIM, "a guess").await;
    assert_eq!(
        app.numbers("SELECT COUNT(*) AS n FROM login_failures"),
        [2],
        "a password guess and a code guess"
    );
    let email = auth_service::auth::Email::parse(VICTIM).unwrap();
    app.auth().delete_user(&email).await.unwrap();
    assert!(app.stored_user(VICTIM).await.is_none());
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM login_failures"), [0]);
}

#[rocket::async_test]
async fn a_session_is_never_idle_longer_than_it_lives() {
    let app = TestApp::with(|figment| figment.merge(("sessions.ttl", 3600))).await;
    assert_eq!(
        app.auth().settings().sessions.idle_ttl(),
        3600,
        "defaults to match"
    );
    let app = TestApp::with(|figment| {
        figment
            .merge(("sessions.ttl", 3600))
            .merge(("sessions.idle_ttl", 7200))
    })
    .await;
    assert_eq!(app.auth().settings().sessions.idle_ttl(), 3600, "capped");
    let app = TestApp::with(|figment| figment.merge(("sessions.idle_ttl", 600))).await;
    assert_eq!(app.auth().settings().sessions.idle_ttl(), 600);
}
