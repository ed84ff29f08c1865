//! The OpenID Connect provider in process: the authorization code flow
//! with PKCE from a browser's requests, and each of its refusals (an
//! unregistered redirect, PKCE missing or plain, a code or refresh token
//! replayed, another client's introspection, an unregistered logout
//! address). A real relying party (`openidconnect`) signs in against the
//! real binary in `tests/processes/openid.rs`.

use auth_service::auth::provider::{Client, ClientRegistration, Scopes};
use auth_service::auth::token::random_base64url;
use auth_service::auth::Email;
use auth_service::jose::Algorithm;
use base64::Engine;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::{body, hidden_value, location, Encoding, TestApp};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "cobol compiler 1959";
const REDIRECT: &str = "https://photos.example.com/callback";
const LOGGED_OUT: &str = "https://photos.example.com/bye";
const STATE: &str = "state-4f1c";
const NONCE: &str = "nonce-9b2e";

/// A registered application, with its secret if confidential.
struct App {
    client: Client,
    secret: Option<String>,
}

/// The service with `EMAIL` registered (address confirmed) and a
/// confidential application, "Photo Album".
async fn provider() -> (TestApp, App) {
    let app = TestApp::new().await;
    app.register_confirmed(EMAIL, PASSWORD).await;
    let photos = register(&app, "Photo Album", true).await;
    (app, photos)
}

/// Registers an application named `name` (signing ES256, quick to make a
/// key for); `confidential` or public.
async fn register(app: &TestApp, name: &str, confidential: bool) -> App {
    let registration = ClientRegistration {
        name: name.to_owned(),
        redirect_uris: vec![REDIRECT.to_owned()],
        post_logout_redirect_uris: vec![LOGGED_OUT.to_owned()],
        scopes: Scopes::parse("openid email profile offline_access").unwrap(),
        confidential,
        signing_alg: Algorithm::Es256,
    };
    let (client, secret) = app.auth().register_client(registration).await.unwrap();
    App {
        client,
        secret: secret.map(|secret| secret.expose().to_owned()),
    }
}

/// A PKCE verifier and its S256 challenge.
fn pkce() -> (String, String) {
    let verifier = random_base64url(32);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// `/authorize` for `client` with `challenge`, asking `scope`, and `extra`
/// parameters.
fn authorize_path(client: &Client, challenge: Option<&str>, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid email offline_access"),
        ("state", STATE),
        ("nonce", NONCE),
    ];
    if let Some(challenge) = challenge {
        pairs.push(("code_challenge", challenge));
        pairs.push(("code_challenge_method", "S256"));
    }
    pairs.extend_from_slice(extra);
    format!("/authorize?{}", query(&pairs))
}

