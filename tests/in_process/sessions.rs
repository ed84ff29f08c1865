//! A session per device: listing and ending them, their lifetimes, their
//! limit, the notice of a new device, and the account page's part of it.

use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::{LocalRequest, LocalResponse};
use serde_json::Value;

use crate::app::{body, location, notice, peer, Encoding, TestApp, BROWSER};
use crate::support::smtp::SmtpSink;

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical engine";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

/// The tests of this module run with an untracked client: each request
/// carries the session cookie of the device it comes from.
async fn devices(configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    let app = TestApp::untracked(configure).await;
    app.register(EMAIL, PASSWORD).await;
    app
}

impl TestApp {
    /// Logs `email` in as a JSON client from `user_agent` at `address`;
    /// returns the sealed session cookie.
    async fn device_login(&self, email: &str, user_agent: &str, address: &str) -> Cookie<'static> {
        self.log_in_from(email, user_agent, address, None).await
    }

    /// Logs `email` in from the login page of a browser (`kept`: "Keep me
    /// logged in" checked); returns the sealed session cookie.
    async fn browser_login(&self, email: &str, kept: bool) -> Cookie<'static> {
        let accept = Header::new("Accept", BROWSER);
        let remember = if kept { "&remember=on" } else { "" };
        let fields = format!("email={email}&password=analytical+engine{remember}");
        let cookie = self
            .log_in_from(email, FIREFOX, "192.0.2.99", Some((accept, fields)))
            .await;
        cookie
    }

    async fn log_in_from(
        &self,
        email: &str,
        user_agent: &str,
        address: &str,
        browser: Option<(Header<'static>, String)>,
    ) -> Cookie<'static> {
        let (accept, fields) = browser.unwrap_or_else(|| {
            let fields = format!("email={email}&password=analytical+engine");
            (Header::new("Accept", "*/*"), fields)
        });
        let response = self
            .client
            .post("/sessions")
            .header(Header::new("User-Agent", user_agent.to_owned()))
            .remote(peer(address))
            .header(accept)
            .header(ContentType::Form)
            .body(fields)
            .dispatch()
            .await;
        assert!(response.status().class().is_success() || response.status() == Status::SeeOther);
        let cookie = response.cookies().get("session_id").expect("a cookie");
        cookie.clone().into_owned()
    }

    /// `method path` with `cookie`, as a JSON client.
    async fn with_cookie(
        &self,
        method: Method,
        path: &str,
        cookie: &Cookie<'static>,
    ) -> LocalResponse<'_> {
        self.client
            .req(method, path.to_owned())
            .cookie(cookie.clone())
            .dispatch()
            .await
    }

    /// The page at `path` for the browser of `cookie`.
    async fn page_for(&self, path: &str, cookie: &Cookie<'static>) -> LocalResponse<'_> {
        self.client
            .get(path.to_owned())
            .header(Header::new("Accept", BROWSER))
            .cookie(cookie.clone())
            .dispatch()
            .await
    }

    /// Submits the form `fields` to `action` from the browser of `cookie`.
    async fn submit_for(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        cookie: &Cookie<'static>,
    ) -> LocalResponse<'_> {
        let (content_type, body) = Encoding::Form.encode(fields);
        self.client
            .post(action.to_owned())
            .header(Header::new("Accept", BROWSER))
            .header(content_type)
            .cookie(cookie.clone())
            .body(body)
            .dispatch()
            .await
    }

    /// The sessions `GET /sessions` lists with `cookie`.
    async fn listed(&self, cookie: &Cookie<'static>) -> Vec<Value> {
        let response = self.with_cookie(Method::Get, "/sessions", cookie).await;
        assert_eq!(response.status(), Status::Ok);
        serde_json::from_str(&body(response).await).unwrap()
    }
}

