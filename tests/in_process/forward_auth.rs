//! Forward auth, as a reverse proxy asks it (nginx's `auth_request`,
//! Traefik's and Caddy's `forward_auth`), from a trusted proxy's address;
//! the login and code pages that send a person back to the application;
//! the session cookie of the parent domain. (Behind a real nginx:
//! `tests/processes/forward_auth.rs`.)

use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{json, Value};

use crate::app::{body, hidden_value, location, notice, peer, TestApp, BROWSER};
use crate::two_factor::{app_for, code};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "compiler pioneer";
/// The proxy, trusted.
const PROXY: &str = "127.0.0.1";
const APP: &str = "https://app.example.com/reports?year=2026";

/// The service at `https://auth.example.com`, its session cookie for
/// `example.com`, behind a proxy at [`PROXY`], with rules for three hosts;
/// changed by `configure`; `EMAIL` registered, its address proven.
async fn guarded(configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    let rules = json!([
        {"host": "app.example.com", "policy": "signed_in"},
        {"host": "*.admin.example.com", "policy": "two_factor"},
        {"host": "ops.example.com", "policy": "signed_in", "groups": ["ops", "sre"]},
    ]);
    let app = TestApp::untracked(|figment| {
        configure(
            figment
                .merge(("public_url", "https://auth.example.com"))
                .merge(("sessions.cookie_domain", "example.com"))
                .merge(("proxy.trusted", [PROXY]))
                .merge(("forward_auth.rules", rules)),
        )
    })
    .await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app
}

impl TestApp {
    /// Logs `EMAIL` in as a JSON client; the session cookie.
    async fn session(&self) -> Cookie<'static> {
        let response = self.try_login(EMAIL, PASSWORD).await;
        assert_eq!(response.status(), Status::Ok);
        let cookie = response.cookies().get("session_id").expect("a session");
        cookie.clone().into_owned()
    }

    /// nginx asking, from `from`, whether `cookie` opens `url`.
    async fn auth_request(
        &self,
        url: &str,
        cookie: Option<&Cookie<'static>>,
        from: &str,
    ) -> LocalResponse<'_> {
        let mut request = self
            .client
            .get("/api/authz/auth-request")
            .remote(peer(from))
            .header(Header::new("X-Original-URL", url.to_owned()))
            .header(Header::new("X-Original-Method", "GET"));
        if let Some(cookie) = cookie {
            request = request.cookie(cookie.clone());
        }
        request.dispatch().await
    }

    /// Traefik asking whether `cookie` opens `method https://host uri`.
    async fn forward_auth(
        &self,
        method: &str,
        host: &str,
        uri: &str,
        cookie: Option<&Cookie<'static>>,
    ) -> LocalResponse<'_> {
        let mut request = self
            .client
            .get("/api/authz/forward-auth")
            .remote(peer(PROXY))
            .header(Header::new("X-Forwarded-Method", method.to_owned()))
            .header(Header::new("X-Forwarded-Proto", "https"))
            .header(Header::new("X-Forwarded-Host", host.to_owned()))
            .header(Header::new("X-Forwarded-Uri", uri.to_owned()));
        if let Some(cookie) = cookie {
            request = request.cookie(cookie.clone());
        }
        request.dispatch().await
    }

    /// `method path` as a browser with `cookie`, sending `form` if any.
    async fn browse(
        &self,
        method: Method,
        path: &str,
        cookie: &Cookie<'static>,
        form: Option<String>,
    ) -> LocalResponse<'_> {
        let mut request = self
            .client
            .req(method, path.to_owned())
            .cookie(cookie.clone())
            .header(Header::new("Accept", BROWSER));
        if let Some(form) = form {
            request = request.header(ContentType::Form).body(form);
        }
        request.dispatch().await
    }
}

/// The `Remote-*` headers of `response`, in order.
fn remote_headers(response: &LocalResponse<'_>) -> Vec<String> {
    [
        "Remote-User",
        "Remote-Email",
        "Remote-Name",
        "Remote-Groups",
    ]
    .iter()
    .map(|name| {
        let value = response.headers().get_one(name);
        value.unwrap_or("<missing>").to_owned()
    })
    .collect()
}

