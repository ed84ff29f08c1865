//! Browser pages on the API's routes: every page and flow, notices shown
//! once, input escaped, and the JSON API untouched for other clients.

use rocket::http::{ContentType, Header, Status};

use crate::app::{assert_inputs_labelled, body, hidden_value, location, Encoding, TestApp};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical engine";

fn accept(value: &'static str) -> Header<'static> {
    Header::new("Accept", value)
}

#[rocket::async_test]
async fn home_offers_login_and_registration_when_logged_out() {
    let app = TestApp::new().await;
    let response = app.page("/").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = body(response).await;
    assert!(
        html.contains("href=\"/login\"") && html.contains("href=\"/register\""),
        "{html}"
    );
    assert!(html.contains("href=\"/static/style.css\""));
    assert!(!html.contains("Log out"));
}

#[rocket::async_test]
async fn home_shows_the_user_and_a_logout_button_when_logged_in() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let html = body(app.page("/").await).await;
    assert!(html.contains(EMAIL));
    assert!(html.contains("href=\"/profile\""));
    // The header's, and no other.
    assert_eq!(html.matches(">Log out</button>").count(), 1, "{html}");
    let header = &html[..html.find("</header>").unwrap()];
    let logout = header.find("action=\"/sessions\"").expect("a logout form");
    let first_field = &header[logout..];
    let first_input = &first_field[first_field.find("<input").unwrap()..];
    assert!(first_input.starts_with("<input type=\"hidden\" name=\"_method\" value=\"DELETE\">"));
}

