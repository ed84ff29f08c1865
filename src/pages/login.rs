//! `GET /login`, `POST /sessions` and `DELETE /sessions` for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::{delete, get, post, uri, Either, State};
use rocket_dyn_templates::Template;

use super::two_factor::{self, PendingCookie};
use super::{destination, home, local_path, FormState, PageError, PageForm};
use crate::auth::{Auth, Device, Login};
use crate::web::forms::Credentials;
use crate::web::session::{remove_session_cookie, set_session_cookie};
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The login form. `next`, a hidden field, is where to go once logged in;
/// `remember`, a checkbox, keeps the session beyond the browser's life.
const LOGIN: PageForm = PageForm {
    template: "login",
    fields: &["email", "password"],
};

/// The login form, with the notice left by the previous page if any; for
/// someone logged in already, `next` or their profile.
#[utoipa::path(
    tag = "pages",
    params(("next" = Option<String>, Query, description = "A path of this site to go to once logged in")),
    responses((status = 200, description = "The login form, for browsers", content_type = "text/html")),
)]
#[get("/login?<next>")]
pub fn form(next: Option<&str>, page: Page) -> Either<Template, Redirect> {
    if page.user().is_some() {
        return Either::Right(Redirect::to(destination(next)));
    }
    let mut state = FormState::default();
    if let Some(next) = next.and_then(local_path) {
        state = state.value("next", &next.to_string());
    }
    Either::Left(state.show(page, &LOGIN))
}

/// Logs in, sets the session cookie and 303 to `next` or the profile; or
/// the form again with one generic message (401), with the field errors
/// (400), or with when to try again (429). "Keep me logged in" unchecked,
/// the cookie ends with the browser and the session after
/// `session_idle_ttl` unused; checked, both last `session_ttl`.
#[post("/sessions", data = "<form>")]
pub async fn login(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Credentials>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Redirect, PageError> {
    let next = form.context.field_value("next");
    let kept = form.context.field_value("remember") == Some("on");
    let mut state = FormState::submitted(&form.context, &["email"]);
    if let Some(next) = next.and_then(local_path) {
        state = state.value("next", &next.to_string());
    }
    let Some(Credentials {
        email, password, ..
    }) = &form.value
    else {
        return Err(state.again(page, &LOGIN, Status::BadRequest));
    };
    // The code, if two-factor sign-in is on, comes on the next page.
    let refusal = match auth.log_in(email, password, &device, kept, None).await {
        Ok(Login::Success(session)) => {
            set_session_cookie(cookies, session);
            return Ok(Redirect::to(destination(next)));
        }
        Ok(Login::SecondFactorRequired(awaited)) => {
            let id = auth.wait_for_code(awaited).await?;
            let next = next.and_then(local_path).map(|next| next.to_string());
            PendingCookie::keep(cookies, &id, next);
            return Ok(Redirect::to(uri!(two_factor::code_form)));
        }
        // No code came with the password: none can be wrong.
        Ok(Login::WrongCode | Login::TooManyWrongCodes | Login::SignInExpired) => Error::Internal,
        Ok(Login::WrongCredentials) => Error::WrongCredentials,
        Ok(Login::Throttled(wait)) => Error::Throttled(wait),
        Ok(Login::EmailNotVerified) => {
            // The page offers to send the link again.
            state = state.value("unconfirmed", email.as_str());
            Error::EmailNotVerified
        }
        Err(error) => error.into(),
    };
    Err(state.refused(page, &LOGIN, refusal))
}

/// Logs out of this device (the form's first field is `_method=DELETE`)
/// and 303 home.
#[delete("/sessions")]
pub async fn logout(
    _origin: SameOrigin,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    if let Some(user) = user {
        auth.end_session(user.id, &user.session.public_id).await?;
    }
    remove_session_cookie(cookies);
    Ok(Redirect::to(uri!(home::home)))
}

/// `GET /sessions` from the address bar: the account page, which lists
/// them (or the login page on the way to it).
#[get("/sessions")]
pub fn address_bar() -> Redirect {
    Redirect::to(uri!(super::profile::profile))
}
