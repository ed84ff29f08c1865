//! `POST /sessions` (login) and `DELETE /sessions` (logout).

use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::State;

use super::users::Credentials;
use crate::auth::Auth;
use crate::http::json::EmailMessage;
use crate::http::session::{remove_session_cookie, set_session_cookie};
use crate::http::{ApiError, CurrentUser, FlaskJson, Input};

/// Logs in: `{"email": E, "message": "logged in"}` and the session cookie,
/// or 401.
#[rocket::post("/sessions", data = "<input>", rank = 2)]
pub async fn login(
    input: Input<Credentials>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, ApiError> {
    let Credentials { email, password } = input.into_inner();
    let session_id = auth
        .log_in(&email, &password)
        .await?
        .ok_or_else(ApiError::wrong_credentials)?;
    set_session_cookie(cookies, session_id, auth.settings().session_ttl);
    Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
}

/// Logs out: ends the session and redirects to `/` (302), or 403.
#[rocket::delete("/sessions", rank = 2)]
pub async fn logout(
    user: CurrentUser,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, ApiError> {
    auth.destroy_session(user.0.id).await?;
    remove_session_cookie(cookies);
    Ok(Redirect::found("/"))
}