#[rocket::async_test]
async fn registration_logs_in_and_lands_on_the_profile_with_a_notice_shown_once() {
    let app = TestApp::new().await;
    let html = body(app.page("/register").await).await;
    assert!(html.contains("action=\"/users\""));
    assert_inputs_labelled(&html);

    let response = app
        .submit("/users", &[("email", EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
    let session_id = app.session_id().expect("a session cookie");
    let session = app.stored_session(&session_id).await.expect("stored");
    assert!(!session.persistent, "it ends with the browser");
    assert_eq!(app.stored_user(EMAIL).await.unwrap().id.0, session.user_id);

    let html = body(app.page("/profile").await).await;
    assert!(html.contains("Account created."), "{html}");
    assert!(html.contains(EMAIL));
    let html = body(app.page("/profile").await).await;
    assert!(!html.contains("Account created"), "the notice shows once");
}

#[rocket::async_test]
async fn after_registration_the_account_page_says_once_that_a_link_was_sent() {
    for (language, sent) in [("en", "sent"), ("fr", "envoyé")] {
        let app = TestApp::new().await;
        app.submit("/language", &[("lang", language)]).await;
        let response = app
            .submit("/users", &[("email", EMAIL), ("password", PASSWORD)])
            .await;
        assert_eq!(location(&response), Some("/profile"));
        let html = body(app.page("/profile").await).await;
        let said = html
            .split(|c: char| !c.is_alphabetic())
            .filter(|word| *word == sent)
            .count();
        assert_eq!(said, 1, "{language}: {html}");
    }
}

#[rocket::async_test]
async fn json_registration_still_opens_no_session() {
    let app = TestApp::new().await;
    let response = app
        .post("/users", &[("email", EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response.cookies().get("session_id").is_none());
    assert!(app.stored_sessions(EMAIL).await.is_empty());
}

#[rocket::async_test]
async fn registration_errors_show_beside_their_field_with_the_email_kept() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let cases = [
        (EMAIL, PASSWORD, "email", "Email already registered."),
        (
            "not-an-email",
            PASSWORD,
            "email",
            "Email is not a valid email address.",
        ),
        (
            "new@example.com",
            "",
            "password",
            "Password must not be empty.",
        ),
        (
            "new@example.com",
            "seven 7",
            "password",
            "Password must be at least 8 characters.",
        ),
    ];
    for (email, password, field, message) in cases {
        let response = app
            .submit("/users", &[("email", email), ("password", password)])
            .await;
        let html = app.back_to(response, "/register").await;
        let error = format!("<p class=\"error\" id=\"{field}-error\">{message}</p>");
        assert!(html.contains(&error), "{html}");
        assert!(html.contains(&format!("aria-describedby=\"{field}-error")));
        assert!(
            html.contains(&format!("value=\"{email}\"")),
            "the email is kept"
        );
        assert!(
            !html.contains(&format!("value=\"{PASSWORD}\"")),
            "never the password"
        );
    }
}

#[rocket::async_test]
async fn reflected_input_is_escaped() {
    let app = TestApp::new().await;
    let attack = "\"><script>alert(1)</script>";
    for (action, page) in [
        ("/users", "/register"),
        ("/sessions", "/login"),
        ("/reset_password", "/reset_password"),
    ] {
        let response = app
            .submit(action, &[("email", attack), ("password", "x")])
            .await;
        let html = app.back_to(response, page).await;
        assert!(!html.contains("<script>alert"), "{action}: {html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{action}");
    }
}

#[rocket::async_test]
async fn login_sets_the_session_and_goes_to_the_profile() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let html = body(app.page("/login").await).await;
    assert!(html.contains("action=\"/sessions\""));
    assert_inputs_labelled(&html);

    let response = app
        .submit("/sessions", &[("email", EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
    // "Keep me logged in" unchecked: the cookie ends with the browser.
    let cookie = response
        .cookies()
        .get("session_id")
        .expect("a session cookie");
    assert_eq!((cookie.max_age(), cookie.expires()), (None, None));
    let session_id = app.session_id().expect("a session cookie");
    let session = app.stored_session(&session_id).await.expect("stored");
    assert!(!session.persistent);

    let response = app.page("/profile").await;
    assert_eq!(response.status(), Status::Ok);
    let html = body(response).await;
    assert!(html.contains(EMAIL));
    assert!(html.contains("name=\"_method\" value=\"DELETE\""));
}

#[rocket::async_test]
async fn keep_me_logged_in_makes_the_cookie_last_the_session() {
    let app = TestApp::with(|figment| figment.merge(("sessions.ttl", 3600))).await;
    app.register(EMAIL, PASSWORD).await;
    let html = body(app.page("/login").await).await;
    assert!(html.contains("<label for=\"remember\">Keep me logged in</label>"));
    let fields = [("email", EMAIL), ("password", PASSWORD), ("remember", "on")];
    let response = app.submit("/sessions", &fields).await;
    let cookie = response
        .cookies()
        .get("session_id")
        .expect("a session cookie");
    assert_eq!(cookie.max_age(), Some(rocket::time::Duration::hours(1)));
    let session = app
        .stored_session(&app.session_id().unwrap())
        .await
        .unwrap();
    assert!(session.persistent);
}

#[rocket::async_test]
async fn a_failed_login_shows_one_generic_message() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let mut pages = Vec::new();
    for (email, password) in [(EMAIL, "wrong"), ("nobody@example.com", PASSWORD)] {
        let response = app
            .submit("/sessions", &[("email", email), ("password", password)])
            .await;
        assert!(response.cookies().get("session_id").is_none());
        let html = app.back_to(response, "/login").await;
        assert!(html.contains("Wrong email or password."));
        assert_eq!(
            focused(&html),
            "password",
            "the address is kept: the password again"
        );
        assert!(html.contains(&format!("value=\"{email}\"")));
        pages.push(html.replace(email, "EMAIL"));
    }
    assert_eq!(
        pages[0], pages[1],
        "unknown email and wrong password look alike"
    );
}

#[rocket::async_test]
async fn a_page_that_needs_a_login_says_so_and_comes_back_after_it() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let response = app.page("/profile").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/login?next=%2Fprofile"));

    let html = body(app.page("/login?next=/profile").await).await;
    assert!(html.contains("Log in to see this page."), "{html}");
    assert_eq!(hidden_value(&html, "next"), "/profile");
    let fields = [
        ("email", EMAIL),
        ("password", PASSWORD),
        ("next", "/profile"),
    ];
    let response = app.submit("/sessions", &fields).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/profile"));
}

#[rocket::async_test]
async fn a_wrong_password_keeps_where_to_go_next() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    let fields = [
        ("email", EMAIL),
        ("password", "wrong"),
        ("next", "/profile"),
    ];
    let response = app.submit("/sessions", &fields).await;
    let html = app.back_to(response, "/login").await;
    assert_eq!(hidden_value(&html, "next"), "/profile");
}

#[rocket::async_test]
async fn a_next_leading_off_the_site_is_ignored() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for foreign in [
        "//evil.example",
        "https://evil.example/profile",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let query = Encoding::Form.encode(&[("next", foreign)]).1;
        let query = String::from_utf8(query).unwrap();
        let html = body(app.page(&format!("/login?{query}")).await).await;
        assert!(!html.contains("name=\"next\""), "{foreign}: {html}");

        let fields = [("email", EMAIL), ("password", PASSWORD), ("next", foreign)];
        let response = app.submit("/sessions", &fields).await;
        assert_eq!(response.status(), Status::SeeOther, "{foreign}");
        assert_eq!(location(&response), Some("/profile"), "{foreign}");
    }
}

#[rocket::async_test]
async fn a_session_ended_elsewhere_is_explained_on_the_login_page() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let user = app.stored_user(EMAIL).await.unwrap();
    app.auth().destroy_session(user.id).await.unwrap();

    let response = app.page("/profile").await;
    assert_eq!(location(&response), Some("/login?next=%2Fprofile"));
    let html = body(app.page("/login?next=/profile").await).await;
    assert!(
        html.contains("Your session has ended. Log in again."),
        "{html}"
    );
}

#[rocket::async_test]
async fn every_page_knows_who_is_logged_in() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    for (path, to) in [
        ("/login", "/profile"),
        ("/register", "/profile"),
        ("/login?next=/", "/"),
    ] {
        let response = app.page(path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        assert_eq!(location(&response), Some(to), "{path}");
    }
    for path in ["/", "/profile", "/reset_password", "/nowhere"] {
        let html = body(app.page(path).await).await;
        let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
        assert!(header.contains("Log out"), "{path}: {header}");
        assert!(!header.contains("Log in"), "{path}: {header}");
    }
}

#[rocket::async_test]
async fn a_form_target_typed_in_the_address_bar_goes_to_its_page() {
    let app = TestApp::new().await;
    for (path, page) in [("/users", "/register"), ("/sessions", "/profile")] {
        let response = app.page(path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        assert_eq!(location(&response), Some(page), "{path}");
    }
    // JSON clients still learn which methods the path takes.
    let response = app.client.get("/users").dispatch().await;
    assert_eq!(response.status(), Status::MethodNotAllowed);
    assert_eq!(response.headers().get_one("Allow"), Some("POST"));
}

#[rocket::async_test]
async fn forms_focus_the_first_field_then_the_first_at_fault() {
    let app = TestApp::new().await;
    let html = body(app.page("/login").await).await;
    assert_eq!(focused(&html), "email");
    let response = app
        .submit("/sessions", &[("email", EMAIL), ("password", "")])
        .await;
    assert_eq!(focused(&app.back_to(response, "/login").await), "password");
    let response = app
        .submit("/users", &[("email", "nope"), ("password", "")])
        .await;
    assert_eq!(focused(&app.back_to(response, "/register").await), "email");
}

/// The id of the one input of `html` with `autofocus`.
fn focused(html: &str) -> &str {
    let inputs: Vec<&str> = html
        .split("<input")
        .skip(1)
        .filter(|input| input[..input.find('>').unwrap()].contains("autofocus"))
        .collect();
    assert_eq!(inputs.len(), 1, "{html}");
    let id = inputs[0].split("id=\"").nth(1).unwrap();
    &id[..id.find('"').unwrap()]
}

#[rocket::async_test]
async fn password_rules_show_before_the_first_error() {
    let app = TestApp::with(|figment| figment.merge(("passwords.min_length", 10))).await;
    let html = body(app.page("/register").await).await;
    assert!(html.contains("aria-describedby=\"password-hint\""));
    assert!(html.contains(
        "<p class=\"hint\" id=\"password-hint\">At least 10 characters. Not a common \
         password, and not your email address.</p>"
    ));
}

#[rocket::async_test]
async fn the_home_page_greets_in_the_page_s_language_and_every_page_has_an_icon_and_the_toggle() {
    let app = TestApp::new().await;
    let html = body(app.page("/").await).await;
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("<h1>Welcome</h1>"), "{html}");
    assert!(html.contains("<link rel=\"icon\" href=\"/static/favicon.svg\""));
    assert!(html.contains("<script src=\"/static/password.js\" defer></script>"));
    for (file, content_type) in [
        ("/static/favicon.svg", ContentType::SVG),
        ("/static/password.js", ContentType::JavaScript),
    ] {
        let response = app.client.get(file).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{file}");
        assert_eq!(response.content_type(), Some(content_type), "{file}");
    }
}

#[rocket::async_test]
async fn logout_form_ends_the_session_and_goes_home() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    app.login(EMAIL, PASSWORD).await;
    let response = app.submit("/sessions", &[("_method", "DELETE")]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response), Some("/"));
    assert!(app.stored_sessions(EMAIL).await.is_empty());
    assert!(app.session_id().is_none());
    let response = app.page("/profile").await;
    assert_eq!(location(&response), Some("/login?next=%2Fprofile"));
}