fn encoded(url: &str) -> String {
    rocket::http::RawStr::new(url).percent_encode().to_string()
}

#[rocket::async_test]
async fn nginx_learns_who_may_open_an_application() {
    let app = guarded(|figment| figment).await;
    let response = app.auth_request(APP, None, PROXY).await;
    assert_eq!(response.status(), Status::Unauthorized);
    let login = format!("https://auth.example.com/login?rd={}", encoded(APP));
    assert_eq!(location(&response), Some(login.as_str()));

    let cookie = app.session().await;
    let response = app.auth_request(APP, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(remote_headers(&response), [EMAIL, EMAIL, EMAIL, ""]);

    // Logged out, the cookie opens nothing.
    let logout = app.client.delete("/sessions").cookie(cookie.clone());
    assert_eq!(logout.dispatch().await.status(), Status::Found);
    let response = app.auth_request(APP, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn traefik_and_caddy_get_a_redirect_to_the_login_page() {
    let app = guarded(|figment| figment).await;
    let response = app
        .forward_auth("GET", "app.example.com", "/reports?year=2026", None)
        .await;
    assert_eq!(response.status(), Status::Found);
    let login = format!("https://auth.example.com/login?rd={}", encoded(APP));
    assert_eq!(location(&response), Some(login.as_str()));
    let posted = app
        .forward_auth("POST", "app.example.com", "/reports?year=2026", None)
        .await;
    assert_eq!(posted.status(), Status::SeeOther, "the login is a GET");

    let cookie = app.session().await;
    let response = app
        .forward_auth("GET", "app.example.com", "/", Some(&cookie))
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(remote_headers(&response), [EMAIL, EMAIL, EMAIL, ""]);
}

#[rocket::async_test]
async fn a_host_no_rule_names_is_closed_and_groups_are_asked_for() {
    let app = guarded(|figment| figment).await;
    let cookie = app.session().await;
    for url in [
        "https://other.example.com/",
        "https://example.com/",
        "https://admin.example.com/",
    ] {
        let response = app.auth_request(url, Some(&cookie), PROXY).await;
        assert_eq!(response.status(), Status::Forbidden, "{url}");
        let json: Value = serde_json::from_str(&body(response).await).unwrap();
        assert_eq!(json, json!({"message": "access denied"}));
    }
    // Nobody, logged in or not, is sent to log in for a closed host.
    let anonymous = app.auth_request("https://other.example.com/", None, PROXY);
    assert_eq!(anonymous.await.status(), Status::Forbidden);

    let ops = "https://ops.example.com/";
    let response = app.auth_request(ops, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Forbidden, "in no group");
    let email = auth_service::auth::Email::parse(EMAIL).unwrap();
    for group in ["sre", "dba"] {
        let group = auth_service::user::Group::parse(group).unwrap();
        assert!(app.auth().add_to_group(&email, &group).await.unwrap());
    }
    let response = app.auth_request(ops, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(remote_headers(&response)[3], "dba,sre");

    // A browser sees why, in words.
    let page = app
        .client
        .get("/api/authz/forward-auth")
        .remote(peer(PROXY))
        .cookie(cookie.clone())
        .header(Header::new("Accept", BROWSER))
        .header(Header::new("X-Forwarded-Proto", "https"))
        .header(Header::new("X-Forwarded-Host", "other.example.com"))
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::Forbidden);
    let html = body(page).await;
    assert!(
        html.contains("Your account may not open this application"),
        "{html}"
    );
}

#[rocket::async_test]
async fn only_a_trusted_proxy_is_believed() {
    let app = guarded(|figment| figment).await;
    let cookie = app.session().await;
    let response = app.auth_request(APP, Some(&cookie), "203.0.113.9").await;
    assert_eq!(response.status(), Status::BadRequest);
    let json: Value = serde_json::from_str(&body(response).await).unwrap();
    assert_eq!(
        json["message"],
        "no forwarded request: ask through a trusted proxy (proxy.trusted)"
    );
    // From the proxy, but without the request it asks about.
    for url in ["", "/reports", "ftp://app.example.com/", "https://"] {
        let response = app.auth_request(url, Some(&cookie), PROXY).await;
        assert_eq!(response.status(), Status::BadRequest, "{url:?}");
    }
    let response = app
        .forward_auth("GET", "app.example.com@evil.example", "/", Some(&cookie))
        .await;
    assert_eq!(response.status(), Status::BadRequest);
}

#[rocket::async_test]
async fn a_host_that_asks_for_a_second_factor_sends_a_password_session_to_the_code_step() {
    let app = guarded(|figment| figment).await;
    let admin = "https://db.admin.example.com/tables";
    let earlier = app.session().await;
    let cookie = app.session().await;
    let response = app.auth_request(admin, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Unauthorized);
    let step = format!("https://auth.example.com/login/code?rd={}", encoded(admin));
    assert_eq!(location(&response), Some(step.as_str()));

    // Without two-factor sign-in, the code page sends to the account page,
    // which says what to do.
    let code_page = format!("/login/code?rd={}", encoded(admin));
    let response = app.browse(Method::Get, &code_page, &cookie, None).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
    assert_eq!(
        notice(&response).as_deref(),
        Some(
            "The application you were opening asks for two-factor sign-in. Set it up below, \
             then open the application again."
        )
    );

    // Turning it on proves the code in this session, not in the earlier one.
    let start = app.client.post("/profile/totp").cookie(cookie.clone());
    let json: Value = serde_json::from_str(&body(start.dispatch().await).await).unwrap();
    let totp = app_for(json["secret"].as_str().unwrap());
    let confirm = app
        .client
        .put("/profile/totp")
        .cookie(cookie.clone())
        .header(ContentType::Form)
        .body(format!("code={}", code(&totp, 0).await));
    assert_eq!(confirm.dispatch().await.status(), Status::Ok);
    app.execute("UPDATE users SET totp_last_step = NULL");
    let response = app.auth_request(admin, Some(&cookie), PROXY).await;
    assert_eq!(response.status(), Status::Ok);
    let response = app.auth_request(admin, Some(&earlier), PROXY).await;
    assert_eq!(response.status(), Status::Unauthorized);

    // The earlier session gives its code on the code page, and goes back.
    let response = app.browse(Method::Get, &code_page, &earlier, None).await;
    assert_eq!(response.status(), Status::Ok);
    let html = body(response).await;
    assert!(
        html.contains("An application you are opening asks"),
        "{html}"
    );
    assert_eq!(hidden_value(&html, "next"), admin);
    assert!(!html.contains("Start again"), "{html}");
    assert!(
        html.contains(">Continue</button>"),
        "already logged in: {html}"
    );
    let form = |code: &str| Some(format!("code={code}&next={}", encoded(admin)));
    let wrong = app
        .browse(Method::Post, "/login/code", &earlier, form("000000"))
        .await;
    assert_eq!(wrong.status(), Status::SeeOther);
    assert_eq!(location(&wrong), Some("/login/code"), "back, with why");
    let still = app.auth_request(admin, Some(&earlier), PROXY).await;
    assert_eq!(still.status(), Status::Unauthorized);
    let right = app
        .browse(
            Method::Post,
            "/login/code",
            &earlier,
            form(&code(&totp, 0).await),
        )
        .await;
    assert_eq!(right.status(), Status::SeeOther);
    assert_eq!(location(&right), Some(admin));
    let response = app.auth_request(admin, Some(&earlier), PROXY).await;
    assert_eq!(response.status(), Status::Ok);
    // Signed in with the code, a new session opens it at once.
    app.execute("UPDATE users SET totp_last_step = NULL");
    let login = app
        .client
        .post("/sessions")
        .header(ContentType::Form)
        .body(format!(
            "email={EMAIL}&password=compiler+pioneer&otp={}",
            code(&totp, 0).await
        ))
        .dispatch()
        .await;
    let fresh = login
        .cookies()
        .get("session_id")
        .expect("a session")
        .clone();
    let response = app.auth_request(admin, Some(&fresh), PROXY).await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn the_login_page_goes_back_to_applications_of_the_domain_only() {
    let app = guarded(|figment| figment).await;
    let page = |rd: &str| {
        let uri = format!("/login?rd={}", encoded(rd));
        app.client
            .get(uri)
            .header(Header::new("Accept", BROWSER))
            .dispatch()
    };
    let html = body(page(APP).await).await;
    assert_eq!(hidden_value(&html, "next"), APP);
    for foreign in [
        "https://evil.example/",
        "https://example.com.evil.example/",
        "https://badexample.com/",
        "http://app.example.com/",
        "https://user@app.example.com/",
        "javascript:alert(1)",
    ] {
        let html = body(page(foreign).await).await;
        assert!(!html.contains("name=\"next\""), "{foreign}: {html}");
    }

    let log_in = |next: &str| {
        let form = format!(
            "email={EMAIL}&password=compiler+pioneer&next={}",
            encoded(next)
        );
        app.client
            .post("/sessions")
            .header(Header::new("Accept", BROWSER))
            .header(ContentType::Form)
            .body(form)
            .dispatch()
    };
    let response = log_in(APP).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some(APP));
    let cookie = response.cookies().get("session_id").unwrap().clone();
    let response = log_in("https://evil.example/").await;
    assert_eq!(location(&response), Some("/profile"));

    // Logged in already, the login page goes straight back.
    let uri = format!("/login?rd={}", encoded(APP));
    let response = app.browse(Method::Get, &uri, &cookie, None).await;
    assert_eq!(location(&response), Some(APP));
}

#[rocket::async_test]
async fn http_applications_only_where_allowed() {
    let app = guarded(|figment| figment.merge(("forward_auth.allow_http", true))).await;
    let url = "http://app.example.com/";
    let response = app.auth_request(url, None, PROXY).await;
    let login = format!("https://auth.example.com/login?rd={}", encoded(url));
    assert_eq!(location(&response), Some(login.as_str()));
    let strict = guarded(|figment| figment).await;
    let response = strict.auth_request(url, None, PROXY).await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        location(&response),
        Some("https://auth.example.com/login"),
        "no way back to an http address"
    );
}

#[rocket::async_test]
async fn the_session_cookie_reaches_the_applications_of_its_domain() {
    let app = guarded(|figment| figment).await;
    let response = app.try_login(EMAIL, PASSWORD).await;
    let cookie = response.cookies().get("session_id").unwrap();
    assert_eq!(cookie.domain(), Some("example.com"));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(rocket::http::SameSite::Lax));
    let device = response
        .cookies()
        .iter()
        .find(|cookie| cookie.name().starts_with("device_"))
        .expect("a device cookie");
    assert_eq!(device.domain(), None, "the device cookie stays here");
    assert_eq!(device.secure(), Some(true));
    // Browsers follow the login form's redirect to the applications.
    let policy = response
        .headers()
        .get_one("Content-Security-Policy")
        .unwrap();
    assert!(
        policy.contains("form-action 'self' https://example.com https://*.example.com"),
        "{policy}"
    );

    let cookie = cookie.clone().into_owned();
    let logout = app
        .client
        .delete("/sessions")
        .cookie(cookie)
        .dispatch()
        .await;
    let removal = logout.cookies().get("session_id").expect("a removal");
    assert_eq!(removal.domain(), Some("example.com"));
    assert_eq!(removal.value(), "");
}

#[rocket::async_test]
async fn without_rules_nothing_opens_and_the_login_stays_here() {
    let app = TestApp::untracked(|figment| figment.merge(("proxy.trusted", [PROXY]))).await;
    let response = app.auth_request(APP, None, PROXY).await;
    assert_eq!(response.status(), Status::Forbidden);
    let policy = response
        .headers()
        .get_one("Content-Security-Policy")
        .unwrap();
    assert!(policy.ends_with("form-action 'self'"), "{policy}");
    let html = app
        .client
        .get("/login?rd=http%3A%2F%2Flocalhost%3A8000%2F")
        .header(Header::new("Accept", BROWSER))
        .dispatch()
        .await;
    assert!(!body(html).await.contains("name=\"next\""));
}
