//! Mail over real SMTP (a server on loopback): reset links in both
//! delivery modes, address verification, notices, the outbox's faults, and
//! what pages show of it all (never a token).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use auth_service::auth::token::digest;
use auth_service::db::QueuedMail;
use auth_service::language::Language;
use rocket::figment::Figment;
use rocket::http::{Header, Method, Status};

use crate::app::{assert_inputs_labelled, body, hidden_value, location, notice, Encoding, TestApp};
use crate::support::smtp::SmtpSink;

const ALICE: &str = "alice@example.com";
const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "staple of the horse";
const SITE: &str = "https://auth.example";

/// The test configuration, sending to `sink`, linking to `SITE`.
fn mailing_to(sink: &SmtpSink) -> impl FnOnce(Figment) -> Figment {
    let url = sink.url();
    move |figment| {
        figment
            .merge(("mail.smtp_url", url))
            .merge(("public_url", SITE))
    }
}

/// `mailing_to`, with JSON clients getting reset links by mail too.
fn mailing_resets_to(sink: &SmtpSink) -> impl FnOnce(Figment) -> Figment {
    let mailing = mailing_to(sink);
    move |figment| mailing(figment).merge(("mail.reset_delivery", "email"))
}

/// The token of the `index`-th mail to `to` with a link to `path` (mails
/// of other kinds may arrive before or after it).
fn token_in(sink: &SmtpSink, to: &str, index: usize, path: &str) -> String {
    let link = sink.wait_until(to, &format!("a link to {path}"), |mails| {
        let mut links = mails.iter().filter_map(|mail| mail.link(path));
        links.nth(index)
    });
    assert!(link.starts_with(&format!("{SITE}{path}?token=")), "{link}");
    link.rsplit_once("token=").unwrap().1.to_owned()
}

/// Waits (at most 30 s) until `done` holds of the outbox.
async fn outbox_until(app: &TestApp, done: impl Fn(&[QueuedMail]) -> bool) -> Vec<QueuedMail> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mails = app.store.outbox().await;
        if done(&mails) {
            return mails;
        }
        assert!(Instant::now() < deadline, "the outbox stays {mails:?}");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A loopback port where nothing listens (for now).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// ---- Password reset ------------------------------------------------------

#[rocket::async_test]
async fn with_email_delivery_json_clients_get_the_same_answer_and_a_link_that_works_once() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_resets_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    for email in [ALICE, "nobody@example.com"] {
        app.for_each_encoding(
            Method::Post,
            "/reset_password",
            &[("email", email)],
            async |encoding, response| {
                assert_eq!(response.status(), Status::Ok, "{encoding:?}");
                assert_eq!(
                    body(response).await,
                    format!("{{\"email\":\"{email}\",\"message\":\"reset link sent\"}}\n")
                );
            },
        )
        .await;
    }
    let token = token_in(&sink, ALICE, 0, "/reset_password");
    let mail = sink.wait_for_subject(ALICE, "Reset your password");
    assert!(mail.data.contains("multipart/alternative"));

    let fields = [
        ("email", ALICE),
        ("reset_token", token.as_str()),
        ("new_password", NEW_PASSWORD),
    ];
    let response = app.put("/reset_password", &fields).await;
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{ALICE}\",\"message\":\"Password updated\"}}\n")
    );
    app.login(ALICE, NEW_PASSWORD).await;
    let again = app.put("/reset_password", &fields).await;
    assert_eq!(again.status(), Status::Forbidden);

    sink.wait_for_subject(ALICE, "Your password was changed");
    assert!(sink
        .received()
        .iter()
        .all(|mail| mail.to != ["nobody@example.com"]));
}

