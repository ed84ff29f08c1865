//! The session cookie and the request guard that turns it into a user.

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::{Duration, OffsetDateTime};

use super::ApiError;
use crate::auth::Auth;
use crate::user::User;

/// Name of the session cookie, as in the original API.
pub const SESSION_COOKIE: &str = "session_id";

/// The user of a request that carries a live session. Without one the
/// request fails with 403.
#[derive(Debug)]
pub struct CurrentUser(pub User);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = ApiError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return fail(ApiError::from_status(Status::InternalServerError));
        };
        // A garbage, tampered or foreign cookie fails to decrypt: no session.
        let Some(cookie) = request.cookies().get_private(SESSION_COOKIE) else {
            return fail(ApiError::no_session());
        };
        match auth.get_user_from_session_id(cookie.value()).await {
            Ok(Some(user)) => Outcome::Success(CurrentUser(user)),
            Ok(None) => fail(ApiError::no_session()),
            Err(error) => fail(error.into()),
        }
    }
}

fn fail(error: ApiError) -> Outcome<CurrentUser, ApiError> {
    Outcome::Error((error.status, error))
}

/// Hands `session_id` to the client: a private (encrypted and authenticated)
/// cookie, HttpOnly, SameSite=Lax, for the whole site, living `ttl` seconds.
pub fn set_session_cookie(cookies: &CookieJar<'_>, session_id: String, ttl: u64) {
    let lifetime = Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX));
    let cookie = Cookie::build((SESSION_COOKIE, session_id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(lifetime)
        .expires(OffsetDateTime::now_utc() + lifetime);
    cookies.add_private(cookie);
}

/// Tells the client to forget its session cookie.
pub fn remove_session_cookie(cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
}
