//! `GET /login`, `POST /sessions` and `DELETE /sessions` for browsers.

use std::net::IpAddr;

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::request::FlashMessage;
use rocket::response::Redirect;
use rocket::{get, State};
use rocket_dyn_templates::{context, Template};

use super::{FormState, Notice, PageError};
use crate::auth::{Auth, Login};
use crate::http::session::{remove_session_cookie, set_session_cookie};
use crate::http::{CurrentUser, SameOrigin};
use crate::routes::Credentials;

/// The login form, with the notice left by the previous page if any.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The login form, for browsers", content_type = "text/html")),
)]
#[get("/login")]
pub fn form(flash: Option<FlashMessage<'_>>) -> Template {
    Template::render("login", context! { flash: flash.map(Notice::from) })
}

/// Logs in, sets the session cookie and 303 to `/profile`; or the form again
/// with one generic message (401), with the field errors (400), or with
/// when to try again (429).
#[rocket::post("/sessions", data = "<form>", rank = 1)]
pub async fn login(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Credentials>>,
    client: Option<IpAddr>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(Credentials { email, password }) = &form.value else {
        return Err(state.render("login", Status::BadRequest));
    };
    match auth.log_in(email, password, client).await? {
        Login::Success(session_id) => {
            set_session_cookie(cookies, session_id, auth.settings().session_ttl);
            Ok(Redirect::to("/profile"))
        }
        Login::WrongCredentials => Err(state
            .form_error("Wrong email or password.")
            .render("login", Status::Unauthorized)),
        Login::Throttled(wait) => Err(state
            .form_error(&format!(
                "Too many login attempts. Try again in {wait} seconds."
            ))
            .render_throttled("login", wait)),
    }
}

/// Logs out (the form's first field is `_method=DELETE`) and 303 to `/`.
#[rocket::delete("/sessions", rank = 1)]
pub async fn logout(
    _origin: SameOrigin,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    if let Some(CurrentUser(user)) = user {
        auth.destroy_session(user.id).await?;
    }
    remove_session_cookie(cookies);
    Ok(Redirect::to("/"))
}
