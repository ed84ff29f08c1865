//! A person in a real browser: headless Chromium driven over WebDriver
//! (fantoccini and ChromeDriver) against the server on a loopback port.
//! A screenshot of each whole page is saved under
//! `target/tmp/browser-screenshots`, named by the page, its language and
//! the width.
//!
//! Needs Debian's `chromium` and `chromium-driver`: run with
//! `--include-ignored` (`.ci/run` installs them and does).

mod pages;
mod passkeys;
mod provider;
mod tour;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use auth_service::language::{Language, Text};
use base64::Engine;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use url::Url;

use crate::secrets::{self, mailed_link};
use crate::server::{free_port, Server};
use crate::support::smtp::SmtpSink;
use crate::support::Store;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "compilers are friends";
const NEW_PASSWORD: &str = "nanoseconds of wire";

/// ChromeDriver on a free loopback port, in a process group of its own;
/// killed with the browsers it started when dropped, even after a failure.
struct ChromeDriver {
    process: Child,
    url: String,
}

impl ChromeDriver {
    fn start() -> ChromeDriver {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: apt-get install chromium chromium-driver (see README)"
            );
        }
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = ChromeDriver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::blocking::get(format!("{}/status", driver.url)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer in 30 s"
            );
            thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    /// A new headless Chromium session with a fresh profile in `profile`.
    async fn browser(&self, profile: &Path) -> Client {
        let arguments = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1024,768",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": CHROMIUM, "args": arguments }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if let Ok(group) = libc::pid_t::try_from(self.process.id()) {
            // SAFETY: kill only sends a signal; the negative id names the
            // process group that ChromeDriver leads.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.process.wait();
    }
}

/// A Chrome DevTools Protocol command, through ChromeDriver's
/// `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    parameters: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.parameters });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A script listing the targets shown smaller than 24 x 24 px, each as its
/// start tag and size; a link in a sentence is not counted.
const SMALL_TARGETS: &str = r#"
    const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    return [...document.querySelectorAll(targets)].flatMap(target => {
        const { width, height } = target.getBoundingClientRect();
        const sentence = target.closest('p');
        const inline = sentence && sentence.textContent.trim() !== target.textContent.trim();
        if (inline || (width === 0 && height === 0) || (width >= 24 && height >= 24)) {
            return [];
        }
        const tag = target.outerHTML.slice(0, target.outerHTML.indexOf('>') + 1);
        return [`${tag} ${width} x ${height}`];
    });
"#;

/// A laptop's width and a phone's, in CSS px. Headless Chromium's window
/// says it is 500 px wide at the least (`outerWidth`), but the page inside
/// goes down to 390.
const WIDTHS: [u32; 2] = [1280, 390];

/// `text` as WebDriver reads it in an element: a no-break space as a plain
/// one.
fn as_read(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

/// One person in a fresh headless Chromium, against a server of their
/// own. Screenshots of each page they look at, at 1280 and 390 px wide,
/// land in `target/tmp/browser-screenshots/<scenario>/`.
struct Person<'a> {
    browser: Client,
    server: &'a Server,
    /// The server's files and database, for the admin command line.
    store: &'a Store,
    /// The host the browser goes to: `127.0.0.1`, or `localhost` where
    /// passkeys are used (they need a domain name).
    host: &'static str,
    screenshots: PathBuf,
    taken: usize,
    /// The language the pages speak to this person: English until they
    /// choose another in the footer (`chooses`). The buttons the helpers
    /// press are named in its words.
    language: Language,
}

