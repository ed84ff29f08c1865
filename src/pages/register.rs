//! `GET /register` and `POST /users` for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, State};
use rocket_dyn_templates::Template;

use super::{FormState, PageError};
use crate::auth::{Auth, AuthError};
use crate::http::SameOrigin;
use crate::routes::Registration;

/// The registration form.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The registration form, for browsers", content_type = "text/html")),
)]
#[get("/register")]
pub fn form() -> Template {
    Template::render("register", FormState::default())
}

/// Registers, then 303 to `/login` with the notice "Account created"; or the
/// form again (400) with the error beside its field and the email kept.
#[rocket::post("/users", data = "<form>", rank = 1)]
pub async fn register(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Registration>>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(Registration { email, password }) = &form.value else {
        return Err(state.render("register", Status::BadRequest));
    };
    match auth.register_user(email, password).await {
        Ok(_) => Ok(Flash::success(Redirect::to("/login"), "Account created")),
        Err(AuthError::UserAlreadyExists(_)) => Err(state
            .field_error("email", "email already registered")
            .render("register", Status::BadRequest)),
        Err(AuthError::WeakPassword(reason)) => Err(state
            .field_error("password", &format!("password {reason}"))
            .render("register", Status::BadRequest)),
        Err(error) => Err(error.into()),
    }
}
