//! Passkeys through the JSON API, with a software authenticator making
//! real keys and signatures: adding one, signing in with it (no email, no
//! one-time code), and every way a ceremony can be misused.

use std::time::Duration;

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{json, Value};

use crate::app::{body, location, TestApp, BROWSER};
use crate::support::passkey::{Authenticator, ORIGIN};
use crate::support::smtp::SmtpSink;

const EMAIL: &str = "barbara@example.com";
const PASSWORD: &str = "abstract data types";
const OTHER: &str = "frances@example.com";

/// `POST path` with `value` as JSON.
async fn post_json<'a>(app: &'a TestApp, path: &str, value: &Value) -> LocalResponse<'a> {
    app.client
        .post(path.to_owned())
        .header(ContentType::JSON)
        .body(value.to_string())
        .dispatch()
        .await
}

/// The status and JSON body of `response`.
pub(crate) async fn answer(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let text = body(response).await;
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}"));
    (status, json)
}

/// Starts adding a passkey named `name` to the account whose password is
/// `password`: the ceremony id and options.
async fn start_adding(app: &TestApp, name: &str, password: &str) -> (String, Value) {
    let response = app
        .post(
            "/profile/passkeys/options",
            &[("name", name), ("password", password)],
        )
        .await;
    let (status, json) = answer(response).await;
    assert_eq!(status, Status::Ok, "{json}");
    let ceremony = json["ceremony"].as_str().expect("a ceremony").to_owned();
    (ceremony, json["options"].clone())
}

/// Adds a passkey named `name` made by `authenticator` to the logged-in
/// account (of `PASSWORD`); its id.
async fn add_passkey(app: &TestApp, authenticator: &mut Authenticator, name: &str) -> String {
    add_passkey_with(app, authenticator, name, PASSWORD).await
}

/// Adds a passkey named `name` made by `authenticator` to the logged-in
/// account, whose password is `password`; its id.
pub(crate) async fn add_passkey_with(
    app: &TestApp,
    authenticator: &mut Authenticator,
    name: &str,
    password: &str,
) -> String {
    let (ceremony, options) = start_adding(app, name, password).await;
    let credential = authenticator.create(&options);
    let finish = json!({"ceremony": ceremony, "credential": credential});
    let response = post_json(app, "/profile/passkeys", &finish).await;
    assert!(
        response.cookies().get("_flash").is_none(),
        "no notice for JSON clients"
    );
    let (status, json) = answer(response).await;
    assert_eq!(status, Status::Ok, "{json}");
    assert_eq!(json["message"], "passkey added");
    assert_eq!(json["passkey"]["name"], name);
    json["passkey"]["id"].as_str().expect("an id").to_owned()
}

/// Starts a sign-in: the ceremony id and options.
pub(crate) async fn start_sign_in(app: &TestApp) -> (String, Value) {
    let response = post_json(app, "/sessions/passkey/options", &json!({})).await;
    let (status, json) = answer(response).await;
    assert_eq!(status, Status::Ok, "{json}");
    let ceremony = json["ceremony"].as_str().expect("a ceremony").to_owned();
    (ceremony, json["options"].clone())
}

/// Finishes the sign-in `ceremony` with `credential`.
pub(crate) async fn finish_sign_in(
    app: &TestApp,
    ceremony: &str,
    credential: &Value,
) -> (Status, Value) {
    let finish = json!({"ceremony": ceremony, "credential": credential});
    answer(post_json(app, "/sessions/passkey", &finish).await).await
}

/// Signs in with a passkey of `authenticator`, then out; the ceremony
/// and the answer that signed in.
async fn sign_in_and_out(app: &TestApp, authenticator: &mut Authenticator) -> (String, Value) {
    let (ceremony, options) = start_sign_in(app).await;
    let assertion = authenticator.get(&options);
    let (status, json) = finish_sign_in(app, &ceremony, &assertion).await;
    assert_eq!(status, Status::Ok, "{json}");
    log_out(app).await;
    (ceremony, assertion)
}

/// `EMAIL` registered and logged in, with one passkey, "Laptop"; the
/// authenticator that holds it, and the passkey's id.
async fn with_a_passkey(app: &TestApp) -> (Authenticator, String) {
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let mut authenticator = Authenticator::new(ORIGIN);
    let id = add_passkey(app, &mut authenticator, "Laptop").await;
    (authenticator, id)
}

