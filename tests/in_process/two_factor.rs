//! Two-factor sign-in: codes computed here from the secret the service
//! gives (as an authenticator app computes them), in JSON and on pages.

use std::time::Duration;

use auth_service::language::Language;
use rocket::http::{ContentType, Header, Status};
use serde_json::Value;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::app::{body, location, TestApp, BROWSER};
use crate::support::smtp::SmtpSink;

const EMAIL: &str = "katherine@example.com";
const PASSWORD: &str = "orbital mechanics";

/// What an authenticator app makes of the secret the service gave.
pub(crate) fn app_for(secret: &str) -> Totp {
    let bytes = Secret::try_from_base32(secret).expect("a base32 secret");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(bytes.as_bytes().to_vec())
        .build()
        .expect("a TOTP")
}

/// The time now, at least 3 s away from the next 30 s step, so that a code
/// computed here is checked by the service in the same step.
async fn steady_now() -> u64 {
    loop {
        let now = auth_service::clock::now() as u64;
        if now % 30 < 27 {
            return now;
        }
        rocket::tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The code of `totp` `steps` steps from now.
pub(crate) async fn code(totp: &Totp, steps: i64) -> String {
    let now = steady_now().await as i64;
    totp.generate((now + 30 * steps) as u64).to_string()
}

/// Registers and logs in `EMAIL`, turns two-factor sign-in on; returns
/// the app and the recovery codes.
async fn enabled(app: &TestApp) -> (Totp, Vec<String>) {
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let response = app.post("/profile/totp", &[]).await;
    assert_eq!(response.status(), Status::Ok);
    let json: Value = serde_json::from_str(&body(response).await).unwrap();
    let secret = json["secret"].as_str().unwrap();
    let url = json["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/auth-service:"), "{url}");
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    let totp = app_for(secret);
    let response = app
        .put("/profile/totp", &[("code", &code(&totp, 0).await)])
        .await;
    assert_eq!(response.status(), Status::Ok);
    let json: Value = serde_json::from_str(&body(response).await).unwrap();
    assert_eq!(json["message"], "two-factor sign-in enabled");
    let codes: Vec<String> = json["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    // As if the confirming code's step were long past: the tests log in
    // with codes of the steps around now.
    app.execute("UPDATE users SET totp_last_step = NULL");
    (totp, codes)
}

/// `POST /sessions` with `otp`, from a client without cookies: the answer.
async fn login_response<'a>(
    app: &'a TestApp,
    password: &str,
    otp: Option<&str>,
) -> rocket::local::asynchronous::LocalResponse<'a> {
    let mut fields = vec![("email", EMAIL), ("password", password)];
    if let Some(otp) = otp {
        fields.push(("otp", otp));
    }
    let (content_type, payload) = crate::app::Encoding::Form.encode(&fields);
    app.client
        .post("/sessions")
        .header(content_type)
        .body(payload)
        .dispatch()
        .await
}

/// `POST /sessions` with `otp`, from a client without cookies: the status,
/// the body and whether a session cookie was set.
async fn login_with(app: &TestApp, password: &str, otp: Option<&str>) -> (Status, String, bool) {
    let response = login_response(app, password, otp).await;
    let cookie = response
        .cookies()
        .get("session_id")
        .is_some_and(|cookie| !cookie.value().is_empty());
    (response.status(), body(response).await, cookie)
}

#[rocket::async_test]
async fn a_password_alone_opens_no_session_once_two_factor_is_on() {
    let app = TestApp::new().await;
    let (totp, _) = enabled(&app).await;
    let stored = app.stored_user(EMAIL).await.unwrap();
    let secret = stored.totp_secret.expect("a secret");
    assert!(!String::from_utf8_lossy(&secret).contains(&totp.secret().to_base32()));
    assert_ne!(secret, totp.secret().as_bytes(), "sealed");

    let missing = login_with(&app, PASSWORD, None).await;
    let required = "{\"message\":\"one-time code required\"}\n";
    assert_eq!(missing, (Status::Unauthorized, required.to_owned(), false));
    let wrong = login_with(&app, PASSWORD, Some("000000")).await;
    let wrong_code = "{\"message\":\"wrong one-time code\"}\n";
    assert_eq!(wrong, (Status::Unauthorized, wrong_code.to_owned(), false));
    // A wrong password answers as always, whatever the code.
    let now = code(&totp, 0).await;
    let wrong_password = login_with(&app, "not the password", Some(&now)).await;
    let credentials = "{\"message\":\"wrong email or password\"}\n";
    assert_eq!(
        wrong_password,
        (Status::Unauthorized, credentials.to_owned(), false)
    );

    let right = login_with(&app, PASSWORD, Some(&now)).await;
    assert_eq!((right.0, right.2), (Status::Ok, true));
    let again = login_with(&app, PASSWORD, Some(&now)).await;
    assert_eq!(again.0, Status::Unauthorized, "a code works once");
}

