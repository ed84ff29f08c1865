//! The service in process, through Rocket's local client: a `TestApp` over
//! a throw-away database, requests in each encoding or as a browser sends
//! them, and look-ups of what the database holds.

use auth_service::auth::token::digest;
use auth_service::auth::Auth;
use auth_service::db::{Session, UserChanges, UserQuery, DB};
use auth_service::language::{Language, Text};
use auth_service::user::User;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;

pub use crate::support::execute;
use crate::support::{Store, SECRET_KEY};

/// The fields of a request body, by name.
pub type Fields<'a> = &'a [(&'a str, &'a str)];

/// The Accept header browsers send.
pub const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The configuration of a test service over `store`: cheap bcrypt, a fixed
/// secret key, no logging.
pub fn figment(store: &Store) -> Figment {
    rocket::Config::figment()
        .merge(("databases.auth.url", &store.url))
        .merge(("passwords.bcrypt_cost", 4))
        .merge(("secret_key", SECRET_KEY))
        .merge(("log_level", "off"))
}

/// A running service over its own temporary database.
pub struct TestApp {
    pub client: Client,
    pub store: Store,
}

impl TestApp {
    /// The service with the test configuration.
    pub async fn new() -> Self {
        TestApp::with(|figment| figment).await
    }

    /// The service with the test configuration changed by `configure`.
    pub async fn with(configure: impl FnOnce(Figment) -> Figment) -> Self {
        TestApp::start(Store::new(), configure).await
    }

    /// The service with a client that keeps no cookies: each request
    /// carries the session it is given (several devices of one user).
    pub async fn untracked(configure: impl FnOnce(Figment) -> Figment) -> Self {
        let store = Store::new();
        let rocket = auth_service::build(configure(figment(&store)));
        let client = Client::untracked(rocket).await.expect("the service starts");
        TestApp { client, store }
    }

    /// A new service over this one's files (database included), as after a
    /// restart.
    pub async fn restart(self, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let TestApp { client, store } = self;
        drop(client.terminate().await);
        TestApp::start(store, configure).await
    }

    async fn start(store: Store, configure: impl FnOnce(Figment) -> Figment) -> Self {
        let rocket = auth_service::build(configure(figment(&store)));
        let client = Client::tracked(rocket).await.expect("the service starts");
        TestApp { client, store }
    }

    /// The service's `Auth`.
    pub fn auth(&self) -> &Auth {
        self.client.rocket().state().expect("Auth is managed")
    }

    /// Direct access to the service's database (a pool of its own), to
    /// check what it holds.
    pub async fn db(&self) -> DB {
        self.store.db().await
    }

    /// The stored user `email` (normalized), if any.
    pub async fn stored_user(&self, email: &str) -> Option<User> {
        self.db()
            .await
            .find_user_by(UserQuery::Email(email.to_lowercase()))
            .await
            .ok()
    }

    /// The stored sessions of the user `email`, newest first.
    pub async fn stored_sessions(&self, email: &str) -> Vec<Session> {
        let user = self.stored_user(email).await.expect("the user is stored");
        self.db().await.user_sessions(user.id).await.unwrap()
    }

    /// The stored session whose id is `session_id` (found by its digest).
    pub async fn stored_session(&self, session_id: &str) -> Option<Session> {
        let found = self.db().await.find_session(&digest(session_id)).await;
        found.unwrap().map(|(session, _)| session)
    }

    /// Runs `statement` on the service's database, as an operator (or an
    /// older release) would.
    pub fn execute(&self, statement: &str) {
        execute(&self.store.url, statement);
    }

    /// The numbers `query` answers on the service's database (its one
    /// column named `n`, a BIGINT).
    pub fn numbers(&self, query: &str) -> Vec<i64> {
        numbers(&self.store.url, query)
    }

    /// The failures of each device cookie stored for the user `email`,
    /// oldest first.
    pub fn stored_device_cookies(&self, email: &str) -> Vec<i64> {
        self.numbers(&format!(
            "SELECT CAST(failures AS BIGINT) AS n FROM device_cookies JOIN users \
                 ON users.id = device_cookies.user_id WHERE normalized_email = '{}' \
                 ORDER BY device_cookies.created_at, digest",
            email.to_lowercase()
        ))
    }

    /// Applies `changes` to the stored user `email`.
    pub async fn change_user(&self, email: &str, changes: UserChanges) {
        let user = self.stored_user(email).await.expect("the user is stored");
        let db = self.db().await;
        db.update_user(user.id, changes)
            .await
            .expect("the user changes");
        crate::support::heard(&self.store.url);
    }

