//! `POST /sessions` (login), `DELETE /sessions` (logout), and a user's
//! sessions on every device: `GET /sessions`, `DELETE /sessions/<id>`,
//! `DELETE /sessions/others`.

use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{delete, get, post, uri, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Auth, Device, Login};
use crate::clock::timestamp;
use crate::db::Session;
use crate::web::forms::{Credentials, PasswordProof};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::{remove_session_cookie, set_session_cookie};
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

/// Logs in: `{"email": E, "message": "logged in"}`, the session cookie and
/// a device cookie; 401 for a wrong email or password; 429 with
/// `Retry-After` after too many attempts.
#[utoipa::path(
    tag = "sessions",
    request_body = Credentials,
    responses(
        (status = 200, description = "Logged in", body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id`: the session, an encrypted \
                                                        HttpOnly cookie; and `device_…`: the \
                                                        device cookie, which spares this client \
                                                        the waits of strangers at later logins")),
         example = json!({"email": "bob@example.com", "message": "logged in"})),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 401, description = "Wrong email or password; or, with two-factor sign-in on, \
                                      a missing or wrong one-time code", body = Message,
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
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let Credentials {
        email,
        password,
        otp,
    } = input.into_inner();
    // A JSON client's session is kept, as the original API's was.
    match auth
        .log_in(&email, &password, &device, true, otp.as_ref())
        .await?
    {
        Login::Success(session) => {
            set_session_cookie(cookies, session);
            Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
        }
        Login::WrongCredentials => Err(Error::WrongCredentials),
        Login::Throttled(wait) => Err(Error::Throttled(wait)),
        Login::EmailNotVerified => Err(Error::EmailNotVerified),
        Login::SecondFactorRequired(_) => Err(Error::CodeRequired),
        Login::WrongCode | Login::TooManyWrongCodes => Err(Error::WrongCode {
            status: rocket::http::Status::Unauthorized,
            field: "otp",
        }),
        Login::SignInExpired => Err(Error::SignInExpired),
    }
}

/// Logs out: ends this session (the user's others stay) and redirects to
/// `/` (302), or 403.
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
    auth.end_session(user.id, &user.session.public_id).await?;
    remove_session_cookie(cookies);
    Ok(Redirect::found(uri!(super::index::index)))
}

/// One of a user's sessions, as `GET /sessions` lists them. Times are RFC
/// 3339, in UTC.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    #[schema(example = "2026-11-26T16:28:53Z")]
    created_at: String,
    /// Whether it is the session of this request.
    current: bool,
    /// The device, in words.
    #[schema(example = "Firefox on Linux")]
    device: String,
    /// When it ends if unused (sessions not kept end when idle).
    #[schema(example = "2026-12-03T16:28:53Z")]
    expires_at: String,
    /// A handle for `DELETE /sessions/<id>`: neither the cookie nor its
    /// digest.
    #[schema(example = "3f1c0e2b8d4a4e7f9b6a5c2d1e0f9a8b")]
    id: String,
    /// The client address it was started from.
    #[schema(example = "192.0.2.7")]
    ip: Option<String>,
    #[schema(example = "2026-11-26T17:02:11Z")]
    last_seen_at: String,
}

impl SessionInfo {
    fn new(session: Session, user: &CurrentUser, auth: &Auth) -> Self {
        SessionInfo {
            created_at: timestamp(session.created_at),
            current: session.id == user.session.id,
            expires_at: timestamp(auth.session_ends_at(&session)),
            last_seen_at: timestamp(session.last_seen_at),
            id: session.public_id,
            device: session.device,
            ip: session.ip,
        }
    }
}

/// `{"count": N, "message": "other sessions ended"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    count: usize,
    #[schema(example = "other sessions ended")]
    message: &'static str,
}

/// The user's sessions, newest first.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The sessions of the user, on every device",
         body = Vec<SessionInfo>),
        (status = 403, description = "No live session", body = Message,
         example = json!({"message": "not logged in"})),
    ),
)]
#[get("/sessions", rank = 2)]
pub async fn list(
    user: CurrentUser,
    auth: &State<Auth>,
) -> Result<FlaskJson<Vec<SessionInfo>>, Error> {
    let sessions = auth.sessions(user.id).await?;
    let listed = sessions
        .into_iter()
        .map(|session| SessionInfo::new(session, &user, auth))
        .collect();
    Ok(FlaskJson(listed))
}

/// Ends every session of the user but this one; needs the password
/// (`password`) past `recent_login_ttl` of the login.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "The other sessions are ended", body = SessionsEnded,
         example = json!({"count": 2, "message": "other sessions ended"})),
        (status = 400, description = "A field is malformed", body = Message),
        (status = 403, description = "No live session, a wrong password, or no password past \
                                      recent_login_ttl of the login", body = Message,
         example = json!({"message": "password confirmation required"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[delete("/sessions/others", data = "<input>", rank = 2)]
pub async fn end_others(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<PasswordProof>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<SessionsEnded>, Error> {
    let PasswordProof { password } = input.into_inner();
    let count = auth
        .end_other_sessions(&user.requester(), password.as_ref(), &device)
        .await?;
    Ok(FlaskJson(SessionsEnded {
        count,
        message: "other sessions ended",
    }))
}

/// Ends one of the user's sessions (this one too, which logs out).
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    params(("id" = String, Path, description = "The session's id, as GET /sessions lists it")),
    responses(
        (status = 200, description = "The session is ended", body = Message,
         example = json!({"message": "session ended"})),
        (status = 403, description = "No live session", body = Message),
        (status = 404, description = "The user has no such session (another user's is not \
                                      theirs to end): nothing ends", body = Message,
         example = json!({"message": "session not found"})),
    ),
)]
#[delete("/sessions/<id>", rank = 3)]
pub async fn end(
    _origin: SameOrigin,
    id: &str,
    user: CurrentUser,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    if !auth.end_session(user.id, id).await? {
        return Err(Error::UnknownSession);
    }
    if id == user.session.public_id {
        remove_session_cookie(cookies);
    }
    Ok(FlaskJson(Message {
        message: "session ended",
    }))
}
