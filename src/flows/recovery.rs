//! Getting back into an account: a password reset. For JSON clients, the
//! original API's `POST /reset_password` (a token in the answer, or a mailed
//! link, as `mail.reset_delivery` says) and `PUT /reset_password`. For browsers,
//! by mail in every `mail.reset_delivery` mode: a page never shows a token, and
//! answers the same for every address.
//!
//! - `GET /reset_password`: the form that asks for a link;
//! - `POST /reset_password`: mails the link, then on to
//!   `GET /reset_password/sent`, "check your email";
//! - `GET /reset_password?token=T` (the mailed link): keeps the token in a
//!   private cookie and sends on to `GET /reset_password/new`, so that it
//!   leaves the address bar and the history;
//! - `GET /reset_password/new`: the new-password form, the token carried in
//!   it;
//! - `PUT /reset_password`: sets the password, then the login page (a
//!   link that no longer works: back to `GET /reset_password/new`, which
//!   says so).

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket::time::Duration;
use rocket::FromForm;
use rocket::{get, post, put, uri, Either, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;
use utoipa::ToSchema;

use super::paths::PATHS;
use crate::auth::{Auth, Device, Email, Password, ResetIssued, ResetToken};
use crate::language::Text;
use crate::web::fields::{PasswordFields, CONFIRM_PASSWORD, NEW_PASSWORD};
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::json::{EmailMessage, Message};
use crate::web::security::NoReferrer;
use crate::web::Notice;
use crate::web::{Error, FlaskJson, Input, Page, SameOrigin};

/// Where a [`PasswordUpdate`] holds its new password.
const RESET_PASSWORDS: PasswordFields = PasswordFields {
    new: NEW_PASSWORD,
    ..PasswordFields::PASSWORD
};

/// The field of a reset request.
#[derive(Debug, FromForm, ToSchema)]
pub struct ResetRequest {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
}

/// The fields of a password update with a reset token.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasswordUpdate {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
    /// The token that `POST /reset_password` gave for this email.
    #[schema(value_type = String, min_length = 1)]
    pub reset_token: ResetToken,
    /// At least `passwords.min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024)]
    pub new_password: Password,
}

/// `{"email": E, "reset_token": T}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetTokenIssued {
    #[schema(example = "bob@example.com")]
    email: String,
    #[schema(format = "uuid", example = "5ba5b0b0-6b4c-4f31-9d0e-8a2f6e1b7c3d")]
    reset_token: String,
}

/// The answer to a reset request, as `mail.reset_delivery` says.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ResetAnswer {
    /// `mail.reset_delivery = "response"` (the default, the original API): the
    /// token itself.
    Token(ResetTokenIssued),
    /// `mail.reset_delivery = "email"`: `{"email": E, "message": "reset link
    /// sent"}` for any address, registered or not; the token is in the
    /// mailed link (`/reset_password?token=T`).
    Mailed(EmailMessage),
}

/// The form that asks for a link.
const RESET_REQUEST: PageForm = PageForm {
    template: "reset_password",
    fields: &["email"],
    page: PATHS.reset_password,
};

/// The form that chooses the new password.
const CHOOSE_PASSWORD: PageForm = PageForm {
    template: "new_password",
    fields: &[NEW_PASSWORD, CONFIRM_PASSWORD],
    page: PATHS.new_password,
};

/// The private cookie that carries a followed link's token to the form.
const RESET_LINK_COOKIE: &str = "reset_link";

/// The private cookie that carries the address a link was asked for to
/// the page that says so, for its reloads.
const LINK_SENT_COOKIE: &str = "reset_link_sent";

/// How long the page that says a link was sent can be shown again.
const LINK_SENT_SHOWN_FOR: Duration = Duration::minutes(5);

