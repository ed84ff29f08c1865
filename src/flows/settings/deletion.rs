//! Deleting the account, with the password: `DELETE /profile`, for JSON
//! clients and from the page that asks (`GET /profile/delete`).

use rocket::form::{Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{delete, get, State};
use rocket_dyn_templates::Template;
use utoipa::ToSchema;

use super::require_login;
use crate::auth::{Auth, Device, Password};
use crate::flows::paths::PATHS;
use crate::language::Text;
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::json::Message;
use crate::web::session::remove_session_cookie;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};

/// The field of an account deletion.
#[derive(Debug, FromForm, ToSchema)]
pub struct AccountDeletion {
    /// The current password.
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub password: Password,
}

/// The page that asks for the password before deleting the account.
const DELETE_ACCOUNT: PageForm = PageForm {
    template: "delete_account",
    fields: &["password"],
    page: PATHS.delete_account,
};

/// Deletes the account, with its sessions, tokens, failed logins and
/// waiting mails: `{"message": "account deleted"}`, and the session cookie
/// removed. The address may register again. 403 for a wrong password.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = AccountDeletion,
    responses(
        (status = 200, description = "The account is deleted", body = Message,
         example = json!({"message": "account deleted"})),
        (status = 403, description = "A wrong password", body = Message,
         example = json!({"message": "wrong password"})),
    ),
)]
#[delete("/profile", data = "<input>", rank = 2)]
pub async fn delete_account(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<AccountDeletion>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let AccountDeletion { password } = input.into_inner();
    auth.delete_account(&user.requester(), Some(&password), &device)
        .await?;
    remove_session_cookie(cookies, auth);
    Ok(FlaskJson(Message {
        message: "account deleted",
    }))
}

/// The page that asks for the password before deleting the account.
#[get("/profile/delete")]
pub fn confirm_deletion(
    user: Result<CurrentUser, Error>,
    page: Page,
) -> Result<Template, PageError> {
    require_login(user, PATHS.delete_account)?;
    Ok(FormState::default().show(page, &DELETE_ACCOUNT))
}

/// Deletes the account (the form's first field is `_method=DELETE`), then
/// the home page with a notice; or the confirmation again with the error.
#[delete("/profile", data = "<form>")]
pub async fn delete_account_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, AccountDeletion>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.delete_account)?;
    let state = FormState::submitted(&form.context, &[]);
    let Some(AccountDeletion { password }) = &form.value else {
        return Err(state.again(&DELETE_ACCOUNT));
    };
    match auth
        .delete_account(&user.requester(), Some(password), &device)
        .await
    {
        Ok(()) => {
            remove_session_cookie(cookies, auth);
            let notice = Text::new("notice-account-deleted");
            Ok(Notice::success(Redirect::to(PATHS.home), notice))
        }
        Err(error) => Err(state.refused(&DELETE_ACCOUNT, error.into())),
    }
}