    /// Sends `fields` to `method path` in `encoding`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        encoding: Encoding,
        fields: &[(&str, &str)],
    ) -> LocalResponse<'_> {
        let (content_type, body) = encoding.encode(fields);
        self.client
            .req(method, path.to_owned())
            .header(content_type)
            .body(body)
            .dispatch()
            .await
    }

    /// Sends `fields` to `method path` once in each encoding, handing each
    /// answer to `check`.
    pub async fn for_each_encoding(
        &self,
        method: Method,
        path: &str,
        fields: &[(&str, &str)],
        mut check: impl AsyncFnMut(Encoding, LocalResponse<'_>),
    ) {
        for encoding in Encoding::ALL {
            check(encoding, self.send(method, path, encoding, fields).await).await;
        }
    }

    /// `POST path` with `fields` as a urlencoded form.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        self.send(Method::Post, path, Encoding::Form, fields).await
    }

    /// `PUT path` with `fields` as a urlencoded form.
    pub async fn put(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        self.send(Method::Put, path, Encoding::Form, fields).await
    }

    /// `GET path` as a browser asks for a page.
    pub async fn page(&self, path: &str) -> LocalResponse<'_> {
        self.client
            .get(path.to_owned())
            .header(Header::new("Accept", BROWSER))
            .dispatch()
            .await
    }

    /// Submits an HTML form as a browser does: POST, urlencoded.
    pub async fn submit(&self, action: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let (content_type, body) = Encoding::Form.encode(fields);
        self.client
            .post(action.to_owned())
            .header(Header::new("Accept", BROWSER))
            .header(content_type)
            .body(body)
            .dispatch()
            .await
    }

    /// The page a refused form came back to: `response` sends the browser
    /// back (303) to `page`, which shows the form again with its errors.
    pub async fn back_to(&self, response: LocalResponse<'_>, page: &str) -> String {
        assert_eq!(response.status(), Status::SeeOther, "back to {page}");
        assert_eq!(location(&response), Some(page));
        drop(response);
        let shown = self.page(page).await;
        assert_eq!(shown.status(), Status::Ok, "{page}");
        body(shown).await
    }

    /// The page a used or expired mailed link leads to: away (303) from the
    /// link's address, so that its token leaves the address bar, to
    /// `page`, which says so (400).
    pub async fn link_no_longer_works(&self, link: &str, page: &str) -> String {
        let response = self.page(link).await;
        assert_eq!(response.status(), Status::SeeOther, "{link}");
        assert_eq!(location(&response), Some(page), "{link}");
        drop(response);
        let shown = self.page(page).await;
        assert_eq!(shown.status(), Status::BadRequest, "{page}");
        body(shown).await
    }

    /// Registers `email` with `password`, expecting success.
    pub async fn register(&self, email: &str, password: &str) {
        let response = self
            .post("/users", &[("email", email), ("password", password)])
            .await;
        assert_eq!(response.status(), Status::Ok, "registering {email}");
    }

    /// Registers `email` with `password` and marks its address confirmed,
    /// as its mailed link would (tested in `mail`): for tests of what
    /// needs a proven address (second factors).
    pub async fn register_confirmed(&self, email: &str, password: &str) {
        self.register(email, password).await;
        self.confirm_address(email);
    }

    /// Marks the address of the account `email` confirmed.
    pub fn confirm_address(&self, email: &str) {
        self.execute(&format!(
            "UPDATE users SET email_verified_at = 1700000000 WHERE normalized_email = '{}'",
            email.to_lowercase()
        ));
    }

    /// Follows the mailed link of `token` as a JSON client
    /// (`GET /verify_email?token=T`): the status and body.
    pub async fn verify_email(&self, token: &str) -> (Status, String) {
        let response = self
            .client
            .get(format!("/verify_email?token={token}"))
            .dispatch()
            .await;
        (response.status(), body(response).await)
    }

    /// Follows the mailed link of `token` in a browser: the token leaves
    /// the address for a cookie (303 to `/verify_email`), where the page
    /// answers; that answer.
    pub async fn follow_verification_link(&self, token: &str) -> LocalResponse<'_> {
        let response = self.page(&format!("/verify_email?token={token}")).await;
        assert_eq!(response.status(), Status::SeeOther);
        assert_eq!(location(&response), Some("/verify_email"));
        self.page("/verify_email").await
    }

    /// Follows the mailed link of `token` in a browser without the
    /// account's session, and gives `password` where its page asks for it:
    /// that answer.
    pub async fn prove_link_by_password(&self, token: &str, password: &str) -> LocalResponse<'_> {
        let asked = self.follow_verification_link(token).await;
        assert_eq!(asked.status(), Status::Ok, "the password asked");
        let proof = [("_method", "PUT"), ("password", password)];
        self.submit("/verify_email", &proof).await
    }

    /// A login with `email` and `password`, as a JSON client's form.
    pub async fn try_login(&self, email: &str, password: &str) -> LocalResponse<'_> {
        self.post("/sessions", &[("email", email), ("password", password)])
            .await
    }

    /// Logs in, expecting success; the client keeps the session cookie.
    pub async fn login(&self, email: &str, password: &str) {
        let response = self.try_login(email, password).await;
        assert_eq!(response.status(), Status::Ok, "logging in {email}");
    }

    /// The sealed session cookie in the client's cookie jar, as sent.
    pub fn session_cookie(&self) -> Cookie<'static> {
        let cookie = self.client.cookies().get("session_id").cloned();
        cookie.expect("a session cookie").into_owned()
    }

    /// The session id in the client's cookie jar, decrypted.
    pub fn session_id(&self) -> Option<String> {
        self.client
            .cookies()
            .get_private("session_id")
            .map(|cookie| cookie.value().to_owned())
    }
}