#[rocket::async_test]
async fn error_pages_for_browsers_json_for_the_others() {
    let app = TestApp::new().await;
    let response = app.page("/nowhere").await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = body(response).await;
    assert!(html.contains("href=\"/static/style.css\"") && html.contains("404"));

    let response = app
        .client
        .get("/nowhere")
        .header(accept("*/*"))
        .dispatch()
        .await;
    assert_eq!(response.content_type(), Some(ContentType::JSON));
}

#[rocket::async_test]
async fn the_stylesheet_is_served() {
    let app = TestApp::new().await;
    let response = app.client.get("/static/style.css").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::CSS));
}

#[test]
fn templates_have_no_inline_script_or_style() {
    for path in crate::app::files_below("templates") {
        let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
        for forbidden in ["<script", "<style", " style=", "javascript:", " on"] {
            let found = match forbidden {
                // Only scripts of this site's own, loaded from a file.
                "<script" => text.split("<script").skip(1).any(|rest| {
                    !rest.starts_with(" src=\"/static/")
                        || !rest
                            .split_once('>')
                            .is_some_and(|(_, after)| after.starts_with("</script>"))
                }),
                // Event handler attributes: onclick=, onload=, ...
                " on" => text.split(" on").skip(1).any(|rest| {
                    rest.split_once('=')
                        .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_alphabetic()))
                }),
                _ => text.contains(forbidden),
            };
            assert!(!found, "{} contains {forbidden}", path.display());
        }
    }
}

