//! A person in a real browser: headless Chromium driven over WebDriver
//! (fantoccini and ChromeDriver) against the server on a loopback port.
//! A screenshot of each page is saved under `target/tmp/browser-screenshots`.
//!
//! Needs Debian's `chromium` and `chromium-driver`: run with
//! `--include-ignored` (`.ci/run` installs them and does).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::server::Server;
use common::Store;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

mod common;

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
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
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

/// Drives one browser through the site, saving a screenshot of each page.
struct Person<'a> {
    browser: Client,
    server: &'a Server,
    screenshots: PathBuf,
    taken: usize,
}

impl Person<'_> {
    async fn open(&self, path: &str) {
        self.browser
            .goto(&self.server.url(path))
            .await
            .expect("the page opens");
    }

    async fn fill(&self, field: &str, value: &str) {
        let input = self
            .browser
            .find(Locator::Id(field))
            .await
            .expect("the field");
        input.clear().await.expect("cleared");
        input.send_keys(value).await.expect("typed");
    }

    /// Clicks the button `label` of the page's main content and waits until
    /// the browser shows `path`.
    async fn click(&self, label: &str, path: &str) {
        let button = format!("//main//button[normalize-space() = '{label}']");
        let button = self
            .browser
            .find(Locator::XPath(&button))
            .await
            .expect("the button");
        button.click().await.expect("clicked");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.browser.current_url().await.expect("a URL");
            let page = self.page().await;
            if url.path() == path && page.contains("</main>") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "still on {url} after clicking {label}:\n{page}"
            );
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn page(&self) -> String {
        self.browser.source().await.expect("the page source")
    }

    /// Asserts what the page shows, and saves a screenshot of it as `name`.
    async fn sees(&mut self, name: &str, expected: &[&str], absent: &[&str]) {
        let page = self.page().await;
        for text in expected {
            assert!(page.contains(text), "{name}: {text:?} not shown in\n{page}");
        }
        for text in absent {
            assert!(!page.contains(text), "{name}: {text:?} shown in\n{page}");
        }
        self.taken += 1;
        let png = self.browser.screenshot().await.expect("a screenshot");
        let file = self
            .screenshots
            .join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(file, png).expect("the screenshot is saved");
    }

    async fn log_in(&self, password: &str, path: &str) {
        self.open("/login").await;
        self.fill("email", EMAIL).await;
        self.fill("password", password).await;
        self.click("Log in", path).await;
    }
}

async fn journey(driver: &ChromeDriver, server: &Server, profile: &Path) {
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&screenshots).expect("the screenshot folder");
    let mut person = Person {
        browser: driver.browser(profile).await,
        server,
        screenshots,
        taken: 0,
    };

    person.open("/").await;
    person
        .sees("home", &["Bienvenue", "href=\"/register\""], &["Log out"])
        .await;

    person.open("/register").await;
    person.fill("email", EMAIL).await;
    person.fill("password", PASSWORD).await;
    person.click("Register", "/login").await;
    person.sees("registered", &["Account created"], &[]).await;

    person.browser.refresh().await.expect("reloaded");
    person
        .sees("reloaded", &["Log in"], &["Account created"])
        .await;

    person.log_in(PASSWORD, "/profile").await;
    person.sees("profile", &["Your profile", EMAIL], &[]).await;

    person.click("Log out", "/").await;
    person
        .sees("logged-out", &["href=\"/login\""], &[EMAIL])
        .await;

    person.open("/reset_password").await;
    person.fill("email", EMAIL).await;
    person.click("Continue", "/reset_password").await;
    person
        .sees("new-password", &["Choose a new password", EMAIL], &[])
        .await;
    person.fill("new_password", NEW_PASSWORD).await;
    person.click("Set password", "/login").await;
    person
        .sees("password-updated", &["Password updated"], &[])
        .await;

    person.log_in(NEW_PASSWORD, "/profile").await;
    person.sees("profile-again", &[EMAIL], &[]).await;
    person.click("Log out", "/").await;

    person.log_in(PASSWORD, "/sessions").await;
    person
        .sees(
            "wrong-password",
            &["Wrong email or password."],
            &["Your profile"],
        )
        .await;

    person.browser.close().await.expect("the browser closes");
}

#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_person_registers_logs_in_out_and_resets_the_password() {
    let store = Store::new();
    let server = Server::start(&store);
    let driver = ChromeDriver::start();
    let profile = tempfile::tempdir().expect("a browser profile folder");
    rocket::tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(journey(&driver, &server, profile.path()));
}