/// The ways a client can encode a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Multipart,
    Json,
}

impl Encoding {
    pub const ALL: [Encoding; 3] = [Encoding::Form, Encoding::Multipart, Encoding::Json];

    /// The content type and body carrying `fields`.
    pub fn encode(self, fields: &[(&str, &str)]) -> (ContentType, Vec<u8>) {
        match self {
            Encoding::Form => {
                let pairs: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                    .collect();
                (ContentType::Form, pairs.join("&").into_bytes())
            }
            Encoding::Multipart => {
                let boundary = "X-TEST-BOUNDARY";
                let mut body = String::new();
                for (name, value) in fields {
                    body += &format!(
                        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    );
                }
                body += &format!("--{boundary}--\r\n");
                let content_type =
                    ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
                (content_type, body.into_bytes())
            }
            Encoding::Json => {
                let object: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(name, value)| (name.to_string(), Value::from(*value)))
                    .collect();
                (ContentType::JSON, serde_json::to_vec(&object).unwrap())
            }
        }
    }
}

fn encode(text: &str) -> String {
    rocket::http::RawStr::new(text).percent_encode().to_string()
}

/// A client at `address` (an IP address), as the socket names it: the
/// service reads a client's address from its connection.
pub fn peer(address: &str) -> std::net::SocketAddr {
    let ip: std::net::IpAddr = address.parse().expect("an IP address");
    std::net::SocketAddr::new(ip, 49152)
}

/// The response body as text.
pub async fn body(response: LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

/// The response's `Location`, if any.
pub fn location<'a>(response: &'a LocalResponse<'_>) -> Option<&'a str> {
    response.headers().get_one("Location")
}

/// The notice (flash message) `response` sets, if any.
pub fn notice(response: &LocalResponse<'_>) -> Option<String> {
    let flash = response.cookies().get("_flash")?;
    // Rocket's flash cookie: the kind's length, a colon, the kind, then the
    // notice, which the next page says in its language.
    let carried = flash.value().trim_start_matches(char::is_numeric);
    let carried = carried.strip_prefix(':').unwrap_or(carried);
    let text = ["success", "warning", "error"]
        .iter()
        .find_map(|kind| carried.strip_prefix(kind))
        .unwrap_or(carried);
    let text: Text = serde_json::from_str(text).expect("a notice, as JSON");
    Some(Language::En.say(&text))
}

/// The value of the hidden input `name` in `html`, as a browser reads it
/// (Tera escapes `/` as `&#x2F;`).
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the hidden input") + marker.len();
    let value = &html[start..start + html[start..].find('"').unwrap()];
    value.replace("&#x2F;", "/")
}

/// Every visible input of `html` has a label pointing at it.
pub fn assert_inputs_labelled(html: &str) {
    for input in html.split("<input").skip(1) {
        if input.contains("type=\"hidden\"") {
            continue;
        }
        let id = input.split("id=\"").nth(1).expect("an input with an id");
        let id = &id[..id.find('"').unwrap()];
        assert!(
            html.contains(&format!("<label for=\"{id}\"")),
            "no label for {id}"
        );
    }
}

/// The numbers `query` answers on the database at `url` (its one column
/// named `n`, a BIGINT).
pub fn numbers(url: &str, query: &str) -> Vec<i64> {
    use diesel::{sql_types::BigInt, Connection, PgConnection, RunQueryDsl, SqliteConnection};
    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Number> = if auth_service::db::is_postgres(url) {
        let mut connection = PgConnection::establish(url).unwrap();
        diesel::sql_query(query).load(&mut connection).unwrap()
    } else {
        let mut connection = SqliteConnection::establish(url).unwrap();
        diesel::sql_query(query).load(&mut connection).unwrap()
    };
    rows.into_iter().map(|row| row.n).collect()
}

/// Every file below the folder `relative` of this checkout (`templates`,
/// `src`), in no particular order.
pub fn files_below(relative: &str) -> Vec<std::path::PathBuf> {
    let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("a folder of the checkout") {
            let path = entry.expect("an entry").path();
            match path.is_dir() {
                true => folders.push(path),
                false => files.push(path),
            }
        }
    }
    files
}
