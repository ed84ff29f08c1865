//! A new address: `PUT /profile/email` asks for it; the account keeps its
//! address until the new mailbox follows the link mailed to it (see
//! `verification`); the old address gets a notice with a link that cancels
//! the change (`GET` and `POST /profile/email/cancel`), as does
//! `DELETE /profile/email` from the account.

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{delete, get, post, put, State};
use rocket_dyn_templates::{context, Template};
use utoipa::ToSchema;

use super::confirm::Change;
use super::{require_login, AccountForm, Submitted};
use crate::auth::{self, Auth, AuthError, Device, Email, Password, ResetToken};
use crate::flows::paths::PATHS;
use crate::language::Text;
use crate::web::form::PageError;
use crate::web::json::{EmailMessage, Message};
use crate::web::security::NoReferrer;
use crate::web::values::Optional;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};

/// The fields of an address change, logged in.
#[derive(Debug, FromForm, ToSchema)]
pub struct EmailChange {
    /// The current password; needed past `sessions.recent_login_ttl` of a login.
    #[schema(value_type = String, format = Password, required = false, min_length = 1,
             max_length = 1024)]
    pub password: Optional<Password>,
    /// The new address.
    #[schema(value_type = String, format = Email, example = "bob@example.org")]
    pub email: Email,
}

/// The field of the link that cancels a change of address.
#[derive(Debug, FromForm, ToSchema)]
pub struct EmailChangeCancel {
    /// The token of the link mailed to the old address.
    #[schema(value_type = String, min_length = 1)]
    pub token: ResetToken,
}

/// Asks to change the address: `{"email": NEW, "message": "confirmation
/// link sent"}`. The account keeps its address until the link mailed to
/// the new one is followed (`GET /verify_email?token=T`); the old one gets
/// a notice with a link that cancels the change. A change of case only is
/// done at once: `{"email": NEW, "message": "email updated"}`. Needs the
/// password past `sessions.recent_login_ttl` of the login. 400 `{"message": "email
/// already registered"}` when another account has it; 403 for a wrong or
/// missing password.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = EmailChange,
    responses(
        (status = 200, description = "A link to confirm it went to the new address (or, for a \
                                      change of case, the address is changed)",
         body = EmailMessage,
         example = json!({"email": "bob@example.org", "message": "confirmation link sent"})),
        (status = 400, description = "The address is taken",
         body = Message, example = json!({"message": "email already registered"})),
        (status = 403, description = "A wrong password, or no password past sessions.recent_login_ttl of \
                                      the login", body = Message,
         example = json!({"message": "password confirmation required"})),
    ),
)]
#[put("/profile/email", data = "<input>", rank = 2)]
pub async fn change_email(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<EmailChange>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let EmailChange { password, email } = input.into_inner();
    let change = auth
        .change_email(&user.requester(), password.as_ref(), &email, &device)
        .await?;
    Ok(FlaskJson(match change {
        auth::EmailChange::Pending { new } => EmailMessage::new(&new, "confirmation link sent"),
        auth::EmailChange::Done { email } => EmailMessage::new(&email, "email updated"),
    }))
}

/// Cancels the change of address under way: `{"message": "email change
/// cancelled"}`; 404 `{"message": "no email change under way"}`.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The change is cancelled: the account keeps its address",
         body = Message, example = json!({"message": "email change cancelled"})),
        (status = 404, description = "No change of address is under way", body = Message,
         example = json!({"message": "no email change under way"})),
    ),
)]
#[delete("/profile/email", rank = 2)]
pub async fn cancel_email_change(
    _origin: SameOrigin,
    user: CurrentUser,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    if !auth.cancel_pending_email(user.id).await? {
        return Err(Error::NoEmailChange);
    }
    Ok(FlaskJson(Message {
        message: "email change cancelled",
    }))
}

