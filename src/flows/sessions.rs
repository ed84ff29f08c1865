//! A user's sessions on every device: `GET /sessions` lists them (the
//! account page shows them), `DELETE /sessions/<id>` ends one (this one
//! too, which logs out), `DELETE /sessions/others` every other one, past
//! `sessions.recent_login_ttl` of the login with the password.

use rocket::form::{Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::{delete, get, uri, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::paths::PATHS;
use super::settings::confirm::{Change, PasswordProof};
use super::settings::{ago, require_login};
use crate::auth::{Auth, Device, DeviceName};
use crate::clock::{self, timestamp};
use crate::db::Session;
use crate::language::Text;
use crate::web::form::PageError;
use crate::web::json::Message;
use crate::web::session::remove_session_cookie;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

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

/// The path segment that names every session but the current one.
const OTHERS: &str = "others";

/// The user's sessions, newest first.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The sessions of the user, on every device",
         body = Vec<SessionInfo>),
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
/// (`password`) past `sessions.recent_login_ttl` of the login.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "The other sessions are ended", body = SessionsEnded,
         example = json!({"count": 2, "message": "other sessions ended"})),
        (status = 403, description = "A wrong password, or no password past sessions.recent_login_ttl of \
                                      the login", body = Message,
         example = json!({"message": "password confirmation required"})),
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

/// Ends one of the user's sessions: this one (which logs out) at once,
/// another with the password (`password`) past `sessions.recent_login_ttl`
/// of the login.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    params(("id" = String, Path, description = "The session's id, as GET /sessions lists it")),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "The session is ended", body = Message,
         example = json!({"message": "session ended"})),
        (status = 403, description = "Another session, and a wrong password or none past \
                                      sessions.recent_login_ttl of the login", body = Message,
         example = json!({"message": "password confirmation required"})),
        (status = 404, description = "The user has no such session (another user's is not \
                                      theirs to end): nothing ends", body = Message,
         example = json!({"message": "session not found"})),
    ),
)]
#[delete("/sessions/<id>", data = "<input>", rank = 3)]
pub async fn end(
    _origin: SameOrigin,
    id: &str,
    user: CurrentUser,
    input: Input<PasswordProof>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let PasswordProof { password } = input.into_inner();
    let requester = user.requester();
    let ended = auth.end_listed_session(&requester, id, password.as_ref(), &device);
    if !ended.await? {
        return Err(Error::UnknownSession);
    }
    if id == user.session.public_id {
        remove_session_cookie(cookies, auth);
    }
    Ok(FlaskJson(Message {
        message: "session ended",
    }))
}

/// Ends the session `id` (or, for `others`, every other one: one route
/// serves both for browsers), then the account page with a notice naming
/// the device; past `sessions.recent_login_ttl` of the login, ending
/// another device's session asks for the password first. Ending this
/// device's session logs out.
#[delete("/sessions/<id>", data = "<form>")]
// One route for both paths (browser routes share one rank, so
// `/sessions/others` cannot have a route of its own).
#[allow(clippy::too_many_arguments)]
pub async fn end_page(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let account = Redirect::to(PATHS.profile);
    let password = form
        .value
        .as_ref()
        .and_then(|proof| proof.password.as_ref());
    let requester = user.requester();
    if id == OTHERS {
        let ended = auth.end_other_sessions(&requester, password, &device);
        let count = ended
            .await
            .map_err(|error| unproven(id, Text::new("purpose-end-other-sessions"), error.into()))?;
        let notice = Text::new("notice-other-sessions-ended").number("count", count as u64);
        return Ok(Notice::success(account, notice));
    }
    let listed = auth
        .sessions(user.id)
        .await?
        .into_iter()
        .find(|session| session.public_id == id);
    let ended = auth.end_listed_session(&requester, id, password, &device);
    let ended = ended.await.map_err(|error| {
        let purpose = Text::new("purpose-end-session");
        let device = listed
            .as_ref()
            .map_or_else(String::new, |session| session.device.clone());
        unproven(id, purpose.with("device", device), error.into())
    })?;
    if !ended {
        return Ok(Notice::error(account, Error::UnknownSession.text()));
    }
    if id == user.session.public_id {
        remove_session_cookie(cookies, auth);
        let login = Redirect::to(PATHS.login);
        let notice = Text::new("notice-logged-out-here");
        return Ok(Notice::success(login, notice));
    }
    let notice = listed.map_or_else(|| Text::new("notice-a-session-ended"), ended_notice);
    Ok(Notice::success(account, notice))
}

/// The page that asks for the password before ending the session `id`
/// (`purpose` says what for), where `error` says one is needed; else
/// `error` itself.
fn unproven(id: &str, purpose: Text, error: Error) -> PageError {
    if !Change::needs_password(&error) {
        return PageError::Failure(error);
    }
    let change = Change {
        action: uri!(end(id = id)).to_string(),
        method: "DELETE".to_owned(),
        purpose,
        fields: Vec::new(),
    };
    change.ask_password(&error)
}

/// What the account page says of the session `ended`: its device, where it
/// was used from, and when last.
fn ended_notice(ended: Session) -> Text {
    let notice = match ago(clock::now(), ended.last_seen_at) {
        Some(ago) => Text::new("notice-session-ended").duration("ago", ago),
        None => Text::new("notice-session-ended-just-now"),
    };
    let notice = notice.text("device", DeviceName::read(&ended.device).text());
    match ended.ip {
        Some(address) => notice.with("address", address),
        None => notice.word("address", "address-unknown"),
    }
}