/// Logs the client out.
async fn log_out(app: &TestApp) {
    let response = app.client.delete("/sessions").dispatch().await;
    assert_eq!(response.status(), Status::Found);
    assert!(app.session_id().is_none());
}

/// `DELETE /profile/passkeys/<id>`: its status and JSON.
async fn remove(app: &TestApp, id: &str) -> (Status, Value) {
    let path = format!("/profile/passkeys/{id}");
    answer(app.client.delete(path).dispatch().await).await
}

/// The user's passkeys, as `GET /profile/passkeys` lists them.
async fn listed(app: &TestApp) -> Vec<Value> {
    let (status, json) = answer(app.client.get("/profile/passkeys").dispatch().await).await;
    assert_eq!(status, Status::Ok, "{json}");
    json.as_array().expect("a list").clone()
}

#[rocket::async_test]
async fn a_passkey_signs_in_without_email_password_or_one_time_code() {
    let app = TestApp::new().await;
    let (mut authenticator, id) = with_a_passkey(&app).await;
    let passkeys = listed(&app).await;
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0]["id"], id.as_str());
    assert_eq!(passkeys[0]["name"], "Laptop");
    assert_eq!(passkeys[0]["last_used_at"], Value::Null);
    // Two-factor sign-in on: the passkey alone is enough.
    let response = app.post("/profile/totp", &[]).await;
    let (_, setup) = answer(response).await;
    let secret = totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let code = totp.generate(auth_service::clock::now() as u64).to_string();
    let response = app.put("/profile/totp", &[("code", &code)]).await;
    assert_eq!(response.status(), Status::Ok);
    log_out(&app).await;

    let (ceremony, options) = start_sign_in(&app).await;
    // Discoverable: no credential is named, the authenticator picks.
    assert_eq!(options["publicKey"]["userVerification"], "required");
    assert!(options["publicKey"]["allowCredentials"]
        .as_array()
        .is_none_or(Vec::is_empty));
    let assertion = authenticator.get(&options);
    let (status, json) = finish_sign_in(&app, &ceremony, &assertion).await;
    assert_eq!(status, Status::Ok, "{json}");
    assert_eq!(json, json!({"email": EMAIL, "message": "logged in"}));
    assert!(app.session_id().is_some());
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(profile.status(), Status::Ok);
    let passkeys = listed(&app).await;
    assert!(passkeys[0]["last_used_at"].is_string(), "{passkeys:?}");
}

#[rocket::async_test]
async fn the_account_page_says_which_passkey_was_added() {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let (ceremony, options) = start_adding(&app, "Phone", PASSWORD).await;
    let credential = Authenticator::new(ORIGIN).create(&options);
    let finish = json!({"ceremony": ceremony, "credential": credential});
    // The account page's script: its page reloads and says so.
    let response = app
        .client
        .post("/profile/passkeys")
        .header(ContentType::JSON)
        .header(Header::new("Sec-Fetch-Site", "same-origin"))
        .body(finish.to_string())
        .dispatch()
        .await;
    let said = crate::app::notice(&response).expect("a notice");
    let (status, json) = answer(response).await;
    assert_eq!(
        (status, &json["message"]),
        (Status::Ok, &json!("passkey added"))
    );
    assert_eq!(
        said,
        "Passkey “Phone” added. It signs in to your account from now on."
    );
    let account = body(app.page("/profile").await).await;
    assert!(account.contains("Passkey “Phone” added."), "{account}");
}

#[rocket::async_test]
async fn the_options_ask_for_a_discoverable_credential_with_user_verification() {
    let app = TestApp::new().await;
    let (_, _) = with_a_passkey(&app).await;
    let (_, options) = start_adding(&app, "Phone", PASSWORD).await;
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(public_key["user"]["name"], EMAIL);
    let selection = &public_key["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required");
    assert_eq!(selection["userVerification"], "required");
    // The passkey already added is not made again on the same device.
    let excluded = public_key["excludeCredentials"].as_array().unwrap();
    assert_eq!(excluded.len(), 1);
}