/// The query parameters of `url`.
fn parameters(url: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(url).expect("an absolute address");
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn parameter(url: &str, name: &str) -> Option<String> {
    parameters(url)
        .into_iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// Where the "back to the application" page of `html` leads.
fn return_address(html: &str) -> String {
    let marker = "id=\"return\" href=\"";
    let start = html.find(marker).expect("the way back") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

impl TestApp {
    /// The issuer: the default public URL.
    fn issuer(&self) -> String {
        self.auth().issuer().to_owned()
    }

    /// Where the browser goes back to from the authorization request
    /// `path` (already logged in): at once once consented, else through
    /// the consent page, allowing with `fields`.
    async fn consent_through(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let page = self.page(path).await;
        if page.status() == Status::SeeOther {
            return location(&page).expect("the way back").to_owned();
        }
        assert_eq!(page.status(), Status::Ok, "the consent page");
        let html = body(page).await;
        let request = hidden_value(&html, "request");
        let mut form = vec![("request", request.as_str()), ("decision", "allow")];
        form.extend_from_slice(fields);
        let answer = self.submit("/authorize/consent", &form).await;
        assert_eq!(answer.status(), Status::Ok, "the way back");
        return_address(&body(answer).await)
    }

    /// A code for `client`, the user logged in and consenting.
    async fn code(&self, client: &Client, challenge: Option<&str>) -> String {
        let back = self
            .consent_through(&authorize_path(client, challenge, &[]), &[])
            .await;
        parameter(&back, "code").expect("a code")
    }

    /// `POST path` as `app`'s server does (HTTP Basic for a confidential
    /// client, `client_id` in the body for a public one): status and JSON.
    async fn client_call(&self, path: &str, app: &App, fields: &[(&str, &str)]) -> (Status, Value) {
        let mut fields = fields.to_vec();
        let mut request = self.client.post(path.to_owned()).header(ContentType::Form);
        match &app.secret {
            Some(secret) => {
                let basic = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{secret}", app.client.id));
                request = request.header(Header::new("Authorization", format!("Basic {basic}")));
            }
            None => fields.push(("client_id", app.client.id.as_str())),
        }
        let response = request.body(query(&fields)).dispatch().await;
        let status = response.status();
        let json = serde_json::from_str(&body(response).await).unwrap_or(Value::Null);
        (status, json)
    }

    /// The token endpoint's answer for `code`.
    async fn redeem(&self, app: &App, code: &str, verifier: Option<&str>) -> (Status, Value) {
        let mut fields = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(verifier) = verifier {
            fields.push(("code_verifier", verifier));
        }
        self.client_call("/token", app, &fields).await
    }

    /// The tokens `app` gets for the logged-in user: a code with PKCE,
    /// redeemed.
    async fn tokens(&self, app: &App) -> Value {
        let (verifier, challenge) = pkce();
        let code = self.code(&app.client, Some(&challenge)).await;
        let (status, tokens) = self.redeem(app, &code, Some(&verifier)).await;
        assert_eq!(status, Status::Ok, "{tokens}");
        tokens
    }

    /// The token endpoint's answer for `refresh_token`.
    async fn refresh(&self, app: &App, refresh_token: &str) -> (Status, Value) {
        let fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.client_call("/token", app, &fields).await
    }

    /// `/userinfo` with `access_token`.
    async fn userinfo(&self, access_token: &str) -> LocalResponse<'_> {
        self.client
            .get("/userinfo")
            .header(Header::new(
                "Authorization",
                format!("Bearer {access_token}"),
            ))
            .dispatch()
            .await
    }
}

/// The claims of the JWT `token`, unchecked (the relying party's test
/// checks signatures).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn text(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_owned()
}

#[rocket::async_test]
async fn discovery_names_every_endpoint_under_the_issuer() {
    let (app, _) = provider().await;
    let response = app
        .client
        .get("/.well-known/openid-configuration")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let metadata: Value = serde_json::from_str(&body(response).await).unwrap();
    let issuer = app.issuer();
    assert_eq!(metadata["issuer"], issuer.as_str());
    for (name, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks.json"),
        ("revocation_endpoint", "/revoke"),
        ("introspection_endpoint", "/introspect"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(metadata[name], format!("{issuer}{path}"), "{name}");
    }
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        metadata["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        true
    );
}

#[rocket::async_test]
async fn a_user_signs_in_to_an_application_with_a_code_and_pkce() {
    let (app, photos) = provider().await;
    let (verifier, challenge) = pkce();
    let path = authorize_path(&photos.client, Some(&challenge), &[]);

    // Not logged in: the login page, which comes back to the request.
    let first = app.page(&path).await;
    assert_eq!(first.status(), Status::SeeOther);
    let login = location(&first).unwrap().to_owned();
    assert!(
        login.starts_with("/login?next=%2Fauthorize%2Fcontinue"),
        "{login}"
    );
    assert_eq!(
        first.headers().get_one("Referrer-Policy"),
        Some("no-referrer")
    );
    drop(first);
    let next = parameter(&format!("http://x{login}"), "next").unwrap();
    let logged_in = app
        .submit(
            "/sessions",
            &[("email", EMAIL), ("password", PASSWORD), ("next", &next)],
        )
        .await;
    assert_eq!(logged_in.status(), Status::SeeOther);
    assert_eq!(location(&logged_in), Some(next.as_str()));
    drop(logged_in);

    // The consent page names the application and what it asks.
    let page = app.page(&next).await;
    assert_eq!(page.status(), Status::Ok);
    let html = body(page).await;
    assert!(html.contains("Sign in to Photo Album"), "{html}");
    assert!(html.contains("see your email address"), "{html}");
    assert!(
        html.contains("keep you signed in while you are away"),
        "{html}"
    );
    assert!(
        !html.contains("see your language"),
        "profile was not asked: {html}"
    );
    let request = hidden_value(&html, "request");
    let answer = app
        .submit(
            "/authorize/consent",
            &[("request", &request), ("decision", "allow")],
        )
        .await;
    assert_eq!(answer.status(), Status::Ok);
    let back = return_address(&body(answer).await);
    assert!(back.starts_with(&format!("{REDIRECT}?code=")), "{back}");
    assert_eq!(parameter(&back, "state").as_deref(), Some(STATE));
    assert_eq!(parameter(&back, "iss"), Some(app.issuer()));
    let code = parameter(&back, "code").unwrap();

    // The application's server trades the code for tokens.
    let (status, tokens) = app.redeem(&photos, &code, Some(&verifier)).await;
    assert_eq!(status, Status::Ok, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "openid email offline_access");
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access was granted"
    );
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["iss"], app.issuer().as_str());
    assert_eq!(id_token["aud"], photos.client.id.as_str());
    assert_eq!(id_token["nonce"], NONCE);
    assert_eq!(id_token["email"], EMAIL);
    assert_eq!(id_token["email_verified"], true);
    let subject = text(&id_token, "sub");
    assert_eq!(subject.len(), 32, "a random handle, not a row id");

    let info = app.userinfo(&text(&tokens, "access_token")).await;
    assert_eq!(info.status(), Status::Ok);
    let info: Value = serde_json::from_str(&body(info).await).unwrap();
    assert_eq!(info["sub"], subject.as_str());
    assert_eq!(info["email"], EMAIL);
    assert!(info.get("locale").is_none(), "profile was not granted");

    // The consent is remembered: the next sign-in goes straight back.
    let (_, challenge) = pkce();
    let again = app
        .page(&authorize_path(&photos.client, Some(&challenge), &[]))
        .await;
    assert_eq!(again.status(), Status::SeeOther);
    let back = location(&again).unwrap();
    assert!(parameter(back, "code").is_some(), "{back}");
    // The same subject every time, in the database once.
    assert_eq!(
        app.numbers("SELECT COUNT(*) AS n FROM users WHERE subject IS NOT NULL"),
        [1]
    );
}

