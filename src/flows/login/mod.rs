//! Logging in and out: `POST /sessions` with the email and the password
//! (and, with two-factor sign-in on, the code: at once for JSON clients, on
//! the code page for browsers), `DELETE /sessions`; the login page. Its
//! second half, the code page, is `second_factor`; a passkey sign-in is
//! `passkey`; both end as a password login does (`outcome`).

mod outcome;
pub mod passkey;
pub mod second_factor;

use rocket::form::{Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::FromForm;
use rocket::{delete, get, post, Either, State};
use rocket_dyn_templates::Template;
use utoipa::ToSchema;

use crate::auth::{Auth, Device, Email, Login, OneTimeCode, Password};
use crate::flows::paths::PATHS;
use crate::language::Language;
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::{remove_session_cookie, set_session_cookie};
use crate::web::values::Optional;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};
use outcome::{destination, refusal, return_address};
use second_factor::PendingCookie;

/// The fields of a login.
#[derive(Debug, FromForm, ToSchema)]
pub struct Credentials {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024,
             example = "correct horse battery")]
    pub password: Password,
    /// With two-factor sign-in on: the 6 digits of the authenticator app,
    /// or a recovery code (`abcde-fghij`).
    #[schema(value_type = String, required = false, example = "123456",
             pattern = "^( *[0-9]){6} *$|^([ -]*[A-Za-z2-7]){10}[ -]*$")]
    pub otp: Optional<OneTimeCode>,
}

/// The login form. `next`, a hidden field, is where to go once logged in;
/// `remember`, a checkbox, keeps the session beyond the browser's life.
const LOGIN: PageForm = PageForm {
    template: "login",
    fields: &["email", "password"],
    page: PATHS.login,
};

/// Logs in: `{"email": E, "message": "logged in"}`, the session cookie and
/// a device cookie; 401 for a wrong email or password; 429 with
/// `Retry-After` after too many attempts.
#[utoipa::path(
    tag = "sessions",
    request_body = Credentials,
    responses(
        (status = 200, description = "Logged in", body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id`: the session, an encrypted \
                                                        HttpOnly cookie; and `device_…`: the \
                                                        device cookie, which spares this client \
                                                        the waits of strangers at later logins")),
         example = json!({"email": "bob@example.com", "message": "logged in"})),
        (status = 401, description = "Wrong email or password; or, with two-factor sign-in on, \
                                      a missing or wrong one-time code", body = Message,
         example = json!({"message": "wrong email or password"})),
        (status = 403, description = "The password is right, but the address is not verified \
                                      yet (sessions.require_verified_email only): no session", body = Message,
         example = json!({"message": "email not verified"})),
        (status = 429, description = "Too many attempts for this email or from this address",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/sessions", data = "<input>", rank = 2)]
pub async fn login(
    _origin: SameOrigin,
    input: Input<Credentials>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let Credentials {
        email,
        password,
        otp,
    } = input.into_inner();
    // A JSON client's session is kept, as the original API's was.
    match auth
        .log_in(&email, &password, &device, true, otp.as_ref(), None)
        .await?
    {
        Login::Success(session) => {
            set_session_cookie(cookies, auth, session);
            Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
        }
        other => Err(refusal(other, "otp")),
    }
}

/// Logs out: ends this session (the user's others stay) and redirects to
/// `/` (302), or 403.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    responses(
        (status = 302, description = "Logged out: the session is ended",
         headers(("Location" = String, description = "`/`"))),
    ),
)]
#[delete("/sessions", rank = 2)]
pub async fn logout(
    _origin: SameOrigin,
    user: CurrentUser,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, Error> {
    auth.end_session(user.id, &user.session.public_id).await?;
    remove_session_cookie(cookies, auth);
    Ok(Redirect::found(PATHS.home))
}

/// The login form, with the notice left by the previous page if any; for
/// someone logged in already, `next` or their profile. `rd`, the return
/// address forward auth sends (an application's URL), stands for `next`.
#[utoipa::path(
    tag = "pages",
    params(
        ("next" = Option<String>, Query, description = "A path of this site to go to once logged in"),
        ("rd" = Option<String>, Query, description = "With forward auth: the address of the \
                                                      application to go back to once logged in, \
                                                      in the domain of the session cookie"),
    ),
    responses((status = 200, description = "The login form, for browsers", content_type = "text/html")),
)]
#[get("/login?<next>&<rd>")]
pub fn form(
    next: Option<&str>,
    rd: Option<&str>,
    page: Page,
    auth: &State<Auth>,
) -> Either<Template, Redirect> {
    let next = next.or(rd);
    if page.user().is_some() {
        return Either::Right(Redirect::to(destination(next, auth.settings())));
    }
    let mut state = FormState::default();
    if let Some(next) = next.and_then(|next| return_address(next, auth.settings())) {
        state = state.value("next", &next);
    }
    Either::Left(state.show(page, &LOGIN))
}

/// Logs in, sets the session cookie and 303 to `next` or the profile; or
/// back (303) to the form with one generic message, with the field errors,
/// or with when to try again. "Keep me logged in" unchecked,
/// the cookie ends with the browser and the session after
/// `sessions.idle_ttl` unused; checked, both last `sessions.ttl`. The
/// account's mails speak the page's language from then on.
#[post("/sessions", data = "<form>")]
pub async fn login_page(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Credentials>>,
    device: Device,
    language: Language,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let next = form.context.field_value("next");
    let next = next.and_then(|next| return_address(next, auth.settings()));
    let kept = form.context.field_value("remember") == Some("on");
    let mut state = FormState::submitted(&form.context, &["email"]);
    if let Some(next) = &next {
        state = state.value("next", next);
    }
    let Some(Credentials {
        email, password, ..
    }) = &form.value
    else {
        return Err(state.again(&LOGIN));
    };
    // The code, if two-factor sign-in is on, comes on the next page.
    let login = auth.log_in(email, password, &device, kept, None, Some(language));
    let refusal = match login.await {
        Ok(Login::Success(session)) => {
            set_session_cookie(cookies, auth, session);
            return Ok(Redirect::to(destination(next.as_deref(), auth.settings())));
        }
        Ok(Login::SecondFactorRequired(awaited)) => {
            let id = auth.wait_for_code(awaited).await?;
            PendingCookie::keep(cookies, &id, next);
            return Ok(Redirect::to(PATHS.login_code));
        }
        Ok(Login::EmailNotVerified) => {
            // The page offers to send the link again.
            state = state.value("unconfirmed", email.as_str());
            Error::EmailNotVerified
        }
        Ok(other) => refusal(other, "code"),
        Err(error) => error.into(),
    };
    Err(state.refused(&LOGIN, refusal))
}

/// Logs out of this device (the form's first field is `_method=DELETE`)
/// and 303 home.
#[delete("/sessions")]
pub async fn logout_page(
    _origin: SameOrigin,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    if let Some(user) = user {
        auth.end_session(user.id, &user.session.public_id).await?;
    }
    remove_session_cookie(cookies, auth);
    Ok(Redirect::to(PATHS.home))
}

/// `GET /sessions` from the address bar: the account page, which lists
/// them (or the login page on the way to it).
#[get("/sessions")]
pub fn address_bar() -> Redirect {
    Redirect::to(PATHS.profile)
}
