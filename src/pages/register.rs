//! `GET /register` and `POST /users` for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{get, post, uri, Either, State};
use rocket_dyn_templates::Template;

use super::{login, profile, FormState, PageError, PageForm};
use crate::auth::{Auth, Device};
use crate::web::forms::Registration;
use crate::web::session::set_session_cookie;
use crate::web::{Page, SameOrigin};

/// The registration form.
const REGISTER: PageForm = PageForm {
    template: "register",
    fields: &["email", "password"],
};

/// The registration form; for someone logged in already, their profile.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The registration form, for browsers", content_type = "text/html")),
)]
#[get("/register")]
pub fn form(page: Page, auth: &State<Auth>) -> Either<Template, Redirect> {
    if page.user().is_some() {
        return Either::Right(Redirect::to(uri!(profile::profile)));
    }
    let state = FormState::default().choosing_password(auth.settings().password_min_length);
    Either::Left(state.show(page, &REGISTER))
}

/// Registers and logs in, then 303 to the profile with the notice
/// "Account created." (where `require_verified_email` is on: to the login
/// page, until the address is confirmed); or the form again (400) with the
/// error beside its field and the email kept.
#[post("/users", data = "<form>")]
pub async fn register(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Registration>>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    device: Device,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email"])
        .choosing_password(auth.settings().password_min_length);
    let Some(Registration { email, password }) = &form.value else {
        return Err(state.again(page, &REGISTER, Status::BadRequest));
    };
    if let Err(error) = auth.register_from(email, password, device.ip).await {
        return Err(state.refused(page, &REGISTER, error.into()));
    }
    if auth.settings().require_verified_email {
        let login = Redirect::to(uri!(login::form(next = _)));
        let notice = format!(
            "Account created. Confirm your address with the link we sent to {email}, then log in."
        );
        return Ok(Flash::success(login, notice));
    }
    if let Some(session) = auth.create_session(email, &device, false).await? {
        set_session_cookie(cookies, session);
    }
    let profile = Redirect::to(uri!(profile::profile));
    let notice =
        format!("Account created. We have sent a link to {email} to confirm your address.");
    Ok(Flash::success(profile, notice))
}

/// `GET /users` from the address bar: the registration form.
#[get("/users")]
pub fn address_bar() -> Redirect {
    Redirect::to(uri!(form))
}