#[rocket::async_test]
async fn a_replayed_or_foreign_answer_is_refused_and_nothing_changes() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    log_out(&app).await;

    // Replayed: the ceremony works once.
    let (ceremony, assertion) = sign_in_and_out(&app, &mut authenticator).await;
    let (status, json) = finish_sign_in(&app, &ceremony, &assertion).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(
        json["message"],
        "passkey ceremony expired or already used; start again"
    );
    // The same answer sent with a new ceremony: its challenge is not that
    // ceremony's.
    let (fresh, _) = start_sign_in(&app).await;
    let (status, json) = finish_sign_in(&app, &fresh, &assertion).await;
    assert_eq!(
        (status, json["message"].as_str()),
        (Status::Unauthorized, Some("passkey not accepted"))
    );
    assert!(app.session_id().is_none());

    // A challenge from another ceremony: B's answer sent to A.
    let (first, _) = start_sign_in(&app).await;
    let (second, options) = start_sign_in(&app).await;
    let for_second = authenticator.get(&options);
    let (status, _) = finish_sign_in(&app, &first, &for_second).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(app.session_id().is_none());
    // The second ceremony is untouched and still works with its own answer.
    assert_eq!(
        finish_sign_in(&app, &second, &for_second).await.0,
        Status::Ok
    );
}

#[rocket::async_test]
async fn a_cloned_authenticator_whose_counter_goes_back_is_refused() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    log_out(&app).await;
    sign_in_and_out(&app, &mut authenticator).await;
    // A copy of the authenticator signed five times meanwhile: the service
    // saw counter 5, and this one's next signature says 2.
    app.execute(
        r#"UPDATE passkeys SET credential = replace(credential, '"counter":1,', '"counter":5,')"#,
    );
    let moved = r#"SELECT COUNT(*) AS n FROM passkeys WHERE credential LIKE '%"counter":5,%'"#;
    assert_eq!(app.numbers(moved), [1]);
    let (ceremony, options) = start_sign_in(&app).await;
    let (status, json) = finish_sign_in(&app, &ceremony, &authenticator.get(&options)).await;
    assert_eq!(status, Status::Unauthorized, "{json}");
    assert!(app.session_id().is_none());
}

#[rocket::async_test]
async fn a_passkey_used_without_user_verification_is_refused() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    // A client that tells the authenticator verification is not needed:
    // it signs with user presence only.
    let (ceremony, mut options) = start_adding(&app, "Unverified", PASSWORD).await;
    options["publicKey"]["authenticatorSelection"]["userVerification"] = json!("discouraged");
    let credential = Authenticator::new(ORIGIN).create(&options);
    let finish = json!({"ceremony": ceremony, "credential": credential});
    let (status, json) = answer(post_json(&app, "/profile/passkeys", &finish).await).await;
    assert_eq!(status, Status::BadRequest, "{json}");
    assert_eq!(listed(&app).await.len(), 1, "nothing added");

    log_out(&app).await;
    let (ceremony, mut options) = start_sign_in(&app).await;
    options["publicKey"]["userVerification"] = json!("discouraged");
    let (status, json) = finish_sign_in(&app, &ceremony, &authenticator.get(&options)).await;
    assert_eq!(status, Status::Unauthorized, "{json}");
    assert!(app.session_id().is_none());
}

#[rocket::async_test]
async fn a_credential_the_browser_says_is_not_kept_is_not_added() {
    let app = TestApp::new().await;
    let (_, _) = with_a_passkey(&app).await;
    let (ceremony, options) = start_adding(&app, "Old key", PASSWORD).await;
    let mut credential = Authenticator::new(ORIGIN).create(&options);
    credential["extensions"] = json!({"credProps": {"rk": false}});
    let finish = json!({"ceremony": ceremony, "credential": credential});
    let (status, json) = answer(post_json(&app, "/profile/passkeys", &finish).await).await;
    assert_eq!(
        (status, json),
        (
            Status::BadRequest,
            json!({"message": "passkey not accepted"})
        )
    );
    assert_eq!(listed(&app).await.len(), 1);
}

