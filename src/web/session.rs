//! The session cookie, and the request guard that turns it into a user.

use std::borrow::Cow;

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::{Duration, OffsetDateTime};

use super::error::{refuse, Error};
use crate::auth::{Auth, DeviceCookie, LiveSession, NewSession, Requester, Visitor};
use crate::user::UserId;

/// Name of the session cookie, as in the original API.
pub const SESSION_COOKIE: &str = "session_id";

/// The user of a request that carries a live session: what handlers need
/// of them. Without one the request fails with 403 (`NotLoggedIn`, or
/// `SessionEnded` when the cookie names no live session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: UserId,
    /// The address as the user typed it.
    pub email: String,
    /// Whether that address is verified.
    pub email_verified: bool,
    /// The session of the request.
    pub session: CurrentSession,
}

/// The session a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSession {
    /// Its key, for `Auth`.
    pub id: i64,
    /// Its handle, as `GET /sessions` shows it.
    pub public_id: String,
    /// When it last proved its owner (a login, the password given again).
    pub authenticated_at: i64,
    /// Whether it outlives the browser.
    pub kept: bool,
    /// Whether it proved a second factor (a one-time code or a passkey).
    pub second_factor: bool,
}

impl CurrentUser {
    /// The user and their session, as `Auth` takes them for a change.
    pub fn requester(&self) -> Requester {
        Requester {
            user_id: self.id,
            session: self.session.id,
            authenticated_at: self.session.authenticated_at,
            kept: self.session.kept,
            second_factor: self.session.second_factor,
        }
    }

    /// The user and their session, as forward auth weighs them.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            user_id: self.id,
            second_factor: self.session.second_factor,
        }
    }
}

/// The request's session, looked up once per request: every guard and page
/// of a request shares the one answer.
struct SessionLookup(Result<CurrentUser, Error>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let lookup = request
            .local_cache_async(async { SessionLookup(look_up(request).await) })
            .await;
        match &lookup.0 {
            Ok(user) => Outcome::Success(user.clone()),
            Err(error) => refuse(request, error.clone()),
        }
    }
}

async fn look_up(request: &Request<'_>) -> Result<CurrentUser, Error> {
    let auth = request.rocket().state::<Auth>().ok_or(Error::Internal)?;
    // A garbage, tampered or foreign cookie fails to decrypt: no session.
    let cookie = request
        .cookies()
        .get_private(SESSION_COOKIE)
        .ok_or(Error::NotLoggedIn)?;
    match auth.session(cookie.value()).await? {
        Some(LiveSession { session, user }) => Ok(CurrentUser {
            id: user.id,
            email_verified: user.email_verified_at.is_some(),
            email: user.email,
            session: CurrentSession {
                id: session.id,
                public_id: session.public_id,
                authenticated_at: session.authenticated_at,
                kept: session.persistent,
                second_factor: session.second_factor_at.is_some(),
            },
        }),
        None => Err(Error::SessionEnded),
    }
}

/// Hands `session` to the client: a private (encrypted and authenticated)
/// cookie, HttpOnly, SameSite=Lax, for the whole site (and, with
/// `sessions.cookie_domain`, for every host of that domain), living as long
/// as the session, or, for a session not kept, as long as the browser
/// runs; and the login's device cookie, alike but for this host only, for
/// `sessions.device_cookie_ttl`. Both are Secure when `public_url` is
/// https (Rocket marks them so under its own TLS too).
pub fn set_session_cookie(cookies: &CookieJar<'_>, auth: &Auth, session: NewSession) {
    let NewSession {
        id,
        max_age,
        device_cookie,
    } = session;
    let mut cookie = private_cookie(SESSION_COOKIE, id.expose(), max_age);
    on_session_domain(&mut cookie, auth);
    cookies.add_private(cookie);
    let DeviceCookie {
        name,
        token,
        max_age,
    } = device_cookie;
    let mut cookie = private_cookie(name, token.expose(), Some(max_age));
    cookie.set_secure(secure(auth));
    cookies.add_private(cookie);
}

/// Sets on `cookie` the domain of the session cookie, and Secure where it
/// belongs.
fn on_session_domain(cookie: &mut Cookie<'static>, auth: &Auth) {
    if let Some(domain) = &auth.settings().sessions.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_secure(secure(auth));
}

/// Whether the site is served over https, so that its cookies must be
/// Secure: `None` lets Rocket decide (Secure under its own TLS).
fn secure(auth: &Auth) -> Option<bool> {
    auth.settings()
        .public_url
        .starts_with("https://")
        .then_some(true)
}

/// A private cookie `name` holding `value`, HttpOnly, SameSite=Lax, for the
/// whole site, living `max_age` seconds or, without one, as long as the
/// browser runs.
pub fn private_cookie(
    name: impl Into<Cow<'static, str>>,
    value: &str,
    max_age: Option<u64>,
) -> Cookie<'static> {
    let cookie = Cookie::build((name, value.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/");
    match max_age {
        Some(max_age) => {
            let lifetime = Duration::seconds(i64::try_from(max_age).unwrap_or(i64::MAX));
            cookie
                .max_age(lifetime)
                .expires(OffsetDateTime::now_utc() + lifetime)
                .build()
        }
        // Rocket makes a private cookie without an expiry last a week;
        // `Expires: None` makes it a browser-session cookie.
        None => cookie.expires(None).build(),
    }
}

/// Tells the client to forget its session cookie.
pub fn remove_session_cookie(cookies: &CookieJar<'_>, auth: &Auth) {
    let mut cookie = Cookie::build(SESSION_COOKIE).path("/").build();
    on_session_domain(&mut cookie, auth);
    cookies.remove_private(cookie);
}
