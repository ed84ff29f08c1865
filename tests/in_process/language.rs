//! Pages and mails in the person's language: the catalogues complete in
//! both languages, no English outside them, the language negotiated from
//! `Accept-Language`, chosen in the footer, kept on the account for its
//! mails; and the JSON API's words unchanged.

use std::collections::BTreeSet;
use std::path::Path;

use auth_service::language::Language;
use rocket::http::{Header, Status};

use crate::app::{body, files_below, hidden_value, location, notice, TestApp, BROWSER};
use crate::support::smtp::SmtpSink;

const EMAIL: &str = "amelie@example.com";
const PASSWORD: &str = "correct horse battery";

/// The message keys of every catalogue file of `language`.
fn catalogue_keys(language: &str) -> BTreeSet<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language);
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).expect("the catalogues") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let Some((key, _)) = line.split_once(" =") else {
                continue;
            };
            if key.starts_with(|c: char| c.is_ascii_lowercase())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                assert!(keys.insert(key.to_owned()), "{key} twice in {language}");
            }
        }
    }
    keys
}

/// Every `.tera` file below `templates/`, with its text.
fn templates() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let files: Vec<_> = files_below("templates")
        .into_iter()
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "tera")
        })
        .map(|path| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    assert!(files.len() > 20, "the templates: {files:?}");
    files
}

/// `text` without what lies between each `open` and the next `close`.
fn without(text: &str, open: &str, close: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        kept.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        rest = after
            .find(close)
            .map_or("", |end| &after[end + close.len()..]);
        kept.push(' ');
    }
    kept.push_str(rest);
    kept
}

/// What follows each `marker` in `source`, up to the next quote: the keys
/// of `fluent(key="...")` calls, the values of attributes.
fn keys_named(source: &str, marker: &str) -> Vec<String> {
    source
        .split(marker)
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(key, _)| key.to_owned()))
        .collect()
}

/// Whether `literal` is shaped like a key of the messages the code says
/// (messages.ftl's prefixes).
fn is_rust_key(literal: &str) -> bool {
    const PREFIXES: [&str; 13] = [
        "error-",
        "form-",
        "field-",
        "notice-",
        "purpose-",
        "session-",
        "device-",
        "passkey-",
        "sent-",
        "expired-",
        "duration-",
        "address-",
        "download-",
    ];
    PREFIXES.iter().any(|prefix| literal.starts_with(prefix))
        && literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[test]
fn both_catalogues_hold_the_same_messages() {
    let (english, french) = (catalogue_keys("en"), catalogue_keys("fr"));
    assert!(english.len() > 200, "{english:?}");
    let only_english: Vec<_> = english.difference(&french).collect();
    let only_french: Vec<_> = french.difference(&english).collect();
    assert!(only_english.is_empty(), "not in French: {only_english:?}");
    assert!(only_french.is_empty(), "not in English: {only_french:?}");
}

#[test]
fn every_key_the_templates_and_the_code_name_is_in_both_catalogues() {
    let mut named = Vec::new();
    for (name, text) in templates() {
        for key in keys_named(&text, "fluent(key=\"") {
            named.push((name.clone(), key));
        }
    }
    for path in files_below("src") {
        let text = std::fs::read_to_string(&path).unwrap();
        // Every string literal shaped like a key of the code's messages.
        let literals = text.split('"').skip(1).step_by(2);
        for literal in literals.filter(|literal| is_rust_key(literal)) {
            named.push((path.display().to_string(), literal.to_owned()));
        }
    }
    assert!(named.len() > 300, "{}", named.len());
    for language in Language::ALL {
        let keys = catalogue_keys(language.code());
        for (file, key) in &named {
            assert!(
                keys.contains(key),
                "{file}: {key} is not in the {language} catalogue"
            );
        }
    }
}

#[test]
fn no_template_holds_words_outside_the_catalogues() {
    for (name, text) in templates() {
        let mut words = without(&text, "{#", "#}");
        for (open, close) in [("{%", "%}"), ("{{", "}}"), ("<!--", "-->")] {
            words = without(&words, open, close);
        }
        // What a person reads in attributes is words too.
        for attribute in ["placeholder=\"", "aria-label=\"", "title=\"", "alt=\""] {
            for value in keys_named(&words, attribute) {
                assert!(
                    !value.chars().any(char::is_alphabetic),
                    "{name}: {attribute}{value}\" is not from the catalogues"
                );
            }
        }
        let text = without(&without(&words, "<style", "</style>"), "<", ">");
        let left: String = text.chars().filter(|c| c.is_alphabetic()).collect();
        assert!(left.is_empty(), "{name} holds words of its own: {text:?}");
    }
}

#[rocket::async_test]
async fn a_page_speaks_the_language_the_browser_prefers_and_says_so() {
    let app = TestApp::new().await;
    let french = app
        .client
        .get("/login")
        .header(Header::new("Accept", BROWSER))
        .header(Header::new("Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8"))
        .dispatch()
        .await;
    assert_eq!(french.status(), Status::Ok);
    let html = body(french).await;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains(&Language::Fr.word("common-log-in")), "{html}");
    assert!(!html.contains("Keep me logged in"), "{html}");

    for accepted in ["de-DE, en;q=0.5", "es", "*"] {
        let english = app
            .client
            .get("/login")
            .header(Header::new("Accept", BROWSER))
            .header(Header::new("Accept-Language", accepted))
            .dispatch()
            .await;
        let html = body(english).await;
        assert!(html.contains("<html lang=\"en\">"), "{accepted}: {html}");
    }

    // The JSON API keeps its words, whatever the language.
    for path in ["/", "/profile"] {
        let json = app
            .client
            .get(path)
            .header(Header::new("Accept-Language", "fr"))
            .dispatch()
            .await;
        let expected = match path {
            "/" => "{\"message\":\"Bienvenue\"}\n",
            _ => "{\"message\":\"not logged in\"}\n",
        };
        assert_eq!(body(json).await, expected, "{path}");
    }
    let wrong = [("email", EMAIL), ("password", "wrong password here")];
    let refused = app
        .client
        .post("/sessions")
        .header(Header::new("Accept-Language", "fr"))
        .header(rocket::http::ContentType::Form)
        .body(format!("email={}&password={}", wrong[0].1, "wrong"))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::Unauthorized);
    assert_eq!(
        body(refused).await,
        "{\"message\":\"wrong email or password\"}\n"
    );
}