#[rocket::async_test]
async fn the_original_contract_stays_the_default_and_the_notice_goes_out() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    let response = app.post("/reset_password", &[("email", ALICE)]).await;
    let json: serde_json::Value = serde_json::from_str(&body(response).await).unwrap();
    let token = json["reset_token"].as_str().expect("the token in the body");
    let fields = [
        ("email", ALICE),
        ("reset_token", token),
        ("new_password", NEW_PASSWORD),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Ok
    );
    let notice = sink.wait_for_subject(ALICE, "Your password was changed");
    assert_eq!(notice.from, "no-reply@localhost", "mail_from's default");
    let response = app
        .post("/reset_password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn the_reset_page_never_shows_a_token_and_answers_alike_for_every_address() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    // Nothing asked yet: the form that asks.
    let response = app.page("/reset_password/sent").await;
    assert_eq!(location(&response), Some("/reset_password"));
    let mut pages = Vec::new();
    for email in [ALICE, "nobody@example.com"] {
        // On (303) to a page of its own, which a reload shows again
        // rather than posting twice.
        let response = app.submit("/reset_password", &[("email", email)]).await;
        assert_eq!(response.status(), Status::SeeOther);
        assert_eq!(location(&response), Some("/reset_password/sent"));
        for _ in 0..2 {
            let response = app.page("/reset_password/sent").await;
            assert_eq!(response.status(), Status::Ok);
            let html = body(response).await;
            assert!(
                html.contains(&format!(
                    "If an account exists for {email}, we have sent a link"
                )),
                "{html}"
            );
            assert!(!html.contains("reset_token") && !html.contains("token="));
            pages.push(html.replace(email, "EMAIL"));
        }
    }
    assert!(pages.iter().all(|page| *page == pages[0]));
    let token = token_in(&sink, ALICE, 0, "/reset_password");
    let stored = app.stored_user(ALICE).await.unwrap();
    assert_eq!(stored.reset_token, Some(digest(&token)));
}

#[rocket::async_test]
async fn a_reset_link_leads_to_the_form_without_the_token_in_the_address_and_works_once() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    app.submit("/reset_password", &[("email", ALICE)]).await;
    let token = token_in(&sink, ALICE, 0, "/reset_password");

    let link = format!("/reset_password?token={token}");
    let response = app.page(&link).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/reset_password/new"));
    let cookie = response
        .cookies()
        .get("reset_link")
        .expect("the link's cookie");
    assert_ne!(cookie.value(), token, "sealed");
    assert_eq!(cookie.http_only(), Some(true));

    let response = app.page("/reset_password/new").await;
    assert_eq!(response.status(), Status::Ok);
    let headers = response.headers();
    assert_eq!(headers.get_one("Referrer-Policy"), Some("no-referrer"));
    assert_eq!(headers.get_one("Cache-Control"), Some("no-store"));
    let html = body(response).await;
    assert_inputs_labelled(&html);
    assert!(html.contains(&format!("For <strong>{ALICE}</strong>")));
    assert_eq!(hidden_value(&html, "reset_token"), token);
    assert!(html.contains("At least 8 characters"));

    let mut fields = vec![
        ("_method", "PUT"),
        ("email", ALICE),
        ("reset_token", token.as_str()),
        ("new_password", NEW_PASSWORD),
        ("confirm_password", "staple of the hoarse"),
    ];
    let response = app.submit("/reset_password", &fields).await;
    let html = app.back_to(response, "/reset_password/new").await;
    assert!(html.contains(
        "<p class=\"error\" id=\"confirm_password-error\">The two passwords are not the same.</p>"
    ));
    // Both fields are empty again: the first of them has the focus.
    assert!(html.contains("name=\"new_password\" type=\"password\" value=\"\" required autocomplete=\"new-password\" autofocus"), "{html}");

    let too_common =
        "<p class=\"error\" id=\"new_password-error\">New password is too common; choose another.</p>";
    (fields[3].1, fields[4].1) = ("password", "password");
    let response = app.submit("/reset_password", &fields).await;
    let html = app.back_to(response, "/reset_password/new").await;
    assert!(html.contains(too_common), "{html}");

    // Too common and not repeated alike: both said at once.
    (fields[3].1, fields[4].1) = ("password", "passwort");
    let response = app.submit("/reset_password", &fields).await;
    let html = app.back_to(response, "/reset_password/new").await;
    assert!(html.contains(too_common), "{html}");
    assert!(
        html.contains("The two passwords are not the same."),
        "{html}"
    );

    (fields[3].1, fields[4].1) = (NEW_PASSWORD, NEW_PASSWORD);
    let response = app.submit("/reset_password", &fields).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/login"));
    let html = body(app.page("/login").await).await;
    assert!(html.contains("Password updated. Log in with your new password."));
    app.login(ALICE, NEW_PASSWORD).await;

    // The form sent again (Back, then Set password): back to the link's
    // page, which says the link no longer works.
    let response = app.submit("/reset_password", &fields).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/reset_password/new"));
    let response = app.page("/reset_password/new").await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(body(response).await.contains("This link no longer works"));

    // Used: the link leads to a page without its token that says so.
    let html = app.link_no_longer_works(&link, "/reset_password/new").await;
    assert!(html.contains("This link no longer works"), "{html}");
    assert!(html.contains("href=\"/reset_password\""));
}