/// Asks for a reset. With `mail.reset_delivery = "response"`: `{"email": E,
/// "reset_token": T}`, or 403 for an unknown email. With `"email"`: the
/// token goes out by mail, and the answer is the same for every address.
#[utoipa::path(
    tag = "passwords",
    request_body = ResetRequest,
    responses(
        (status = 200, description = "A reset token, valid once, for a limited time; or, with \
                                      mail.reset_delivery = \"email\", word that a link was mailed \
                                      if the address has an account", body = ResetAnswer),
        (status = 403, description = "No user has this email (mail.reset_delivery = \"response\" \
                                      only)", body = Message,
         example = json!({"message": "email not registered"})),
        (status = 429, description = "Too many requests for a link from this address \
                                      (login_limits.mailed_links_per_hour)", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/reset_password", data = "<input>", rank = 2)]
pub async fn get_reset_password_token(
    _origin: SameOrigin,
    input: Input<ResetRequest>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<ResetAnswer>, Error> {
    let ResetRequest { email } = input.into_inner();
    let answer = match auth.issue_reset(&email, device.ip).await? {
        ResetIssued::Token(reset_token) => ResetAnswer::Token(ResetTokenIssued {
            email: email.to_string(),
            reset_token,
        }),
        ResetIssued::Mailed => ResetAnswer::Mailed(EmailMessage::new(&email, "reset link sent")),
    };
    Ok(FlaskJson(answer))
}

/// Sets a new password: `{"email": E, "message": "Password updated"}`; 403
/// for a token that is not valid for this email; 400 for a new password
/// refused by the policy.
#[utoipa::path(
    tag = "passwords",
    request_body = PasswordUpdate,
    responses(
        (status = 200, description = "The password is changed and the user's session ended",
         body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "Password updated"})),
        (status = 400, description = "The new password is too short or too common", body = Message),
        (status = 403, description = "The token is unknown, expired, used, not this email's, \
                                      or void (the password or address changed since)",
         body = Message, example = json!({"message": "invalid reset token"})),
    ),
)]
#[put("/reset_password", data = "<input>", rank = 2)]
pub async fn update_password(
    _origin: SameOrigin,
    input: Input<PasswordUpdate>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordUpdate {
        email,
        reset_token,
        new_password,
    } = input.into_inner();
    auth.update_password(&email, &reset_token, &new_password, &device)
        .await
        .map_err(|error| Error::about(error, RESET_PASSWORDS))?;
    Ok(FlaskJson(EmailMessage::new(&email, "Password updated")))
}

/// The form that asks for a link; or, with `token` (a mailed link), on to
/// the new-password form, which says so where the link is used or
/// expired: the token never stays in the address bar or the history.
#[utoipa::path(
    tag = "pages",
    params(("token" = Option<String>, Query, description = "The token of a mailed reset link")),
    responses(
        (status = 200, description = "The form that asks for a password reset, for browsers",
         content_type = "text/html"),
        (status = 303, description = "A reset link: on to the new-password form (which says \
                                      so where the link is used or expired)"),
    ),
)]
#[get("/reset_password?<token>")]
pub async fn request_form(
    token: Option<&str>,
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Either<Template, Redirect>, PageError> {
    let Some(token) = token else {
        return Ok(Either::Left(
            FormState::default().show(page, &RESET_REQUEST),
        ));
    };
    match ResetToken::parse(token) {
        Ok(token) if auth.reset_token_owner(&token).await?.is_some() => {
            let lifetime = auth.settings().mail.reset_token_ttl;
            let cookie = Cookie::build((RESET_LINK_COOKIE, token.expose().to_owned()))
                .path(uri!(request_form(token = _)).path().to_string())
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(Duration::seconds(lifetime.try_into().unwrap_or(i64::MAX)));
            cookies.add_private(cookie);
            Ok(Either::Right(Redirect::to(uri!(choose_password))))
        }
        // No token of the link's left over: the new-password form says the
        // link no longer works, from an address without it.
        _ => {
            let path = uri!(request_form(token = _)).path().to_string();
            cookies.remove_private(Cookie::build(RESET_LINK_COOKIE).path(path));
            Ok(Either::Right(Redirect::to(uri!(choose_password))))
        }
    }
}

/// Mails a reset link if the address has an account, then on (303) to
/// the page that says so the same way whether or not it has one; or back
/// to the form with the field error.
#[post("/reset_password", data = "<form>")]
pub async fn request_link(
    _origin: SameOrigin,
    form: Form<Contextual<'_, ResetRequest>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(ResetRequest { email }) = &form.value else {
        return Err(state.again(&RESET_REQUEST));
    };
    if let Err(error) = auth.request_reset_link(email, device.ip).await {
        return Err(state.refused(&RESET_REQUEST, error.into()));
    }
    let cookie = Cookie::build((LINK_SENT_COOKIE, email.to_string()))
        .path(uri!(link_sent).path().to_string())
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(LINK_SENT_SHOWN_FOR);
    cookies.add_private(cookie);
    Ok(Redirect::to(uri!(link_sent)))
}

