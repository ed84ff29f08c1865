//! Two server processes on one PostgreSQL database and one secret key, as
//! behind a load balancer: nothing about sessions, tokens or throttling may
//! live in one instance only.
//!
//! Needs PostgreSQL: run with `TEST_DATABASE_URL` set and `--include-ignored`
//! (`.ci/run` does; see README).

use std::thread;

use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use crate::server::{post, Server};
use crate::support::passkey::{Authenticator, ORIGIN};
use crate::support::{execute, Store, SECRET_KEY};

pub(crate) const NEEDS_POSTGRES: &str = "needs PostgreSQL: set TEST_DATABASE_URL (see README)";

/// Two instances over one fresh PostgreSQL database, started at the same
/// time (so they apply the migrations concurrently), sharing `SECRET_KEY`
/// and, as behind one load balancer, one public URL. Every test client
/// comes from 127.0.0.1: the limits per address are lifted.
fn two_instances(store: &Store) -> (Server, Server) {
    two_instances_with(store, &[])
}

/// [`two_instances`], with `ROCKET_*` `variables` set (over the defaults
/// it lifts, for one).
pub(crate) fn two_instances_with(store: &Store, variables: &[(&str, &str)]) -> (Server, Server) {
    assert!(
        auth_service::db::is_postgres(&store.url),
        "{NEEDS_POSTGRES}"
    );
    let defaults = [
        ("ROCKET_SECRET_KEY", SECRET_KEY),
        ("ROCKET_LOGIN_LIMITS__IP_ATTEMPTS_PER_MINUTE", "0"),
        ("ROCKET_LOGIN_LIMITS__REGISTRATIONS_PER_HOUR", "0"),
        ("ROCKET_PUBLIC_URL", ORIGIN),
    ];
    let unset = defaults
        .into_iter()
        .filter(|(name, _)| variables.iter().all(|(set, _)| set != name));
    let shared: Vec<(&str, &str)> = unset.chain(variables.iter().copied()).collect();
    let (mut a, mut b) = (Server::spawn(store, &shared), Server::spawn(store, &shared));
    a.wait_until_ready();
    b.wait_until_ready();
    (a, b)
}

/// Two instances (see `two_instances`) over a fresh database, with `email`
/// registered through the first, its address confirmed (as its mailed link
/// would), and a [`plain_client`].
pub(crate) fn registered_on_two_instances(email: &str) -> (Store, Server, Server, Client) {
    let store = Store::new();
    let (a, b) = two_instances(&store);
    let client = plain_client();
    assert_eq!(
        post(&client, a.url("/users"), &credentials(email)).status(),
        StatusCode::OK
    );
    execute(
        &store.url,
        "UPDATE users SET email_verified_at = 1700000000",
    );
    (store, a, b, client)
}

