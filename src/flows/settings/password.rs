//! A new password, given with the current one: `PUT /profile/password`,
//! for JSON clients and from the account page. Every session ends, and the
//! one that asked goes on under a new id.

use rocket::form::{Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{get, put, State};
use utoipa::ToSchema;

use super::{require_login, AccountForm, Submitted};
use crate::auth::{Auth, Device, Email, Password};
use crate::flows::paths::PATHS;
use crate::language::Text;
use crate::web::fields::{PasswordFields, CURRENT_PASSWORD, NEW_PASSWORD};
use crate::web::form::PageError;
use crate::web::json::{EmailMessage, Message};
use crate::web::session::set_session_cookie;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

/// Where a [`PasswordChange`] holds its passwords.
const CHANGE_PASSWORDS: PasswordFields = PasswordFields {
    current: CURRENT_PASSWORD,
    new: NEW_PASSWORD,
    ..PasswordFields::PASSWORD
};

/// The fields of a password change, logged in.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasswordChange {
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub current_password: Password,
    /// At least `passwords.min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024)]
    pub new_password: Password,
}

/// Changes the password: `{"email": E, "message": "Password updated"}`;
/// every session of the user ends, this one included, and a new session
/// cookie replaces its own. 403 `{"message": "wrong password"}` for a
/// wrong current password (counted like a failed login of the account,
/// 429 past the free attempts); 400 for a new password the policy refuses.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "The password is changed; every other session is ended, \
                                      and this one goes on under a new id",
         body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id`: the new session")),
         example = json!({"email": "bob@example.com", "message": "Password updated"})),
        (status = 400, description = "The new password is too short or too common", body = Message),
        (status = 403, description = "A wrong current password",
         body = Message, example = json!({"message": "wrong password"})),
    ),
)]
#[put("/profile/password", data = "<input>", rank = 2)]
pub async fn change_password(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<PasswordChange>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordChange {
        current_password,
        new_password,
    } = input.into_inner();
    let session = auth
        .change_password(&user.requester(), &current_password, &new_password, &device)
        .await
        .map_err(|error| Error::about(error, CHANGE_PASSWORDS))?;
    set_session_cookie(cookies, auth, session);
    Ok(FlaskJson(EmailMessage::new(
        &user.email,
        "Password updated",
    )))
}

/// Changes the password, then the account page with a notice; the other
/// sessions end, and this one goes on under a new id. Refused, back to the
/// account page with every error beside its field: a wrong current
/// password and a new one the policy refuses at once.
#[put("/profile/password", data = "<form>")]
pub async fn change_password_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordChange>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let mut form_page = AccountForm::submitted(Submitted::Password, &form.context);
    // Both problems at once: what the new password breaks is said beside
    // it even where a wrong current password refuses the change first (as
    // JSON clients are told).
    if let Some(change) = &form.value {
        let email = Email::stored(&user.email);
        if let Err(broken) = auth.password_rules(&change.new_password, Some(&email)) {
            form_page = form_page.telling(&Error::about(broken, CHANGE_PASSWORDS));
        }
    }
    let session = form_page
        .make(form.value.as_ref(), async |change| {
            let (current, new) = (&change.current_password, &change.new_password);
            let requester = user.requester();
            let changed = auth.change_password(&requester, current, new, &device);
            changed
                .await
                .map_err(|error| Error::about(error, CHANGE_PASSWORDS))
        })
        .await?;
    set_session_cookie(cookies, auth, session);
    let notice = Text::new("notice-password-changed");
    Ok(Notice::success(Redirect::to(PATHS.profile), notice))
}

/// `GET /profile/password` from the address bar: the account page, where its form is.
#[get("/profile/password")]
pub fn address_bar() -> Redirect {
    Redirect::to(PATHS.profile)
}
