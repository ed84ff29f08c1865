//! What a logged-in person changes on the account page: the password
//! (`PUT /profile/password`), the address (`PUT /profile/email`, which
//! waits for the new mailbox to follow its link; `DELETE /profile/email`
//! cancels, as does the link mailed to the old address), and the account
//! itself (`GET /profile/delete` asks, `DELETE /profile` does). A refusal
//! shows the account page again, the error beside its field.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{delete, get, post, put, uri, State};
use rocket_dyn_templates::{context, Template};

use super::confirm::Change;
use super::profile::{account_page, AccountForms, EMAIL_FIELDS, PASSWORD_FIELDS, PROOF_FIELDS};
use super::{home, profile, require_login, FormState, PageError, PageForm, TokenPage};
use crate::auth::{Auth, AuthError, Device, EmailChange};
use crate::web::forms::EmailChange as EmailChangeForm;
use crate::web::forms::{AccountDeletion, EmailChangeCancel, PasswordChange, CHANGE_PASSWORDS};
use crate::web::session::{remove_session_cookie, set_session_cookie};
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The page that asks for the password before deleting the account.
const DELETE_ACCOUNT: PageForm = PageForm {
    template: "delete_account",
    fields: &["password"],
};

/// Changes the password, then the account page with a notice; the other
/// sessions end, and this one goes on under a new id.
#[put("/profile/password", data = "<form>")]
pub async fn change_password(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordChange>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.password = FormState::submitted(&form.context, &[])
        .choosing_password(auth.settings().password_min_length);
    let Some(change) = &form.value else {
        return Err(refused(page, &user, auth, forms, None).await);
    };
    let changed = auth
        .change_password(
            &user.requester(),
            &change.current_password,
            &change.new_password,
            &device,
        )
        .await;
    match changed {
        Ok(session) => {
            set_session_cookie(cookies, session);
            Ok(Flash::success(
                Redirect::to(uri!(profile::profile)),
                "Password changed. Your other sessions have ended.",
            ))
        }
        Err(error) => {
            let error = Error::about(error, CHANGE_PASSWORDS);
            forms.password = forms.password.told(&error);
            Err(refused(page, &user, auth, forms, Some(error)).await)
        }
    }
}

/// Asks to change the address, then the account page with a notice: the
/// new address gets a link to confirm it, the old one a notice (with a
/// link that cancels). Past `recent_login_ttl` of the login, the password
/// first.
#[put("/profile/email", data = "<form>")]
pub async fn change_email(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, EmailChangeForm>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.email = FormState::submitted(&form.context, &["email"]);
    let Some(change) = &form.value else {
        return Err(refused(page, &user, auth, forms, None).await);
    };
    let changed = auth
        .change_email(
            &user.requester(),
            change.password.as_ref(),
            &change.email,
            &device,
        )
        .await;
    let notice = match changed {
        Ok(EmailChange::Pending { new }) => format!(
            "We have sent a link to {new}. Follow it to make it your address; until then, \
             your address stays {}.",
            user.email
        ),
        Ok(EmailChange::Done { email }) => format!("Your address is now {email}."),
        Err(error) => {
            let error = Error::from(error);
            if Change::needs_password(&error) {
                let change = Change {
                    action: uri!(change_email).to_string(),
                    method: "PUT",
                    purpose: "change your email address".to_owned(),
                    fields: vec![("email", change.email.to_string())],
                };
                return Err(change.ask_password(page, auth, &user, &error).await);
            }
            forms.email = forms.email.told(&error);
            return Err(refused(page, &user, auth, forms, Some(error)).await);
        }
    };
    Ok(Flash::success(Redirect::to(uri!(profile::profile)), notice))
}

/// Cancels the change of address under way (the account page's "Cancel
/// the change"), then the account page with a notice.
#[delete("/profile/email")]
pub async fn cancel_email_change(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let account = Redirect::to(uri!(profile::profile));
    if !auth.cancel_pending_email(user.id).await? {
        return Ok(Flash::error(account, Error::NoEmailChange.sentence()));
    }
    Ok(Flash::success(
        account,
        format!("Change cancelled: your address stays {}.", user.email),
    ))
}

/// The link mailed to the old address when a change was asked: a page
/// with a button that cancels it (a link alone changes nothing, since mail
/// scanners follow links). The token leaves with no `Referer`.
#[utoipa::path(
    tag = "pages",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "A page with a button that cancels the change, for \
                                      browsers", content_type = "text/html"),
        (status = 400, description = "A link cut short, without its token",
         content_type = "text/html"),
    ),
)]
#[get("/profile/email/cancel?<token>")]
pub fn cancel_by_link_form(token: Option<&str>, page: Page) -> Result<TokenPage, PageError> {
    // The button's request checks the token: whatever the link holds, this
    // page only carries it.
    let Some(token) = token else {
        return Err(cancel_link_expired(page));
    };
    let content = context! { token };
    Ok(TokenPage::new(page.render("cancel_email_change", content)))
}

/// Cancels the change of address of the mailed link's token, then the
/// home page (or the account page) with a notice that tells what to do
/// next.
#[post("/profile/email/cancel", data = "<form>")]
pub async fn cancel_by_link(
    _origin: SameOrigin,
    form: Form<Contextual<'_, EmailChangeCancel>>,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let Some(EmailChangeCancel { token }) = &form.value else {
        return Err(cancel_link_expired(page));
    };
    match auth.cancel_email_change(token.expose()).await {
        Ok(pending) => {
            let onward = match page.user() {
                Some(_) => Redirect::to(uri!(profile::profile)),
                None => Redirect::to(uri!(home::home)),
            };
            let notice = format!(
                "The change to {pending} is cancelled: your account keeps its address. If you \
                 did not ask for it, change your password now."
            );
            Ok(Flash::success(onward, notice))
        }
        Err(AuthError::InvalidVerificationToken) => Err(cancel_link_expired(page)),
        Err(error) => Err(error.into()),
    }
}

/// The page of a cancel link whose change is no longer under way (400).
fn cancel_link_expired(page: Page) -> PageError {
    let content = context! {
        title: "This link no longer works",
        message: "This change of address was already confirmed, cancelled, or has expired. \
                  Log in to see your account's address.",
        action: "profile",
        action_label: "Go to your account",
    };
    PageError::page(Status::BadRequest, page.render("link_expired", content))
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
    match auth
        .delete_account(&user.requester(), Some(password), &device)
        .await
    {
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
    let proofs: [(_, _, &[&str]); 3] = [
        (&forms.email, EMAIL_FIELDS, &["new-email"]),
        (
            &forms.two_factor_off,
            PROOF_FIELDS,
            &["off-password", "off-code"],
        ),
        (
            &forms.recovery,
            PROOF_FIELDS,
            &["codes-password", "codes-code"],
        ),
    ];
    for (form, fields, ids) in proofs {
        if let Some(field) = form.first_error(fields) {
            let index = fields.iter().position(|name| *name == field);
            return index
                .and_then(|index| ids.get(index))
                .copied()
                .unwrap_or("");
        }
    }
    ""
}