#[rocket::async_test]
async fn one_reset_mail_per_address_per_interval() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_resets_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    for _ in 0..3 {
        let response = app.post("/reset_password", &[("email", ALICE)]).await;
        assert_eq!(response.status(), Status::Ok);
    }
    // The verification mail and the reset mail, in either order; then no
    // other reset mail comes.
    sink.wait_for(ALICE, 2);
    rocket::tokio::time::sleep(Duration::from_millis(1500)).await;
    let mails = sink.wait_for(ALICE, 2);
    let resets: Vec<_> = mails
        .iter()
        .filter(|mail| mail.subject() == Some("Reset your password"))
        .collect();
    assert_eq!(resets.len(), 1, "{} mails", mails.len());
    assert!(resets[0].link("/reset_password").is_some());
}

// ---- Address verification ------------------------------------------------

#[rocket::async_test]
async fn registration_mails_a_verification_link_that_works_once_and_for_nothing_else() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    let mail = &sink.wait_for(ALICE, 1)[0];
    assert_eq!(mail.subject(), Some("Confirm your email address"));
    let token = token_in(&sink, ALICE, 0, "/verify_email");
    assert_eq!(
        app.stored_user(ALICE).await.unwrap().email_verified_at,
        None
    );

    // Not a reset token.
    let fields = [
        ("email", ALICE),
        ("reset_token", token.as_str()),
        ("new_password", NEW_PASSWORD),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Forbidden
    );

    // Only the account's owner proves its mailbox: the link alone (as a
    // mail scanner fetches it) proves nothing.
    let link = format!("/verify_email?token={token}");
    let response = app.client.get(link.clone()).dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(body(response).await, "{\"message\":\"not logged in\"}\n");
    let stored = app.stored_user(ALICE).await.unwrap();
    assert_eq!(stored.email_verified_at, None);

    app.login(ALICE, PASSWORD).await;
    let response = app.client.get(link.clone()).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{ALICE}\",\"message\":\"email verified\"}}\n")
    );
    let stored = app.stored_user(ALICE).await.unwrap();
    assert!(stored.email_verified_at.is_some());
    assert_eq!(stored.verify_token, None);

    for bad in [link.as_str(), "/verify_email?token=forged", "/verify_email"] {
        let response = app.client.get(bad).dispatch().await;
        assert_eq!(response.status(), Status::BadRequest, "{bad}");
        let expected = match bad {
            "/verify_email" => "{\"message\":\"token is required\"}\n",
            _ => "{\"message\":\"invalid verification token\"}\n",
        };
        assert_eq!(body(response).await, expected);
    }
}

#[rocket::async_test]
async fn a_browser_following_the_verification_link_lands_on_its_profile() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.submit("/users", &[("email", ALICE), ("password", PASSWORD)])
        .await;
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Account created."));
    assert!(html.contains("We sent a link to this address to confirm it is yours."));
    assert!(html.contains("Not confirmed yet") && html.contains("Send the link again"));

    let token = token_in(&sink, ALICE, 0, "/verify_email");
    let response = app.follow_verification_link(&token).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Your email address is confirmed."));
    assert!(html.contains("Confirmed") && !html.contains("Send the link again"));

    // Used: back to the profile, the token out of the address bar.
    let response = app.follow_verification_link(&token).await;
    assert_eq!(location(&response), Some("/profile"));
    let said = notice(&response).expect("a notice");
    assert_eq!(
        said,
        "This confirmation link is invalid, used or expired. Ask for a new one."
    );
}

#[rocket::async_test]
async fn verification_links_are_limited_like_reset_mails_and_asked_again_from_the_account_page() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    sink.wait_for(ALICE, 1);
    app.login(ALICE, PASSWORD).await;
    // Within `reset_mail_interval` of the registration's link: the same
    // answers, and no mail.
    let response = app.post("/verify_email", &[("email", ALICE)]).await;
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{ALICE}\",\"message\":\"verification link sent\"}}\n")
    );
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Send the link again"));
    // The owner's account page says so: nothing was sent.
    let response = app.submit("/verify_email", &[("email", ALICE)]).await;
    assert_eq!(location(&response), Some("/profile"));
    let held = "We could not send another link yet: one went out a moment ago. Try again in 1 \
                minute.";
    assert_eq!(notice(&response).as_deref(), Some(held));
    rocket::tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), 1, "no second mail yet");

    // Once the interval is over, the account page's button mails a link.
    app.execute("UPDATE users SET verify_mail_sent_at = verify_mail_sent_at - 61");
    let response = app.submit("/verify_email", &[("email", ALICE)]).await;
    assert_eq!(location(&response), Some("/profile"));
    let sent = format!("We have sent a new link to {ALICE}.");
    assert_eq!(notice(&response), Some(sent));
    let second = token_in(&sink, ALICE, 1, "/verify_email");
    assert_eq!(app.verify_email(&second).await.0, Status::Ok);
}