/// "Check your email": that a link went to the address asked for, if it
/// has an account, the same for every address; again on a reload or Back.
/// Without an address asked for lately, the form that asks for a link.
#[get("/reset_password/sent")]
pub fn link_sent(
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Either<Template, Redirect> {
    let Some(email) = cookies.get_private(LINK_SENT_COOKIE) else {
        return Either::Right(Redirect::to(PATHS.reset_password));
    };
    let language = page.language();
    let message = Text::new("sent-reset-link")
        .with("email", email.value())
        .duration("valid_for", auth.settings().mail.reset_token_ttl);
    let content = context! {
        title: language.word("sent-title"),
        message: language.say(&message),
    };
    Either::Left(page.render("check_email", content))
}

/// The new-password form of a followed link, or the page saying it is used
/// or expired.
#[get("/reset_password/new")]
pub async fn choose_password(
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<NoReferrer<Template>, PageError> {
    let token = cookies
        .get_private(RESET_LINK_COOKIE)
        .and_then(|cookie| ResetToken::parse(cookie.value()).ok());
    let Some(token) = token else {
        return Err(expired(page));
    };
    let Some(email) = auth.reset_token_owner(&token).await? else {
        return Err(expired(page));
    };
    let form = FormState::default()
        .value("email", &email)
        .value("reset_token", token.expose())
        .choosing_password(auth.settings().passwords.min_length);
    Ok(NoReferrer(form.show(page, &CHOOSE_PASSWORD)))
}

/// Sets the new password (the form's first field is `_method=PUT`), then
/// 303 to the login page with the notice "Password updated.". A used,
/// expired or cut short link goes back (303) to the link's page, which
/// says it no longer works (or, for a link that still does, shows its form
/// again).
#[put("/reset_password", data = "<form>")]
pub async fn update_password_page(
    _origin: SameOrigin,
    form: Form<Contextual<'_, PasswordUpdate>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    // The email and token come back from the link's cookie, never typed.
    let state = FormState::submitted(&form.context, &[])
        .choosing_password(auth.settings().passwords.min_length);
    // The email or token missing (the link cut short) or void: back to the
    // link's page, which says whether it still works.
    let Some(update) = &form.value else {
        return Err(state.again(&CHOOSE_PASSWORD));
    };
    if form.context.field_value(CONFIRM_PASSWORD) != Some(update.new_password.expose()) {
        // Both problems at once: the rules too, where the new one breaks them.
        let rules = auth.password_rules(&update.new_password, Some(&update.email));
        let state = match rules.map_err(|refused| Error::about(refused, RESET_PASSWORDS)) {
            Err(broken) => state.told(&broken),
            Ok(()) => state,
        };
        return Err(state.refused(&CHOOSE_PASSWORD, Error::PasswordsDiffer));
    }
    let updated = auth
        .update_password(
            &update.email,
            &update.reset_token,
            &update.new_password,
            &device,
        )
        .await;
    match updated.map_err(|error| Error::about(error, RESET_PASSWORDS)) {
        Ok(()) => {
            cookies.remove_private(Cookie::build(RESET_LINK_COOKIE).path("/reset_password"));
            let login = Redirect::to(PATHS.login);
            let notice = Text::new("notice-password-updated");
            Ok(Notice::success(login, notice))
        }
        Err(Error::InvalidResetToken) => Err(state.again(&CHOOSE_PASSWORD)),
        Err(error) => Err(state.refused(&CHOOSE_PASSWORD, error)),
    }
}

/// The page of a reset link that is used or expired (400), with a way to
/// ask for a new one.
fn expired(page: Page) -> PageError {
    let language = page.language();
    let content = context! {
        title: language.word("expired-title"),
        message: language.say(&Error::InvalidResetToken.text()),
        action: PATHS.reset_password,
        action_label: language.word("expired-ask-for-new-link"),
    };
    PageError::page(Status::BadRequest, page.render("link_expired", content))
}
