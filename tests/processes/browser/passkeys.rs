//! Passkeys in Chromium, with its virtual authenticator (the W3C "Virtual
//! Authenticators" WebDriver commands, which ChromeDriver implements): the
//! page's script, the browser's WebAuthn and the service, all real.

use std::time::{Duration, Instant};

use auth_service::language::{Language, Text};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Locator;
use serde_json::{json, Value};
use webauthn_rs::prelude::Url;

use super::{as_read, in_chromium, Person, EMAIL, PASSWORD};
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
    pub(super) async fn add_authenticator(&self, verifies_user: bool) -> String {
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
    pub(super) async fn remove_authenticator(&self, id: &str) {
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
    pub(super) async fn fill_passkey_form(&self, name: &str) {
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

    /// On the account page, in the person's language, with a new
    /// authenticator: a wrong password beside its field, then a passkey
    /// added, signing in by autofill and by the button, removed (the
    /// passkey confirming it is them), and refused at the login page after.
    /// Ends logged in again with the password, the authenticator gone.
    async fn adds_signs_in_with_and_removes_a_passkey(&mut self) {
        let authenticator = self.add_authenticator(true).await;
        let create = self.word("profile-passkey-add-submit");
        // A wrong password: said beside its field, in the page's words.
        self.fill_passkey_form("Laptop").await;
        self.fill("passkey-password", "not my password").await;
        self.press(&create).await;
        let said = self.shown_text("passkey-password-error").await;
        assert_eq!(said, as_read(&self.word("base-passkey-wrong-password")));
        // The password is typed again; the name is kept.
        let value = async |id: &str| {
            let input = self.input(id).await;
            input.prop("value").await.expect("its value")
        };
        assert_eq!(value("passkey-password").await.as_deref(), Some(""));
        assert_eq!(value("passkey-name").await.as_deref(), Some("Laptop"));
        let wrong = self.says(&Text::new("base-passkey-wrong-password"));
        let beside = format!("<p class=\"error\" id=\"passkey-password-error\">{wrong}</p>");
        let described = "aria-describedby=\"passkey-password-error\"";
        self.sees("passkey-wrong-password", &[&beside, described], &[])
            .await;
        self.fill_passkey_form("Laptop").await;
        let name = self.word("profile-passkey-name");
        self.sees("adding-a-passkey", &[&name], &[]).await;
        self.click(&create, "/profile").await;
        let added = self.says(&Text::new("notice-passkey-added").with("name", "Laptop"));
        let listed = "<strong>Laptop</strong>";
        let unused = self.word("passkey-unused");
        self.sees("passkey-added", &[&added, listed, &unused], &[])
            .await;
        assert_eq!(self.credentials(&authenticator).await.len(), 1);

        // Autofill: the login page asks for a passkey as it opens, and the
        // virtual authenticator, unlike a person, answers at once.
        let log_out = self.word("logout-button");
        self.click(&log_out, "/").await;
        self.open("/login").await;
        self.waits_for("/profile").await;
        let account = self.word("common-your-account");
        let used = self.word("passkey-used-now");
        self.sees("signed-in-by-autofill", &[&account, &used], &[])
            .await;

        // The button, once autofill failed (the fingerprint not read).
        self.click(&log_out, "/").await;
        self.set_user_verified(&authenticator, false).await;
        self.open("/login").await;
        let sign_in = self.word("login-with-passkey");
        self.sees("login-with-passkeys", &[&sign_in], &[]).await;
        self.set_user_verified(&authenticator, true).await;
        self.click(&sign_in, "/profile").await;
        self.sees("signed-in-with-a-passkey", &[&account, EMAIL], &[])
            .await;

        rocket::tokio::time::sleep(Duration::from_secs(3)).await;
        let page = self.page().await;
        let action = page.split("action=\"/profile/passkeys/").nth(1);
        let id = action
            .and_then(|rest| rest.split('"').next())
            .expect("a passkey's form");
        let remove = self.word("profile-passkey-remove");
        self.click(&remove, "/profile/confirm").await;
        let purpose = Text::new("purpose-remove-passkey").with("name", "Laptop");
        let asked = Text::new("confirm-password-intro")
            .with("purpose", self.language.say(&purpose))
            .duration("window", 2);
        let form = format!("action=\"/profile/passkeys/{id}\"");
        self.sees("confirm-with-a-passkey", &[&self.says(&asked), &form], &[])
            .await;
        self.press(&self.word("confirm-password-use-passkey")).await;
        self.waits_for("/profile").await;
        let removed = Text::new("notice-passkey-removed").with("name", "Laptop");
        let removed = self.says(&removed);
        self.sees("passkey-removed", &[&removed], &[listed]).await;
        self.click(&log_out, "/").await;
        self.open("/login").await;
        // The authenticator still holds it; the service no longer takes it.
        self.press(&sign_in).await;
        let alert = self.passkey_alert().await;
        assert_eq!(alert, as_read(&self.word("base-passkey-not-accepted")));
        let login = self.word("login-title");
        self.sees("removed-passkey-refused", &[&login], &[&account])
            .await;

        self.remove_authenticator(&authenticator).await;
        self.log_in(PASSWORD, "/profile").await;
    }
}

/// A passkey is added on the account page (not by an authenticator that
/// cannot verify its user, nor with a wrong password), signs in, and is
/// removed: in English and in French.
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

            // In each language, with an authenticator of its own: the one
            // before still holds the passkey removed from the account.
            for language in Language::ALL {
                person.reads(language).await;
                person.adds_signs_in_with_and_removes_a_passkey().await;
            }
        },
    );
}