#[rocket::async_test]
async fn an_expired_verification_link_is_refused_with_a_way_to_ask_again() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    let token = token_in(&sink, ALICE, 0, "/verify_email");
    app.execute("UPDATE users SET verify_token_expires_at = 0");
    let path = format!("/verify_email?token={token}");
    app.login(ALICE, PASSWORD).await;
    let json = app.client.get(path.clone()).dispatch().await;
    assert_eq!(json.status(), Status::BadRequest);
    assert!(body(json).await.starts_with("{\"message\":"));
    // Logged out: to the login page, which says why and what to do (no
    // password asked for a link that proves nothing).
    app.submit("/sessions", &[("_method", "DELETE")]).await;
    let page = app.follow_verification_link(&token).await;
    assert_eq!(location(&page), Some("/login"));
    let said = notice(&page).expect("a notice");
    assert!(said.contains("Log in to ask for a new one."), "{said}");
    let user = app.stored_user(ALICE).await.unwrap();
    assert_eq!(user.email_verified_at, None);
}

#[rocket::async_test]
async fn an_expired_reset_link_is_refused_with_a_way_to_ask_again() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_resets_to(&sink)).await;
    app.register(ALICE, PASSWORD).await;
    app.submit("/reset_password", &[("email", ALICE)]).await;
    let token = token_in(&sink, ALICE, 0, "/reset_password");
    app.execute("UPDATE users SET reset_token_expires_at = 0");
    let link = format!("/reset_password?token={token}");
    let html = app.link_no_longer_works(&link, "/reset_password/new").await;
    assert!(html.contains("This link no longer works"), "{html}");
    assert!(
        html.contains("href=\"/reset_password\""),
        "a way to ask again"
    );
    app.login(ALICE, PASSWORD).await;
}

#[rocket::async_test]
async fn asking_for_a_verification_link_answers_alike_for_every_address() {
    let sink = SmtpSink::start();
    let app =
        TestApp::with(|figment| mailing_to(&sink)(figment).merge(("mail.link_interval", 0))).await;
    app.register(ALICE, PASSWORD).await;
    sink.wait_for(ALICE, 1);
    for email in [ALICE, "nobody@example.com"] {
        let response = app.post("/verify_email", &[("email", email)]).await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(
            body(response).await,
            format!("{{\"email\":\"{email}\",\"message\":\"verification link sent\"}}\n")
        );
    }
    let first = token_in(&sink, ALICE, 0, "/verify_email");
    let second = token_in(&sink, ALICE, 1, "/verify_email");
    assert_ne!(first, second);
    app.login(ALICE, PASSWORD).await;
    assert_eq!(
        app.verify_email(&first).await.0,
        Status::BadRequest,
        "only the newest works"
    );
    assert_eq!(app.verify_email(&second).await.0, Status::Ok);

    // Verified: no more links.
    app.post("/verify_email", &[("email", ALICE)]).await;
    rocket::tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.wait_for(ALICE, 2).len(), 2);
    assert!(sink
        .received()
        .iter()
        .all(|mail| mail.to != ["nobody@example.com"]));
}

