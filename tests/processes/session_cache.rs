//! Each instance's session cache on PostgreSQL (`db::session_cache`): a
//! session ended anywhere is refused everywhere within a second, whoever
//! ended it and however, and nothing cached is used while the change
//! channel is down.
//!
//! Needs PostgreSQL: run with `TEST_DATABASE_URL` set and `--include-ignored`.

use std::thread;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::COOKIE;
use reqwest::StatusCode;

use crate::admin::admin_ok;
use crate::multi_instance::{
    credentials, log_in, on_server, plain_client, profile_status, registered_on_two_instances,
    set_cookie, two_instances_with,
};
use crate::server::{post, Server};
use crate::support::{execute, Store};

/// The status `status` gives once it gives `expected`, or after a second
/// (the most a change may take to reach another instance's cache).
fn within_a_second(expected: StatusCode, status: impl Fn() -> StatusCode) -> StatusCode {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let seen = status();
        if seen == expected || Instant::now() >= deadline {
            return seen;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A new session of `email`, logged in through `b` and looked up twice
/// through `a`, so that `a` holds it in its cache.
fn cached_on(client: &Client, [a, b]: [&Server; 2], email: &str) -> String {
    let cookie = log_in(client, b, email);
    for _ in 0..2 {
        assert_eq!(profile_status(client, a, &cookie), StatusCode::OK);
    }
    cookie
}

/// The public id of the session `cookie`, as `GET /sessions` lists it.
fn session_id(client: &Client, server: &Server, cookie: &str) -> String {
    let listed: Vec<serde_json::Value> = client
        .get(server.url("/sessions"))
        .header(COOKIE, cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let current = listed.iter().find(|session| session["current"] == true);
    current.unwrap()["id"].as_str().unwrap().to_owned()
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn every_way_of_ending_a_session_reaches_the_other_instance_at_once() {
    let email = "ended.everywhere@example.com";
    let (store, a, b, client) = registered_on_two_instances(email);
    let [_, password] = credentials(email);
    let password = password.1;
    let refused_on_a = |cookie: &str, how: &str| {
        let status = within_a_second(StatusCode::FORBIDDEN, || {
            profile_status(&client, &a, cookie)
        });
        assert_eq!(status, StatusCode::FORBIDDEN, "{how}");
    };

    let cookie = cached_on(&client, [&a, &b], email);
    let logout = client.delete(b.url("/sessions")).header(COOKIE, &cookie);
    assert_eq!(logout.send().unwrap().status(), StatusCode::FOUND);
    refused_on_a(&cookie, "logged out");

    let (phone, laptop) = (
        cached_on(&client, [&a, &b], email),
        log_in(&client, &b, email),
    );
    let id = session_id(&client, &a, &phone);
    let ended = client
        .delete(b.url(&format!("/sessions/{id}")))
        .header(COOKIE, &laptop);
    assert_eq!(ended.send().unwrap().status(), StatusCode::OK);
    refused_on_a(&phone, "ended from another device");

    let phone = cached_on(&client, [&a, &b], email);
    let others = client
        .delete(b.url("/sessions/others"))
        .header(COOKIE, &laptop);
    assert_eq!(others.send().unwrap().status(), StatusCode::OK);
    refused_on_a(&phone, "all others ended");
    assert_eq!(profile_status(&client, &a, &laptop), StatusCode::OK);

    let phone = cached_on(&client, [&a, &b], email);
    let new_password = "a new password for both";
    let changed = client
        .put(b.url("/profile/password"))
        .header(COOKIE, &laptop)
        .form(&[
            ("current_password", password),
            ("new_password", new_password),
        ]);
    assert_eq!(changed.send().unwrap().status(), StatusCode::OK);
    refused_on_a(&phone, "password changed");
    refused_on_a(
        &laptop,
        "password changed: the session goes on under a new id",
    );

    let with_new = [("email", email), ("password", new_password)];
    let log_in_anew = || {
        let response = post(&client, b.url("/sessions"), &with_new);
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = set_cookie(&response, "session_id=");
        for _ in 0..2 {
            assert_eq!(profile_status(&client, &a, &cookie), StatusCode::OK);
        }
        cookie
    };
    let phone = log_in_anew();
    let asked: serde_json::Value = post(&client, b.url("/reset_password"), &[("email", email)])
        .json()
        .unwrap();
    let token = asked["reset_token"].as_str().unwrap();
    let reset = [
        ("email", email),
        ("reset_token", token),
        ("new_password", new_password),
    ];
    let reset = client.put(b.url("/reset_password")).form(&reset);
    assert_eq!(reset.send().unwrap().status(), StatusCode::OK);
    refused_on_a(&phone, "password reset");

    let phone = log_in_anew();
    execute(&store.url, "UPDATE sessions SET expires_at = 0");
    refused_on_a(&phone, "expired by an operator's SQL");

    let phone = log_in_anew();
    admin_ok(&store, &["sessions", "end", email], "");
    refused_on_a(&phone, "ended by the admin command line");

    let (phone, laptop) = (log_in_anew(), log_in_anew());
    let deleted = client
        .delete(b.url("/profile"))
        .header(COOKIE, &laptop)
        .form(&[("password", new_password)]);
    assert_eq!(deleted.send().unwrap().status(), StatusCode::OK);
    refused_on_a(&phone, "account deleted");
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn the_cache_serves_until_told_and_no_longer_than_its_lifetime() {
    let email = "cached@example.com";
    let store = Store::new();
    let (a, b) = two_instances_with(&store, &[("ROCKET_SESSIONS__CACHE_TTL", "2s")]);
    let client = plain_client();
    assert_eq!(
        post(&client, a.url("/users"), &credentials(email)).status(),
        StatusCode::OK
    );
    let cookie = cached_on(&client, [&a, &b], email);

    // Without the triggers' announcement, A does not hear of the deletion:
    // it answers from its cache, for `cache_ttl` at most.
    execute(
        &store.url,
        "ALTER TABLE sessions DISABLE TRIGGER sessions_announce_changes",
    );
    execute(&store.url, "DELETE FROM sessions");
    let deleted_at = Instant::now();
    assert_eq!(
        profile_status(&client, &a, &cookie),
        StatusCode::OK,
        "cached"
    );
    assert_eq!(
        profile_status(&client, &b, &cookie),
        StatusCode::FORBIDDEN,
        "never cached"
    );
    while profile_status(&client, &a, &cookie) == StatusCode::OK {
        assert!(
            deleted_at.elapsed() < Duration::from_secs(3),
            "cached too long"
        );
        thread::sleep(Duration::from_millis(100));
    }
    assert!(
        deleted_at.elapsed() >= Duration::from_millis(1500),
        "not cached at all"
    );
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn a_dropped_change_channel_empties_and_bypasses_the_cache() {
    let email = "unheard@example.com";
    let (store, a, b, client) = registered_on_two_instances(email);
    let cookie = cached_on(&client, [&a, &b], email);

    // The channel drops, and a change goes unannounced meanwhile.
    on_server(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = '{}'",
        auth_service::db::CHANGE_LISTENER_NAME
    ));
    execute(
        &store.url,
        "ALTER TABLE sessions DISABLE TRIGGER sessions_announce_changes",
    );
    execute(&store.url, "DELETE FROM sessions");
    let status = within_a_second(StatusCode::FORBIDDEN, || {
        profile_status(&client, &a, &cookie)
    });
    assert_eq!(status, StatusCode::FORBIDDEN, "read from the database");
    assert!(
        a.log()
            .contains("the session cache's change channel dropped"),
        "{}",
        a.log()
    );

    // Back again (the channel reconnects after a second), with an empty cache.
    execute(
        &store.url,
        "ALTER TABLE sessions ENABLE TRIGGER sessions_announce_changes",
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !a.log().contains("change channel is back") {
        assert!(Instant::now() < deadline, "{}", a.log());
        thread::sleep(Duration::from_millis(100));
    }
    let cookie = cached_on(&client, [&a, &b], email);
    let logout = client.delete(b.url("/sessions")).header(COOKIE, &cookie);
    assert_eq!(logout.send().unwrap().status(), StatusCode::FOUND);
    let status = within_a_second(StatusCode::FORBIDDEN, || {
        profile_status(&client, &a, &cookie)
    });
    assert_eq!(status, StatusCode::FORBIDDEN, "heard again");
}