#[rocket::async_test]
async fn an_unknown_application_or_redirect_gets_the_providers_page_never_a_redirect() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let (_, challenge) = pkce();
    let id = photos.client.id.as_str();
    let variants = [
        ("unknown client", vec![("client_id", "nobody")]),
        (
            "trailing slash",
            vec![("redirect_uri", "https://photos.example.com/callback/")],
        ),
        (
            "other case",
            vec![("redirect_uri", "https://PHOTOS.example.com/callback")],
        ),
        (
            "added query",
            vec![("redirect_uri", "https://photos.example.com/callback?x=1")],
        ),
        (
            "plain http",
            vec![("redirect_uri", "http://photos.example.com/callback")],
        ),
        (
            "another site",
            vec![("redirect_uri", "https://evil.example/callback")],
        ),
    ];
    for (name, changed) in variants {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", id),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", STATE),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        for (key, value) in changed {
            pairs.retain(|(name, _)| *name != key);
            pairs.push((key, value));
        }
        let response = app.page(&format!("/authorize?{}", query(&pairs))).await;
        assert_eq!(response.status(), Status::BadRequest, "{name}");
        assert_eq!(location(&response), None, "{name}: no redirect");
        let html = body(response).await;
        assert!(
            html.contains("sign-in request this service cannot accept"),
            "{name}: {html}"
        );
    }
    let no_redirect = format!("/authorize?response_type=code&scope=openid&client_id={id}");
    let response = app.page(&no_redirect).await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(
        app.numbers("SELECT COUNT(*) AS n FROM authorization_codes"),
        [0]
    );
}