#[rocket::async_test]
async fn get_sessions_lists_every_device_newest_first_with_a_public_handle() {
    let app = devices(|figment| figment).await;
    let laptop = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let phone = app
        .device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;

    let listed = app.listed(&laptop).await;
    assert_eq!(listed.len(), 2);
    let keys: Vec<&str> = listed[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "created_at",
            "current",
            "device",
            "expires_at",
            "id",
            "ip",
            "last_seen_at"
        ]
    );
    let devices: Vec<(&str, &str, bool)> = listed
        .iter()
        .map(|session| {
            (
                session["device"].as_str().unwrap(),
                session["ip"].as_str().unwrap(),
                session["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        devices,
        [
            ("Chrome on Android", "198.51.100.4", false),
            ("Firefox on Linux", "192.0.2.7", true),
        ]
    );
    let created = listed[1]["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    for session in &listed {
        let id = session["id"].as_str().unwrap();
        assert!(!laptop.value().contains(id) && !phone.value().contains(id));
    }
    let response = app.client.get("/sessions").dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(body(response).await, "{\"message\":\"not logged in\"}\n");
}

#[rocket::async_test]
async fn one_session_ends_from_another_and_a_strangers_id_ends_nothing() {
    let app = devices(|figment| figment).await;
    app.register("eve@example.com", PASSWORD).await;
    let laptop = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let phone = app
        .device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;
    let eve = app
        .device_login("eve@example.com", FIREFOX, "203.0.113.9")
        .await;
    let phone_id = app.listed(&phone).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Eve sees only her own session, and cannot end Ada's.
    assert_eq!(app.listed(&eve).await.len(), 1);
    for (cookie, id) in [(&eve, phone_id.as_str()), (&laptop, "0123456789abcdef")] {
        let path = format!("/sessions/{id}");
        let response = app.with_cookie(Method::Delete, &path, cookie).await;
        assert_eq!(response.status(), Status::NotFound);
        assert_eq!(
            body(response).await,
            "{\"message\":\"session not found\"}\n"
        );
    }
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 2);

    let path = format!("/sessions/{phone_id}");
    let response = app.with_cookie(Method::Delete, &path, &laptop).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(body(response).await, "{\"message\":\"session ended\"}\n");
    let response = app.with_cookie(Method::Get, "/profile", &phone).await;
    assert_eq!(response.status(), Status::Forbidden);
    let response = app.with_cookie(Method::Get, "/profile", &laptop).await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn every_other_session_ends_at_once() {
    let app = devices(|figment| figment).await;
    let cookies = [
        app.device_login(EMAIL, FIREFOX, "192.0.2.7").await,
        app.device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
            .await,
        app.device_login(EMAIL, FIREFOX, "192.0.2.8").await,
    ];
    let response = app
        .with_cookie(Method::Delete, "/sessions/others", &cookies[2])
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        body(response).await,
        "{\"count\":2,\"message\":\"other sessions ended\"}\n"
    );
    let mut statuses = Vec::new();
    for cookie in &cookies {
        statuses.push(
            app.with_cookie(Method::Get, "/profile", cookie)
                .await
                .status(),
        );
    }
    assert_eq!(statuses, [Status::Forbidden, Status::Forbidden, Status::Ok]);
}

#[rocket::async_test]
async fn ending_the_current_session_by_its_id_logs_out() {
    let app = devices(|figment| figment).await;
    let cookie = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let id = app.listed(&cookie).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .with_cookie(Method::Delete, &format!("/sessions/{id}"), &cookie)
        .await;
    assert_eq!(response.status(), Status::Ok);
    let removed = response.cookies().get("session_id").expect("a removal");
    assert_eq!(removed.value(), "");
    assert!(app.stored_sessions(EMAIL).await.is_empty());
}

#[rocket::async_test]
async fn past_the_limit_the_least_recently_used_session_ends() {
    let app = devices(|figment| figment.merge(("sessions.max_per_user", 2))).await;
    let first = app.device_login(EMAIL, FIREFOX, "192.0.2.1").await;
    let second = app.device_login(EMAIL, FIREFOX, "192.0.2.2").await;
    // Both last seen ten minutes ago; then the first is used again.
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 600");
    app.with_cookie(Method::Get, "/profile", &first).await;
    let _third = app.device_login(EMAIL, FIREFOX, "192.0.2.3").await;

    let statuses = [
        app.with_cookie(Method::Get, "/profile", &first)
            .await
            .status(),
        app.with_cookie(Method::Get, "/profile", &second)
            .await
            .status(),
    ];
    assert_eq!(statuses, [Status::Ok, Status::Forbidden]);
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 2);
}

#[rocket::async_test]
async fn the_last_use_is_written_at_most_once_a_minute() {
    let app = devices(|figment| figment).await;
    let cookie = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let seen = async || app.stored_sessions(EMAIL).await[0].last_seen_at;
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 30");
    let before = seen().await;
    app.with_cookie(Method::Get, "/profile", &cookie).await;
    assert_eq!(seen().await, before, "not written: seen 30 s ago");
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 60");
    app.with_cookie(Method::Get, "/profile", &cookie).await;
    assert!(seen().await >= before + 30, "written: seen 90 s ago");
}