#[rocket::async_test]
async fn with_verification_required_only_a_confirmed_address_logs_in() {
    let sink = SmtpSink::start();
    let app = TestApp::with(|figment| {
        mailing_to(&sink)(figment).merge(("sessions.require_verified_email", true))
    })
    .await;
    app.register(ALICE, PASSWORD).await;

    let right = app.try_login(ALICE, PASSWORD).await;
    assert_eq!(right.status(), Status::Forbidden);
    assert!(right.cookies().get("session_id").is_none());
    assert_eq!(body(right).await, "{\"message\":\"email not verified\"}\n");
    let wrong = app
        .post(
            "/sessions",
            &[("email", ALICE), ("password", "wrong password")],
        )
        .await;
    assert_eq!(wrong.status(), Status::Unauthorized);

    let page = app
        .submit("/sessions", &[("email", ALICE), ("password", PASSWORD)])
        .await;
    let html = app.back_to(page, "/login").await;
    assert!(html.contains("Your email address is not confirmed yet."));
    assert!(html.contains("action=\"/verify_email\"") && html.contains("Send the link again"));
    assert_eq!(hidden_value(&html, "email"), ALICE);

    // Without a session, the link's page asks for the account's password:
    // a wrong one comes back to it, the right one proves the address.
    let token = token_in(&sink, ALICE, 0, "/verify_email");
    let asked = app.follow_verification_link(&token).await;
    assert_eq!(asked.status(), Status::Ok);
    let html = body(asked).await;
    assert!(html.contains("Confirm your address"), "{html}");
    let fields = [("_method", "PUT"), ("password", "wrong password")];
    let wrong = app.submit("/verify_email", &fields).await;
    let html = app.back_to(wrong, "/verify_email").await;
    assert!(
        html.contains("aria-describedby=\"password-error\""),
        "{html}"
    );
    assert_eq!(
        app.stored_user(ALICE).await.unwrap().email_verified_at,
        None
    );
    let fields = [("_method", "PUT"), ("password", PASSWORD)];
    let right = app.submit("/verify_email", &fields).await;
    assert_eq!(location(&right), Some("/login"));
    assert_eq!(
        notice(&right).as_deref(),
        Some("Your email address is confirmed.")
    );
    assert!(app
        .stored_user(ALICE)
        .await
        .unwrap()
        .email_verified_at
        .is_some());
    app.login(ALICE, PASSWORD).await;
}

#[rocket::async_test]
async fn with_verification_required_a_browser_registration_goes_to_the_login_page() {
    let sink = SmtpSink::start();
    let app = TestApp::with(|figment| {
        mailing_to(&sink)(figment).merge(("sessions.require_verified_email", true))
    })
    .await;
    let response = app
        .submit("/users", &[("email", ALICE), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&response), Some("/login"));
    assert!(app.session_id().is_none());
    let html = body(app.page("/login").await).await;
    assert!(html.contains(&format!(
        "Account created. Confirm your address with the link we sent to {ALICE}, then log in."
    )));
}

#[rocket::async_test]
async fn an_address_with_html_characters_is_escaped_in_the_mail() {
    let sink = SmtpSink::start();
    let app = TestApp::with(mailing_to(&sink)).await;
    let address = "o'neil&co@example.com";
    app.register(address, PASSWORD).await;
    let mail = sink.wait_for(address, 1)[0].decoded();
    let html = &mail[mail.find("<!DOCTYPE html>").expect("an HTML part")..];
    assert!(
        html.contains("<strong>o&#x27;neil&amp;co@example.com</strong>"),
        "{html}"
    );
    assert!(!html.contains("o'neil&co"), "{html}");
    let text = &mail[..mail.find("<!DOCTYPE html>").unwrap()];
    assert!(
        text.contains("o'neil&co@example.com"),
        "the text part is as typed"
    );
}

// ---- The outbox ----------------------------------------------------------

#[rocket::async_test]
async fn a_waiting_mail_is_sealed_and_is_delivered_once_when_smtp_comes_back() {
    let port = closed_port();
    let app = TestApp::with(|figment| {
        figment
            .merge(("mail.smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("public_url", SITE))
    })
    .await;
    app.register(ALICE, PASSWORD).await;
    let waiting = outbox_until(&app, |mails| mails.iter().any(|mail| mail.attempts >= 1)).await;
    assert_eq!(waiting.len(), 1);
    let sealed = waiting[0].message.clone().expect("the message waits");
    let sealed = String::from_utf8_lossy(&sealed);
    assert!(
        !sealed.contains("verify_email") && !sealed.contains("Confirm"),
        "sealed"
    );
    assert_eq!(waiting[0].recipient, ALICE);

    let sink = SmtpSink::on_port(port);
    let token = token_in(&sink, ALICE, 0, "/verify_email");
    outbox_until(&app, <[QueuedMail]>::is_empty).await;
    rocket::tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), 1, "delivered once");
    let stored = app.stored_user(ALICE).await.unwrap();
    assert_eq!(stored.verify_token, Some(digest(&token)));
}

#[rocket::async_test]
async fn a_refused_recipient_fails_for_good_without_holding_up_the_others() {
    let sink = SmtpSink::refusing(&["bob@example.com"]);
    let app = TestApp::with(mailing_to(&sink)).await;
    app.register("bob@example.com", PASSWORD).await;
    app.register(ALICE, PASSWORD).await;
    sink.wait_for(ALICE, 1);
    let mails = outbox_until(&app, |mails| {
        mails.len() == 1 && mails[0].failed_at.is_some()
    })
    .await;
    assert_eq!(mails[0].recipient, "bob@example.com");
    assert_eq!(mails[0].attempts, 1, "a 5xx answer is not retried");
    assert_eq!(mails[0].message, None, "its token is not kept");
}