#[rocket::async_test]
async fn a_ceremony_of_the_other_kind_is_refused_and_kept() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    // A sign-in's ceremony sent to finish adding a passkey.
    let (sign_in, options) = start_sign_in(&app).await;
    let assertion = authenticator.get(&options);
    let credential =
        Authenticator::new(ORIGIN).create(&start_adding(&app, "Phone", PASSWORD).await.1);
    let finish = json!({"ceremony": sign_in, "credential": credential});
    let (status, _) = answer(post_json(&app, "/profile/passkeys", &finish).await).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(listed(&app).await.len(), 1);
    log_out(&app).await;
    assert_eq!(
        finish_sign_in(&app, &sign_in, &assertion).await.0,
        Status::Ok
    );
}

#[rocket::async_test]
async fn an_expired_ceremony_is_refused() {
    // Two seconds, counted in whole seconds: at least one to finish in,
    // however late in its second the ceremony starts, and at most two.
    let app = TestApp::with(|figment| figment.merge(("passkeys.timeout", 2))).await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    log_out(&app).await;
    let (ceremony, options) = start_sign_in(&app).await;
    let assertion = authenticator.get(&options);
    rocket::tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, json) = finish_sign_in(&app, &ceremony, &assertion).await;
    assert_eq!(status, Status::Unauthorized, "{json}");
    assert_eq!(
        json["message"],
        "passkey ceremony expired or already used; start again"
    );
    assert!(app.session_id().is_none());

    // Adding one, alike (but 400: the request, not a sign-in, failed).
    app.login(EMAIL, PASSWORD).await;
    let (ceremony, options) = start_adding(&app, "Phone", PASSWORD).await;
    let credential = Authenticator::new(ORIGIN).create(&options);
    rocket::tokio::time::sleep(Duration::from_millis(2100)).await;
    let finish = json!({"ceremony": ceremony, "credential": credential});
    let (status, _) = answer(post_json(&app, "/profile/passkeys", &finish).await).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(listed(&app).await.len(), 1);
}

#[rocket::async_test]
async fn another_users_credential_or_ceremony_does_nothing() {
    let app = TestApp::new().await;
    let (mut barbara, _) = with_a_passkey(&app).await;
    let (ceremony, options) = start_adding(&app, "Tablet", PASSWORD).await;
    let barbaras_new = Authenticator::new(ORIGIN).create(&options);
    log_out(&app).await;
    app.register_confirmed(OTHER, PASSWORD).await;
    app.login(OTHER, PASSWORD).await;

    // Barbara's registration ceremony, finished by Frances.
    let finish = json!({"ceremony": ceremony, "credential": barbaras_new});
    let (status, _) = answer(post_json(&app, "/profile/passkeys", &finish).await).await;
    assert_eq!(status, Status::BadRequest);
    assert!(listed(&app).await.is_empty());

    // Frances adds her own passkey; an assertion of Barbara's credential
    // that claims Frances's user handle is refused.
    let mut frances = Authenticator::new(ORIGIN);
    add_passkey(&app, &mut frances, "Phone").await;
    log_out(&app).await;
    let (ceremony, options) = start_sign_in(&app).await;
    let mut forged = barbara.get(&options);
    let (_, frances_options) = start_sign_in(&app).await;
    let frances_assertion = frances.get(&frances_options);
    forged["response"]["userHandle"] = frances_assertion["response"]["userHandle"].clone();
    let (status, json) = finish_sign_in(&app, &ceremony, &forged).await;
    assert_eq!(status, Status::Unauthorized, "{json}");
    assert!(app.session_id().is_none());
}

#[rocket::async_test]
async fn a_removed_passkey_no_longer_signs_in() {
    let app = TestApp::new().await;
    let (mut authenticator, id) = with_a_passkey(&app).await;
    let cross_site = app
        .client
        .delete(format!("/profile/passkeys/{id}"))
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .dispatch()
        .await;
    assert_eq!(cross_site.status(), Status::Forbidden);
    assert_eq!(listed(&app).await.len(), 1, "kept");
    let (status, json) = remove(&app, &id).await;
    assert_eq!(
        (status, json),
        (Status::Ok, json!({"message": "passkey removed"}))
    );
    assert!(listed(&app).await.is_empty());
    let (status, json) = remove(&app, &id).await;
    assert_eq!(
        (status, json),
        (Status::NotFound, json!({"message": "passkey not found"}))
    );
    // The password still signs in: the account keeps a way in.
    log_out(&app).await;
    let (ceremony, options) = start_sign_in(&app).await;
    let assertion = authenticator.get(&options);
    let (status, json) = finish_sign_in(&app, &ceremony, &assertion).await;
    assert_eq!(
        (status, json["message"].as_str()),
        (Status::Unauthorized, Some("passkey not accepted"))
    );
    app.login(EMAIL, PASSWORD).await;
}