#[rocket::async_test]
async fn a_session_not_kept_ends_when_idle_and_ended_sessions_are_deleted() {
    let app = devices(|figment| figment.merge(("sessions.idle_ttl", 600))).await;
    let browser = app.browser_login(EMAIL, false).await;
    let kept = app.browser_login(EMAIL, true).await;
    let json = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 601");

    let statuses = [
        app.with_cookie(Method::Get, "/profile", &browser)
            .await
            .status(),
        app.with_cookie(Method::Get, "/profile", &kept)
            .await
            .status(),
        app.with_cookie(Method::Get, "/profile", &json)
            .await
            .status(),
    ];
    assert_eq!(statuses, [Status::Forbidden, Status::Ok, Status::Ok]);

    // The next login deletes what is over.
    app.device_login(EMAIL, FIREFOX, "192.0.2.8").await;
    let stored = app.stored_sessions(EMAIL).await;
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|session| session.persistent));
}

#[rocket::async_test]
async fn logging_out_ends_this_session_only() {
    let app = devices(|figment| figment).await;
    let laptop = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let phone = app
        .device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;
    let logout = app.with_cookie(Method::Delete, "/sessions", &laptop).await;
    assert_eq!(logout.status(), Status::Found);
    assert_eq!(location(&logout), Some("/"));
    let profile = async |cookie| {
        app.with_cookie(Method::Get, "/profile", cookie)
            .await
            .status()
    };
    assert_eq!(profile(&laptop).await, Status::Forbidden);
    assert_eq!(profile(&phone).await, Status::Ok);
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 1);
}

#[rocket::async_test]
async fn the_sessions_that_are_over_are_swept_away_while_nobody_logs_in() {
    let app = devices(|figment| figment.merge(("sessions.idle_ttl", 600))).await;
    app.browser_login(EMAIL, false).await;
    app.browser_login(EMAIL, true).await;
    let live = app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 601");
    // The session kept in the browser reaches its absolute expiry.
    app.execute(
        "UPDATE sessions SET expires_at = 0 \
         WHERE id = (SELECT MIN(id) FROM sessions WHERE persistent)",
    );

    let sweep = async || app.auth().session_sweeper().sweep().await.expect("a sweep");
    assert_eq!(sweep().await, 2, "the idle one and the expired one");
    let stored = app.stored_sessions(EMAIL).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].ip.as_deref(), Some("192.0.2.7"));
    let profile = app.with_cookie(Method::Get, "/profile", &live).await;
    assert_eq!(profile.status(), Status::Ok);
    assert_eq!(sweep().await, 0);
}

#[rocket::async_test]
async fn a_login_from_a_new_device_sends_a_notice() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = devices(|figment| figment.merge(("mail.smtp_url", url))).await;
    sink.wait_for(EMAIL, 1); // the verification link
    app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    app.device_login(EMAIL, FIREFOX, "192.0.2.8").await;
    app.device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;
    let notice = &sink.wait_for(EMAIL, 2)[1];
    assert_eq!(notice.subject(), Some("A new login to your account"));
    let text = notice.decoded();
    assert!(
        text.contains("Chrome on Android, from 198.51.100.4"),
        "{text}"
    );
    rocket::tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), 2, "the first device sends none");
}