/// Cancels a change of address with the token of the link mailed to the
/// old address: `{"message": "email change cancelled"}`; 404 `{"message":
/// "no email change under way"}` when the token names none (confirmed,
/// cancelled or expired).
#[utoipa::path(
    tag = "account",
    request_body = EmailChangeCancel,
    responses(
        (status = 200, description = "The change is cancelled: the account keeps its address",
         body = Message, example = json!({"message": "email change cancelled"})),
        (status = 404, description = "The token names no change under way (confirmed, \
                                      cancelled or expired)", body = Message,
         example = json!({"message": "no email change under way"})),
    ),
)]
#[post("/profile/email/cancel", data = "<input>", rank = 2)]
pub async fn cancel_email_change_by_link(
    _origin: SameOrigin,
    input: Input<EmailChangeCancel>,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let EmailChangeCancel { token } = input.into_inner();
    auth.cancel_email_change(token.expose())
        .await
        .map_err(|error| match error {
            AuthError::InvalidVerificationToken => Error::NoEmailChange,
            other => other.into(),
        })?;
    Ok(FlaskJson(Message {
        message: "email change cancelled",
    }))
}

/// Asks to change the address, then the account page with a notice: the
/// new address gets a link to confirm it, the old one a notice (with a
/// link that cancels). Past `sessions.recent_login_ttl` of the login, the password
/// first.
#[put("/profile/email", data = "<form>")]
pub async fn change_email_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, EmailChange>>,
    device: Device,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let form_page = AccountForm::submitted(Submitted::Email, &form.context);
    let Some(change) = &form.value else {
        return Err(form_page.unread());
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
        Ok(auth::EmailChange::Pending { new }) => {
            Text::new("notice-email-change-pending").with("new", new.as_str())
        }
        Ok(auth::EmailChange::Done { email }) => {
            Text::new("notice-email-changed").with("email", email.as_str())
        }
        Err(error) => {
            let error = Error::from(error);
            if Change::needs_password(&error) {
                let change = Change {
                    action: PATHS.change_email.to_owned(),
                    method: "PUT".to_owned(),
                    purpose: Text::new("purpose-change-email"),
                    fields: vec![("email".to_owned(), change.email.to_string())],
                };
                return Err(change.ask_password(&error));
            }
            return Err(form_page.refused(error));
        }
    };
    Ok(Notice::success(Redirect::to(PATHS.profile), notice))
}

/// Cancels the change of address under way (the account page's "Cancel
/// the change"), then the account page with a notice.
#[delete("/profile/email")]
pub async fn cancel_email_change_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let account = Redirect::to(PATHS.profile);
    if !auth.cancel_pending_email(user.id).await? {
        return Ok(Notice::error(account, Error::NoEmailChange.text()));
    }
    let notice = Text::new("notice-email-change-cancelled").with("email", user.email.as_str());
    Ok(Notice::success(account, notice))
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
pub fn cancel_by_link_form(
    token: Option<&str>,
    page: Page,
) -> Result<NoReferrer<Template>, PageError> {
    // The button's request checks the token: whatever the link holds, this
    // page only carries it.
    let Some(token) = token else {
        return Err(cancel_link_expired(page));
    };
    // The token leaves the address bar (static/history.js): the form keeps it.
    let content = context! { token, forget_query: true };
    Ok(NoReferrer(page.render("cancel_email_change", content)))
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
                Some(_) => Redirect::to(PATHS.profile),
                None => Redirect::to(PATHS.home),
            };
            let notice =
                Text::new("notice-email-change-cancelled-by-link").with("new", pending.as_str());
            Ok(Notice::success(onward, notice))
        }
        Err(AuthError::InvalidVerificationToken) => Err(cancel_link_expired(page)),
        Err(error) => Err(error.into()),
    }
}

/// The page of a cancel link whose change is no longer under way (400).
fn cancel_link_expired(page: Page) -> PageError {
    let language = page.language();
    let content = context! {
        title: language.word("expired-title"),
        message: language.word("expired-email-change-over"),
        action: PATHS.profile,
        action_label: language.word("expired-go-to-account"),
    };
    PageError::page(Status::BadRequest, page.render("link_expired", content))
}

/// `GET /profile/email` from the address bar: the account page, where its form is.
#[get("/profile/email")]
pub fn address_bar() -> Redirect {
    Redirect::to(PATHS.profile)
}
