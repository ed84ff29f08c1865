//! The tour: one person walks through every page of the service they can
//! see, in English and then in French, from the home page to the deletion
//! of their account: a refused form, the mailed links (and one used
//! twice), two-factor sign-in and its recovery codes, a passkey, a change
//! of address with the password asked again, another application's
//! consent and logout pages, a page that does not exist. Every page is
//! saved whole, `NN-page-LANG-WIDTH.png`, to be looked at; each speaks the
//! person's language, and a French one holds no English word.

use auth_service::language::{Language, Text};
use fantoccini::Locator;
use serde_json::json;

use super::provider::{authorization_request, logout_request};
use super::{as_read, in_chromium, Person, EMAIL, NEW_PASSWORD, PASSWORD};
use crate::secrets::mailed_link;
use crate::server::echo_application;
use crate::support::execute;
use crate::support::smtp::SmtpSink;

/// The address the account moves to.
const NEW_EMAIL: &str = "grace.hopper@example.org";

/// Words of the English pages which, on a French page, tell of words left
/// untranslated: whole words ("1Password" is a name), as written.
const ENGLISH_WORDS: [&str; 8] = [
    "Log in", "Log out", "Password", "Account", "Sign", "Email", "Continue", "Your",
];

/// A script: the title and the text of the page as a person reads them,
/// the names in its lists (devices, passkeys, applications) left out: they
/// are the person's, not the service's words.
const READ_TEXT: &str = "
    const names = [...document.querySelectorAll('ul.sessions strong')].map(name => name.innerText);
    const text = document.title + '\\n' + document.body.innerText;
    return names.reduce((text, name) => text.replaceAll(name, ''), text);
";

/// Whether `text` holds `word` as a whole word.
fn holds_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.into_iter().chain(after).any(char::is_alphanumeric)
    })
}

/// The mails an SMTP sink got, read as a person reads them: each link
/// followed once.
struct Inbox<'a> {
    sink: &'a SmtpSink,
    followed: Vec<String>,
}

impl Inbox<'_> {
    /// Waits for a mail to `address` with a link to `path` not followed
    /// yet (the address gets one in each language); that link.
    fn link(&mut self, address: &str, path: &str) -> String {
        let followed = &self.followed;
        let mail = self.sink.wait_until(address, path, |mails| {
            let new = |link: String| !followed.contains(&link);
            let mut mails = mails.iter();
            mails.find(|mail| mail.link(path).is_some_and(new)).cloned()
        });
        let link = mailed_link(&mail, path);
        self.followed.push(link.clone());
        link
    }
}