#[rocket::async_test]
async fn a_mail_that_cannot_be_sent_is_retried_then_marked_failed() {
    let port = closed_port();
    let app = TestApp::with(|figment| {
        figment
            .merge(("mail.smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("mail.max_attempts", 2))
    })
    .await;
    app.register(ALICE, PASSWORD).await;
    let mails = outbox_until(&app, |mails| {
        mails.iter().any(|mail| mail.failed_at.is_some())
    })
    .await;
    assert_eq!(mails[0].attempts, 2);
    assert_eq!(mails[0].message, None);
}

#[rocket::async_test]
async fn bad_mail_settings_stop_the_start() {
    for (key, value) in [
        ("mail.smtp_url", "imap://mail.example"),
        ("public_url", "auth.example"),
        ("public_url", "ftp://auth.example"),
        ("mail.from", "not a mailbox"),
        ("mail.reset_delivery", "carrier pigeon"),
    ] {
        let store = crate::support::Store::new();
        let started = rocket::local::asynchronous::Client::tracked(auth_service::build(
            crate::app::figment(&store).merge((key, value)),
        ))
        .await;
        assert!(
            started.err().is_some_and(|error| {
                matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_))
            }),
            "{key} = {value}"
        );
    }
}

#[rocket::async_test]
async fn the_three_forms_of_smtp_url_are_taken() {
    for url in [
        "smtp://relay.example:25",
        "smtp://user:secret@mail.example:587?tls=required",
        "smtps://user:secret@mail.example:465",
    ] {
        let store = crate::support::Store::new();
        let figment = crate::app::figment(&store).merge(("mail.smtp_url", url));
        let started = rocket::local::asynchronous::Client::tracked(auth_service::build(figment));
        assert!(started.await.is_ok(), "{url}");
    }
}

#[rocket::async_test]
async fn asking_for_a_link_from_another_site_is_refused() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/verify_email")
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .header(rocket::http::ContentType::Form)
        .body(Encoding::Form.encode(&[("email", ALICE)]).1)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

// ---- The site's name -----------------------------------------------------

#[rocket::async_test]
async fn mails_name_the_configured_site_and_a_new_address_hears_of_the_change() {
    let sink = SmtpSink::start();
    let mailing = mailing_to(&sink);
    let app =
        TestApp::with(move |figment| mailing(figment).merge(("site_name", "Example Accounts")))
            .await;
    app.register(ALICE, PASSWORD).await;
    let mail = sink.wait_for_subject(ALICE, "Confirm your email address");
    let mail = mail.decoded();
    assert!(mail.contains("Welcome to Example Accounts."), "{mail}");
    assert!(mail.contains(">Example Accounts</a>"), "{mail}");
    assert!(!mail.contains("Welcome to auth.example"), "{mail}");

    // The new address of an account hears of the change of address, not
    // of a new account.
    app.login(ALICE, PASSWORD).await;
    let new = "alice@example.net";
    let response = app.put("/profile/email", &[("email", new)]).await;
    assert_eq!(response.status(), Status::Ok);
    let mail = sink.wait_for_subject(new, "Confirm your new email address");
    let mail = mail.decoded();
    assert!(
        mail.contains(&format!(
            "You asked to use {new} as the address of your account on Example Accounts."
        )),
        "{mail}"
    );
    let new_account = Language::En.word("mail-verify-email-ignore");
    assert_eq!(
        new_account,
        "If you did not create an account, ignore this mail."
    );
    for words in [new_account.as_str(), "did not create an account", "Welcome"] {
        assert!(!mail.contains(words), "{words:?} in {mail}");
    }
}

#[rocket::async_test]
async fn without_a_site_name_mails_name_the_public_url_s_host() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(move |figment| {
        figment
            .merge(("mail.smtp_url", url))
            .merge(("public_url", "https://accounts.example.org:8443"))
    })
    .await;
    app.register(ALICE, PASSWORD).await;
    let mail = sink.wait_for_subject(ALICE, "Confirm your email address");
    let mail = mail.decoded();
    assert!(mail.contains("Welcome to accounts.example.org."), "{mail}");
    assert!(mail.contains(">accounts.example.org</a>"), "{mail}");
}
