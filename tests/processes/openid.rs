//! The OpenID Connect provider of the real binary, used by a real relying
//! party: an application registered with the admin command line
//! (`client add`) signs a user in with `openidconnect`'s client over HTTP
//! (discovery, the authorization code flow with PKCE through the login
//! and consent pages, the ID token's RS256 signature checked against the
//! published JWKS, userinfo), rotates its refresh tokens until a replay
//! revokes their family, introspects and revokes an access token, and
//! logs the user out (RP-initiated logout). The in-process tests of each
//! rule are `tests/in_process/provider.rs`.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreTokenResponse, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, TokenResponse, UserInfoError,
};
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::admin_ok;
use crate::secrets;
use crate::server::{self, free_port, post, Server};
use crate::support::Store;

const EMAIL: &str = "katherine@example.com";
const PASSWORD: &str = "orbital trajectories 1962";
/// Where the application receives its users back (nothing listens: the
/// browser here does not follow the way back, it reads it).
const REDIRECT: &str = "http://127.0.0.1:8734/callback";
/// Where the application's users land after logging out.
const LOGGED_OUT: &str = "http://127.0.0.1:8734/goodbye";
/// The Accept header browsers send.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The server, its public URL (the issuer) the address it is reached at.
struct Provider {
    server: Server,
    issuer: String,
    store: Store,
}

impl Provider {
    /// The binary on a free port, its public URL that port's.
    fn start() -> Provider {
        let store = Store::new();
        let port = free_port();
        let issuer = format!("http://127.0.0.1:{port}");
        let server = Server::start_on(&store, port, &[("ROCKET_PUBLIC_URL", &issuer)]);
        Provider {
            server,
            issuer,
            store,
        }
    }

    /// The URL of `path` on the provider.
    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }
}

/// A confidential application, as `client add` registered it.
pub(crate) struct Application {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// `POST path` as the server of the application `app` calls `server`
/// (HTTP Basic, a form body): the status and the JSON answer.
pub(crate) fn call_as(
    server: &Server,
    app: &Application,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = reqwest::blocking::Client::new()
        .post(server.url(path))
        .basic_auth(&app.id, Some(&app.secret))
        .form(fields)
        .send()
        .expect("an answer");
    let status = response.status();
    (status, response.json().unwrap_or(Value::Null))
}

/// The value of the `name: value` line of `output`.
pub(crate) fn printed(output: &str, name: &str) -> String {
    let prefix = format!("{name}: ");
    output
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in:\n{output}"))
        .to_owned()
}

/// "Photo Album", registered with `client add` over the provider's
/// database (its secret remembered).
fn register_photo_album(provider: &Provider) -> Application {
    let output = admin_ok(
        &provider.store,
        &[
            "client",
            "add",
            "Photo Album",
            "--redirect-uri",
            REDIRECT,
            "--post-logout-redirect-uri",
            LOGGED_OUT,
        ],
        "",
    );
    let secret = printed(&output, "client_secret");
    secrets::remember(&secret);
    Application {
        id: printed(&output, "client_id"),
        secret,
    }
}

/// The relying party's HTTP client: no redirects followed (openidconnect
/// asks for that, against SSRF).
fn http() -> openidconnect::reqwest::blocking::Client {
    openidconnect::reqwest::blocking::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// `CoreClient` as configured from the provider's metadata.
type RelyingParty = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The application's OpenID Connect client: the provider discovered at
/// its issuer (metadata and JWKS), with the application's credentials.
fn relying_party(
    provider: &Provider,
    app: &Application,
    http: &openidconnect::reqwest::blocking::Client,
) -> RelyingParty {
    let issuer = IssuerUrl::new(provider.issuer.clone()).expect("an issuer URL");
    let metadata = CoreProviderMetadata::discover(&issuer, http).expect("the provider's metadata");
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(app.id.clone()),
        Some(ClientSecret::new(app.secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_owned()).expect("a redirect URL"))
}

/// A person's browser: keeps cookies, follows no redirect, asks for pages.
fn browser() -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(BROWSER));
    server::client_builder()
        .default_headers(headers)
        .build()
        .expect("a browser")
}

/// Registers `EMAIL` (through the API: no session, nothing confirmed).
fn register_user(provider: &Provider) {
    let fields = [("email", EMAIL), ("password", PASSWORD)];
    let registered = post(&server::client(), provider.url("/users"), &fields);
    assert_eq!(registered.status(), StatusCode::OK);
}

/// The `Location` of `response` (a 303), resolved against the provider.
fn see_other(provider: &Provider, response: &reqwest::blocking::Response) -> url::Url {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{response:?}");
    let location = response.headers()["location"].to_str().expect("a location");
    url::Url::parse(&provider.url("/"))
        .and_then(|base| base.join(location))
        .expect("an address")
}