impl Person<'_> {
    /// Looks at the page as `name`: its `<html lang>` and its heading,
    /// `heading`, in the person's language, and on a French page no
    /// English word; then `sees` it.
    async fn tours(&mut self, name: &str, heading: &str) {
        let lang = self.script("return document.documentElement.lang").await;
        assert_eq!(lang, json!(self.language.code()), "{name}: <html lang>");
        let read = as_read(heading);
        assert_eq!(self.heading().await, read, "{name}: the heading");
        if self.language == Language::Fr {
            let text = self.script(READ_TEXT).await;
            let text = text.as_str().expect("the page's text");
            let english: Vec<&str> = ENGLISH_WORDS
                .into_iter()
                .filter(|word| holds_word(text, word))
                .collect();
            assert!(english.is_empty(), "{name}: {english:?} in\n{text}");
        }
        self.sees(name, &[], &[]).await;
    }

    /// Opens the mailed `link`, which leads to `path`.
    async fn follows(&self, link: &str, path: &str) {
        self.browser.goto(link).await.expect("the link opens");
        self.waits_for(path).await;
    }

    /// The home page, then registration: refused, then made, and the
    /// address confirmed by its mailed link.
    async fn tours_registration(&mut self, inbox: &mut Inbox<'_>) {
        let welcome = self.word("index-welcome");
        self.tours("home", &welcome).await;
        self.open("/register").await;
        let create = self.word("common-create-an-account");
        self.tours("register", &create).await;
        self.fill("email", "grace.example.com").await;
        self.fill("password", "short").await;
        self.click(&self.word("register-submit"), "/register").await;
        self.tours("register-refused", &create).await;

        self.register().await;
        let account = self.word("common-your-account");
        self.tours("account-new", &account).await;
        // The link followed from a browser without the session (another
        // device): the account's password, asked on the link's page.
        self.click(&self.word("logout-button"), "/").await;
        self.follows(&inbox.link(EMAIL, "/verify_email"), "/verify_email")
            .await;
        self.tours("confirm-address", &self.word("verify-email-title"))
            .await;
        self.fill("password", PASSWORD).await;
        self.click(&self.word("verify-email-submit"), "/login")
            .await;
        self.log_in(PASSWORD, "/profile").await;
        self.tours("address-confirmed", &account).await;
        self.open("/").await;
        self.tours("home-logged-in", &welcome).await;
    }

    /// Logging out and in, and a forgotten password reset through its
    /// mailed link, which then no longer works. Ends logged in.
    async fn tours_the_password_reset(&mut self, inbox: &mut Inbox<'_>) {
        self.click(&self.word("logout-button"), "/").await;
        self.tours("logged-out", &self.word("index-welcome")).await;
        self.open("/login").await;
        let login = self.word("login-title");
        self.tours("login", &login).await;

        self.open("/reset_password").await;
        self.tours("forgot-password", &self.word("reset-password-title"))
            .await;
        self.fill("email", EMAIL).await;
        self.click(&self.word("common-continue"), "/reset_password/sent")
            .await;
        self.tours("check-email", &self.word("sent-title")).await;
        let link = inbox.link(EMAIL, "/reset_password");
        self.follows(&link, "/reset_password/new").await;
        self.tours("new-password", &self.word("new-password-title"))
            .await;
        self.fill("new_password", NEW_PASSWORD).await;
        self.fill("confirm_password", NEW_PASSWORD).await;
        self.click(&self.word("new-password-submit"), "/login")
            .await;
        self.tours("password-updated", &login).await;
        self.follows(&link, "/reset_password/new").await;
        self.tours("link-used", &self.word("expired-title")).await;
        self.log_in(NEW_PASSWORD, "/profile").await;
    }

    /// Two-factor sign-in: the setup (a wrong code first), the recovery
    /// codes and the page that replaces them, and the code asked at the
    /// next login. Ends logged in.
    async fn tours_two_factor_sign_in(&mut self) {
        let set_up = self.word("common-set-up-two-factor");
        self.click(&set_up, "/profile/totp").await;
        self.tours("two-factor-setup", &set_up).await;
        self.fill("code", "000000").await;
        self.click(&self.word("two-factor-setup-submit"), "/profile/totp")
            .await;
        self.tours("two-factor-setup-wrong-code", &set_up).await;

        self.open("/profile").await;
        let code_at = self.sets_up_two_factor().await;
        let on = self.word("recovery-codes-two-factor-on");
        self.tours("recovery-codes", &on).await;
        self.browser.refresh().await.expect("reloaded");
        let codes = self.word("recovery-codes-title");
        self.tours("recovery-codes-shown-once", &codes).await;

        self.click(&self.word("logout-button"), "/").await;
        self.log_in(NEW_PASSWORD, "/login/code").await;
        let two_factor = self.word("common-two-factor-sign-in");
        self.tours("login-code", &two_factor).await;
        self.fill("code", &code_at(0)).await;
        self.click(&self.word("common-log-in"), "/profile").await;
    }

    /// A passkey added from the account page, with an authenticator taken
    /// away after (it would sign the next account in at the login page).
    async fn tours_a_passkey(&mut self) {
        let authenticator = self.add_authenticator(true).await;
        self.fill_passkey_form("Laptop").await;
        self.fill("passkey-password", NEW_PASSWORD).await;
        let create = self.word("profile-passkey-add-submit");
        self.click(&create, "/profile").await;
        self.tours("passkey-added", &self.word("common-your-account"))
            .await;
        self.remove_authenticator(&authenticator).await;
    }

    /// A change of address long after the login: the password asked, the
    /// change waiting, the page of the link that cancels it (not
    /// followed), the new address confirmed.
    async fn tours_a_change_of_address(&mut self, inbox: &mut Inbox<'_>) {
        let statement = "UPDATE sessions SET authenticated_at = authenticated_at - 3600";
        execute(&self.store.url, statement);
        self.open("/profile").await;
        self.opens(&self.word("profile-change-email-summary")).await;
        self.fill("new-email", NEW_EMAIL).await;
        let change = self.word("profile-change-email-submit");
        self.click(&change, "/profile/confirm").await;
        self.tours("confirm-password", &self.word("confirm-password-title"))
            .await;
        self.fill("password", NEW_PASSWORD).await;
        self.click(&self.word("common-continue"), "/profile").await;
        let account = self.word("common-your-account");
        self.tours("email-change-pending", &account).await;

        let cancel = inbox.link(EMAIL, "/profile/email/cancel");
        self.follows(&cancel, "/profile/email/cancel").await;
        let title = self.word("cancel-email-change-title");
        self.tours("cancel-link", &title).await;
        self.follows(&inbox.link(NEW_EMAIL, "/verify_email"), "/profile")
            .await;
        self.tours("email-changed", &account).await;
    }

    /// Another application at `application` (a port), registered: its
    /// consent page, allowed, and its request to log out (not followed).
    async fn tours_an_application(&mut self, application: u16) {
        let callback = format!("http://127.0.0.1:{application}/callback");
        let logged_out = format!("http://127.0.0.1:{application}/goodbye");
        let (client_id, _) = self.registers_application(&callback, &logged_out);
        self.open(&authorization_request(&client_id, &callback).0)
            .await;
        self.waits_for("/authorize").await;
        let title = Text::new("authorize-title").with("app", "Photo Album");
        self.tours("consent", &self.language.say(&title)).await;
        self.press(&self.word("authorize-allow")).await;
        self.lands_on_application(application, "/callback").await;

        self.open(&logout_request(&client_id, &logged_out)).await;
        let title = self.word("authorize-logout-title");
        self.tours("application-logout", &title).await;
    }

    /// The account page with every section opened, a page that does not
    /// exist, and the account deleted.
    async fn tours_the_account_to_its_end(&mut self) {
        self.open("/profile").await;
        self.script("document.querySelectorAll('details').forEach(d => d.open = true)")
            .await;
        self.tours("account", &self.word("common-your-account"))
            .await;

        self.open("/no-such-page").await;
        let not_found = Text::new("status-title").number("code", 404);
        let not_found = format!("404 · {}", self.language.say(&not_found));
        self.tours("not-found", &not_found).await;

        self.open("/profile").await;
        let link = self.word("profile-delete-link");
        let link = self.browser.find(Locator::LinkText(&link)).await;
        link.expect("the link").click().await.expect("clicked");
        self.waits_for("/profile/delete").await;
        let delete = self.word("common-delete-your-account");
        self.tours("delete-account", &delete).await;
        self.fill("password", NEW_PASSWORD).await;
        self.click(&self.word("delete-account-submit"), "/").await;
        self.tours("account-deleted", &self.word("index-welcome"))
            .await;
    }
}

/// Every page a person can see, in English and in French: each in the
/// person's language, none scrolling sideways on a phone, every target
/// large enough; and saved whole at both widths to be looked at.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_person_tours_every_page_in_english_and_in_french() {
    // Passkeys need a domain name: the browser and the mails use localhost.
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    let application = echo_application();
    in_chromium(
        "tour",
        &[
            ("PUBLIC_HOST", "localhost"),
            ("ROCKET_MAIL__SMTP_URL", &smtp_url),
        ],
        async |person| {
            person.host = "localhost";
            let mut inbox = Inbox {
                sink: &sink,
                followed: Vec::new(),
            };
            // The account is deleted at the end of each language's tour,
            // and made again in the next.
            for language in Language::ALL {
                person.reads(language).await;
                person.tours_registration(&mut inbox).await;
                person.tours_the_password_reset(&mut inbox).await;
                person.tours_two_factor_sign_in().await;
                person.tours_a_passkey().await;
                person.tours_a_change_of_address(&mut inbox).await;
                person.tours_an_application(application).await;
                person.tours_the_account_to_its_end().await;
            }
        },
    );
}