#[rocket::async_test]
async fn the_footer_switches_the_language_and_comes_back_to_the_page() {
    let app = TestApp::new().await;
    let page = body(app.page("/reset_password").await).await;
    assert_eq!(hidden_value(&page, "back"), "/reset_password");

    let fields = [("lang", "fr"), ("back", "/reset_password")];
    let switched = app.submit("/language", &fields).await;
    assert_eq!(switched.status(), Status::SeeOther);
    assert_eq!(location(&switched), Some("/reset_password"));
    let cookie = switched.cookies().get("lang").expect("the language cookie");
    assert_eq!(cookie.value(), "fr");
    assert_eq!(cookie.http_only(), Some(true));

    // The cookie wins over the browser's preference.
    let html = app
        .client
        .get("/reset_password")
        .header(Header::new("Accept", BROWSER))
        .header(Header::new("Accept-Language", "en"))
        .dispatch()
        .await;
    let html = body(html).await;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(
        html.contains("aria-current=\"true\">Français</button>"),
        "{html}"
    );

    // Nowhere but this site; a language not spoken here changes nothing.
    for (back, lang) in [
        ("https://evil.example/", "en"),
        ("//evil.example", "en"),
        ("/", "de"),
    ] {
        let response = app
            .submit("/language", &[("lang", lang), ("back", back)])
            .await;
        assert_eq!(location(&response), Some("/"), "{back}");
    }
    let html = body(app.page("/").await).await;
    assert!(html.contains("<html lang=\"en\">"), "{html}");
}

#[rocket::async_test]
async fn a_notice_is_said_in_the_language_of_the_page_that_shows_it() {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    app.submit("/language", &[("lang", "fr")]).await;
    // Nothing to cancel: the account page says so.
    let response = app.submit("/profile/email", &[("_method", "DELETE")]).await;
    assert_eq!(location(&response), Some("/profile"));
    let english = notice(&response).expect("a notice");
    assert_eq!(english, "No change of your address is waiting.");
    let account = body(app.page("/profile").await).await;
    let french = Language::Fr.word("error-no-email-change");
    assert_ne!(french, english);
    assert!(account.contains(&french), "{account}");
}