/// The value of the hidden input `name` of `html`.
fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the hidden input") + marker.len();
    let end = start + html[start..].find('"').expect("its end");
    html[start..end].replace("&#x2F;", "/")
}

/// Where the "back to the application" page `html` leads.
fn return_address(html: &str) -> String {
    let marker = "id=\"return\" href=\"";
    let start = html.find(marker).expect("the way back") + marker.len();
    let end = start + html[start..].find('"').expect("its end");
    html[start..end]
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

/// The value of the query parameter `name` of `url`.
fn parameter(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find_map(|(key, value)| (key == name).then(|| value.into_owned()))
}

/// `EMAIL`, not logged in, signs in to `rp` with `browser`: the
/// authorization request (with PKCE), the login page, the consent page
/// (allowed), the way back (its `state` and `iss` checked), and the code
/// traded for tokens. The tokens (remembered) and the request's nonce.
fn sign_in(
    provider: &Provider,
    rp: &RelyingParty,
    http: &openidconnect::reqwest::blocking::Client,
    browser: &Client,
) -> (CoreTokenResponse, Nonce) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    secrets::remember(verifier.secret());
    let (authorize_url, csrf, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("offline_access".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    assert!(
        authorize_url
            .as_str()
            .starts_with(&provider.url("/authorize?")),
        "{authorize_url}"
    );

    // Not logged in: the login page, which comes back to the request.
    let first = browser.get(authorize_url).send().expect("an answer");
    let login = see_other(provider, &first);
    assert_eq!(login.path(), "/login");
    let next = parameter(&login, "next").expect("the way back to the request");
    assert!(next.starts_with("/authorize/continue?request="), "{next}");
    let request = next.split_once('=').map(|(_, id)| id).unwrap_or_default();
    secrets::remember(request);
    let fields = [("email", EMAIL), ("password", PASSWORD), ("next", &next)];
    let logged_in = post(browser, provider.url("/sessions"), &fields);
    assert_eq!(
        see_other(provider, &logged_in).as_str(),
        provider.url(&next)
    );

    // The consent page names the application; the person allows.
    let page = browser.get(provider.url(&next)).send().expect("a page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().expect("the consent page");
    assert!(html.contains("Photo Album"), "{html}");
    assert_eq!(hidden_value(&html, "request"), request);
    let fields = [("request", request), ("decision", "allow")];
    let answer = post(browser, provider.url("/authorize/consent"), &fields);
    assert_eq!(answer.status(), StatusCode::OK);
    let back = return_address(&answer.text().expect("the page back"));
    assert!(back.starts_with(&format!("{REDIRECT}?code=")), "{back}");
    let back = url::Url::parse(&back).expect("an address");
    assert_eq!(
        parameter(&back, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(parameter(&back, "iss"), Some(provider.issuer.clone()));
    let code = parameter(&back, "code").expect("a code");
    secrets::remember(&code);

    // The application's server trades the code for tokens.
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request(http)
        .expect("tokens for the code");
    remember_tokens(&tokens);
    (tokens, nonce)
}

/// Remembers every token of `tokens`.
fn remember_tokens(tokens: &CoreTokenResponse) {
    secrets::remember(tokens.access_token().secret());
    if let Some(refresh) = tokens.refresh_token() {
        secrets::remember(refresh.secret());
    }
    if let Some(id_token) = tokens.id_token() {
        secrets::remember(&id_token.to_string());
    }
}

/// Whether `refresh_token` is refused as OAuth's `invalid_grant` at the
/// token endpoint (else its new tokens, remembered).
fn refresh(
    rp: &RelyingParty,
    http: &openidconnect::reqwest::blocking::Client,
    refresh_token: &RefreshToken,
) -> Result<CoreTokenResponse, CoreErrorResponseType> {
    let answer = rp
        .exchange_refresh_token(refresh_token)
        .expect("a token endpoint")
        .request(http);
    match answer {
        Ok(tokens) => {
            remember_tokens(&tokens);
            Ok(tokens)
        }
        Err(RequestTokenError::ServerResponse(refusal)) => Err(refusal.error().clone()),
        Err(other) => panic!("the token endpoint did not answer as OAuth: {other:?}"),
    }
}

#[test]
fn a_relying_party_signs_a_user_in_checks_the_id_token_and_logs_them_out() {
    let provider = Provider::start();
    let app = register_photo_album(&provider);
    register_user(&provider);
    let http = http();
    let rp = relying_party(&provider, &app, &http);
    let browser = browser();
    let (tokens, nonce) = sign_in(&provider, &rp, &http, &browser);

    // The ID token: its signature checked against the JWKS of discovery.
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = rp.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("a valid ID token");
    assert_eq!(
        id_token.signing_alg().expect("an algorithm"),
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256
    );
    assert_eq!(claims.issuer().as_str(), provider.issuer);
    let audiences: Vec<&str> = claims.audiences().iter().map(|aud| aud.as_str()).collect();
    assert_eq!(audiences, [app.id.as_str()]);
    assert_eq!(claims.email().map(|email| email.as_str()), Some(EMAIL));
    assert_eq!(claims.email_verified(), Some(false));
    let subject = claims.subject().clone();
    let scopes: Vec<&str> = tokens
        .scopes()
        .map(|scopes| scopes.iter().map(|scope| scope.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(scopes, ["openid", "email", "offline_access"]);

    let info: CoreUserInfoClaims = rp
        .user_info(tokens.access_token().clone(), Some(subject.clone()))
        .expect("a userinfo endpoint")
        .request(&http)
        .expect("the user's claims");
    assert_eq!(info.email().map(|email| email.as_str()), Some(EMAIL));

    // The application's server asks what its access token is, then
    // revokes it.
    let access = tokens.access_token().secret().as_str();
    let (status, live) = call_as(&provider.server, &app, "/introspect", &[("token", access)]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(live["active"], true, "{live}");
    assert_eq!(live["sub"], subject.as_str());
    assert_eq!(live["client_id"], app.id.as_str());
    let (status, _) = call_as(&provider.server, &app, "/revoke", &[("token", access)]);
    assert_eq!(status, StatusCode::OK);
    let (_, revoked) = call_as(&provider.server, &app, "/introspect", &[("token", access)]);
    assert_eq!(revoked, serde_json::json!({"active": false}));
    let userinfo = reqwest::blocking::Client::new()
        .get(provider.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .expect("an answer");
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);

    // The application logs the person out: the provider asks them, then
    // sends them back to the registered address, with the state.
    let id_token = id_token.to_string();
    let fields = [
        ("id_token_hint", id_token.as_str()),
        ("post_logout_redirect_uri", LOGGED_OUT),
        ("state", "x"),
    ];
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let page = browser
        .get(provider.url(&format!("/logout?{query}")))
        .send()
        .expect("a page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().expect("the logout page");
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert_eq!(hidden_value(&html, "post_logout_redirect_uri"), LOGGED_OUT);
    let profile = || {
        browser
            .get(provider.url("/profile"))
            .header(ACCEPT, "application/json")
            .send()
            .expect("an answer")
            .status()
    };
    assert_eq!(profile(), StatusCode::OK, "still logged in");
    let out = post(&browser, provider.url("/logout"), &fields);
    assert_eq!(out.status(), StatusCode::OK);
    let back = return_address(&out.text().expect("the page back"));
    assert_eq!(back, format!("{LOGGED_OUT}?state=x"));
    assert_eq!(profile(), StatusCode::FORBIDDEN, "logged out");
}

#[test]
fn refresh_tokens_rotate_and_a_replayed_one_revokes_its_family() {
    let provider = Provider::start();
    let app = register_photo_album(&provider);
    register_user(&provider);
    let http = http();
    let rp = relying_party(&provider, &app, &http);
    let (tokens, _) = sign_in(&provider, &rp, &http, &browser());
    let first = tokens.refresh_token().expect("offline_access").clone();

    let second = refresh(&rp, &http, &first).expect("new tokens");
    let second_refresh = second.refresh_token().expect("the next refresh token");
    assert_ne!(
        second_refresh.secret(),
        first.secret(),
        "a new one each time"
    );
    // The refreshed ID token is signed too, for the same person.
    let verifier = rp.id_token_verifier();
    let claims = |tokens: &CoreTokenResponse| {
        let id_token = tokens.id_token().expect("an ID token");
        let no_nonce = |_: Option<&Nonce>| Ok(());
        id_token.claims(&verifier, no_nonce).expect("valid").clone()
    };
    assert_eq!(claims(&second).subject(), claims(&tokens).subject());

    // The one just spent, again at once (a retry): refused, and the family
    // lives on.
    assert_eq!(
        refresh(&rp, &http, &first).err(),
        Some(CoreErrorResponseType::InvalidGrant)
    );
    let third = refresh(&rp, &http, second_refresh).expect("the family lives on");
    let latest = third.refresh_token().expect("the next refresh token");

    // The first again, its successor spent too: a theft; the family goes.
    assert_eq!(
        refresh(&rp, &http, &first).err(),
        Some(CoreErrorResponseType::InvalidGrant)
    );
    assert_eq!(
        refresh(&rp, &http, latest).err(),
        Some(CoreErrorResponseType::InvalidGrant)
    );
    let userinfo: Result<CoreUserInfoClaims, _> = rp
        .user_info(third.access_token().clone(), None)
        .expect("a userinfo endpoint")
        .request(&http);
    let Err(UserInfoError::Response(status, ..)) = &userinfo else {
        panic!("the access tokens went with the family: {userinfo:?}");
    };
    assert_eq!(*status, StatusCode::UNAUTHORIZED);
}
