//! `POST /sessions` (login) and `DELETE /sessions` (logout).

use std::net::IpAddr;

use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{delete, post, uri, State};

use crate::auth::{Auth, Login};
use crate::web::forms::Credentials;
use crate::web::json::{EmailMessage, Message};
use crate::web::session::{remove_session_cookie, set_session_cookie};
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

/// Logs in: `{"email": E, "message": "logged in"}` and the session cookie;
/// 401 for a wrong email or password; 429 with `Retry-After` after too many
/// attempts.
#[utoipa::path(
    tag = "sessions",
    request_body = Credentials,
    responses(
        (status = 200, description = "Logged in", body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id`: the session, an encrypted \
                                                        HttpOnly cookie")),
         example = json!({"email": "bob@example.com", "message": "logged in"})),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 401, description = "Wrong email or password", body = Message,
         example = json!({"message": "wrong email or password"})),
        (status = 403, description = "The password is right, but the address is not verified \
                                      yet (require_verified_email only): no session", body = Message,
         example = json!({"message": "email not verified"})),
        (status = 429, description = "Too many attempts for this email or from this address",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/sessions", data = "<input>", rank = 2)]
pub async fn login(
    _origin: SameOrigin,
    input: Input<Credentials>,
    client: Option<IpAddr>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let Credentials { email, password } = input.into_inner();
    match auth.log_in(&email, &password, client).await? {
        Login::Success(session) => {
            set_session_cookie(cookies, session);
            Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
        }
        Login::WrongCredentials => Err(Error::WrongCredentials),
        Login::Throttled(wait) => Err(Error::Throttled(wait)),
        Login::EmailNotVerified => Err(Error::EmailNotVerified),
    }
}

/// Logs out: ends the session and redirects to `/` (302), or 403.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    responses(
        (status = 302, description = "Logged out: the session is ended",
         headers(("Location" = String, description = "`/`"))),
        (status = 403, description = "No live session", body = Message,
         example = json!({"message": "not logged in"})),
    ),
)]
#[delete("/sessions", rank = 2)]
pub async fn logout(
    _origin: SameOrigin,
    user: CurrentUser,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, Error> {
    auth.destroy_session(user.id).await?;
    remove_session_cookie(cookies);
    Ok(Redirect::found(uri!(super::index::index)))
}
