//! `GET /reset_password`, `POST /reset_password` and `PUT /reset_password`
//! for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, put, uri, State};
use rocket_dyn_templates::Template;

use super::{login, FormState, PageError, PageForm};
use crate::auth::Auth;
use crate::web::forms::{PasswordUpdate, ResetRequest, NEW_PASSWORD};
use crate::web::{Error, Page, SameOrigin};

/// The form that asks for a reset.
const RESET_REQUEST: PageForm = PageForm {
    template: "reset_password",
    fields: &["email"],
};

/// The form that chooses the new password.
const CHOOSE_PASSWORD: PageForm = PageForm {
    template: "new_password",
    fields: &[NEW_PASSWORD],
};

/// The form that asks for a reset.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The form that asks for a password reset, for browsers", content_type = "text/html")),
)]
#[get("/reset_password")]
pub fn request_form(page: Page) -> Template {
    FormState::default().show(page, &RESET_REQUEST)
}

/// Issues a reset token and answers with the new-password form; or the
/// request form again with the error (400, or 403 for an unknown email).
#[post("/reset_password", data = "<form>")]
pub async fn issue_token(
    _origin: SameOrigin,
    form: Form<Contextual<'_, ResetRequest>>,
    auth: &State<Auth>,
    page: Page,
) -> Result<Template, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(ResetRequest { email }) = &form.value else {
        return Err(state.again(page, &RESET_REQUEST, Status::BadRequest));
    };
    match auth.get_reset_password_token(email).await {
        Ok(token) => {
            let form = FormState::default()
                .value("email", email.as_str())
                .value("reset_token", &token)
                .choosing_password(auth.settings().password_min_length);
            Ok(form.show(page, &CHOOSE_PASSWORD))
        }
        Err(error) => Err(state.refused(page, &RESET_REQUEST, error.into())),
    }
}

/// Sets the new password (the form's first field is `_method=PUT`), then
/// 303 to the login page with the notice "Password updated.". An invalid
/// token shows the request form with an error (403).
#[put("/reset_password", data = "<form>")]
pub async fn update_password(
    _origin: SameOrigin,
    form: Form<Contextual<'_, PasswordUpdate>>,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email", "reset_token"])
        .choosing_password(auth.settings().password_min_length);
    let Some(update) = &form.value else {
        return Err(if state.has_errors_besides(&[NEW_PASSWORD]) {
            // The email or token is missing: the link was cut short.
            state.refused(page, &RESET_REQUEST, Error::InvalidResetToken)
        } else {
            state.again(page, &CHOOSE_PASSWORD, Status::BadRequest)
        });
    };
    let updated = auth
        .update_password(&update.email, &update.reset_token, &update.new_password)
        .await;
    match updated.map_err(Error::from) {
        Ok(()) => {
            let login = Redirect::to(uri!(login::form(next = _)));
            Ok(Flash::success(login, "Password updated."))
        }
        Err(error @ Error::InvalidResetToken) => Err(state.refused(page, &RESET_REQUEST, error)),
        Err(error) => Err(state.refused(page, &CHOOSE_PASSWORD, error.on_field(NEW_PASSWORD))),
    }
}
