//! What a logged-in person changes on the account page: the password
//! (`PUT /profile/password`), the address (`PUT /profile/email`), and the
//! account itself (`GET /profile/delete` asks, `DELETE /profile` does).
//! A refusal shows the account page again, the error beside its field.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{delete, get, put, uri, State};
use rocket_dyn_templates::Template;

use super::profile::{account_page, AccountForms, EMAIL_FIELDS, PASSWORD_FIELDS, PROOF_FIELDS};
use super::{home, profile, require_login, FormState, PageError, PageForm};
use crate::auth::{Auth, Device};
use crate::web::forms::{AccountDeletion, EmailChange, PasswordChange, CHANGE_PASSWORDS};
use crate::web::session::remove_session_cookie;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The page that asks for the password before deleting the account.
const DELETE_ACCOUNT: PageForm = PageForm {
    template: "delete_account",
    fields: &["password"],
};

/// Changes the password, then the account page with a notice; the other
/// sessions end.
#[put("/profile/password", data = "<form>")]
pub async fn change_password(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordChange>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.password = FormState::submitted(&form.context, &[])
        .choosing_password(auth.settings().password_min_length);
    let changed = match &form.value {
        Some(change) => {
            auth.change_password(
                user.id,
                user.session.id,
                &change.current_password,
                &change.new_password,
                &device,
            )
            .await
        }
        None => return Err(refused(page, &user, auth, forms, None).await),
    };
    match changed {
        Ok(()) => Ok(Flash::success(
            Redirect::to(uri!(profile::profile)),
            "Password changed. Your other sessions have ended.",
        )),
        Err(error) => {
            let error = Error::about(error, CHANGE_PASSWORDS);
            forms.password = forms.password.told(&error);
            Err(refused(page, &user, auth, forms, Some(error)).await)
        }
    }
}

/// Changes the address, then the account page with a notice; the new
/// address gets a link to confirm it, the old one a notice.
#[put("/profile/email", data = "<form>")]
pub async fn change_email(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, EmailChange>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.email = FormState::submitted(&form.context, &["email"]);
    let changed = match &form.value {
        Some(change) => {
            auth.change_email(user.id, &change.password, &change.email, &device)
                .await
        }
        None => return Err(refused(page, &user, auth, forms, None).await),
    };
    match changed {
        Ok(email) => Ok(Flash::success(
            Redirect::to(uri!(profile::profile)),
            format!("Your address is now {email}. We have sent a link to it to confirm it."),
        )),
        Err(error) => {
            let error = Error::from(error);
            forms.email = forms.email.told(&error);
            Err(refused(page, &user, auth, forms, Some(error)).await)
        }
    }
}

/// The page that asks for the password before deleting the account.
#[get("/profile/delete")]
pub fn confirm_deletion(
    user: Result<CurrentUser, Error>,
    page: Page,
) -> Result<Template, PageError> {
    require_login(user, uri!(confirm_deletion))?;
    Ok(FormState::default().show(page, &DELETE_ACCOUNT))
}

/// Deletes the account (the form's first field is `_method=DELETE`), then
/// the home page with a notice; or the confirmation again with the error.
#[delete("/profile", data = "<form>")]
pub async fn delete_account(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, AccountDeletion>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(confirm_deletion))?;
    let state = FormState::submitted(&form.context, &[]);
    let Some(AccountDeletion { password }) = &form.value else {
        return Err(state.again(page, &DELETE_ACCOUNT, Status::BadRequest));
    };
    match auth.delete_account(user.id, password, &device).await {
        Ok(()) => {
            remove_session_cookie(cookies);
            Ok(Flash::success(
                Redirect::to(uri!(home::home)),
                "Your account has been deleted.",
            ))
        }
        Err(error) => Err(state.refused(page, &DELETE_ACCOUNT, error.into())),
    }
}

/// The account page again after `error` (`None`: the form could not be
/// read, its field errors are in the form), focused on the first field at
/// fault; the error page for a failure of the service itself.
pub(super) async fn refused(
    page: Page,
    user: &CurrentUser,
    auth: &Auth,
    mut forms: AccountForms,
    error: Option<Error>,
) -> PageError {
    let error = error.unwrap_or(Error::Status(Status::BadRequest));
    if error.status().code >= 500 {
        return PageError::Failure(error);
    }
    forms.focus = focus(&forms);
    match account_page(page, user, auth, forms).await {
        Ok(shown) => PageError::shown(&error, shown),
        Err(failure) => PageError::from(failure),
    }
}

/// The id, on the account page, of the first field at fault.
fn focus(forms: &AccountForms) -> &'static str {
    if let Some(field) = forms.password.first_error(PASSWORD_FIELDS) {
        return field;
    }
    let proofs = [
        (&forms.email, EMAIL_FIELDS, ["new-email", "email-password"]),
        (
            &forms.two_factor_off,
            PROOF_FIELDS,
            ["off-password", "off-code"],
        ),
        (
            &forms.recovery,
            PROOF_FIELDS,
            ["codes-password", "codes-code"],
        ),
    ];
    for (form, fields, ids) in proofs {
        if let Some(field) = form.first_error(fields) {
            let index = fields.iter().position(|name| *name == field);
            return index.map_or("", |index| ids[index]);
        }
    }
    ""
}