#[rocket::async_test]
async fn pkce_is_required_of_public_clients_and_plain_is_refused() {
    let (app, _) = provider().await;
    let spa = register(&app, "Notes", false).await;
    app.login(EMAIL, PASSWORD).await;
    let (verifier, challenge) = pkce();
    let refusals = [
        ("no challenge", authorize_path(&spa.client, None, &[])),
        (
            "plain",
            format!(
                "{}&code_challenge={verifier}&code_challenge_method=plain",
                authorize_path(&spa.client, None, &[])
            ),
        ),
        (
            "no method",
            format!(
                "{}&code_challenge={challenge}",
                authorize_path(&spa.client, None, &[])
            ),
        ),
    ];
    for (name, path) in refusals {
        let response = app.page(&path).await;
        assert_eq!(response.status(), Status::SeeOther, "{name}");
        let back = location(&response).unwrap().to_owned();
        assert!(back.starts_with(REDIRECT), "{name}: {back}");
        assert_eq!(
            parameter(&back, "error").as_deref(),
            Some("invalid_request"),
            "{name}"
        );
        assert_eq!(parameter(&back, "state").as_deref(), Some(STATE), "{name}");
        assert_eq!(parameter(&back, "iss"), Some(app.issuer()), "{name}");
        assert_eq!(parameter(&back, "code"), None, "{name}");
    }

    // With S256: the code needs its verifier, and a wrong one is refused.
    let code = app.code(&spa.client, Some(&challenge)).await;
    let (status, refused) = app.redeem(&spa, &code, None).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(refused["error"], "invalid_grant");
    let code = app.code(&spa.client, Some(&challenge)).await;
    let (other_verifier, _) = pkce();
    let (status, refused) = app.redeem(&spa, &code, Some(&other_verifier)).await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
    let code = app.code(&spa.client, Some(&challenge)).await;
    let (status, tokens) = app.redeem(&spa, &code, Some(&verifier)).await;
    assert_eq!(status, Status::Ok, "{tokens}");
}

