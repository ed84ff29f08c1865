//! Mail from the real server over real SMTP (a server on loopback): the
//! flows end to end, a kill -9 between the answer and the sending, and
//! several instances sending each mail once.

use std::collections::HashMap;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::secrets::{mailed_link, mailed_token};
use crate::server::{client, post, put, Server};
use crate::support::smtp::SmtpSink;
use crate::support::{Store, SECRET_KEY};

const PASSWORD: &str = "a passphrase for mail";

/// The server's variables to send mail to `sink`, resets by mail.
fn mailing(sink: &SmtpSink) -> Vec<(&'static str, String)> {
    vec![
        ("ROCKET_MAIL__SMTP_URL", sink.url()),
        ("ROCKET_MAIL__RESET_DELIVERY", "email".to_owned()),
    ]
}

fn start(store: &Store, variables: &[(&'static str, String)]) -> Server {
    let variables: Vec<(&str, &str)> = variables
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    Server::start_with(store, &variables)
}

#[test]
fn verification_reset_and_notice_go_out_over_smtp() {
    let store = Store::new();
    let sink = SmtpSink::start();
    let mut variables = mailing(&sink);
    variables.push((
        "ROCKET_MAIL__FROM",
        "Example Accounts <accounts@example.com>".to_owned(),
    ));
    let mut server = start(&store, &variables);
    let client = client();
    let email = "mailed@example.com";
    let credentials = [("email", email), ("password", PASSWORD)];
    assert_eq!(
        post(&client, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );

    let verify = &sink.wait_for(email, 1)[0];
    assert_eq!(verify.from, "accounts@example.com");
    assert!(verify
        .data
        .contains("From: \"Example Accounts\" <accounts@example.com>"));
    let link = mailed_link(verify, "/verify_email");
    assert!(
        link.starts_with(&server.url("/verify_email?token=")),
        "{link}"
    );
    // The link proves the mailbox for the account's session only.
    assert_eq!(
        client.get(&link).send().unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let login = post(&client, server.url("/sessions"), &credentials);
    assert_eq!(login.status(), StatusCode::OK);
    let verified = client.get(&link).send().unwrap();
    assert_eq!(
        verified.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"email verified\"}}\n")
    );

    let response = post(&client, server.url("/reset_password"), &[("email", email)]);
    assert_eq!(
        response.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"reset link sent\"}}\n")
    );
    let reset = &sink.wait_for_subject(email, "Reset your password");
    let update = [
        ("email", email),
        ("reset_token", &mailed_token(reset, "/reset_password")),
        ("new_password", "another passphrase entirely"),
    ];
    let response = put(&client, server.url("/reset_password"), &update);
    assert_eq!(response.status(), StatusCode::OK);
    sink.wait_for_subject(email, "Your password was changed");

    server.kill();
    let log = server.log();
    assert!(!log.contains(update[1].1), "no token in the log");
}

#[test]
fn a_link_sent_again_and_the_original_reset_go_out_over_smtp() {
    let store = Store::new();
    let sink = SmtpSink::start();
    // Resets answered in the body, as the original API does.
    let variables = [
        ("ROCKET_MAIL__SMTP_URL", sink.url()),
        ("ROCKET_MAIL__LINK_INTERVAL", "0".to_owned()),
    ];
    let server = start(&store, &variables);
    let client = client();
    let email = "again@example.com";
    let credentials = [("email", email), ("password", PASSWORD)];
    assert_eq!(
        post(&client, server.url("/users"), &credentials).status(),
        StatusCode::OK
    );
    sink.wait_for(email, 1);
    let again = post(&client, server.url("/verify_email"), &[("email", email)]);
    assert_eq!(
        again.text().unwrap(),
        format!("{{\"email\":\"{email}\",\"message\":\"verification link sent\"}}\n")
    );
    let resent = &sink.wait_for(email, 2)[1];
    assert_eq!(resent.subject(), Some("Confirm your email address"));
    assert_eq!(
        post(&client, server.url("/sessions"), &credentials).status(),
        StatusCode::OK
    );
    let verified = client
        .get(mailed_link(resent, "/verify_email"))
        .send()
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);

    let asked = post(&client, server.url("/reset_password"), &[("email", email)]);
    let asked: serde_json::Value = asked.json().unwrap();
    let token = asked["reset_token"]
        .as_str()
        .expect("the token in the body");
    let update = [
        ("email", email),
        ("reset_token", token),
        ("new_password", "another passphrase entirely"),
    ];
    let response = put(&client, server.url("/reset_password"), &update);
    assert_eq!(response.status(), StatusCode::OK);
    sink.wait_for_subject(email, "Your password was changed");
    thread::sleep(Duration::from_millis(500));
    let subjects: Vec<Option<String>> = sink
        .received()
        .iter()
        .map(|mail| mail.subject().map(str::to_owned))
        .collect();
    assert!(
        !subjects.contains(&Some("Reset your password".to_owned())),
        "no reset link mailed: {subjects:?}"
    );
}

#[test]
fn a_mail_that_fails_for_good_is_logged_with_its_recipient() {
    let store = Store::new();
    let sink = SmtpSink::refusing(&["bounce@example.com"]);
    let mut variables = mailing(&sink);
    variables.push(("ROCKET_LOG_LEVEL", "normal".to_owned()));
    let mut server = start(&store, &variables);
    let client = client();
    for email in ["bounce@example.com", "fine@example.com"] {
        let fields = [("email", email), ("password", PASSWORD)];
        assert_eq!(
            post(&client, server.url("/users"), &fields).status(),
            StatusCode::OK
        );
    }
    sink.wait_for("fine@example.com", 1);
    thread::sleep(Duration::from_millis(500));
    server.kill();
    let log = server.log();
    assert!(
        log.contains("mail to \"bounce@example.com\" failed for good"),
        "{log}"
    );
}

#[test]
fn a_mail_answered_before_a_kill_9_goes_out_after_the_restart() {
    let store = Store::new();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    // SMTP is down while the first instance runs: the mail can only wait.
    let variables = [("ROCKET_MAIL__SMTP_URL", format!("smtp://127.0.0.1:{port}"))];
    let mut server = start(&store, &variables);
    let email = "patient@example.com";
    let fields = [("email", email), ("password", PASSWORD)];
    assert_eq!(
        post(&client(), server.url("/users"), &fields).status(),
        StatusCode::OK
    );
    // Killed between two attempts: a sender killed while it holds the mail
    // leaves it to the others only when its lease (60 s) ends.
    let deadline = Instant::now() + Duration::from_secs(30);
    let runtime = rocket::tokio::runtime::Runtime::new().expect("a runtime");
    while !runtime
        .block_on(store.outbox())
        .iter()
        .any(|mail| mail.attempts >= 1 && mail.next_attempt_at > auth_service::clock::now())
    {
        assert!(Instant::now() < deadline, "the mail was never tried");
        thread::sleep(Duration::from_millis(20));
    }
    server.kill();

    let sink = SmtpSink::on_port(port);
    let _restarted = start(&store, &variables);
    let mails = sink.wait_for(email, 1);
    assert_eq!(mails[0].subject(), Some("Confirm your email address"));
}

#[test]
#[ignore = "needs PostgreSQL: set TEST_DATABASE_URL (see README)"]
fn two_instances_send_each_mail_exactly_once() {
    let store = Store::new();
    assert!(
        auth_service::db::is_postgres(&store.url),
        "needs PostgreSQL: set TEST_DATABASE_URL (see README)"
    );
    let sink = SmtpSink::start();
    let variables = [
        ("ROCKET_MAIL__SMTP_URL", sink.url()),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
        (
            "ROCKET_LOGIN_LIMITS__IP_ATTEMPTS_PER_MINUTE",
            "0".to_owned(),
        ),
        (
            "ROCKET_LOGIN_LIMITS__REGISTRATIONS_PER_HOUR",
            "0".to_owned(),
        ),
    ];
    let (a, b) = (start(&store, &variables), start(&store, &variables));
    let emails: Vec<String> = (0..40).map(|n| format!("once{n}@example.com")).collect();
    let workers: Vec<_> = emails
        .iter()
        .enumerate()
        .map(|(n, email)| {
            let url = [&a, &b][n % 2].url("/users");
            let email = email.clone();
            thread::spawn(move || {
                let fields = [("email", email.as_str()), ("password", PASSWORD)];
                post(&client(), url, &fields).status()
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), StatusCode::OK);
    }
    for email in &emails {
        sink.wait_for(email, 1);
    }
    // Both senders poll every second: give a double sending time to show.
    thread::sleep(Duration::from_secs(3));
    let mut count: HashMap<String, usize> = HashMap::new();
    for mail in sink.received() {
        for to in mail.to {
            *count.entry(to).or_default() += 1;
        }
    }
    assert_eq!(count.len(), emails.len());
    assert!(count.values().all(|sent| *sent == 1), "{count:?}");
}
