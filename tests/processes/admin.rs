//! The admin command line: the real binary with a subcommand, over the
//! database of a running server (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Output, Stdio};

use reqwest::StatusCode;

use crate::server::{client, free_port, post, serve_command, Server};
use crate::support::Store;

const EMAIL: &str = "operator.made@example.com";
const PASSWORD: &str = "typed at the console";
const NEW_PASSWORD: &str = "set by the operator";

/// What a command printed, and how it exited.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `arguments` over `store` (through `.ci/serve`, with
/// the server's configuration), `input` on its standard input and no
/// terminal.
fn admin(store: &Store, arguments: &[&str], input: &str) -> Ran {
    admin_with(store, arguments, input, &[])
}

/// `admin`, with more environment `variables`.
fn admin_with(store: &Store, arguments: &[&str], input: &str, variables: &[(&str, &str)]) -> Ran {
    let mut command = serve_command(store, free_port(), variables);
    command
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A session of its own: no terminal to ask a password on, even when the
    // tests run in one.
    // SAFETY: `setsid` is async-signal-safe; nothing else runs in between.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command.spawn().expect("the command runs");
    let mut stdin = child.stdin.take().expect("its input");
    stdin.write_all(input.as_bytes()).expect("input written");
    drop(stdin);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("the command ends");
    Ran {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `admin`, expecting success; what it printed.
fn admin_ok(store: &Store, arguments: &[&str], input: &str) -> String {
    let ran = admin(store, arguments, input);
    assert_eq!(ran.code, Some(0), "{arguments:?}: {}", ran.stderr);
    ran.stdout
}

/// `admin`, expecting a failure that says `message` on standard error.
fn admin_fails(store: &Store, arguments: &[&str], input: &str, message: &str) {
    let ran = admin(store, arguments, input);
    assert_eq!(ran.code, Some(1), "{arguments:?}: {}", ran.stdout);
    assert_eq!(
        ran.stderr,
        format!("auth-service: {message}\n"),
        "{arguments:?}"
    );
    assert_eq!(ran.stdout, "", "{arguments:?}");
}

fn login_status(server: &Server, email: &str, password: &str) -> StatusCode {
    let fields = [("email", email), ("password", password)];
    post(&client(), server.url("/sessions"), &fields).status()
}

#[test]
fn an_operator_creates_changes_logs_out_and_deletes_an_account() {
    let store = Store::new();
    assert_eq!(
        admin_ok(&store, &["migrate"], ""),
        "The database is up to date.\n"
    );
    let server = Server::start(&store);

    let created = admin_ok(
        &store,
        &["user", "create", EMAIL, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        created.starts_with(&format!("Created the account {EMAIL} (id ")),
        "{created}"
    );
    assert_eq!(login_status(&server, EMAIL, PASSWORD), StatusCode::OK);
    let listed = admin_ok(&store, &["user", "list"], "");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].contains("EMAIL") && lines[0].contains("VERIFIED"));
    assert!(
        lines[1].contains(EMAIL) && lines[1].contains(" no "),
        "{listed}"
    );
    // `--limit` keeps the first accounts, oldest first.
    let later = "operator.later@example.com";
    let input = format!("{PASSWORD}\n");
    admin_ok(
        &store,
        &["user", "create", later, "--password-stdin"],
        &input,
    );
    let first = admin_ok(&store, &["user", "list", "--limit", "1"], "");
    assert_eq!(first.lines().count(), 2, "{first}");
    assert!(first.contains(EMAIL) && !first.contains(later), "{first}");
    assert_eq!(admin_ok(&store, &["user", "list"], "").lines().count(), 3);
    admin_ok(&store, &["user", "delete", later], "");

    // A logged-in browser, then its sessions ended by the operator.
    let browser = client();
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(
        post(&browser, server.url("/sessions"), &fields).status(),
        StatusCode::OK
    );
    let profile = || browser.get(server.url("/profile")).send().unwrap().status();
    assert_eq!(profile(), StatusCode::OK);
    assert_eq!(
        admin_ok(&store, &["sessions", "end", EMAIL], ""),
        format!("Ended 2 session(s) of {EMAIL}.\n")
    );
    assert_eq!(profile(), StatusCode::FORBIDDEN);

    // A CRLF line ending is not part of the password.
    assert_eq!(
        admin_ok(
            &store,
            &["user", "set-password", EMAIL, "--password-stdin"],
            &format!("{NEW_PASSWORD}\r\n"),
        ),
        format!("Set the password of {EMAIL}; its sessions have ended.\n")
    );
    assert_eq!(
        login_status(&server, EMAIL, PASSWORD),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_status(&server, EMAIL, NEW_PASSWORD), StatusCode::OK);

    assert_eq!(
        admin_ok(&store, &["user", "delete", EMAIL], ""),
        format!("Deleted the account {EMAIL}.\n")
    );
    assert_eq!(
        login_status(&server, EMAIL, NEW_PASSWORD),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(admin_ok(&store, &["user", "list"], "").lines().count(), 1);
}

#[test]
fn bad_input_is_a_clear_error_and_a_failing_exit() {
    let store = Store::new();
    let stdin = ["--password-stdin"];
    let create = |email: &'static str| [&["user", "create", email][..], &stdin[..]].concat();
    admin_ok(&store, &create(EMAIL), &format!("{PASSWORD}\n"));

    admin_fails(
        &store,
        &create(EMAIL),
        &format!("{PASSWORD}\n"),
        &format!("an account for {EMAIL} already exists"),
    );
    admin_fails(
        &store,
        &create("weak@example.com"),
        "password\n",
        "password is too common; choose another",
    );
    admin_fails(
        &store,
        &create("empty@example.com"),
        "",
        "password must not be empty",
    );
    admin_fails(
        &store,
        &create("not an address"),
        "",
        "email is not a valid email address",
    );
    admin_fails(
        &store,
        &["user", "create", "typed@example.com"],
        "",
        "cannot read a password from the terminal; pipe it in with --password-stdin",
    );
    for command in [
        &["user", "delete", "nobody@example.com"][..],
        &["sessions", "end", "nobody@example.com"],
        &[
            "user",
            "set-password",
            "nobody@example.com",
            "--password-stdin",
        ],
    ] {
        admin_fails(
            &store,
            command,
            &format!("{NEW_PASSWORD}\n"),
            "no account for nobody@example.com",
        );
    }
    let listed = admin_ok(&store, &["user", "list"], "");
    assert_eq!(listed.lines().count(), 2, "nothing else was created");

    let usage = admin(&store, &["user", "list", "--limit", "0"], "");
    assert_eq!(usage.code, Some(2));
    assert!(usage.stderr.contains("--limit"), "{}", usage.stderr);
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let store = Store::new();
    let nowhere = [(
        "ROCKET_DATABASES",
        "{auth={url=\"postgres://nobody@127.0.0.1:1/auth\",timeout=1}}",
    )];
    for command in [&["migrate"][..], &["user", "list"]] {
        let ran = admin_with(&store, command, "", &nowhere);
        assert_eq!(ran.code, Some(1), "{command:?}");
        assert!(
            ran.stderr.starts_with("auth-service: ") && ran.stderr.contains("database"),
            "{command:?}: {}",
            ran.stderr
        );
    }
}

#[test]
fn an_operator_puts_accounts_in_the_groups_that_forward_auth_asks_for() {
    let store = Store::new();
    let rules = "[{host=\"ops.example.com\",policy=\"signed_in\",groups=[\"ops\"]}]";
    let server = Server::start_with(
        &store,
        &[
            ("ROCKET_FORWARD_AUTH__RULES", rules),
            ("ROCKET_PROXY__TRUSTED", "[\"127.0.0.1\"]"),
        ],
    );
    admin_ok(
        &store,
        &["user", "create", EMAIL, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    let browser = client();
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(
        post(&browser, server.url("/sessions"), &fields).status(),
        StatusCode::OK
    );
    let ask = || {
        let response = browser
            .get(server.url("/api/authz/auth-request"))
            .header("X-Original-URL", "https://ops.example.com/")
            .send()
            .unwrap();
        let groups = response.headers().get("remote-groups");
        let groups = groups.map(|groups| groups.to_str().unwrap().to_owned());
        (response.status(), groups)
    };
    assert_eq!(ask(), (StatusCode::FORBIDDEN, None));

    assert_eq!(
        admin_ok(&store, &["groups", "add", EMAIL, "ops"], ""),
        format!("Put {EMAIL} in the group ops.\n")
    );
    admin_ok(&store, &["groups", "add", EMAIL, "billing"], "");
    assert_eq!(
        admin_ok(&store, &["groups", "add", EMAIL, "ops"], ""),
        format!("{EMAIL} is in the group ops already.\n")
    );
    assert_eq!(
        admin_ok(&store, &["groups", "show", EMAIL], ""),
        "billing\nops\n"
    );
    assert_eq!(ask(), (StatusCode::OK, Some("billing,ops".to_owned())));

    assert_eq!(
        admin_ok(&store, &["groups", "remove", EMAIL, "ops"], ""),
        format!("Took {EMAIL} out of the group ops.\n")
    );
    assert_eq!(ask(), (StatusCode::FORBIDDEN, None));
    admin_fails(
        &store,
        &["groups", "add", EMAIL, "ops team"],
        "",
        "\"ops team\" is not a group name (letters, digits, '.', '_' and '-', at most 64 \
         characters)",
    );
    admin_fails(
        &store,
        &["groups", "add", "nobody@example.com", "ops"],
        "",
        "no account for nobody@example.com",
    );
}