#[rocket::async_test]
async fn two_factor_stays_on_and_working_across_an_address_change() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await;
    let (totp, _) = enabled(&app).await;
    let new = "katherine.johnson@example.org";
    let fields = [("password", PASSWORD), ("email", new)];
    let changed = app.put("/profile/email", &fields).await;
    assert_eq!(changed.status(), Status::Ok);
    let token = sink.wait_for(new, 1)[0].token("/verify_email").unwrap();
    assert_eq!(app.verify_email(&token).await.0, Status::Ok);

    let mut credentials = vec![("email", new), ("password", PASSWORD)];
    let missing = app.post("/sessions", &credentials).await;
    assert_eq!(missing.status(), Status::Unauthorized);
    assert_eq!(
        body(missing).await,
        "{\"message\":\"one-time code required\"}\n"
    );
    let now = code(&totp, 0).await;
    credentials.push(("otp", &now));
    let right = app.post("/sessions", &credentials).await;
    assert_eq!(right.status(), Status::Ok);
    assert_eq!(
        body(right).await,
        format!("{{\"email\":\"{new}\",\"message\":\"logged in\"}}\n")
    );
}

#[rocket::async_test]
async fn one_step_of_drift_is_accepted_and_two_are_not() {
    let app = TestApp::new().await;
    let (totp, _) = enabled(&app).await;
    for steps in [-2, 2] {
        let drifted = code(&totp, steps).await;
        let answer = login_with(&app, PASSWORD, Some(&drifted)).await;
        assert_eq!(answer.0, Status::Unauthorized, "{steps} steps");
    }
    let late = login_with(&app, PASSWORD, Some(&code(&totp, -1).await)).await;
    assert_eq!(late.0, Status::Ok, "one step late");
    let early = login_with(&app, PASSWORD, Some(&code(&totp, 1).await)).await;
    assert_eq!(early.0, Status::Ok, "one step early");
}

#[rocket::async_test]
async fn a_recovery_code_works_once() {
    let app = TestApp::new().await;
    let (_, codes) = enabled(&app).await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let first = login_with(&app, PASSWORD, Some(&typed)).await;
    assert_eq!(first.0, Status::Ok);
    let second = login_with(&app, PASSWORD, Some(&codes[3])).await;
    assert_eq!(second.0, Status::Unauthorized);
    let other = login_with(&app, PASSWORD, Some(&codes[4])).await;
    assert_eq!(other.0, Status::Ok);
}

#[rocket::async_test]
async fn code_guesses_are_throttled_per_account() {
    let app = TestApp::new().await;
    let (totp, _) = enabled(&app).await;
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        assert_eq!(
            login_with(&app, PASSWORD, Some(guess)).await.0,
            Status::Unauthorized
        );
    }
    let now = code(&totp, 0).await;
    let response = login_response(&app, PASSWORD, Some(&now)).await;
    let retry_after = response.headers().get_one("Retry-After").map(str::to_owned);
    let wait: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!(wait > 0, "{wait}");
    let right = (response.status(), body(response).await);
    assert_eq!(right.0, Status::TooManyRequests);
    assert_eq!(
        right.1,
        "{\"message\":\"too many login attempts; try again later\"}\n"
    );
}

