//! The admin command line: the real binary with a subcommand, over the
//! database of a running server (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Output, Stdio};

use reqwest::StatusCode;

use crate::openid::{call_as, printed, Application};
use crate::secrets;
use crate::server::{client, free_port, post, serve_command, Server};
use crate::support::Store;

const EMAIL: &str = "operator.made@example.com";
const PASSWORD: &str = "typed at the console";
const NEW_PASSWORD: &str = "set by the operator";

/// What a command printed, and how it exited.
pub(crate) struct Ran {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs the binary with `arguments` over `store` (through `.ci/serve`, with
/// the server's configuration), `input` on its standard input and no
/// terminal.
pub(crate) fn admin(store: &Store, arguments: &[&str], input: &str) -> Ran {
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
    // What the command changed reaches the server's session cache within a
    // moment; the test's next request may be quicker.
    crate::support::heard(&store.url);
    Ran {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `admin`, expecting success; what it printed.
pub(crate) fn admin_ok(store: &Store, arguments: &[&str], input: &str) -> String {
    let ran = admin(store, arguments, input);
    assert_eq!(ran.code, Some(0), "{arguments:?}: {}", ran.stderr);
    ran.stdout
}

/// `admin`, expecting a failure that says `message` on standard error.
pub(crate) fn admin_fails(store: &Store, arguments: &[&str], input: &str, message: &str) {
    let ran = admin(store, arguments, input);
    assert_eq!(ran.code, Some(1), "{arguments:?}: {}", ran.stdout);
    assert_eq!(
        ran.stderr,
        format!("auth-service: {message}\n"),
        "{arguments:?}"
    );
    assert_eq!(ran.stdout, "", "{arguments:?}");
}

/// A browser that logged in as `EMAIL` through `server`: what `GET
/// /profile` answers it, each time asked (200 at first).
fn logged_in_browser(server: &Server) -> impl Fn() -> StatusCode + '_ {
    let browser = client();
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    assert_eq!(
        post(&browser, server.url("/sessions"), &fields).status(),
        StatusCode::OK
    );
    let profile = move || browser.get(server.url("/profile")).send().unwrap().status();
    assert_eq!(profile(), StatusCode::OK);
    profile
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
    let profile = logged_in_browser(&server);
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
fn a_disabled_account_logs_in_nowhere_until_it_is_enabled() {
    let store = Store::new();
    let server = Server::start(&store);
    let input = format!("{PASSWORD}\n");
    admin_ok(
        &store,
        &["user", "create", EMAIL, "--password-stdin"],
        &input,
    );
    let profile = logged_in_browser(&server);

    assert_eq!(
        admin_ok(&store, &["user", "disable", EMAIL], ""),
        format!("Disabled the account {EMAIL}; its sessions have ended.\n")
    );
    assert_eq!(profile(), StatusCode::FORBIDDEN, "its session ended");
    assert_eq!(
        login_status(&server, EMAIL, PASSWORD),
        StatusCode::UNAUTHORIZED
    );
    let listed = admin_ok(&store, &["user", "list"], "");
    let lines: Vec<&str> = listed.lines().collect();
    assert!(lines[0].contains("DISABLED"), "{listed}");
    assert!(lines[1].contains(" yes "), "{listed}");
    assert_eq!(
        admin_ok(&store, &["user", "disable", EMAIL], ""),
        format!("The account {EMAIL} was disabled already.\n")
    );

    assert_eq!(
        admin_ok(&store, &["user", "enable", EMAIL], ""),
        format!("Enabled the account {EMAIL}.\n")
    );
    assert_eq!(login_status(&server, EMAIL, PASSWORD), StatusCode::OK);
    admin_fails(
        &store,
        &["user", "disable", "nobody@example.com"],
        "",
        "no account for nobody@example.com",
    );
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

/// The kid that `keys rotate` printed ("New ES256 key KID: ...").
fn new_key(printed: &str) -> String {
    let kid = printed.strip_prefix("New ES256 key ").expect("a new key");
    kid.split(':').next().expect("its kid").to_owned()
}

#[test]
fn an_operator_registers_applications_changes_a_secret_and_rotates_keys() {
    let store = Store::new();
    let server = Server::start(&store);
    let redirect = "http://127.0.0.1:8734/callback";
    let added = admin_ok(
        &store,
        &[
            "client",
            "add",
            "Photo Album",
            "--redirect-uri",
            redirect,
            "--post-logout-redirect-uri",
            "http://127.0.0.1:8734/goodbye",
        ],
        "",
    );
    let photos = Application {
        id: printed(&added, "client_id"),
        secret: printed(&added, "client_secret"),
    };
    secrets::remember(&photos.secret);
    assert_eq!(printed(&added, "type"), "confidential");
    let notes = admin_ok(
        &store,
        &[
            "client",
            "add",
            "Notes",
            "--public",
            "--redirect-uri",
            "http://localhost:8080/cb",
        ],
        "",
    );
    assert_eq!(printed(&notes, "type"), "public");
    assert!(!notes.contains("client_secret"), "{notes}");
    let notes_id = printed(&notes, "client_id");

    // (Both added within a second: `client list` may show either first.)
    let listed = admin_ok(&store, &["client", "list"], "");
    let mut lines: Vec<&str> = listed.lines().collect();
    lines.sort_unstable_by_key(|line| line.split('\t').nth(2));
    let (photos_line, notes_line) = (
        format!("{}\tconfidential\tPhoto Album", photos.id),
        format!("{notes_id}\tpublic\tNotes"),
    );
    assert_eq!(lines, [notes_line.as_str(), photos_line.as_str()]);
    let shown = admin_ok(&store, &["client", "show", &photos.id], "");
    assert_eq!(printed(&shown, "redirect_uri"), redirect);
    assert_eq!(
        printed(&shown, "post_logout_redirect_uri"),
        "http://127.0.0.1:8734/goodbye"
    );
    assert!(!shown.contains(&photos.secret), "shown once: {shown}");

    // A new secret: the old one stops at once, at every endpoint.
    let rotated = admin_ok(&store, &["client", "rotate-secret", &photos.id], "");
    let renewed = Application {
        id: photos.id.clone(),
        secret: printed(&rotated, "client_secret"),
    };
    secrets::remember(&renewed.secret);
    assert_ne!(renewed.secret, photos.secret);
    let token = [
        ("grant_type", "authorization_code"),
        ("code", "no-such-code"),
    ];
    let introspect = [("token", "no-such-token")];
    for (path, fields) in [("/token", &token[..]), ("/introspect", &introspect[..])] {
        let (status, refused) = call_as(&server, &photos, path, fields);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {refused}");
        assert_eq!(refused["error"], "invalid_client", "{path}");
    }
    // The new one authenticates: the code, not the client, is refused.
    let (status, refused) = call_as(&server, &renewed, "/token", &token);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["error"], "invalid_grant");
    let (status, inactive) = call_as(&server, &renewed, "/introspect", &introspect);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(inactive, serde_json::json!({"active": false}));
    admin_fails(
        &store,
        &["client", "rotate-secret", &notes_id],
        "",
        &format!("no confidential application {notes_id}"),
    );

    assert_eq!(
        admin_ok(&store, &["client", "remove", &photos.id], ""),
        format!("Removed the application {}.\n", photos.id)
    );
    let (status, _) = call_as(&server, &renewed, "/introspect", &introspect);
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an unknown client");
    admin_fails(
        &store,
        &["client", "show", &photos.id],
        "",
        &format!("no application {}", photos.id),
    );
    assert_eq!(
        admin_ok(&store, &["client", "list"], ""),
        format!("{notes_line}\n")
    );
    admin_fails(
        &store,
        &[
            "client",
            "add",
            "Plain",
            "--redirect-uri",
            "http://example.com/cb",
        ],
        "",
        "\"http://example.com/cb\" must be https (or http on localhost)",
    );

    // Keys: the first ES256 key signs at once; the next one is published
    // ahead (provider.key_publish_ahead, an hour), the first signing until
    // then; both are in the JWKS, made and sealed by the command, opened
    // by the server.
    let first = new_key(&admin_ok(
        &store,
        &["keys", "rotate", "--algorithm", "ES256"],
        "",
    ));
    let listed = admin_ok(&store, &["keys", "list"], "");
    assert_eq!(listed.trim_end(), format!("{first}\tES256\tcurrent"));
    let second = new_key(&admin_ok(
        &store,
        &["keys", "rotate", "--algorithm", "ES256"],
        "",
    ));
    let listed = admin_ok(&store, &["keys", "list"], "");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    let next = format!("{second}\tES256\tnext, signs from ");
    assert!(lines[0].starts_with(&next), "newest first: {listed}");
    let current = format!("{first}\tES256\tcurrent until ");
    assert!(lines[1].starts_with(&current), "{listed}");
    let jwks: serde_json::Value = client()
        .get(server.url("/jwks.json"))
        .send()
        .and_then(|response| response.json())
        .expect("the JWKS");
    let mut published: Vec<(&str, &str)> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| (key["kid"].as_str().unwrap(), key["alg"].as_str().unwrap()))
        .filter(|(_, alg)| *alg == "ES256")
        .collect();
    published.sort_unstable();
    let mut expected = vec![(first.as_str(), "ES256"), (second.as_str(), "ES256")];
    expected.sort_unstable();
    assert_eq!(published, expected);
}
