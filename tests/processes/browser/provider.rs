//! Signing in to another application in Chromium: the application sends
//! the person to `/authorize`; they log in with their password and the
//! second factor, allow the application on the consent page, and land
//! back on the application with a code; the next time, no page is shown.
//! Then the application logs them out. The browser follows every step
//! itself: the redirects, the page that goes back to the application
//! (whose form submissions the Content-Security-Policy keeps on this
//! site), the application's own address.

use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::Locator;
use sha2::{Digest, Sha256};

use super::{in_chromium, Person, EMAIL, PASSWORD};
use crate::secrets;
use crate::server::{echo_application, free_port, serve_command};
use crate::support::smtp::SmtpSink;

/// The application's state parameter.
const STATE: &str = "photos-state-1";

impl Person<'_> {
    /// Registers "Photo Album" through the admin command line, coming back
    /// to `callback`: its id and secret.
    pub(super) fn registers_application(
        &self,
        callback: &str,
        logged_out: &str,
    ) -> (String, String) {
        let output = serve_command(self.store, free_port(), &[])
            .args([
                "client",
                "add",
                "Photo Album",
                "--redirect-uri",
                callback,
                "--post-logout-redirect-uri",
                logged_out,
            ])
            .output()
            .expect("the command runs");
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{printed}");
        let field = |name: &str| {
            printed
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .expect("the field printed")
                .trim()
                .to_owned()
        };
        let secret = field("client_secret:");
        secrets::remember(&secret);
        (field("client_id:"), secret)
    }

    /// Waits until the browser is at the application (`port`), on `path`:
    /// the address it was sent to.
    pub(super) async fn lands_on_application(&self, port: u16, path: &str) -> url::Url {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.browser.current_url().await.expect("a URL");
            if url.port() == Some(port) && url.path() == path {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "still on {url}, not the application's {path}:\n{}",
                self.page().await
            );
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The address of the application `client_id`'s request to sign a person
/// in (code flow, PKCE), coming back to `callback` with [`STATE`]; and its
/// code verifier.
pub(super) fn authorization_request(client_id: &str, callback: &str) -> (String, String) {
    let verifier = auth_service::auth::token::random_base64url(32);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let authorize = format!(
        "/authorize?response_type=code&client_id={client_id}&redirect_uri={}\
         &scope=openid%20email&state={STATE}&nonce=n-1&code_challenge={challenge}\
         &code_challenge_method=S256",
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    );
    (authorize, verifier)
}

/// The address of the application `client_id`'s request to log the person
/// out, coming back to `logged_out` with the state `bye`.
pub(super) fn logout_request(client_id: &str, logged_out: &str) -> String {
    format!(
        "/logout?client_id={client_id}&post_logout_redirect_uri={}&state=bye",
        url::form_urlencoded::byte_serialize(logged_out.as_bytes()).collect::<String>()
    )
}

/// The value of `name` in `url`'s query.
fn parameter(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find_map(|(key, value)| (key == name).then(|| value.into_owned()))
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_person_signs_in_to_an_application_with_a_second_factor_and_consents_once() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    let application = echo_application();
    let callback = format!("http://127.0.0.1:{application}/callback");
    let logged_out = format!("http://127.0.0.1:{application}/goodbye");
    in_chromium(
        "sign-in-to-an-application",
        &[("ROCKET_MAIL__SMTP_URL", &smtp_url)],
        async |person| {
            person.register().await;
            person.confirms_address(&sink).await;
            let code_at = person.sets_up_two_factor().await;
            person.open("/profile").await;
            person.click("Log out", "/").await;
            let (client_id, secret) = person.registers_application(&callback, &logged_out);

            let (authorize, verifier) = authorization_request(&client_id, &callback);
            person.open(&authorize).await;
            person.waits_for("/login").await;
            person.fill("email", EMAIL).await;
            person.fill("password", PASSWORD).await;
            person.click("Log in", "/login/code").await;
            person.fill("code", &code_at(0)).await;
            person.click("Log in", "/authorize/continue").await;
            person
                .sees(
                    "consent",
                    &["Sign in to Photo Album", "see your email address", EMAIL],
                    &["keep you signed in"],
                )
                .await;
            person.press("Allow").await;
            let back = person.lands_on_application(application, "/callback").await;
            assert_eq!(parameter(&back, "state").as_deref(), Some(STATE));
            assert_eq!(parameter(&back, "iss"), Some(person.server.url("")));
            let code = parameter(&back, "code").expect("a code");
            secrets::remember(&code);

            // The application's server trades the code for tokens.
            let tokens: serde_json::Value = reqwest::Client::new()
                .post(person.server.url("/token"))
                .basic_auth(&client_id, Some(&secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &callback),
                    ("code_verifier", &verifier),
                ])
                .send()
                .await
                .expect("the token endpoint answers")
                .json()
                .await
                .expect("JSON");
            let access = tokens["access_token"].as_str().expect("an access token");
            secrets::remember(access);
            secrets::remember(tokens["id_token"].as_str().expect("an ID token"));

            // Consented already: straight back, no page.
            person
                .open(&authorize.replace(STATE, "photos-state-2"))
                .await;
            let back = person.lands_on_application(application, "/callback").await;
            assert_eq!(parameter(&back, "state").as_deref(), Some("photos-state-2"));
            secrets::remember(&parameter(&back, "code").expect("a code"));

            // The application logs the person out, and gets them back.
            person.open(&logout_request(&client_id, &logged_out)).await;
            person
                .sees("logout-asked", &["An application asks you to log out"], &[])
                .await;
            // The page's own button, not the header's.
            let button = person.browser.find(Locator::Css("main form button")).await;
            button.expect("the button").click().await.expect("clicked");
            let back = person.lands_on_application(application, "/goodbye").await;
            assert_eq!(parameter(&back, "state").as_deref(), Some("bye"));
            person.open("/profile").await;
            person.waits_for("/login").await;
            let header = person.browser.find(Locator::Css("header.site")).await;
            let header = header.expect("a header").text().await.expect("its text");
            assert!(!header.contains(EMAIL), "logged out: {header}");
        },
    );
}
