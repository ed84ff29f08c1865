//! Passkeys in Chromium, with its virtual authenticator (the W3C "Virtual
//! Authenticators" WebDriver commands, which ChromeDriver implements): the
//! page's script, the browser's WebAuthn and the service, all real.

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Locator;
use serde_json::{json, Value};
use webauthn_rs::prelude::Url;

use super::{in_chromium, Person, EMAIL, PASSWORD};
use crate::support::smtp::SmtpSink;

/// A command of the WebAuthn WebDriver extension:
/// `METHOD /session/{id}/webauthn/{path}`.
#[derive(Debug)]
struct WebAuthnCommand {
    method: http::Method,
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for WebAuthnCommand {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/webauthn/{}", self.path))
    }

    fn method_and_body(&self, _request_url: &Url) -> (http::Method, Option<String>) {
        let body = self.body.as_ref().map(Value::to_string);
        (self.method.clone(), body)
    }
}

impl Person<'_> {
    /// Adds a virtual platform authenticator (CTAP2, internal) that keeps
    /// discoverable credentials, verifying its user (as a fingerprint
    /// reader does) or not; its id.
    async fn add_authenticator(&self, verifies_user: bool) -> String {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": verifies_user,
            "isUserConsenting": true,
            "isUserVerified": verifies_user,
        });
        let added = self
            .webauthn(http::Method::POST, "authenticator", Some(options))
            .await;
        added.as_str().expect("an authenticator id").to_owned()
    }

    /// The credentials the virtual authenticator `id` holds.
    async fn credentials(&self, id: &str) -> Vec<Value> {
        let path = format!("authenticator/{id}/credentials");
        let held = self.webauthn(http::Method::GET, &path, None).await;
        held.as_array().expect("a list").clone()
    }

    /// Makes the virtual authenticator `id` verify its user, or fail to.
    async fn set_user_verified(&self, id: &str, verified: bool) {
        let path = format!("authenticator/{id}/uv");
        let body = json!({ "isUserVerified": verified });
        self.webauthn(http::Method::POST, &path, Some(body)).await;
    }

    /// Removes the virtual authenticator `id`.
    async fn remove_authenticator(&self, id: &str) {
        let path = format!("authenticator/{id}");
        self.webauthn(http::Method::DELETE, &path, None).await;
    }

    async fn webauthn(&self, method: http::Method, path: &str, body: Option<Value>) -> Value {
        let command = WebAuthnCommand {
            method,
            path: path.to_owned(),
            body,
        };
        self.browser
            .issue_cmd(command)
            .await
            .expect("ChromeDriver runs the WebAuthn command")
    }

    /// Waits until the page's passkey alert says something; its text.
    async fn passkey_alert(&self) -> String {
        self.shown_text("passkey-error").await
    }

    /// Waits until the element `id` (which a script may add) is shown; its
    /// text.
    async fn shown_text(&self, id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(element) = self.browser.find(Locator::Id(id)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return element.text().await.expect("its text");
                }
            }
            assert!(Instant::now() < deadline, "nothing shown in #{id}");
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens the account page's passkey form and fills it.
    async fn fill_passkey_form(&self, name: &str) {
        self.open("/profile").await;
        let summary = self
            .browser
            .find(Locator::Css("#passkey-add summary"))
            .await;
        summary
            .expect("Add a passkey")
            .click()
            .await
            .expect("opened");
        self.fill("passkey-name", name).await;
        self.fill("passkey-password", PASSWORD).await;
    }
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_passkey_is_added_on_the_account_page_signs_in_and_is_removed() {
    // Passkeys need a domain name: the browser and the mails use localhost.
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    // A login proves its owner for two seconds here: removing the passkey
    // asks to confirm it is them, which the passkey itself does.
    in_chromium(
        "passkeys",
        &[
            ("PUBLIC_HOST", "localhost"),
            ("ROCKET_MAIL__SMTP_URL", &smtp_url),
            ("ROCKET_SESSIONS__RECENT_LOGIN_TTL", "2"),
        ],
        async |person| {
            person.host = "localhost";
            person.register().await;
            person.confirms_address(&sink).await;
            person.open("/profile").await;
            person
                .sees(
                    "account-without-passkeys",
                    // The script shows the form, and hides why it would not.
                    &[
                        "Passkeys",
                        "Add a passkey",
                        "id=\"passkey-unsupported\" hidden",
                    ],
                    &[
                        "<details id=\"passkey-add\" data-options=\"/profile/passkeys/options\" \
                   data-finish=\"/profile/passkeys\" hidden",
                    ],
                )
                .await;

            // An authenticator that cannot verify its user makes no passkey.
            let unverified = person.add_authenticator(false).await;
            person.fill_passkey_form("Old key").await;
            person.press("Create the passkey").await;
            let alert = person.passkey_alert().await;
            assert!(alert.contains("could not confirm it was you"), "{alert}");
            person
                .sees(
                    "authenticator-without-verification",
                    &[],
                    &["Old key</strong>"],
                )
                .await;
            person.remove_authenticator(&unverified).await;

            let authenticator = person.add_authenticator(true).await;
            // A wrong password: said beside its field, in the page's words.
            person.fill_passkey_form("Laptop").await;
            person.fill("passkey-password", "not my password").await;
            person.press("Create the passkey").await;
            let said = person.shown_text("passkey-password-error").await;
            assert_eq!(said, "Wrong password.");
            // The password is typed again; the name is kept.
            let value = async |id: &str| {
                let input = person.input(id).await;
                input.prop("value").await.expect("its value")
            };
            assert_eq!(value("passkey-password").await.as_deref(), Some(""));
            assert_eq!(value("passkey-name").await.as_deref(), Some("Laptop"));
            person
                .sees(
                    "passkey-wrong-password",
                    &[
                        "<p class=\"error\" id=\"passkey-password-error\">Wrong password.</p>",
                        "aria-describedby=\"passkey-password-error\"",
                    ],
                    &[],
                )
                .await;
            person.fill_passkey_form("Laptop").await;
            person
                .sees("adding-a-passkey", &["Name of the passkey"], &[])
                .await;
            person.click("Create the passkey", "/profile").await;
            person
                .sees(
                    "passkey-added",
                    &[
                        "Passkey “Laptop” added.",
                        "<strong>Laptop</strong>",
                        "Not used yet",
                    ],
                    &[],
                )
                .await;
            assert_eq!(person.credentials(&authenticator).await.len(), 1);

            // Autofill: the login page asks for a passkey as it opens, and
            // the virtual authenticator, unlike a person, answers at once.
            person.click("Log out", "/").await;
            person.open("/login").await;
            person.waits_for("/profile").await;
            person
                .sees(
                    "signed-in-by-autofill",
                    &["Your account", "Used just now"],
                    &[],
                )
                .await;

            // The button, once autofill failed (the fingerprint not read).
            person.click("Log out", "/").await;
            person.set_user_verified(&authenticator, false).await;
            person.open("/login").await;
            person
                .sees("login-with-passkeys", &["Sign in with a passkey"], &[])
                .await;
            person.set_user_verified(&authenticator, true).await;
            person.click("Sign in with a passkey", "/profile").await;
            person
                .sees("signed-in-with-a-passkey", &["Your account", EMAIL], &[])
                .await;

            rocket::tokio::time::sleep(Duration::from_secs(3)).await;
            let page = person.page().await;
            let action = page.split("action=\"/profile/passkeys/").nth(1);
            let id = action
                .and_then(|rest| rest.split('"').next())
                .expect("a passkey's form");
            person.click("Remove", "/profile/confirm").await;
            person
                .sees(
                    "confirm-with-a-passkey",
                    &[
                        "To remove the passkey “Laptop”, enter your password.",
                        &format!("action=\"/profile/passkeys/{id}\""),
                    ],
                    &[],
                )
                .await;
            person.press("Use a passkey instead").await;
            person.waits_for("/profile").await;
            person
                .sees(
                    "passkey-removed",
                    &["Passkey “Laptop” removed."],
                    &["<strong>Laptop</strong>"],
                )
                .await;
            person.click("Log out", "/").await;
            person.open("/login").await;
            // The authenticator still holds it; the service no longer takes it.
            person.press("Sign in with a passkey").await;
            let alert = person.passkey_alert().await;
            assert!(
                alert.starts_with("This passkey was not accepted"),
                "{alert}"
            );
            person
                .sees("removed-passkey-refused", &["Log in"], &["Your account"])
                .await;
        },
    );
}