/// A client that keeps no cookies: each test carries the session by hand, to
/// show which instance sees what.
pub(crate) fn plain_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn credentials(email: &str) -> [(&'static str, &str); 2] {
    [("email", email), ("password", "shared by both instances")]
}

/// Logs in through `server` and returns the `session_id=...` cookie pair.
pub(crate) fn log_in(client: &Client, server: &Server, email: &str) -> String {
    let response = post(client, server.url("/sessions"), &credentials(email));
    assert_eq!(response.status(), StatusCode::OK);
    set_cookie(&response, "session_id=")
}

/// The `name=value` pair of the cookie `response` sets whose name starts
/// with `prefix`.
pub(crate) fn set_cookie(response: &reqwest::blocking::Response, prefix: &str) -> String {
    let pairs = response.headers().get_all(SET_COOKIE).iter();
    let pairs = pairs.map(|header| header.to_str().unwrap().split(';').next().unwrap());
    let mut found = pairs.filter(|pair| pair.starts_with(prefix));
    found.next().expect("the cookie is set").to_owned()
}

pub(crate) fn profile_status(client: &Client, server: &Server, cookie: &str) -> StatusCode {
    let response = client
        .get(server.url("/profile"))
        .header(COOKIE, cookie)
        .send();
    response.unwrap().status()
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn a_session_from_one_instance_works_on_the_other_until_logout_on_either() {
    let email = "roaming@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);

    let cookie = log_in(&client, &a, email);
    assert_eq!(profile_status(&client, &b, &cookie), StatusCode::OK);

    let logout = client
        .delete(b.url("/sessions"))
        .header(COOKIE, &cookie)
        .send()
        .unwrap();
    assert_eq!(logout.status(), StatusCode::FOUND);
    assert_eq!(profile_status(&client, &a, &cookie), StatusCode::FORBIDDEN);
    assert_eq!(profile_status(&client, &b, &cookie), StatusCode::FORBIDDEN);
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn failed_logins_on_both_instances_add_up() {
    let email = "targeted@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);

    lock_out_through_both(&client, [&a, &b], email);
}

/// Five wrong passwords for `email` through `a`, `b`, `a`...; then both
/// refuse even the right one with 429 and `Retry-After`.
fn lock_out_through_both(client: &Client, [a, b]: [&Server; 2], email: &str) {
    let wrong = [("email", email), ("password", "a wrong password")];
    for server in [a, b, a, b, a] {
        let status = post(client, server.url("/sessions"), &wrong).status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for server in [a, b] {
        let response = post(client, server.url("/sessions"), &credentials(email));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
    }
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn both_instances_count_a_device_cookie_alike() {
    let email = "owner@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let login = post(&client, a.url("/sessions"), &credentials(email));
    let device_cookie = set_cookie(&login, "device_");

    // Strangers lock the untrusted path on both instances...
    lock_out_through_both(&client, [&a, &b], email);
    let wrong = [("email", email), ("password", "a wrong password")];
    // ...while the owner's device, trusted by A, logs in through B.
    let login = client
        .post(b.url("/sessions"))
        .header(COOKIE, &device_cookie)
        .form(&credentials(email))
        .send()
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let stolen = set_cookie(&login, "device_");

    // Guesses with that cookie, through either, count against it alone:
    // five in all, then it is spent on both.
    for server in [&b, &a, &b, &a, &b] {
        let status = client
            .post(server.url("/sessions"))
            .header(COOKIE, &stolen)
            .form(&wrong)
            .send()
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for server in [&a, &b] {
        let status = client
            .post(server.url("/sessions"))
            .header(COOKIE, &stolen)
            .form(&credentials(email))
            .send()
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn one_email_registered_through_both_at_once_gives_one_account() {
    let store = Store::new();
    let (a, b) = two_instances(&store);
    for n in 0..10 {
        let email = format!("race{n}@example.com");
        let racers: Vec<_> = [a.url("/users"), b.url("/users")]
            .into_iter()
            .map(|url| {
                let email = email.clone();
                thread::spawn(move || post(&plain_client(), url, &credentials(&email)).status())
            })
            .collect();
        let mut statuses: Vec<u16> = racers
            .into_iter()
            .map(|racer| racer.join().unwrap().as_u16())
            .collect();
        statuses.sort();
        assert_eq!(statuses, [200, 400], "{email}");
    }
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn both_instances_list_the_same_sessions_and_one_ended_on_a_is_over_on_b() {
    let email = "two.devices@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let laptop = log_in(&client, &a, email);
    let phone = log_in(&client, &b, email);

    let list = |server: &Server| -> Vec<serde_json::Value> {
        let response = client
            .get(server.url("/sessions"))
            .header(COOKIE, &laptop)
            .send()
            .unwrap();
        response.json().unwrap()
    };
    let (on_a, on_b) = (list(&a), list(&b));
    assert_eq!(on_a.len(), 2);
    let ids = |listed: &[serde_json::Value]| -> Vec<String> {
        listed
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&on_a), ids(&on_b));

    let phone_id = on_a
        .iter()
        .find(|session| session["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = client
        .delete(a.url(&format!("/sessions/{phone_id}")))
        .header(COOKIE, &laptop)
        .send()
        .unwrap();
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(profile_status(&client, &b, &phone), StatusCode::FORBIDDEN);
    assert_eq!(profile_status(&client, &b, &laptop), StatusCode::OK);
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn a_one_time_code_used_on_a_is_refused_on_b() {
    let email = "two.factors@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let code_at = two_factor_on(&client, [&a, &b], email);
    let with_code = |server: &Server, code: &str| {
        let mut fields = credentials(email).to_vec();
        fields.push(("otp", code));
        post(&client, server.url("/sessions"), &fields).status()
    };
    let fresh = code_at(0);
    assert_eq!(with_code(&a, &fresh), StatusCode::OK);
    assert_eq!(with_code(&b, &fresh), StatusCode::UNAUTHORIZED, "used on A");
}

/// Turns two-factor sign-in on for `email`, started through `a` and
/// confirmed through `b`, at a moment far enough from the next 30 s step
/// that the servers check codes made now in the step they were made in;
/// the code of the TOTP app `steps` steps from now. Confirmed with the
/// previous step's code, so that this step's is fresh.
fn two_factor_on(client: &Client, [a, b]: [&Server; 2], email: &str) -> impl Fn(i64) -> String {
    let cookie = log_in(client, a, email);
    let secret: serde_json::Value = client
        .post(a.url("/profile/totp"))
        .header(COOKIE, &cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let secret = totp_rs::Secret::try_from_base32(secret["secret"].as_str().unwrap()).unwrap();
    let app = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let code_at = move |steps: i64| {
        let now = auth_service::clock::now();
        app.generate((now + 30 * steps) as u64).to_string()
    };
    while auth_service::clock::now() % 30 >= 20 {
        thread::sleep(std::time::Duration::from_millis(500));
    }
    let confirmed = client
        .put(b.url("/profile/totp"))
        .header(COOKIE, &cookie)
        .form(&[("code", code_at(-1))])
        .send()
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    code_at
}

/// A browser's right password for `email` through `server`: the sign-in
/// waits for its code; the `pending_sign_in=...` cookie pair.
fn password_given(client: &Client, server: &Server, email: &str) -> String {
    let response = client
        .post(server.url("/sessions"))
        .header(ACCEPT, "text/html")
        .form(&credentials(email))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login/code");
    set_cookie(&response, "pending_sign_in=")
}

/// The code `code` for the waiting sign-in `pending` through `server`:
/// where the browser goes next, and whether a session began.
fn give_code(client: &Client, server: &Server, pending: &str, code: &str) -> (String, bool) {
    let response = client
        .post(server.url("/login/code"))
        .header(ACCEPT, "text/html")
        .header(COOKIE, pending)
        .form(&[("code", code)])
        .send()
        .unwrap();
    let location = response
        .headers()
        .get(LOCATION)
        .map(|location| location.to_str().unwrap().to_owned());
    let session = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|header| header.to_str().unwrap().starts_with("session_id="));
    (location.unwrap_or_default(), session)
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn a_sign_in_waiting_on_a_finishes_once_on_b() {
    let email = "waiting@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let code_at = two_factor_on(&client, [&a, &b], email);
    let pending = password_given(&client, &a, email);
    assert_eq!(
        give_code(&client, &b, &pending, &code_at(0)),
        ("/profile".to_owned(), true)
    );
    assert_eq!(
        give_code(&client, &a, &pending, &code_at(1)),
        ("/login".to_owned(), false),
        "used once, on either"
    );
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn wrong_codes_through_both_instances_end_the_sign_in_at_the_cap() {
    let email = "guessed@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let code_at = two_factor_on(&client, [&a, &b], email);
    let pending = password_given(&client, &a, email);
    for server in [&a, &b, &a, &b] {
        let (location, session) = give_code(&client, server, &pending, "000000");
        let asked_again = ("/login/code", false);
        assert_eq!(
            (location.as_str(), session),
            asked_again,
            "back to the code page"
        );
    }
    assert_eq!(
        give_code(&client, &b, &pending, "000000"),
        ("/login".to_owned(), false),
        "the fifth wrong code ends it"
    );
    assert_eq!(
        give_code(&client, &a, &pending, &code_at(0)),
        ("/login".to_owned(), false),
        "even the right code comes too late"
    );
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn one_address_registers_as_often_through_both_instances_as_through_one() {
    let store = Store::new();
    let (a, b) = two_instances_with(
        &store,
        &[("ROCKET_LOGIN_LIMITS__REGISTRATIONS_PER_HOUR", "3")],
    );
    let client = plain_client();
    for (n, server) in [&a, &b, &a].into_iter().enumerate() {
        let email = format!("flood{n}@example.com");
        let status = post(&client, server.url("/users"), &credentials(&email)).status();
        assert_eq!(status, StatusCode::OK);
    }
    for server in [&b, &a] {
        let response = post(
            &client,
            server.url("/users"),
            &credentials("more@example.com"),
        );
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
    }
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn one_address_tries_as_many_logins_through_both_instances_as_through_one() {
    let store = Store::new();
    let (a, b) = two_instances_with(
        &store,
        &[("ROCKET_LOGIN_LIMITS__IP_ATTEMPTS_PER_MINUTE", "3")],
    );
    let client = plain_client();
    // Other emails each time: only the address's count adds up.
    let attempt = |server: &Server, n: usize| {
        let email = format!("nobody{n}@example.com");
        post(&client, server.url("/sessions"), &credentials(&email))
    };
    for (n, server) in [&a, &b, &a].into_iter().enumerate() {
        assert_eq!(attempt(server, n).status(), StatusCode::UNAUTHORIZED);
    }
    for (n, server) in [&b, &a].into_iter().enumerate() {
        let response = attempt(server, 10 + n);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
    }
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn a_passkey_ceremony_started_on_one_instance_finishes_on_the_other() {
    let email = "passkeys@example.com";
    let (_store, a, b, client) = registered_on_two_instances(email);
    let cookie = log_in(&client, &a, email);
    let mut authenticator = Authenticator::new(ORIGIN);
    let send = |request: reqwest::blocking::RequestBuilder| {
        let response = request.send().unwrap();
        (
            response.status(),
            response.json::<serde_json::Value>().unwrap(),
        )
    };

    let (status, started) = send(
        client
            .post(a.url("/profile/passkeys/options"))
            .header(COOKIE, &cookie)
            .form(&[("name", "Laptop"), ("password", credentials(email)[1].1)]),
    );
    assert_eq!(status, StatusCode::OK, "{started}");
    let finish = serde_json::json!({
        "ceremony": started["ceremony"],
        "credential": authenticator.create(&started["options"]),
    });
    let added = client
        .post(b.url("/profile/passkeys"))
        .header(COOKIE, &cookie);
    let (status, added) = send(added.json(&finish));
    assert_eq!(status, StatusCode::OK, "{added}");

    let (_, started) = send(client.post(b.url("/sessions/passkey/options")));
    let finish = serde_json::json!({
        "ceremony": started["ceremony"],
        "credential": authenticator.get(&started["options"]),
    });
    let signed_in = client
        .post(a.url("/sessions/passkey"))
        .json(&finish)
        .send()
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::OK);
    let session = set_cookie(&signed_in, "session_id=");
    assert_eq!(profile_status(&client, &b, &session), StatusCode::OK);
    // Finished on A: B takes it no more.
    let (status, replayed) = send(client.post(b.url("/sessions/passkey")).json(&finish));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        replayed["message"],
        "passkey ceremony expired or already used; start again"
    );
}

/// Runs `statement` on the PostgreSQL server of `TEST_DATABASE_URL`.
pub(crate) fn on_server(statement: &str) {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let server = std::env::var("TEST_DATABASE_URL").expect(NEEDS_POSTGRES);
    let mut connection = PgConnection::establish(&server).unwrap();
    diesel::sql_query(statement)
        .execute(&mut connection)
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn ready_follows_the_database_away_and_back_without_a_restart() {
    let store = Store::new();
    let (a, _b) = two_instances(&store);
    let client = plain_client();
    let get = |path: &str| {
        let response = client.get(a.url(path)).send().unwrap();
        (response.status(), response.text().unwrap())
    };
    let ok = (StatusCode::OK, "{\"status\":\"ok\"}\n".to_owned());
    assert_eq!(get("/health/ready"), ok);

    // The database goes away: it refuses connections and drops the
    // instance's.
    let database = store.url.rsplit('/').next().unwrap().to_owned();
    on_server(&format!(
        "ALTER DATABASE {database} ALLOW_CONNECTIONS false"
    ));
    on_server(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
    ));
    let away = (
        StatusCode::SERVICE_UNAVAILABLE,
        "{\"reason\":\"the database does not answer\",\"status\":\"unavailable\"}\n".to_owned(),
    );
    assert_eq!(get("/health/ready"), away);
    assert_eq!(get("/health/alive"), ok, "alive all the same");

    on_server(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while get("/health/ready") != ok {
        assert!(std::time::Instant::now() < deadline, "still not ready");
        thread::sleep(std::time::Duration::from_millis(100));
    }
    let login = post(&client, a.url("/users"), &credentials("back@example.com"));
    assert_eq!(login.status(), StatusCode::OK, "serving again");
}
