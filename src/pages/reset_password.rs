//! Password reset for browsers, by mail in every `reset_delivery` mode: a
//! page never shows a token, and answers the same for every address.
//!
//! - `GET /reset_password`: the form that asks for a link;
//! - `POST /reset_password`: mails the link, "check your email";
//! - `GET /reset_password?token=T` (the mailed link): keeps the token in a
//!   private cookie and sends on to `GET /reset_password/new`, so that it
//!   leaves the address bar and the history;
//! - `GET /reset_password/new`: the new-password form, the token carried in
//!   it;
//! - `PUT /reset_password`: sets the password, then the login page.

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket::time::Duration;
use rocket::{get, post, put, uri, Either, State};
use rocket_dyn_templates::{context, Template};

use super::{login, FormState, PageError, PageForm, TokenPage};
use crate::auth::{Auth, Device, ResetToken};
use crate::mail::in_words;
use crate::web::forms::{
    PasswordUpdate, ResetRequest, CONFIRM_PASSWORD, NEW_PASSWORD, RESET_PASSWORDS,
};
use crate::web::{Error, Page, SameOrigin};

/// The form that asks for a link.
const RESET_REQUEST: PageForm = PageForm {
    template: "reset_password",
    fields: &["email"],
};

/// The form that chooses the new password.
const CHOOSE_PASSWORD: PageForm = PageForm {
    template: "new_password",
    fields: &[NEW_PASSWORD, CONFIRM_PASSWORD],
};

/// The private cookie that carries a followed link's token to the form.
const RESET_LINK_COOKIE: &str = "reset_link";

/// The form that asks for a link; or, with `token` (a mailed link), on to
/// the new-password form while the token lives, else a page saying the
/// link is used or expired.
#[utoipa::path(
    tag = "pages",
    params(("token" = Option<String>, Query, description = "The token of a mailed reset link")),
    responses(
        (status = 200, description = "The form that asks for a password reset, for browsers",
         content_type = "text/html"),
        (status = 303, description = "A reset link that works: on to the new-password form"),
        (status = 400, description = "A reset link that is used or expired", content_type = "text/html"),
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
            let lifetime = auth.settings().reset_token_ttl;
            let cookie = Cookie::build((RESET_LINK_COOKIE, token.expose().to_owned()))
                .path(uri!(request_form(token = _)).path().to_string())
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(Duration::seconds(lifetime.try_into().unwrap_or(i64::MAX)));
            cookies.add_private(cookie);
            Ok(Either::Right(Redirect::to(uri!(choose_password))))
        }
        _ => Err(expired(page)),
    }
}

/// Mails a reset link if the address has an account, and says so the same
/// way whether or not it has one; or the form again with the field error.
#[post("/reset_password", data = "<form>")]
pub async fn request_link(
    _origin: SameOrigin,
    form: Form<Contextual<'_, ResetRequest>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Template, PageError> {
    let state = FormState::submitted(&form.context, &["email"]);
    let Some(ResetRequest { email }) = &form.value else {
        return Err(state.again(page, &RESET_REQUEST, Status::BadRequest));
    };
    if let Err(error) = auth.request_reset_link(email, device.ip).await {
        return Err(state.refused(page, &RESET_REQUEST, error.into()));
    }
    let content = context! {
        title: "Check your email",
        message: format!(
            "If an account exists for {email}, we have sent a link to it to choose a new \
             password. The link works for {}.",
            in_words(auth.settings().reset_token_ttl)
        ),
    };
    Ok(page.render("check_email", content))
}

/// The new-password form of a followed link, or the page saying it is used
/// or expired.
#[get("/reset_password/new")]
pub async fn choose_password(
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<TokenPage, PageError> {
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
        .choosing_password(auth.settings().password_min_length);
    Ok(TokenPage::new(form.show(page, &CHOOSE_PASSWORD)))
}

/// Sets the new password (the form's first field is `_method=PUT`), then
/// 303 to the login page with the notice "Password updated.". A used or
/// expired token shows the page that says so.
#[put("/reset_password", data = "<form>")]
pub async fn update_password(
    _origin: SameOrigin,
    form: Form<Contextual<'_, PasswordUpdate>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email", "reset_token"])
        .choosing_password(auth.settings().password_min_length);
    let Some(update) = &form.value else {
        return Err(if state.has_errors_besides(&[NEW_PASSWORD]) {
            // The email or token is missing: the link was cut short.
            expired(page)
        } else {
            state.again(page, &CHOOSE_PASSWORD, Status::BadRequest)
        });
    };
    if form.context.field_value(CONFIRM_PASSWORD) != Some(update.new_password.expose()) {
        return Err(state.refused(page, &CHOOSE_PASSWORD, Error::PasswordsDiffer));
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
            let login = Redirect::to(uri!(login::form(next = _)));
            Ok(Flash::success(
                login,
                "Password updated. Log in with your new password.",
            ))
        }
        Err(Error::InvalidResetToken) => Err(expired(page)),
        Err(error) => Err(state.refused(page, &CHOOSE_PASSWORD, error)),
    }
}

/// The page of a reset link that is used, expired or cut short (400), with
/// a way to ask for a new one.
fn expired(page: Page) -> PageError {
    let content = context! {
        title: "This link no longer works",
        message: Error::InvalidResetToken.sentence(),
        action: "reset_password",
        action_label: "Ask for a new link",
    };
    PageError::page(Status::BadRequest, page.render("link_expired", content))
}
