//! Ending sessions from the account page: `DELETE /sessions/<id>` ends
//! one, `DELETE /sessions/others` every other one.

use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::{delete, uri, State};

use super::{login, profile, require_login, PageError};
use crate::auth::Auth;
use crate::web::session::remove_session_cookie;
use crate::web::{CurrentUser, Error, SameOrigin};

/// The path segment that names every session but the current one.
const OTHERS: &str = "others";

/// Ends the session `id` (or, for `others`, every other one: one route
/// serves both for browsers), then the account page with a notice. Ending
/// this device's session logs out.
#[delete("/sessions/<id>")]
pub async fn end(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let account = Redirect::to(uri!(profile::profile));
    if id == OTHERS {
        let count = auth.end_other_sessions(user.id, user.session.id).await?;
        let notice = match count {
            1 => "1 other session ended.".to_owned(),
            count => format!("{count} other sessions ended."),
        };
        return Ok(Flash::success(account, notice));
    }
    if !auth.end_session(user.id, id).await? {
        return Ok(Flash::error(account, Error::UnknownSession.sentence()));
    }
    if id == user.session.public_id {
        remove_session_cookie(cookies);
        let login = Redirect::to(uri!(login::form(next = _)));
        return Ok(Flash::success(login, "You have logged out of this device."));
    }
    Ok(Flash::success(account, "Session ended."))
}