/// Runs `scenario` with one person against a fresh server (with more
/// `ROCKET_*` `variables`), in a fresh browser; `name` names the folder of
/// its screenshots.
fn in_chromium(
    name: &str,
    variables: &[(&str, &str)],
    scenario: impl AsyncFnOnce(&mut Person<'_>),
) {
    in_browsers(name, variables, 1, async |people: &mut [Person<'_>]| {
        scenario(&mut people[0]).await;
    });
}

/// Runs `scenario` with `count` people, each in a browser of their own,
/// against one fresh server; their screenshots go to `name/1`, `name/2`...
fn in_browsers(
    name: &str,
    variables: &[(&str, &str)],
    count: usize,
    scenario: impl AsyncFnOnce(&mut [Person<'_>]),
) {
    let store = Store::new();
    let server = Server::start_with(&store, variables);
    let driver = ChromeDriver::start();
    let profiles: Vec<tempfile::TempDir> = (0..count)
        .map(|_| tempfile::tempdir().expect("a browser profile folder"))
        .collect();
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-screenshots")
        .join(name);
    let _ = std::fs::remove_dir_all(&folder);
    rocket::tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let mut people = Vec::new();
            for (n, profile) in profiles.iter().enumerate() {
                let screenshots = match count {
                    1 => folder.clone(),
                    _ => folder.join((n + 1).to_string()),
                };
                std::fs::create_dir_all(&screenshots).expect("the screenshot folder");
                people.push(Person {
                    browser: driver.browser(profile.path()).await,
                    server: &server,
                    store: &store,
                    host: "127.0.0.1",
                    screenshots,
                    taken: 0,
                    language: Language::En,
                });
            }
            scenario(&mut people).await;
            for person in people {
                person.browser.close().await.expect("the browser closes");
            }
        });
}

impl Person<'_> {
    async fn open(&self, path: &str) {
        let url = self.server.url(path).replacen("127.0.0.1", self.host, 1);
        self.browser.goto(&url).await.expect("the page opens");
    }

    async fn fill(&self, field: &str, value: &str) {
        secrets::remember_field(field, value);
        let input = self.input(field).await;
        input.clear().await.expect("cleared");
        input.send_keys(value).await.expect("typed");
    }

    async fn input(&self, id: &str) -> fantoccini::elements::Element {
        self.browser.find(Locator::Id(id)).await.expect("the field")
    }

    /// Clicks the button `label` of the page's main content and waits until
    /// the browser has left this page and shows `path` (which may be this
    /// page's own path: a form shown again).
    async fn click(&self, label: &str, path: &str) {
        let before = self.browser.find(Locator::Css("html")).await;
        let before = before.expect("a page");
        self.press(label).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        // The old page's root goes stale once the next page replaces it.
        while before.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "still on the same page after clicking {label}"
            );
            rocket::tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.waits_for(path).await;
    }

    /// Clicks the button `label` (its text or its accessible name) of the
    /// page's main content or its header.
    async fn press(&self, label: &str) {
        // The page's own buttons, and the header's (Log out).
        let named = format!("button[normalize-space() = '{label}' or @aria-label = '{label}']");
        let button = format!("(//main//{named} | //header//{named})");
        let button = self
            .browser
            .find(Locator::XPath(&button))
            .await
            .expect("the button");
        button.click().await.expect("clicked");
    }

    /// Waits until the browser shows a whole page at `path` (and query).
    async fn waits_for(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.browser.current_url().await.expect("a URL");
            let page = self.page().await;
            let shown = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            if (shown == path || url.path() == path) && page.contains("</main>") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still on {url}, not {path}:\n{page}"
            );
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn page(&self) -> String {
        self.browser.source().await.expect("the page source")
    }

    /// The header's text.
    async fn header(&self) -> String {
        let header = self.browser.find(Locator::Css("header.site")).await;
        header.expect("a header").text().await.expect("its text")
    }

    /// Asserts what the page shows, and saves screenshots of the whole of
    /// it as `name` at each of `WIDTHS`: `NN-name-LANG-WIDTH.png`, `LANG`
    /// the page's `<html lang>`. At a phone's width, asserts that it does
    /// not scroll sideways and that its targets are large enough.
    async fn sees(&mut self, name: &str, expected: &[&str], absent: &[&str]) {
        let page = self.page().await;
        for text in expected {
            assert!(page.contains(text), "{name}: {text:?} not shown in\n{page}");
        }
        for text in absent {
            assert!(!page.contains(text), "{name}: {text:?} shown in\n{page}");
        }
        self.taken += 1;
        let lang = self.script("return document.documentElement.lang").await;
        let lang = lang.as_str().expect("a language").to_owned();
        for width in WIDTHS {
            self.browser
                .set_window_size(width, 1400)
                .await
                .expect("the window resizes");
            if width == 390 {
                self.has_no_small_targets(name).await;
                self.fits_its_width(name).await;
            }
            let png = self.whole_page().await;
            let file = self
                .screenshots
                .join(format!("{:02}-{name}-{lang}-{width}.png", self.taken));
            std::fs::write(file, png).expect("the screenshot is saved");
        }
    }

    /// A PNG of the whole page, below the window's height too.
    async fn whole_page(&self) -> Vec<u8> {
        let size = "const page = document.documentElement;
            return [page.scrollWidth, page.scrollHeight]";
        let size = self.script(size).await;
        let clip = json!({ "x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1 });
        let parameters = json!({ "format": "png", "captureBeyondViewport": true, "clip": clip });
        let shot = self.devtools("Page.captureScreenshot", parameters).await;
        let png = shot["data"].as_str().expect("a PNG in base64");
        let png = base64::engine::general_purpose::STANDARD.decode(png);
        png.expect("base64")
    }

    /// Runs the Chrome DevTools Protocol's `command` in this browser; its
    /// result.
    async fn devtools(&self, command: &'static str, parameters: Value) -> Value {
        let command = DevTools {
            command,
            parameters,
        };
        let result = self.browser.issue_cmd(command).await;
        result.expect("ChromeDriver runs the DevTools command")
    }

    /// What `script` (which `return`s) gives on the page.
    async fn script(&self, script: &str) -> Value {
        let result = self.browser.execute(script, vec![]).await;
        result.expect("the script runs")
    }

    /// Asserts that the page does not scroll sideways.
    async fn fits_its_width(&self, name: &str) {
        let widths = "const page = document.documentElement;
            return [page.scrollWidth, page.clientWidth]";
        let widths = self.script(widths).await;
        let [scroll, client] = [&widths[0], &widths[1]].map(|w| w.as_u64().expect("px"));
        assert!(scroll <= client, "{name}: {scroll} px wide in {client} px");
    }

    /// The text of the page's heading.
    async fn heading(&self) -> String {
        let heading = self.browser.find(Locator::Css("main h1")).await;
        heading.expect("a heading").text().await.expect("its text")
    }

    /// The device of the one session of the account page's list that is
    /// not this browser's, as the page names it.
    async fn other_device(&self) -> String {
        let others =
            "return [...document.querySelectorAll('[aria-labelledby=sessions-heading] li')]
            .filter(session => !session.querySelector('.badge'))
            .map(session => session.querySelector('strong').textContent)";
        let others = self.script(others).await;
        match others.as_array().map(Vec::as_slice) {
            Some([device]) => device.as_str().expect("a name").to_owned(),
            _ => panic!("not one other session: {others}"),
        }
    }

    /// The message `key` of the catalogue of the person's language, one
    /// that takes no value.
    fn word(&self, key: &'static str) -> String {
        self.language.word(key)
    }

    /// `text` in the person's language, as the page's source writes it (a
    /// no-break space as `&nbsp;`): for `sees`.
    fn says(&self, text: &Text) -> String {
        self.language.say(text).replace('\u{a0}', "&nbsp;")
    }

    /// Chooses `language` (another than the page's) in the footer, and
    /// waits for the page to come back in it: the pages speak it from now
    /// on.
    async fn chooses(&mut self, language: Language) {
        let button = format!("footer button[name=lang][value={language}]");
        let button = self.browser.find(Locator::Css(&button)).await;
        button
            .expect("the language switch")
            .click()
            .await
            .expect("clicked");
        let arrived = format!(
            "return document.readyState === 'complete' && document.documentElement.lang === '{language}'"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        // The script fails while the browser is between the two pages.
        while self.browser.execute(&arrived, vec![]).await.ok() != Some(json!(true)) {
            assert!(Instant::now() < deadline, "no page in {language}");
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.language = language;
    }

    /// Has the site speak `language` in this browser: chosen in the footer
    /// of the home page, unless it does already.
    async fn reads(&mut self, language: Language) {
        self.open("/").await;
        let lang = self.script("return document.documentElement.lang").await;
        if lang == json!(language.code()) {
            self.language = language;
        } else {
            self.chooses(language).await;
        }
    }

    /// Asserts that every link, button and field shown is a target of at
    /// least 24 x 24 px (WCAG 2.2, target size), links within a sentence
    /// aside (the criterion's inline exception).
    async fn has_no_small_targets(&self, name: &str) {
        let small = self
            .browser
            .execute(SMALL_TARGETS, vec![])
            .await
            .expect("the targets measured");
        assert_eq!(small, serde_json::json!([]), "{name}: targets under 24 px");
    }

    /// Opens the section of the page whose summary reads `summary`.
    async fn opens(&self, summary: &str) {
        let summary = format!("//summary[normalize-space() = '{summary}']");
        let summary = self.browser.find(Locator::XPath(&summary)).await;
        summary.expect("the section").click().await.expect("opened");
    }

    async fn log_in(&self, password: &str, path: &str) {
        self.open("/login").await;
        self.fill("email", EMAIL).await;
        self.fill("password", password).await;
        self.click(&self.word("common-log-in"), path).await;
    }

    async fn register(&self) {
        self.open("/register").await;
        self.fill("email", EMAIL).await;
        self.fill("password", PASSWORD).await;
        self.click(&self.word("register-submit"), "/profile").await;
    }

    /// Sets up two-factor sign-in from the account page (the address
    /// confirmed), confirmed with the previous step's code: a maker of the
    /// authenticator app's codes, `steps` of 30 s from now. Lands on the
    /// recovery codes.
    async fn sets_up_two_factor(&mut self) -> impl Fn(i64) -> String {
        self.click(&self.word("common-set-up-two-factor"), "/profile/totp")
            .await;
        let scan = self.says(&Text::new("two-factor-setup-scan"));
        self.sees("setup", &[&scan, "<svg"], &[]).await;
        let secret = self
            .browser
            .find(Locator::Id("secret"))
            .await
            .expect("the key");
        let secret = secret.text().await.expect("its text").replace(' ', "");
        let secret = totp_rs::Secret::try_from_base32(&secret).expect("base32");
        let app = totp_rs::Builder::new()
            .with_secret(secret.as_bytes().to_vec())
            .build()
            .expect("a TOTP");
        // Far from the next step; confirmed with the previous step's code,
        // so that this step's is still fresh for the login.
        while auth_service::clock::now() % 30 >= 20 {
            rocket::tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let code_at = move |steps: i64| {
            let now = auth_service::clock::now();
            app.generate((now + 30 * steps) as u64).to_string()
        };
        self.fill("code", &code_at(-1)).await;
        let turn_on = self.word("two-factor-setup-submit");
        self.click(&turn_on, "/profile/recovery_codes").await;
        code_at
    }

    /// Follows the link that confirms the address, from the mail `sink`
    /// got, and lands on the account page.
    async fn confirms_address(&self, sink: &SmtpSink) {
        let mail = sink.wait_for_subject(EMAIL, "Confirm your email address");
        let link = mailed_link(&mail, "/verify_email");
        let link = link.replacen("127.0.0.1", self.host, 1);
        self.browser.goto(&link).await.expect("the link opens");
        self.waits_for("/profile").await;
    }
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_person_registers_logs_out_and_in_again() {
    in_chromium("journey", &[], async |person| {
        person.open("/").await;
        person
            .sees("home", &["Welcome", "href=\"/register\""], &["Log out"])
            .await;

        person.open("/register").await;
        person
            .sees("register", &["At least 8 characters"], &[])
            .await;
        person.register().await;
        person
            .sees("registered", &["Account created.", EMAIL, "Log out"], &[])
            .await;

        person.browser.refresh().await.expect("reloaded");
        person
            .sees("reloaded", &["Your account"], &["Account created"])
            .await;

        person.click("Log out", "/").await;
        person
            .sees("logged-out", &["href=\"/login\""], &[EMAIL])
            .await;

        person.log_in(PASSWORD, "/profile").await;
        person.sees("profile", &["Your account", EMAIL], &[]).await;
        person.click("Log out", "/").await;

        person.log_in(NEW_PASSWORD, "/login").await;
        person
            .sees(
                "wrong-password",
                &["Wrong email or password."],
                &["Your account"],
            )
            .await;
    });
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_header_knows_who_is_logged_in_and_login_comes_back_where_it_was_asked() {
    in_chromium("header-and-next", &[], async |person| {
        person.register().await;
        person.click("Log out", "/").await;

        person.open("/profile").await;
        person.waits_for("/login").await;
        person
            .sees("login-required", &["Log in to see this page."], &[])
            .await;
        person.fill("email", EMAIL).await;
        person.fill("password", PASSWORD).await;
        person.click("Log in", "/profile").await;

        // Logged in: the login page sends on, and every page's header,
        // error pages included, offers to log out.
        person.open("/login").await;
        person.waits_for("/profile").await;
        person.open("/no-such-page").await;
        person.sees("not-found", &["404"], &[]).await;
        let header = person.header().await;
        assert!(header.contains("Log out"), "{header}");
        assert!(!header.contains("Log in"), "{header}");
    });
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_login_link_pointing_off_the_site_leads_to_the_profile() {
    in_chromium("next-refused", &[], async |person| {
        person.register().await;
        person.click("Log out", "/").await;
        for foreign in [
            "//evil.example/",
            "https://evil.example/",
            "/%5Cevil.example",
        ] {
            person.open(&format!("/login?next={foreign}")).await;
            person.fill("email", EMAIL).await;
            person.fill("password", PASSWORD).await;
            person.click("Log in", "/profile").await;
            let url = person.browser.current_url().await.expect("a URL");
            assert_eq!(url.host_str(), Some("127.0.0.1"), "{foreign}");
            person.click("Log out", "/").await;
        }
    });
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_password_can_be_shown_while_typing() {
    in_chromium("password-toggle", &[], async |person| {
        person.open("/login").await;
        person.fill("password", PASSWORD).await;
        let password = person.input("password").await;
        let kind = async || password.prop("type").await.expect("a type");
        assert_eq!(kind().await.as_deref(), Some("password"));
        person.press("Show").await;
        assert_eq!(kind().await.as_deref(), Some("text"));
        person.sees("password-shown", &["Hide"], &[]).await;
        person.press("Hide").await;
        assert_eq!(kind().await.as_deref(), Some("password"));
    });
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_forgotten_password_is_reset_through_the_mailed_link() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    in_chromium(
        "forgotten-password",
        &[("ROCKET_MAIL__SMTP_URL", &smtp_url)],
        async |person| {
            person.register().await;
            person.click("Log out", "/").await;

            person.open("/login").await;
            person
                .browser
                .find(Locator::LinkText("Forgot your password?"))
                .await
                .expect("the link")
                .click()
                .await
                .expect("clicked");
            person.waits_for("/reset_password").await;
            person
                .sees("forgot-password", &["Reset your password"], &[])
                .await;
            person.fill("email", EMAIL).await;
            person.click("Continue", "/reset_password/sent").await;
            person
                .sees("check-email", &["Check your email", EMAIL], &["token"])
                .await;

            let mail = sink.wait_for_subject(EMAIL, "Reset your password");
            let link = mailed_link(&mail, "/reset_password");
            person.browser.goto(&link).await.expect("the link opens");
            person.waits_for("/reset_password/new").await;
            let url = person.browser.current_url().await.expect("a URL");
            assert_eq!(url.query(), None, "the token left the address bar");
            person
                .sees("choose-password", &["Choose a new password", EMAIL], &[])
                .await;
            person.fill("new_password", NEW_PASSWORD).await;
            person.fill("confirm_password", NEW_PASSWORD).await;
            person.click("Set password", "/login").await;
            person
                .sees("password-updated", &["Password updated."], &[])
                .await;

            person.log_in(NEW_PASSWORD, "/profile").await;
            person
                .sees("logged-in-again", &["Your account", EMAIL], &[])
                .await;

            // The link works once.
            person.browser.goto(&link).await.expect("the link opens");
            person
                .sees("link-used", &["This link no longer works"], &[])
                .await;
        },
    );
}

/// Two browsers stay logged in until one ends the other's session, which
/// the notice names, in English and in French; a new password ends the
/// other sessions.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn two_browsers_stay_logged_in_until_one_ends_the_other() {
    in_browsers(
        "two-browsers",
        &[],
        2,
        async |people: &mut [Person<'_>]| {
            let [laptop, phone] = people else {
                unreachable!("two people")
            };
            laptop.register().await;
            for language in Language::ALL {
                laptop.reads(language).await;
                phone.reads(language).await;
                phone.log_in(PASSWORD, "/profile").await;
                laptop.open("/profile").await;
                let sessions = laptop.says(&Text::new("profile-sessions-heading"));
                let this_device = laptop.word("profile-session-this-device");
                laptop
                    .sees("account", &[&sessions, &this_device], &[])
                    .await;
                phone.browser.refresh().await.expect("reloaded");
                let account = phone.word("common-your-account");
                phone.sees("still-logged-in", &[&account], &[]).await;

                // The laptop ends the phone's session from its account
                // page, and the notice names it.
                let device = laptop.other_device().await;
                let end = Text::new("profile-session-end-label").with("device", &device);
                laptop.click(&laptop.language.say(&end), "/profile").await;
                let ended = Text::new("notice-session-ended-just-now")
                    .with("device", &device)
                    .with("address", "127.0.0.1");
                laptop.sees("ended", &[&laptop.says(&ended)], &[]).await;
                phone.open("/profile").await;
                phone.waits_for("/login").await;
                let logged_out = phone.says(&Text::new("error-session-ended"));
                phone
                    .sees("logged-out-elsewhere", &[&logged_out], &[])
                    .await;
            }

            // A new password on the phone ends the laptop's session, not its own.
            phone.log_in(PASSWORD, "/profile").await;
            phone
                .opens(&phone.word("profile-change-password-summary"))
                .await;
            phone.fill("current_password", PASSWORD).await;
            phone.fill("new_password", NEW_PASSWORD).await;
            let change = phone.word("profile-change-password-submit");
            phone.click(&change, "/profile").await;
            let changed = phone.says(&Text::new("notice-password-changed"));
            phone.sees("password-changed", &[&changed], &[]).await;
            laptop.open("/profile").await;
            laptop.waits_for("/login").await;
            phone.open("/profile").await;
            let account = phone.word("common-your-account");
            phone.sees("phone-still-in", &[&account], &[]).await;
        },
    );
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_change_long_after_the_login_asks_for_the_password_and_comes_back_done() {
    let new = "grace.hopper@example.org";
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    // A login proves its owner for two seconds here (ten minutes by default).
    in_chromium(
        "confirm-password",
        &[
            ("ROCKET_SESSIONS__RECENT_LOGIN_TTL", "2"),
            ("ROCKET_MAIL__SMTP_URL", &smtp_url),
        ],
        async |person| {
            person.register().await;
            rocket::tokio::time::sleep(Duration::from_secs(3)).await;
            person.open("/profile").await;
            person.opens("Change your email address").await;
            person.fill("new-email", new).await;
            person.click("Change email", "/profile/confirm").await;
            person
                .sees(
                    "confirm-password",
                    &[
                        "Confirm it’s you",
                        "To change your email address, enter your password.",
                    ],
                    &[],
                )
                .await;
            person.has_no_small_targets("confirm-password").await;
            person.fill("password", "not my password").await;
            person.click("Continue", "/profile/confirm").await;
            person
                .sees("confirm-password-wrong", &["Wrong password."], &[])
                .await;
            person.fill("password", PASSWORD).await;
            person.click("Continue", "/profile").await;
            person
                .sees(
                    "email-change-waiting",
                    &[
                        &format!(
                            "We have sent a link to {new}: follow it to make it your address."
                        ),
                        &format!("Waiting for <strong>{new}</strong> to be confirmed"),
                    ],
                    &["Confirm it’s you"],
                )
                .await;

            // The old address's link to cancel: its page drops the token
            // from the address bar (the form keeps it), and cancels.
            let asked = "A change of your email address was asked";
            let mail = sink.wait_for_subject(EMAIL, asked);
            let link = mailed_link(&mail, "/profile/email/cancel");
            person.browser.goto(&link).await.expect("the link opens");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let url = person.browser.current_url().await.expect("a URL");
                if url.path() == "/profile/email/cancel" && url.query().is_none() {
                    break;
                }
                assert!(Instant::now() < deadline, "the token stays in {url}");
                rocket::tokio::time::sleep(Duration::from_millis(50)).await;
            }
            person
                .sees("cancel-link", &["Cancel the change of your address"], &[])
                .await;
            person.click("Cancel the change", "/profile").await;
            person
                .sees(
                    "change-cancelled",
                    &["your account keeps its address"],
                    &[&format!("Waiting for <strong>{new}</strong>")],
                )
                .await;
        },
    );
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_owners_browser_keeps_logging_in_while_a_stranger_is_locked_out() {
    in_browsers(
        "device-cookie",
        &[],
        2,
        async |people: &mut [Person<'_>]| {
            let [owner, stranger] = people else {
                unreachable!("two people")
            };
            owner.register().await;
            owner.click("Log out", "/").await;

            for _ in 0..5 {
                stranger.log_in("a wild guess", "/login").await;
            }
            stranger.log_in(PASSWORD, "/login").await;
            stranger
                .sees(
                    "stranger-waits",
                    &["Too many login attempts. Try again in"],
                    &["Your account"],
                )
                .await;

            owner.log_in(PASSWORD, "/profile").await;
            owner
                .sees("owner-logs-in", &["Your account", EMAIL], &["Too many"])
                .await;
        },
    );
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn two_factor_sign_in_is_set_up_from_the_account_page_and_asked_at_login() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    in_chromium(
        "two-factor",
        &[("ROCKET_MAIL__SMTP_URL", &smtp_url)],
        async |person| {
            person.register().await;
            person
                .sees(
                    "unconfirmed",
                    &["Confirm your email address first to set up two-factor sign-in."],
                    &["Set up two-factor sign-in"],
                )
                .await;
            person.confirms_address(&sink).await;
            let code_at = person.sets_up_two_factor().await;
            person
                .sees(
                    "recovery-codes",
                    &["Two-factor sign-in is on", "Download as a text file"],
                    &[],
                )
                .await;
            // A reload shows them no more, and no browser error either.
            person.browser.refresh().await.expect("reloaded");
            person
                .sees(
                    "recovery-codes-shown-once",
                    &["Recovery codes are shown once"],
                    &["Download as a text file"],
                )
                .await;
            person.open("/profile").await;
            person
                .sees("account-with-two-factor", &["10 recovery codes left"], &[])
                .await;
            person.click("Log out", "/").await;

            person.log_in(PASSWORD, "/login/code").await;
            person
                .sees("code-asked", &["Two-factor sign-in"], &[])
                .await;
            person.fill("code", &code_at(0)).await;
            person.click("Log in", "/profile").await;
            person
                .sees("logged-in-with-a-code", &["Your account"], &[])
                .await;
        },
    );
}
