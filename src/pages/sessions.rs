//! Ending sessions from the account page: `DELETE /sessions/<id>` ends
//! one, `DELETE /sessions/others` every other one.

use rocket::form::{Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::{delete, uri, State};

use super::confirm::Change;
use super::{login, profile, require_login, PageError};
use crate::auth::{Auth, Device};
use crate::web::forms::PasswordProof;
use crate::web::session::remove_session_cookie;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The path segment that names every session but the current one.
const OTHERS: &str = "others";

/// Ends the session `id` (or, for `others`, every other one: one route
/// serves both for browsers, and then past `recent_login_ttl` of the login
/// asks for the password first), then the account page with a notice
/// naming the device. Ending this device's session logs out.
#[delete("/sessions/<id>", data = "<form>")]
// One route for both paths (browser routes share one rank, so
// `/sessions/others` cannot have a route of its own), with the guards of
// both: a session of its own to end, a password to prove for the others.
#[allow(clippy::too_many_arguments)]
pub async fn end(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let account = Redirect::to(uri!(profile::profile));
    if id == OTHERS {
        let password = form
            .value
            .as_ref()
            .and_then(|proof| proof.password.as_ref());
        let ended = auth
            .end_other_sessions(&user.requester(), password, &device)
            .await;
        let count = match ended.map_err(Error::from) {
            Ok(count) => count,
            Err(error) if Change::needs_password(&error) => {
                let change = Change {
                    action: uri!(end(id = OTHERS)).to_string(),
                    method: "DELETE",
                    purpose: "end your other sessions".to_owned(),
                    fields: Vec::new(),
                };
                return Err(change.ask_password(page, auth, &user, &error).await);
            }
            Err(error) => return Err(PageError::Failure(error)),
        };
        let notice = match count {
            1 => "1 other session ended.".to_owned(),
            count => format!("{count} other sessions ended."),
        };
        return Ok(Flash::success(account, notice));
    }
    let ended = auth
        .sessions(user.id)
        .await?
        .into_iter()
        .find(|session| session.public_id == id);
    if !auth.end_session(user.id, id).await? {
        return Ok(Flash::error(account, Error::UnknownSession.sentence()));
    }
    if id == user.session.public_id {
        remove_session_cookie(cookies);
        let login = Redirect::to(uri!(login::form(next = _)));
        return Ok(Flash::success(login, "You have logged out of this device."));
    }
    let device = ended.map_or_else(String::new, |session| session.device);
    Ok(Flash::success(
        account,
        format!("Session on {device} ended."),
    ))
}