#[rocket::async_test]
async fn turning_it_off_needs_the_password_and_a_code() {
    let app = TestApp::new().await;
    let (totp, codes) = enabled(&app).await;
    let cases = [
        (
            "not the password",
            code(&totp, 0).await,
            Status::Forbidden,
            "wrong password",
        ),
        (
            PASSWORD,
            "123456".to_owned(),
            Status::Forbidden,
            "wrong one-time code",
        ),
        (
            PASSWORD,
            "12345".to_owned(),
            Status::BadRequest,
            "code must be the 6 digits of your authenticator app, or a recovery code",
        ),
    ];
    for (password, code, status, message) in cases {
        let response = app
            .send(
                rocket::http::Method::Delete,
                "/profile/totp",
                crate::app::Encoding::Json,
                &[("password", password), ("code", &code)],
            )
            .await;
        assert_eq!(response.status(), status, "{message}");
        assert_eq!(
            body(response).await,
            format!("{{\"message\":\"{message}\"}}\n")
        );
    }
    assert!(app
        .stored_user(EMAIL)
        .await
        .unwrap()
        .totp_enabled_at
        .is_some());

    let response = app
        .send(
            rocket::http::Method::Delete,
            "/profile/totp",
            crate::app::Encoding::Json,
            &[("password", PASSWORD), ("code", &codes[0])],
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body(response).await,
        "{\"message\":\"two-factor sign-in disabled\"}\n"
    );
    assert_eq!(login_with(&app, PASSWORD, None).await.0, Status::Ok);
    let left = app
        .db()
        .await
        .count_recovery_codes(app.stored_user(EMAIL).await.unwrap().id)
        .await;
    assert_eq!(left.unwrap(), 0);
}