#[rocket::async_test]
async fn a_code_works_once_and_its_replay_revokes_what_it_gave() {
    let (app, photos) = provider().await;
    let other = register(&app, "Calendar", true).await;
    app.login(EMAIL, PASSWORD).await;
    let (verifier, challenge) = pkce();

    // Another client's code, or another redirect address: refused.
    let code = app.code(&photos.client, Some(&challenge)).await;
    let (status, refused) = app.redeem(&other, &code, Some(&verifier)).await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
    let code = app.code(&photos.client, Some(&challenge)).await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://photos.example.com/other"),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, refused) = app.client_call("/token", &photos, &fields).await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
    // A wrong secret: 401, with the scheme to use.
    let impostor = App {
        client: photos.client.clone(),
        secret: Some("not-the-secret".to_owned()),
    };
    let code = app.code(&photos.client, Some(&challenge)).await;
    let (status, refused) = app.redeem(&impostor, &code, Some(&verifier)).await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::Unauthorized, "invalid_client")
    );

    let (status, tokens) = app.redeem(&photos, &code, Some(&verifier)).await;
    assert_eq!(status, Status::Ok, "{tokens}");
    let access = text(&tokens, "access_token");
    assert_eq!(app.userinfo(&access).await.status(), Status::Ok);
    let (status, replayed) = app.redeem(&photos, &code, Some(&verifier)).await;
    assert_eq!(status, Status::BadRequest);
    assert_eq!(replayed["error"], "invalid_grant");
    let revoked = app.userinfo(&access).await;
    assert_eq!(revoked.status(), Status::Unauthorized);
    let challenge_header = revoked.headers().get_one("WWW-Authenticate").unwrap();
    assert!(
        challenge_header.starts_with("Bearer error=\"invalid_token\""),
        "{challenge_header}"
    );
    let (status, refreshed) = app.refresh(&photos, &text(&tokens, "refresh_token")).await;
    assert_eq!(
        (status, text(&refreshed, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
}

#[rocket::async_test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let first = text(&tokens, "refresh_token");

    let (status, second) = app.refresh(&photos, &first).await;
    assert_eq!(status, Status::Ok, "{second}");
    let second_refresh = text(&second, "refresh_token");
    assert_ne!(second_refresh, first, "a new refresh token each time");
    assert_eq!(
        claims(second["id_token"].as_str().unwrap())["aud"],
        photos.client.id.as_str()
    );
    // The one just spent, again at once (a client's retry): refused, but
    // the family lives on.
    let (status, retried) = app.refresh(&photos, &first).await;
    assert_eq!(
        (status, text(&retried, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
    let (status, third) = app.refresh(&photos, &second_refresh).await;
    assert_eq!(status, Status::Ok, "{third}");
    // Another client cannot use it.
    let other = register(&app, "Calendar", true).await;
    let (status, _) = app.refresh(&other, &text(&third, "refresh_token")).await;
    assert_eq!(status, Status::BadRequest);

    // An older one, whose successor was spent too: a theft; the family goes.
    let (status, stolen) = app.refresh(&photos, &first).await;
    assert_eq!(
        (status, text(&stolen, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );
    let (status, _) = app.refresh(&photos, &text(&third, "refresh_token")).await;
    assert_eq!(status, Status::BadRequest);
    let access = app.userinfo(&text(&third, "access_token")).await;
    assert_eq!(access.status(), Status::Unauthorized);
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM oauth_tokens"), [0]);
}

#[rocket::async_test]
async fn introspection_tells_a_client_only_of_its_own_live_tokens() {
    let (app, photos) = provider().await;
    let other = register(&app, "Calendar", true).await;
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let access = text(&tokens, "access_token");

    let (status, own) = app
        .client_call("/introspect", &photos, &[("token", &access)])
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(own["active"], true);
    assert_eq!(own["client_id"], photos.client.id.as_str());
    assert_eq!(own["scope"], "openid email offline_access");
    assert_eq!(own["token_type"], "Bearer");
    assert_eq!(own["sub"].as_str().map(str::len), Some(32));
    let (status, foreign) = app
        .client_call("/introspect", &other, &[("token", &access)])
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(foreign, serde_json::json!({"active": false}));
    let spa = register(&app, "Notes", false).await;
    let (status, refused) = app
        .client_call("/introspect", &spa, &[("token", &access)])
        .await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::Unauthorized, "invalid_client")
    );

    // Another client's revocation does nothing; the owner's ends it.
    let (status, _) = app
        .client_call("/revoke", &other, &[("token", &access)])
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(app.userinfo(&access).await.status(), Status::Ok);
    let (status, _) = app
        .client_call("/revoke", &photos, &[("token", &access)])
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(app.userinfo(&access).await.status(), Status::Unauthorized);
    let (_, after) = app
        .client_call("/introspect", &photos, &[("token", &access)])
        .await;
    assert_eq!(after, serde_json::json!({"active": false}));
    // Revoking the refresh token ends its family.
    let (status, _) = app
        .client_call(
            "/revoke",
            &photos,
            &[("token", &text(&tokens, "refresh_token"))],
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM oauth_tokens"), [0]);
}

#[rocket::async_test]
async fn without_asking_the_person_a_request_goes_back_with_its_error() {
    let (app, photos) = provider().await;
    let (_, challenge) = pkce();
    let silent = authorize_path(&photos.client, Some(&challenge), &[("prompt", "none")]);
    let error_of = |response: &LocalResponse<'_>| {
        let back = location(response).unwrap().to_owned();
        assert_eq!(parameter(&back, "state").as_deref(), Some(STATE));
        assert_eq!(parameter(&back, "iss"), Some(app.issuer()));
        parameter(&back, "error").unwrap()
    };
    let response = app.page(&silent).await;
    assert_eq!(error_of(&response), "login_required");
    drop(response);
    app.login(EMAIL, PASSWORD).await;
    let response = app.page(&silent).await;
    assert_eq!(error_of(&response), "consent_required");
    drop(response);

    // Said no: access_denied, and nothing remembered.
    let page = app
        .page(&authorize_path(&photos.client, Some(&challenge), &[]))
        .await;
    let request = hidden_value(&body(page).await, "request");
    let denied = app
        .submit(
            "/authorize/consent",
            &[("request", &request), ("decision", "deny")],
        )
        .await;
    let back = return_address(&body(denied).await);
    assert_eq!(parameter(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(parameter(&back, "state").as_deref(), Some(STATE));
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM oauth_consents"), [0]);
    // The request was answered: its page no longer answers it.
    let again = app
        .submit(
            "/authorize/consent",
            &[("request", &request), ("decision", "allow")],
        )
        .await;
    assert_eq!(again.status(), Status::BadRequest);

    // An unknown scope, or one the application may not ask for.
    let unknown = authorize_path(&photos.client, Some(&challenge), &[]).replace("email", "admin");
    let response = app.page(&unknown).await;
    assert_eq!(error_of(&response), "invalid_scope");
}

#[rocket::async_test]
async fn prompt_login_asks_for_the_password_again() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let (verifier, challenge) = pkce();
    app.code(&photos.client, Some(&challenge)).await;

    let path = authorize_path(&photos.client, Some(&challenge), &[("prompt", "login")]);
    let page = app.page(&path).await;
    assert_eq!(page.status(), Status::Ok, "consented, yet asked");
    let html = body(page).await;
    assert!(html.contains("confirm it’s you"), "{html}");
    let request = hidden_value(&html, "request");
    let wrong = app
        .submit(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "allow"),
                ("password", "not it"),
            ],
        )
        .await;
    // Back (303) to the consent page's own address, the error beside
    // the field: a reload does not post again.
    let here = format!("/authorize/continue?request={request}");
    let html = app.back_to(wrong, &here).await;
    assert!(html.contains("Wrong password."), "{html}");
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let right = app
        .submit(
            "/authorize/consent",
            &[
                ("request", &request),
                ("decision", "allow"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let back = return_address(&body(right).await);
    let code = parameter(&back, "code").expect("a code");
    let (_, tokens) = app.redeem(&photos, &code, Some(&verifier)).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    let auth_time = id_token["auth_time"].as_i64().unwrap();
    assert!(
        auth_time >= id_token["iat"].as_i64().unwrap() - 5,
        "{id_token}"
    );
}

#[rocket::async_test]
async fn a_logout_goes_back_only_to_a_registered_address_and_ends_the_tokens() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let id_token = text(&tokens, "id_token");

    let foreign = query(&[
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", "https://evil.example/"),
    ]);
    let refused = app.page(&format!("/logout?{foreign}")).await;
    assert_eq!(refused.status(), Status::BadRequest);
    assert_eq!(location(&refused), None);
    drop(refused);

    let asked = query(&[
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", LOGGED_OUT),
        ("state", "bye-1"),
    ]);
    let page = app.page(&format!("/logout?{asked}")).await;
    assert_eq!(page.status(), Status::Ok);
    let html = body(page).await;
    assert!(html.contains("asks you to log out"), "{html}");
    assert_eq!(hidden_value(&html, "post_logout_redirect_uri"), LOGGED_OUT);
    let out = app
        .submit(
            "/logout",
            &[
                ("id_token_hint", id_token.as_str()),
                ("post_logout_redirect_uri", LOGGED_OUT),
                ("state", "bye-1"),
            ],
        )
        .await;
    assert_eq!(out.status(), Status::Ok);
    assert_eq!(
        return_address(&body(out).await),
        format!("{LOGGED_OUT}?state=bye-1")
    );
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(profile.status(), Status::Forbidden, "logged out");
    drop(profile);
    // The tokens given through the session ended with it.
    assert_eq!(
        app.userinfo(&text(&tokens, "access_token")).await.status(),
        Status::Unauthorized
    );
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM oauth_tokens"), [0]);
}

#[rocket::async_test]
async fn a_logout_hint_must_be_an_id_token_of_this_provider_for_its_application() {
    let (app, photos) = provider().await;
    let calendar = register(&app, "Calendar", true).await;
    app.login(EMAIL, PASSWORD).await;
    let id_token = text(&app.tokens(&photos).await, "id_token");
    let (signed, _) = id_token.rsplit_once('.').unwrap();
    let (header, _) = signed.split_once('.').unwrap();
    // Claims of the attacker's choosing, under the provider's header.
    let claims = serde_json::json!({"iss": app.issuer(), "aud": photos.client.id});
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!(
        "{header}.{payload}.{}",
        id_token.rsplit('.').next().unwrap()
    );
    let calendar_id = calendar.client.id.as_str();

    for (hint, client_id) in [
        (forged.as_str(), None),
        ("not.a.token", None),
        (id_token.as_str(), Some(calendar_id)),
    ] {
        let mut asked = vec![
            ("id_token_hint", hint),
            ("post_logout_redirect_uri", LOGGED_OUT),
        ];
        asked.extend(client_id.map(|client_id| ("client_id", client_id)));
        let refused = app.page(&format!("/logout?{}", query(&asked))).await;
        assert_eq!(refused.status(), Status::BadRequest, "{hint} {client_id:?}");
        assert_eq!(location(&refused), None);
    }
    let profile = app.client.get("/profile").dispatch().await;
    assert_eq!(profile.status(), Status::Ok, "still logged in");

    let right = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", LOGGED_OUT),
        ("client_id", photos.client.id.as_str()),
    ];
    let page = app.page(&format!("/logout?{}", query(&right))).await;
    assert_eq!(page.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_state_too_long_to_echo_whole_is_refused_with_it_whole() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let (_, challenge) = pkce();
    let state = "s".repeat(1025);
    let asked = query(&[
        ("response_type", "code"),
        ("client_id", photos.client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", &state),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let response = app.page(&format!("/authorize?{asked}")).await;
    assert_eq!(response.status(), Status::SeeOther);
    let to = url::Url::parse(location(&response).unwrap()).unwrap();
    let answered: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(answered["error"], "invalid_request");
    assert_eq!(answered["state"], state);
}

#[rocket::async_test]
async fn a_verifier_without_a_challenge_is_refused_and_no_answer_is_kept() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    // A confidential client may leave PKCE out, but not add it at the
    // token endpoint only (a downgrade of a code stolen without it).
    let code = app.code(&photos.client, None).await;
    let (verifier, _) = pkce();
    let (status, refused) = app.redeem(&photos, &code, Some(&verifier)).await;
    assert_eq!(
        (status, text(&refused, "error").as_str()),
        (Status::BadRequest, "invalid_grant")
    );

    let tokens = app.tokens(&photos).await;
    let access = text(&tokens, "access_token");
    let userinfo = app.userinfo(&access).await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        photos.client.id,
        photos.secret.as_deref().unwrap()
    ));
    let introspect = app
        .client
        .post("/introspect")
        .header(ContentType::Form)
        .header(Header::new("Authorization", format!("Basic {basic}")))
        .body(query(&[("token", access.as_str())]))
        .dispatch()
        .await;
    for (path, response) in [("/userinfo", userinfo), ("/introspect", introspect)] {
        assert_eq!(response.status(), Status::Ok, "{path}");
        let headers = response.headers();
        assert_eq!(headers.get_one("Cache-Control"), Some("no-store"), "{path}");
        assert_eq!(
            headers.get_one("Referrer-Policy"),
            Some("no-referrer"),
            "{path}"
        );
    }
}

#[rocket::async_test]
async fn a_reset_password_or_a_deleted_account_ends_the_tokens() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let access = text(&app.tokens(&photos).await, "access_token");
    // The reset token comes in the answer (`mail.reset_delivery`'s
    // default): no mailbox needed here.
    let asked = body(app.post("/reset_password", &[("email", EMAIL)]).await).await;
    let asked: Value = serde_json::from_str(&asked).unwrap();
    let new = "a new one for grace";
    let reset = [
        ("email", EMAIL),
        ("reset_token", asked["reset_token"].as_str().unwrap()),
        ("new_password", new),
    ];
    assert_eq!(
        app.put("/reset_password", &reset).await.status(),
        Status::Ok
    );
    assert_eq!(app.userinfo(&access).await.status(), Status::Unauthorized);

    app.login(EMAIL, new).await;
    let access = text(&app.tokens(&photos).await, "access_token");
    let deleted = app
        .send(
            Method::Delete,
            "/profile",
            Encoding::Form,
            &[("password", new)],
        )
        .await;
    assert_eq!(deleted.status(), Status::Ok);
    assert_eq!(app.userinfo(&access).await.status(), Status::Unauthorized);
    assert_eq!(app.numbers("SELECT COUNT(*) AS n FROM oauth_tokens"), [0]);
}

#[rocket::async_test]
async fn a_password_change_ends_the_tokens_of_every_application() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let changed = app
        .put(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "fortran formula 1957"),
            ],
        )
        .await;
    assert_eq!(changed.status(), Status::Ok);
    drop(changed);
    assert_eq!(
        app.userinfo(&text(&tokens, "access_token")).await.status(),
        Status::Unauthorized
    );
    let (status, _) = app.refresh(&photos, &text(&tokens, "refresh_token")).await;
    assert_eq!(status, Status::BadRequest);
}

#[rocket::async_test]
async fn a_disabled_account_loses_its_tokens_and_signs_in_to_no_application() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let email = Email::parse(EMAIL).unwrap();
    assert!(app.auth().set_disabled(&email, true).await.unwrap());
    assert!(
        !app.auth().set_disabled(&email, true).await.unwrap(),
        "already"
    );

    assert_eq!(
        app.userinfo(&text(&tokens, "access_token")).await.status(),
        Status::Unauthorized
    );
    let (status, _) = app.refresh(&photos, &text(&tokens, "refresh_token")).await;
    assert_eq!(status, Status::BadRequest);
    let login = [("email", EMAIL), ("password", PASSWORD)];
    let refused = app.post("/sessions", &login).await;
    assert_eq!(refused.status(), Status::Unauthorized);
    assert_eq!(
        refused.into_string().await.unwrap(),
        "{\"message\":\"wrong email or password\"}\n",
        "as a wrong password: nothing said of the account"
    );

    assert!(app.auth().set_disabled(&email, false).await.unwrap());
    assert_eq!(app.post("/sessions", &login).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn the_account_page_lists_connected_applications_and_disconnects_them() {
    let (app, photos) = provider().await;
    app.login(EMAIL, PASSWORD).await;
    let profile = body(app.page("/profile").await).await;
    assert!(!profile.contains("Connected applications"), "none yet");
    let (verifier, challenge) = pkce();
    let code = app.code(&photos.client, Some(&challenge)).await;
    let (_, tokens) = app.redeem(&photos, &code, Some(&verifier)).await;

    let profile = body(app.page("/profile").await).await;
    assert!(profile.contains("Connected applications"), "{profile}");
    assert!(profile.contains("Photo Album"), "{profile}");
    assert!(profile.contains("Allowed just now"), "{profile}");
    let action = format!("/profile/applications/{}", photos.client.id);
    assert!(
        profile.contains(&format!("action=\"{action}\"")),
        "{profile}"
    );

    let disconnected = app.submit(&action, &[("_method", "DELETE")]).await;
    assert_eq!(disconnected.status(), Status::SeeOther);
    assert_eq!(location(&disconnected), Some("/profile"));
    assert_eq!(
        crate::app::notice(&disconnected).as_deref(),
        Some(
            "Photo Album is disconnected: it no longer signs you in, and asks you again next time."
        )
    );
    drop(disconnected);
    assert_eq!(
        app.userinfo(&text(&tokens, "access_token")).await.status(),
        Status::Unauthorized
    );
    let (status, _) = app.refresh(&photos, &text(&tokens, "refresh_token")).await;
    assert_eq!(status, Status::BadRequest);
    let asked_again = app
        .page(&authorize_path(&photos.client, Some(&challenge), &[]))
        .await;
    assert_eq!(asked_again.status(), Status::Ok, "the consent page again");
    drop(asked_again);

    // Another's application, or one never connected: nothing happens.
    let unknown = app
        .submit("/profile/applications/nobody", &[("_method", "DELETE")])
        .await;
    assert_eq!(
        crate::app::notice(&unknown).as_deref(),
        Some("This application is not connected to your account.")
    );
}

/// The `kid` of the JWT `token`'s header.
fn kid(token: &str) -> String {
    let header = token.split('.').next().expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    let header: Value = serde_json::from_slice(&bytes).unwrap();
    text(&header, "kid")
}

/// The kids of the JWKS, by algorithm.
async fn published(app: &TestApp) -> Vec<(String, String)> {
    let response = app.client.get("/jwks.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let jwks: Value = serde_json::from_str(&body(response).await).unwrap();
    let mut keys: Vec<(String, String)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| (text(key, "alg"), text(key, "kid")))
        .collect();
    keys.sort();
    keys
}

#[rocket::async_test]
async fn keys_are_published_before_they_sign() {
    let (app, photos) = provider().await;
    // Before any sign-in, an application that fetches the JWKS finds the
    // key of each algorithm.
    let first = published(&app).await;
    let algorithms: Vec<&str> = first.iter().map(|(alg, _)| alg.as_str()).collect();
    assert_eq!(algorithms, ["ES256", "EdDSA", "RS256"]);
    let rsa = app.client.get("/jwks.json").dispatch().await;
    let jwks: Value = serde_json::from_str(&body(rsa).await).unwrap();
    let rsa = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kty"] == "RSA");
    let rsa = rsa.expect("an RSA key");
    assert_eq!(rsa["use"], "sig");
    assert_eq!(rsa["e"], "AQAB");
    assert!(rsa.get("d").is_none(), "no private part");

    // A rotated key is published at once, and signs an hour later.
    let (next, signs_from) = app.auth().rotate_key(Algorithm::Es256).await.unwrap();
    assert!(
        signs_from >= auth_service::clock::now() + 3590,
        "{signs_from}"
    );
    let now_published = published(&app).await;
    assert_eq!(now_published.len(), 4);
    assert!(now_published.contains(&("ES256".to_owned(), next.kid().to_owned())));
    app.login(EMAIL, PASSWORD).await;
    let tokens = app.tokens(&photos).await;
    let signed_by = kid(tokens["id_token"].as_str().unwrap());
    let es256 = first.iter().find(|(alg, _)| alg == "ES256").unwrap();
    assert_eq!(
        signed_by, es256.1,
        "the first key signs until the next one's time"
    );
}