#[rocket::async_test]
async fn a_form_s_errors_and_hints_are_in_the_page_s_language() {
    let app = TestApp::new().await;
    app.submit("/language", &[("lang", "fr")]).await;
    let fields = [("email", "not an address"), ("password", "short")];
    let response = app.submit("/users", &fields).await;
    let html = app.back_to(response, "/register").await;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(
        html.contains("Adresse e-mail\u{a0}: ce n’est pas une adresse e-mail valide."),
        "{html}"
    );
    assert!(html.contains("Au moins 8 caractères."), "{html}");
    assert!(!html.contains("is not a valid"), "{html}");
}

#[rocket::async_test]
async fn an_account_keeps_its_language_for_its_mails() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(move |figment| figment.merge(("mail.smtp_url", url))).await;
    app.submit("/language", &[("lang", "fr")]).await;
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    let registered = app.submit("/users", &fields).await;
    assert_eq!(registered.status(), Status::SeeOther);
    assert_eq!(app.stored_user(EMAIL).await.unwrap().language, Language::Fr);

    let mail = &sink.wait_for(EMAIL, 1)[0];
    let decoded = mail.decoded();
    assert!(decoded.contains("<html lang=\"fr\">"), "{decoded}");
    let subject = Language::Fr.word("mail-verify-email-subject");
    assert_ne!(subject, Language::En.word("mail-verify-email-subject"));
    assert!(mail.link("/verify_email").is_some(), "{decoded}");

    // Switched back to English on the account: the next mail is English.
    let switched = app
        .submit("/language", &[("lang", "en"), ("back", "/profile")])
        .await;
    assert_eq!(location(&switched), Some("/profile"));
    assert_eq!(app.stored_user(EMAIL).await.unwrap().language, Language::En);
    let reset = app.submit("/reset_password", &[("email", EMAIL)]).await;
    assert_eq!(location(&reset), Some("/reset_password/sent"));
    let second = &sink.wait_for(EMAIL, 2)[1];
    assert!(
        second.decoded().contains("<html lang=\"en\">"),
        "{}",
        second.decoded()
    );
}

#[rocket::async_test]
async fn a_json_registration_keeps_the_language_the_client_accepts() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/users")
        .header(Header::new("Accept-Language", "fr"))
        .header(rocket::http::ContentType::JSON)
        .body(format!(
            "{{\"email\":\"{EMAIL}\",\"password\":\"{PASSWORD}\"}}"
        ))
        .dispatch()
        .await;
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{EMAIL}\",\"message\":\"user created\"}}\n")
    );
    assert_eq!(app.stored_user(EMAIL).await.unwrap().language, Language::Fr);
}

#[rocket::async_test]
async fn a_login_from_a_page_keeps_its_language_on_the_account_and_a_json_one_does_not() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = TestApp::with(move |figment| figment.merge(("mail.smtp_url", url))).await;
    app.register(EMAIL, PASSWORD).await;
    sink.wait_for(EMAIL, 1); // the verification link
    let credentials = format!("email={EMAIL}&password=correct+horse+battery");

    // A JSON client's login leaves the account's language, whatever it
    // accepts.
    let json = app
        .client
        .post("/sessions")
        .header(Header::new("Accept-Language", "fr"))
        .header(rocket::http::ContentType::Form)
        .body(credentials.clone())
        .dispatch()
        .await;
    assert_eq!(json.status(), Status::Ok);
    assert_eq!(app.stored_user(EMAIL).await.unwrap().language, Language::En);

    // The login page, in French, from another device: the account speaks
    // French from then on, the notice of this new device first.
    let page = app
        .client
        .post("/sessions")
        .header(Header::new("Accept", BROWSER))
        .header(Header::new("Accept-Language", "fr"))
        .header(Header::new(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ))
        .header(rocket::http::ContentType::Form)
        .body(credentials)
        .dispatch()
        .await;
    assert_eq!(page.status(), Status::SeeOther);
    assert_eq!(app.stored_user(EMAIL).await.unwrap().language, Language::Fr);
    let notice = sink.wait_for(EMAIL, 2)[1].decoded();
    assert!(notice.contains("<html lang=\"fr\">"), "{notice}");
    assert!(notice.contains("Firefox sous Linux"), "{notice}");
}