#[rocket::async_test]
async fn devices_are_said_in_the_account_s_language_and_the_api_keeps_its_words() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = devices(|figment| figment.merge(("mail.smtp_url", url))).await;
    sink.wait_for(EMAIL, 1); // the verification link
    app.execute("UPDATE users SET language = 'fr'");
    app.device_login(EMAIL, FIREFOX, "192.0.2.7").await;
    let phone = app
        .device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;
    let mail = sink.wait_for(EMAIL, 2)[1].decoded();
    assert!(
        mail.contains("Chrome sous Android, depuis 198.51.100.4"),
        "{mail}"
    );
    assert!(!mail.contains("Chrome on Android"), "{mail}");

    // A session the release before stored for a device it could not tell.
    app.execute("UPDATE sessions SET device = 'Unknown device' WHERE ip = '192.0.2.7'");
    let listed = app.listed(&phone).await;
    let devices: Vec<&str> = listed
        .iter()
        .map(|session| session["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["Chrome on Android", "Unknown device"]);

    /// `request` from the French browser of `cookie`.
    fn french<'c>(request: LocalRequest<'c>, cookie: &Cookie<'static>) -> LocalRequest<'c> {
        request
            .header(Header::new("Accept", BROWSER))
            .header(Header::new("Accept-Language", "fr"))
            .cookie(cookie.clone())
    }
    let html = french(app.client.get("/profile"), &phone).dispatch().await;
    let html = body(html).await;
    assert!(
        html.contains("<strong>Chrome sous Android</strong>"),
        "{html}"
    );
    assert!(html.contains("<strong>Appareil inconnu</strong>"), "{html}");
    assert!(
        html.contains("aria-label=\"Fermer la session sur Appareil inconnu\""),
        "{html}"
    );
    assert!(
        !html.contains("Chrome on") && !html.contains("Unknown"),
        "{html}"
    );

    let other = listed[1]["id"].as_str().unwrap();
    let ended = french(app.client.post(format!("/sessions/{other}")), &phone)
        .header(ContentType::Form)
        .body("_method=DELETE")
        .dispatch()
        .await;
    assert_eq!(location(&ended), Some("/profile"));
    let flash = ended.cookies().get("_flash").expect("a notice").clone();
    let page = app.client.get("/profile").cookie(flash.into_owned());
    let html = french(page, &phone).dispatch().await;
    assert!(
        body(html).await.contains(
            "Session sur Appareil inconnu depuis 192.0.2.7, active à l’instant, terminée."
        ),
        "the notice names the device in French"
    );
}

// ---- Pages ---------------------------------------------------------------

#[rocket::async_test]
async fn the_account_page_lists_where_one_is_logged_in_and_ends_a_session() {
    let app = devices(|figment| figment).await;
    let phone = app
        .device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
        .await;
    let phone_id = app.listed(&phone).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = app.browser_login(EMAIL, false).await;
    let html = body(app.page_for("/profile", &browser).await).await;
    assert!(html.contains("Where you’re logged in"));
    assert!(html.contains("Chrome on Android") && html.contains("198.51.100.4"));
    assert!(html.contains("This device"));
    assert!(html.contains(&format!("action=\"/sessions/{phone_id}\"")));
    assert!(html.contains("End all other sessions"));

    let path = format!("/sessions/{phone_id}");
    let response = app
        .submit_for(&path, &[("_method", "DELETE")], &browser)
        .await;
    assert_eq!(location(&response), Some("/profile"));
    // Which one: its device, where from, when last.
    let ended = notice(&response).expect("a notice");
    assert_eq!(
        ended,
        "Session on Chrome on Android from 198.51.100.4, active just now, ended."
    );
    let response = app.with_cookie(Method::Get, "/profile", &phone).await;
    assert_eq!(response.status(), Status::Forbidden);
    let html = body(app.page_for("/profile", &browser).await).await;
    assert!(!html.contains("Chrome on Android"));

    // This device's own row ends this session: a logout.
    let listed = app.listed(&browser).await;
    let own = listed[0]["id"].as_str().unwrap();
    assert!(html.contains(&format!("action=\"/sessions/{own}\"")));
    assert!(html.contains("aria-label=\"End this session (log out of this device)\""));
    let path = format!("/sessions/{own}");
    let response = app
        .submit_for(&path, &[("_method", "DELETE")], &browser)
        .await;
    assert_eq!(location(&response), Some("/login"));
    let logged_out = notice(&response).expect("a notice");
    assert!(logged_out.contains("You have logged out of this device."));
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 0);
}

#[rocket::async_test]
async fn the_account_page_ends_every_other_session() {
    let app = devices(|figment| figment).await;
    let others = [
        app.device_login(EMAIL, CHROME_ANDROID, "198.51.100.4")
            .await,
        app.device_login(EMAIL, FIREFOX, "192.0.2.7").await,
    ];
    let browser = app.browser_login(EMAIL, false).await;
    let response = app
        .submit_for("/sessions/others", &[("_method", "DELETE")], &browser)
        .await;
    assert_eq!(location(&response), Some("/profile"));
    let ended = notice(&response).expect("a notice");
    assert!(ended.contains("2 other sessions ended."), "{ended}");
    for cookie in &others {
        let response = app.with_cookie(Method::Get, "/profile", cookie).await;
        assert_eq!(response.status(), Status::Forbidden);
    }
    assert_eq!(app.stored_sessions(EMAIL).await.len(), 1);
}
