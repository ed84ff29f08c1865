//! `GET /reset_password`, `POST /reset_password` and `PUT /reset_password`
//! for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, State};
use rocket_dyn_templates::Template;

use super::{FormState, PageError};
use crate::auth::{Auth, AuthError};
use crate::http::SameOrigin;
use crate::routes::{PasswordUpdate, ResetRequest};

/// The form that asks for a reset.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The form that asks for a password reset, for browsers", content_type = "text/html")),
)]
#[get("/reset_password")]
pub fn request_form() -> Template {
    Template::render("reset_password", FormState::default())
}

/// Issues a reset token and answers with the new-password form; or the
/// request form again with the error (400, or 403 for an unknown email).
#[rocket::post("/reset_password", data = "<form>", rank = 1)]
pub async fn issue_token(
    _origin: SameOrigin,
    form: Form<Contextual<'_, ResetRequest>>,
    auth: &State<Auth>,
) -> Result<Template, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(ResetRequest { email }) = &form.value else {
        return Err(state.render("reset_password", Status::BadRequest));
    };
    match auth.get_reset_password_token(email).await {
        Ok(token) => {
            let form = FormState::default()
                .value("email", email.as_str())
                .value("reset_token", &token);
            Ok(Template::render("new_password", form))
        }
        Err(AuthError::UnknownEmail) => Err(state
            .field_error("email", "email not registered")
            .render("reset_password", Status::Forbidden)),
        Err(error) => Err(error.into()),
    }
}

/// Sets the new password (the form's first field is `_method=PUT`), then
/// 303 to `/login` with the notice "Password updated". An invalid token
/// shows the request form with an error (403).
#[rocket::put("/reset_password", data = "<form>", rank = 1)]
pub async fn update_password(
    _origin: SameOrigin,
    form: Form<Contextual<'_, PasswordUpdate>>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email", "reset_token"]);
    let Some(update) = &form.value else {
        return Err(if state.has_errors_besides(&["new_password"]) {
            state
                .form_error("This reset link is incomplete. Ask for a new one.")
                .render("reset_password", Status::BadRequest)
        } else {
            state.render("new_password", Status::BadRequest)
        });
    };
    match auth
        .update_password(&update.email, &update.reset_token, &update.new_password)
        .await
    {
        Ok(()) => Ok(Flash::success(Redirect::to("/login"), "Password updated")),
        Err(AuthError::WeakPassword(reason)) => Err(state
            .field_error("new_password", &format!("new_password {reason}"))
            .render("new_password", Status::BadRequest)),
        Err(AuthError::InvalidResetToken) => Err(state
            .form_error("This reset link is invalid or has expired. Ask for a new one.")
            .render("reset_password", Status::Forbidden)),
        Err(error) => Err(error.into()),
    }
}
