//! The binary over a PostgreSQL that accepts only TLS, with a certificate
//! from a private CA for `localhost` (`.ci/postgres-tls`): it starts when
//! told to verify against that CA, and refuses the server otherwise, saying
//! which setting to check.
//!
//! Needs that server: run with `TEST_TLS_DATABASE_URL` set and
//! `--include-ignored` (`.ci/run` does; see README).

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use reqwest::StatusCode;

use crate::server::{client, free_port, post, serve_command, Server};
use crate::support::Store;

const NEEDS_TLS: &str =
    "needs a PostgreSQL that accepts only TLS: set TEST_TLS_DATABASE_URL (see README)";

/// The URL `.ci/postgres-tls` printed: `localhost`, `sslmode=verify-full`
/// and the private CA as `sslrootcert`.
fn tls_server() -> String {
    std::env::var("TEST_TLS_DATABASE_URL").expect(NEEDS_TLS)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many connections to the database at `url` use TLS, and how many
/// of those are the session cache's.
fn tls_connections(url: &str) -> (i64, i64) {
    let mut connection = PgConnection::establish(url).expect("the TLS server answers");
    let mut count = |condition: &str| {
        let query = format!(
            "SELECT count(*) AS n FROM pg_stat_activity JOIN pg_stat_ssl USING (pid) \
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND ssl {condition}"
        );
        let counted: Count = diesel::sql_query(query)
            .get_result(&mut connection)
            .unwrap();
        counted.n
    };
    let cache = auth_service::db::CHANGE_LISTENER_NAME;
    (
        count(""),
        count(&format!("AND application_name = '{cache}'")),
    )
}

#[test]
#[ignore = "needs a PostgreSQL that accepts only TLS: set TEST_TLS_DATABASE_URL (see README)"]
fn the_server_runs_over_tls_verified_against_a_private_ca() {
    let store = Store::on_server(&tls_server());
    let server = Server::start(&store);
    let registered = post(
        &client(),
        server.url("/users"),
        &[
            ("email", "over.tls@example.com"),
            ("password", "sealed in transit"),
        ],
    );
    assert_eq!(registered.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(5);
    let (all, cache) = loop {
        let (all, cache) = tls_connections(&store.url);
        if cache == 1 || Instant::now() >= deadline {
            break (all, cache);
        }
        thread::sleep(Duration::from_millis(100));
    };
    assert!(all >= 2, "the pool's and the cache's: {all}");
    assert_eq!(cache, 1, "the session cache listens over TLS too");
}

/// Starts the binary over `store` with the database URL `url` and waits
/// for it to give up; what it printed.
fn refused_start(store: &Store, url: &str) -> String {
    let databases = format!("{{auth={{url=\"{url}\"}}}}");
    let mut process = serve_command(store, free_port(), &[("ROCKET_DATABASES", &databases)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while process.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            process.kill().unwrap();
            panic!("the server started over {url}");
        }
        thread::sleep(Duration::from_millis(100));
    }
    let output = process.wait_with_output().unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
#[ignore = "needs a PostgreSQL that accepts only TLS: set TEST_TLS_DATABASE_URL (see README)"]
fn a_certificate_for_another_name_or_from_an_unknown_ca_is_refused() {
    let store = Store::on_server(&tls_server());
    let hint = "check sslmode and sslrootcert in databases.auth.url";

    // The certificate names localhost, not 127.0.0.1.
    let by_address = store.url.replacen("@localhost:", "@127.0.0.1:", 1);
    let printed = refused_start(&store, &by_address);
    assert!(
        printed.contains("does not match host name \"127.0.0.1\""),
        "{printed}"
    );
    assert!(printed.contains(hint), "{printed}");

    // Without its own CA, the URL trusts the system's, which do not know
    // the private one.
    let (address, parameters) = store.url.split_once('?').unwrap();
    let without_ca = format!(
        "{address}?{}",
        parameters.split("&sslrootcert=").next().unwrap()
    );
    let printed = refused_start(&store, &without_ca);
    assert!(printed.contains("certificate verify failed"), "{printed}");
    assert!(printed.contains(hint), "{printed}");

    // And without TLS, the server itself says no.
    let plain = format!("{address}?sslmode=disable");
    let printed = refused_start(&store, &plain);
    assert!(printed.contains("no encryption"), "{printed}");
    assert!(printed.contains(hint), "{printed}");
}