#[rocket::async_test]
async fn another_users_passkey_cannot_be_removed() {
    let app = TestApp::new().await;
    let (_, barbaras) = with_a_passkey(&app).await;
    log_out(&app).await;
    app.register_confirmed(OTHER, PASSWORD).await;
    app.login(OTHER, PASSWORD).await;
    assert_eq!(remove(&app, &barbaras).await.0, Status::NotFound);
    log_out(&app).await;
    app.login(EMAIL, PASSWORD).await;
    assert_eq!(listed(&app).await.len(), 1);
}

#[rocket::async_test]
async fn adding_a_passkey_takes_the_password_a_name_and_a_same_site_request() {
    let app = TestApp::new().await;
    let not_logged_in = app
        .post(
            "/profile/passkeys/options",
            &[("name", "Laptop"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(not_logged_in.status(), Status::Forbidden);
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    /// The fields sent, and the status and message expected.
    type Case<'a> = (&'a [(&'a str, &'a str)], Status, &'a str);
    let long = "x".repeat(65);
    let cases: [Case; 4] = [
        (
            &[("name", "Laptop"), ("password", "not it at all")],
            Status::Forbidden,
            "wrong password",
        ),
        (
            &[("password", PASSWORD)],
            Status::BadRequest,
            "name is required",
        ),
        (
            &[("name", "  "), ("password", PASSWORD)],
            Status::BadRequest,
            "name is required",
        ),
        (
            &[("name", &long), ("password", PASSWORD)],
            Status::BadRequest,
            "name must be at most 64 characters",
        ),
    ];
    for (fields, expected, message) in cases {
        let (status, json) = answer(app.post("/profile/passkeys/options", fields).await).await;
        assert_eq!(
            (status, json["message"].as_str()),
            (expected, Some(message))
        );
    }
    let cross_site = app
        .client
        .post("/profile/passkeys/options")
        .header(ContentType::Form)
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .body(format!(
            "name=Laptop&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .dispatch()
        .await;
    assert_eq!(cross_site.status(), Status::Forbidden);
    let (ceremony, options) = start_adding(&app, "Laptop", PASSWORD).await;
    let credential = Authenticator::new(ORIGIN).create(&options);
    let cross_site = app
        .client
        .post("/profile/passkeys")
        .header(ContentType::JSON)
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .body(json!({"ceremony": ceremony, "credential": credential}).to_string())
        .dispatch()
        .await;
    assert_eq!(cross_site.status(), Status::Forbidden);
    let cross_site = app
        .client
        .post("/sessions/passkey/options")
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .dispatch()
        .await;
    assert_eq!(cross_site.status(), Status::Forbidden);
    assert!(listed(&app).await.is_empty());
}

#[rocket::async_test]
async fn malformed_answers_get_a_400_with_a_message() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    let (ceremony, options) = start_sign_in(&app).await;
    let assertion = authenticator.get(&options);
    let cases = [
        (ContentType::Form, "ceremony=x".to_owned()),
        (ContentType::JSON, "not json".to_owned()),
        (ContentType::JSON, json!({"ceremony": ceremony}).to_string()),
        (
            ContentType::JSON,
            json!({"ceremony": ceremony, "credential": {"id": 5}}).to_string(),
        ),
        (
            ContentType::JSON,
            json!({"ceremony": ceremony, "credential": assertion, "extra": 1}).to_string(),
        ),
    ];
    for (content_type, text) in cases {
        let response = app
            .client
            .post("/sessions/passkey")
            .header(content_type)
            .body(text.clone())
            .dispatch()
            .await;
        let (status, json) = answer(response).await;
        assert_eq!(status, Status::BadRequest, "{text}: {json}");
        assert!(json["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()));
    }
    // None of those used the ceremony up.
    assert_eq!(
        finish_sign_in(&app, &ceremony, &assertion).await.0,
        Status::Ok
    );
    let unknown = finish_sign_in(&app, "no-such-ceremony", &assertion).await;
    assert_eq!(unknown.0, Status::Unauthorized);
}

#[rocket::async_test]
async fn an_unverified_address_signs_in_with_a_passkey_only_where_allowed() {
    let app = TestApp::new().await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    log_out(&app).await;
    // As an account of an older release, which added a passkey before its
    // address was confirmed.
    app.execute("UPDATE users SET email_verified_at = NULL");
    let app = app
        .restart(|figment| figment.merge(("sessions.require_verified_email", true)))
        .await;
    let (ceremony, options) = start_sign_in(&app).await;
    let (status, json) = finish_sign_in(&app, &ceremony, &authenticator.get(&options)).await;
    assert_eq!(
        (status, json),
        (Status::Forbidden, json!({"message": "email not verified"}))
    );
    assert!(app.session_id().is_none());
}

#[rocket::async_test]
async fn the_account_page_lists_passkeys_and_removes_one() {
    let app = TestApp::new().await;
    let (_, id) = with_a_passkey(&app).await;
    let page = body(app.page("/profile").await).await;
    assert!(page.contains("<strong>Laptop</strong>"), "{page}");
    assert!(page.contains("Not used yet"), "{page}");
    assert!(
        page.contains("aria-label=\"Remove the passkey Laptop\""),
        "{page}"
    );
    // Without the script, adding one is hidden and says why.
    assert!(page.contains(
        "<details id=\"passkey-add\" data-options=\"/profile/passkeys/options\" \
         data-finish=\"/profile/passkeys\" hidden>"
    ));
    assert!(page.contains("Adding a passkey needs a browser"));

    let response = app
        .submit(&format!("/profile/passkeys/{id}"), &[("_method", "DELETE")])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
    let page = body(app.page("/profile").await).await;
    assert!(page.contains("Passkey “Laptop” removed."), "{page}");
    assert!(!page.contains("<strong>Laptop</strong>"));

    let gone = app
        .submit(&format!("/profile/passkeys/{id}"), &[("_method", "DELETE")])
        .await;
    assert_eq!(gone.status(), Status::SeeOther);
    let page = body(app.page("/profile").await).await;
    assert!(
        page.contains("This passkey has already been removed."),
        "{page}"
    );
}

#[rocket::async_test]
async fn the_login_page_offers_passkeys_to_its_script() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get("/login?next=/profile")
        .header(Header::new("Accept", BROWSER))
        .dispatch()
        .await;
    let page = body(response).await;
    assert!(
        page.contains("autocomplete=\"username webauthn\""),
        "{page}"
    );
    assert!(
        page.contains("data-options=\"/sessions/passkey/options\""),
        "{page}"
    );
    // Tera escapes the slash; the script reads it back as "/profile".
    assert!(page.contains("data-next=\"&#x2F;profile\""), "{page}");
    assert!(page.contains("<script src=\"/static/passkeys.js\" defer></script>"));
    let script = app.client.get("/static/passkeys.js").dispatch().await;
    assert_eq!(script.status(), Status::Ok);
}

#[rocket::async_test]
async fn adding_and_removing_a_passkey_send_notices() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(|figment| figment.merge(("mail.smtp_url", url))).await;
    let (_, id) = with_a_passkey(&app).await;
    let added = sink.wait_for_subject(EMAIL, "A passkey was added to your account");
    assert!(added.decoded().contains("Laptop"));
    // A new password does not end passkeys: its notice names them.
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", "structured programming"),
    ];
    assert_eq!(
        app.put("/profile/password", &fields).await.status(),
        Status::Ok
    );
    let changed = sink.wait_for_subject(EMAIL, "Your password was changed");
    let changed = changed.decoded();
    assert!(
        changed.contains("These passkeys still sign in"),
        "{changed}"
    );
    assert!(changed.contains("Laptop"), "{changed}");
    assert_eq!(remove(&app, &id).await.0, Status::Ok);
    let removed = sink.wait_for_subject(EMAIL, "A passkey was removed from your account");
    assert!(removed.decoded().contains("Laptop"));
}

#[rocket::async_test]
async fn the_relying_party_may_be_a_parent_domain_of_the_public_url() {
    let app = TestApp::with(|figment| {
        figment
            .merge(("public_url", "https://auth.example.com"))
            .merge(("passkeys.rp_id", "example.com"))
    })
    .await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let (_, options) = start_adding(&app, "Laptop", PASSWORD).await;
    assert_eq!(options["publicKey"]["rp"]["id"], "example.com");
}

#[rocket::async_test]
async fn passkeys_are_off_where_the_public_url_is_an_ip_address() {
    let app = TestApp::with(|figment| figment.merge(("public_url", "http://127.0.0.1:5000"))).await;
    let (status, json) =
        answer(post_json(&app, "/sessions/passkey/options", &json!({})).await).await;
    assert_eq!(
        (status, json),
        (
            Status::NotFound,
            json!({"message": "passkeys are not available on this server"})
        )
    );
    let login = body(app.page("/login").await).await;
    assert!(!login.contains("Sign in with a passkey"), "{login}");
    assert!(login.contains("autocomplete=\"username\""), "{login}");
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let account = body(app.page("/profile").await).await;
    assert!(!account.contains("Passkeys"), "{account}");
    let response = app
        .post(
            "/profile/passkeys/options",
            &[("name", "Laptop"), ("password", "a wrong password")],
        )
        .await;
    assert_eq!(
        response.status(),
        Status::NotFound,
        "before any password check"
    );
    // Passkeys kept from before may still be listed (and removed).
    assert!(listed(&app).await.is_empty());
}

#[rocket::async_test]
async fn a_passkey_proves_the_owner_in_place_of_the_password() {
    let app = TestApp::new().await;
    // Another account, with a passkey of its own.
    app.register_confirmed(OTHER, PASSWORD).await;
    app.login(OTHER, PASSWORD).await;
    let mut stranger = Authenticator::new(ORIGIN);
    add_passkey(&app, &mut stranger, "Stranger's key").await;
    log_out(&app).await;
    let (mut authenticator, _) = with_a_passkey(&app).await;
    // The login is an hour old: a sensitive change needs a new proof.
    app.execute("UPDATE sessions SET authenticated_at = authenticated_at - 3600");
    let (status, json) = answer(app.client.delete("/sessions/others").dispatch().await).await;
    assert_eq!(
        (status, json),
        (
            Status::Forbidden,
            json!({"message": "password confirmation required"})
        )
    );

    // Another account's passkey proves nothing here.
    let options = proof_options(&app).await;
    let allowed = options["options"]["publicKey"]["allowCredentials"].clone();
    assert_eq!(allowed.as_array().map(Vec::len), Some(1), "{allowed}");
    let foreign = json!({
        "ceremony": options["ceremony"],
        "credential": stranger.get(&options["options"]),
    });
    let (status, json) = answer(post_json(&app, "/profile/confirm/passkey", &foreign).await).await;
    assert_eq!(
        (status, json),
        (
            Status::BadRequest,
            json!({"message": "passkey not accepted"})
        )
    );

    let options = proof_options(&app).await;
    let proof = json!({
        "ceremony": options["ceremony"],
        "credential": authenticator.get(&options["options"]),
    });
    let (status, json) = answer(post_json(&app, "/profile/confirm/passkey", &proof).await).await;
    assert_eq!(
        (status, json),
        (Status::Ok, json!({"message": "identity confirmed"}))
    );
    let replayed = answer(post_json(&app, "/profile/confirm/passkey", &proof).await).await;
    assert_eq!(replayed.0, Status::BadRequest, "a ceremony works once");
    let (status, json) = answer(app.client.delete("/sessions/others").dispatch().await).await;
    assert_eq!(status, Status::Ok, "{json}");
}

/// `POST /profile/confirm/passkey/options`: its JSON.
async fn proof_options(app: &TestApp) -> Value {
    let response = post_json(app, "/profile/confirm/passkey/options", &json!({})).await;
    let (status, json) = answer(response).await;
    assert_eq!(status, Status::Ok, "{json}");
    json
}