/// Runs the original flow as a JSON client sending `accept`, checking each
/// body byte for byte.
async fn json_flow(accept_value: &'static str) {
    let app = TestApp::new().await;
    let send = |method, path: &'static str, fields: &[(&str, &str)]| {
        app.client
            .req(method, path)
            .header(accept(accept_value))
            .header(ContentType::Form)
            .body(Encoding::Form.encode(fields).1)
    };
    use rocket::http::Method::*;
    let expect = [
        (
            Get,
            "/",
            vec![],
            200,
            "{\"message\":\"Bienvenue\"}\n".to_owned(),
        ),
        (
            Post,
            "/users",
            vec![("email", EMAIL), ("password", PASSWORD)],
            200,
            format!("{{\"email\":\"{EMAIL}\",\"message\":\"user created\"}}\n"),
        ),
        (
            Post,
            "/users",
            vec![("email", EMAIL), ("password", PASSWORD)],
            400,
            "{\"message\":\"email already registered\"}\n".to_owned(),
        ),
        (
            Post,
            "/sessions",
            vec![("email", EMAIL), ("password", "bad")],
            401,
            "{\"message\":\"wrong email or password\"}\n".to_owned(),
        ),
        (
            Get,
            "/profile",
            vec![],
            403,
            "{\"message\":\"not logged in\"}\n".to_owned(),
        ),
        (
            Post,
            "/sessions",
            vec![("email", EMAIL), ("password", PASSWORD)],
            200,
            format!("{{\"email\":\"{EMAIL}\",\"message\":\"logged in\"}}\n"),
        ),
        (
            Get,
            "/profile",
            vec![],
            200,
            format!("{{\"email\":\"{EMAIL}\"}}\n"),
        ),
        (Delete, "/sessions", vec![], 302, String::new()),
        (
            Delete,
            "/sessions",
            vec![],
            403,
            "{\"message\":\"not logged in\"}\n".to_owned(),
        ),
        (
            Post,
            "/reset_password",
            vec![("email", "nobody@example.com")],
            403,
            "{\"message\":\"email not registered\"}\n".to_owned(),
        ),
        (
            Put,
            "/reset_password",
            vec![
                ("email", EMAIL),
                ("reset_token", "x"),
                ("new_password", "yet another one"),
            ],
            403,
            "{\"message\":\"invalid reset token\"}\n".to_owned(),
        ),
    ];
    for (method, path, fields, status, expected) in expect {
        let response = send(method, path, &fields).dispatch().await;
        assert_eq!(
            response.status().code,
            status,
            "{accept_value}: {method} {path}"
        );
        assert_eq!(
            body(response).await,
            expected,
            "{accept_value}: {method} {path}"
        );
    }
    let response = send(Post, "/reset_password", &[("email", EMAIL)])
        .dispatch()
        .await;
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let json: serde_json::Value = serde_json::from_str(&body(response).await).unwrap();
    let token = json["reset_token"].as_str().unwrap();
    let fields = [
        ("email", EMAIL),
        ("reset_token", token),
        ("new_password", "zesty new secret"),
    ];
    let response = send(Put, "/reset_password", &fields).dispatch().await;
    assert_eq!(
        body(response).await,
        format!("{{\"email\":\"{EMAIL}\",\"message\":\"Password updated\"}}\n")
    );
}