#[rocket::async_test]
async fn new_recovery_codes_replace_the_old_ones() {
    let app = TestApp::new().await;
    let (totp, old) = enabled(&app).await;
    let fields = [("password", PASSWORD), ("code", &code(&totp, 0).await)];
    let response = app.post("/profile/recovery_codes", &fields).await;
    assert_eq!(response.status(), Status::Ok);
    let json: Value = serde_json::from_str(&body(response).await).unwrap();
    assert_eq!(json["message"], "new recovery codes");
    let new = json["recovery_codes"][0].as_str().unwrap().to_owned();
    assert_eq!(
        login_with(&app, PASSWORD, Some(&old[1])).await.0,
        Status::Unauthorized
    );
    assert_eq!(login_with(&app, PASSWORD, Some(&new)).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_malformed_code_changes_nothing() {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    assert_eq!(app.post("/profile/totp", &[]).await.status(), Status::Ok);
    for bad in ["12345", "1234567", "12345a", "abcdef"] {
        let response = app.put("/profile/totp", &[("code", bad)]).await;
        assert_eq!(response.status(), Status::BadRequest, "{bad}");
        assert_eq!(
            body(response).await,
            "{\"message\":\"code must be the 6 digits of your authenticator app\"}\n"
        );
    }
    let wrong = app.put("/profile/totp", &[("code", "000000")]).await;
    assert_eq!(wrong.status(), Status::Forbidden);
    let user = app.stored_user(EMAIL).await.unwrap();
    assert_eq!(user.totp_enabled_at, None, "still pending");
    assert_eq!(login_with(&app, PASSWORD, None).await.0, Status::Ok);
    let bad_otp = login_with(&app, PASSWORD, Some("12-34")).await;
    assert_eq!(bad_otp.0, Status::BadRequest);
}

#[rocket::async_test]
async fn a_reset_by_mail_leaves_two_factor_on_and_notices_go_out() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await;
    let (totp, _) = enabled(&app).await;
    sink.wait_for_subject(EMAIL, "Two-factor sign-in is on");

    let response = app.post("/reset_password", &[("email", EMAIL)]).await;
    let json: Value = serde_json::from_str(&body(response).await).unwrap();
    let fields = [
        ("email", EMAIL),
        ("reset_token", json["reset_token"].as_str().unwrap()),
        ("new_password", "a whole new passphrase"),
    ];
    assert_eq!(
        app.put("/reset_password", &fields).await.status(),
        Status::Ok
    );
    let missing = login_with(&app, "a whole new passphrase", None).await;
    assert_eq!(
        missing.0,
        Status::Unauthorized,
        "a mailbox alone does not open it"
    );

    app.login_with_code(&totp).await;
    let fields = [
        ("password", "a whole new passphrase"),
        ("code", &code(&totp, 1).await),
    ];
    let response = app
        .send(
            rocket::http::Method::Delete,
            "/profile/totp",
            crate::app::Encoding::Form,
            &fields,
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    sink.wait_for_subject(EMAIL, "Two-factor sign-in is off");
}

impl TestApp {
    /// Logs `EMAIL` in with the password reset above and a code; the client
    /// keeps the session.
    async fn login_with_code(&self, totp: &Totp) {
        let code = code(totp, 0).await;
        let fields = [
            ("email", EMAIL),
            ("password", "a whole new passphrase"),
            ("otp", &code),
        ];
        let response = self.post("/sessions", &fields).await;
        assert_eq!(response.status(), Status::Ok);
    }
}

// ---- Pages ---------------------------------------------------------------

#[rocket::async_test]
async fn a_used_recovery_code_is_told_apart_from_a_wrong_one() {
    let app = TestApp::new().await;
    let (_, codes) = enabled(&app).await;
    let first = login_with(&app, PASSWORD, Some(&codes[0])).await;
    assert_eq!(first.0, Status::Ok);
    let wrong_codes = || app.numbers("SELECT CAST(code_failures AS BIGINT) AS n FROM users");
    for (code, said) in [
        (
            codes[0].as_str(),
            "This recovery code has already been used",
        ),
        (
            "abcde-fghij",
            "Wrong code. Enter the one your app shows now, or a recovery code.",
        ),
    ] {
        app.submit("/sessions", &[("_method", "DELETE")]).await;
        let password = [("email", EMAIL), ("password", PASSWORD)];
        let response = app.submit("/sessions", &password).await;
        assert_eq!(location(&response), Some("/login/code"));
        let typed = app.submit("/login/code", &[("code", code)]).await;
        let html = app.back_to(typed, "/login/code").await;
        assert!(html.contains(said), "{code}: {html}");
    }
    // Both count as wrong codes; JSON clients read the API's one message.
    assert_eq!(wrong_codes(), [2]);
    let (status, json, _) = login_with(&app, PASSWORD, Some(&codes[0])).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(json, "{\"message\":\"wrong one-time code\"}\n");
    assert_eq!(
        app.numbers("SELECT COUNT(*) AS n FROM recovery_codes WHERE used_at IS NULL"),
        [9]
    );
}

#[rocket::async_test]
async fn a_browser_login_goes_on_to_a_code_page() {
    let app = TestApp::new().await;
    let (totp, _) = enabled(&app).await;
    app.submit("/sessions", &[("_method", "DELETE")]).await;
    let response = app
        .submit(
            "/sessions",
            &[
                ("email", EMAIL),
                ("password", PASSWORD),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/login/code"));
    assert!(app.session_id().is_none(), "not a session");

    let html = body(app.page("/login/code").await).await;
    assert!(html.contains("Two-factor sign-in") && html.contains("autocomplete=\"one-time-code\""));
    let wrong = app.submit("/login/code", &[("code", "000000")]).await;
    assert!(app
        .back_to(wrong, "/login/code")
        .await
        .contains("Wrong code."));

    let right = app
        .submit("/login/code", &[("code", &code(&totp, 0).await)])
        .await;
    assert_eq!(right.status(), Status::SeeOther);
    assert_eq!(location(&right), Some("/profile"));
    assert!(app.session_id().is_some());
    let again = app.page("/login/code").await;
    assert_eq!(
        location(&again),
        Some("/profile"),
        "the pending sign-in is over: logged in, on to the account page"
    );
}

#[rocket::async_test]
async fn a_sign_in_finished_on_the_code_page_keeps_the_page_s_language() {
    let app = TestApp::new().await;
    let (totp, _) = enabled(&app).await;
    app.submit("/sessions", &[("_method", "DELETE")]).await;
    app.submit("/language", &[("lang", "fr")]).await;
    let response = app
        .submit("/sessions", &[("email", EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&response), Some("/login/code"));
    let language = async || app.stored_user(EMAIL).await.unwrap().language;
    assert_eq!(
        language().await,
        Language::En,
        "a password alone changes nothing"
    );
    let right = app
        .submit("/login/code", &[("code", &code(&totp, 0).await)])
        .await;
    assert_eq!(location(&right), Some("/profile"));
    assert_eq!(language().await, Language::Fr);
}

#[rocket::async_test]
async fn the_code_page_without_a_pending_sign_in_leads_to_the_login_page() {
    let app = TestApp::new().await;
    let response = app.page("/login/code").await;
    assert_eq!(location(&response), Some("/login"));
    let response = app.submit("/login/code", &[("code", "123456")]).await;
    assert_eq!(location(&response), Some("/login"));
}

#[rocket::async_test]
async fn two_factor_is_set_up_from_the_account_page() {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Set up two-factor sign-in"));
    // Typed in the address bar before any setup: the account page.
    let typed = app.page("/profile/totp").await;
    assert_eq!(location(&typed), Some("/profile"));

    let response = app.submit("/profile/totp", &[]).await;
    assert_eq!(location(&response), Some("/profile/totp"));
    let html = body(app.page("/profile/totp").await).await;
    assert!(
        html.contains("<svg") && !html.contains("<?xml"),
        "an inline QR code"
    );
    // A reload shows the same setup: the secret scanned stays the one.
    assert_eq!(body(app.page("/profile/totp").await).await, html);
    let secret = html
        .split("<code class=\"secret\" id=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the secret for manual entry")
        .replace(' ', "");
    let totp = app_for(&secret);

    let wrong = app
        .submit("/profile/totp", &[("_method", "PUT"), ("code", "000000")])
        .await;
    let html = app.back_to(wrong, "/profile/totp").await;
    assert!(
        html.contains("Wrong code. Enter the one your app shows now.</p>")
            && html.contains(&secret[..4]),
        "the same setup again, speaking of no recovery code: {html}"
    );

    let fields = [("_method", "PUT"), ("code", &code(&totp, 0).await)];
    let response = app.submit("/profile/totp", &fields).await;
    assert_eq!(location(&response), Some("/profile/recovery_codes"));
    let html = body(app.page("/profile/recovery_codes").await).await;
    assert_eq!(html.matches("<li><code>").count(), 10);
    assert!(html.contains("download=\"auth-service-recovery-codes.txt\""));
    assert!(html.contains("href=\"data:text/plain;charset=utf-8,Recovery%20codes"));
    // Back, or a reload: the codes were shown once.
    let again = body(app.page("/profile/recovery_codes").await).await;
    assert!(!again.contains("<li><code>"), "{again}");
    assert!(again.contains("Recovery codes are shown once"), "{again}");
    // Its way on leads to the form that makes new ones.
    assert!(
        again.contains("href=\"/profile#new-recovery-codes\">New recovery codes</a>"),
        "{again}"
    );

    let html = body(app.page("/profile").await).await;
    assert!(
        html.contains("<details id=\"new-recovery-codes\">"),
        "{html}"
    );
    assert!(html.contains("10 recovery codes left"));
    assert!(!html.contains("<li><code>"), "never shown again");
}

#[rocket::async_test]
async fn a_pending_sign_in_cookie_from_elsewhere_or_tampered_opens_nothing() {
    let app = TestApp::new().await;
    enabled(&app).await;
    app.submit("/sessions", &[("_method", "DELETE")]).await;
    let response = app
        .client
        .get("/login/code")
        .header(Header::new("Accept", BROWSER))
        .cookie(rocket::http::Cookie::new(
            "pending_sign_in",
            "{\"email\":\"x\"}",
        ))
        .dispatch()
        .await;
    assert_eq!(location(&response), Some("/login"));
}

#[rocket::async_test]
async fn a_null_otp_is_refused_and_a_left_out_one_is_none() {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    let response = app
        .client
        .post("/sessions")
        .header(ContentType::JSON)
        .body(format!(
            "{{\"email\":\"{EMAIL}\",\"password\":\"{PASSWORD}\",\"otp\":null}}"
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        body(response).await,
        "{\"message\":\"otp must be a string\"}\n"
    );
    assert_eq!(login_with(&app, PASSWORD, None).await.0, Status::Ok);
}