#[rocket::async_test]
async fn json_clients_see_the_api_unchanged_with_accept_any() {
    json_flow("*/*").await;
}

#[rocket::async_test]
async fn json_clients_see_the_api_unchanged_with_accept_json() {
    json_flow("application/json").await;
}

#[rocket::async_test]
async fn weak_passwords_show_beside_their_field() {
    let app = TestApp::new().await;
    let response = app
        .submit("/users", &[("email", EMAIL), ("password", "password")])
        .await;
    let html = app.back_to(response, "/register").await;
    assert!(html.contains(
        "<p class=\"error\" id=\"password-error\">Password is too common; choose another.</p>"
    ));
}

#[rocket::async_test]
async fn too_many_failed_logins_show_when_to_try_again() {
    let app = TestApp::new().await;
    app.register(EMAIL, PASSWORD).await;
    for _ in 0..5 {
        let response = app
            .submit(
                "/sessions",
                &[("email", EMAIL), ("password", "wrong guess")],
            )
            .await;
        assert_eq!(location(&response), Some("/login"));
    }
    let response = app
        .submit("/sessions", &[("email", EMAIL), ("password", PASSWORD)])
        .await;
    assert!(response.cookies().get("session_id").is_none());
    let html = app.back_to(response, "/login").await;
    assert!(html.contains("Too many login attempts. Try again in"));
}

/// Whether the route path `pattern` (`/sessions/<id>`) matches `path`.
fn route_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path): (Vec<&str>, Vec<&str>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(expected, given)| expected.starts_with('<') || expected == given)
}

#[rocket::async_test]
async fn every_path_of_the_table_is_answered_by_a_mounted_route() {
    let app = TestApp::new().await;
    let patterns: Vec<String> = app
        .client
        .rocket()
        .routes()
        .map(|route| route.uri.path().to_string())
        .collect();
    let table = serde_json::to_value(auth_service::flows::paths::PATHS).unwrap();
    for (name, path) in table.as_object().unwrap() {
        let mut path = path.as_str().unwrap().to_owned();
        // The paths followed by an id.
        if path.ends_with('/') && path != "/" {
            path.push_str("an-id");
        }
        assert!(
            patterns.iter().any(|pattern| route_matches(pattern, &path)),
            "{name}: no route answers {path}"
        );
    }
}

#[test]
fn templates_name_only_paths_of_the_table() {
    let table = serde_json::to_value(auth_service::flows::paths::PATHS).unwrap();
    let mut named = 0;
    for entry in std::fs::read_dir("templates").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "tera") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for call in text.split("uri(name=\"").skip(1) {
            let name = &call[..call.find('"').unwrap()];
            assert!(table.get(name).is_some(), "{}: {name}", path.display());
            named += 1;
        }
    }
    assert!(named > 30, "{named} paths named");
}

#[rocket::async_test]
async fn a_refused_form_goes_back_to_its_page_with_every_error_once() {
    let app = TestApp::new().await;
    let fields = [("email", "not an address"), ("password", "short")];
    let response = app.submit("/users", &fields).await;
    let html = app.back_to(response, "/register").await;
    for (field, message) in [
        ("email", "Email is not a valid email address."),
        ("password", "Password must be at least 8 characters."),
    ] {
        let error = format!("<p class=\"error\" id=\"{field}-error\">{message}</p>");
        assert!(html.contains(&error), "{field}: {html}");
    }
    // The rules stay beside the error they explain; the address typed stays.
    assert!(
        html.contains("<p class=\"hint\" id=\"password-hint\">"),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"password-error password-hint\""),
        "{html}"
    );
    assert!(html.contains("value=\"not an address\""), "{html}");
    assert_eq!(focused(&html), "email");

    // Shown once: a reload is the form afresh.
    let again = body(app.page("/register").await).await;
    assert!(!again.contains("class=\"error\""), "{again}");
    assert!(!again.contains("not an address"), "{again}");
}
