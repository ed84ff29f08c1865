//! Registration: `POST /users` (the original API's, and the form of
//! `GET /register` for browsers, which also logs the new user in).

use crate::language::{Language, Text};
use crate::web::Notice;
use rocket::form::{Context, Contextual, Form};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{get, post, uri, Either, State};
use rocket_dyn_templates::Template;
use utoipa::ToSchema;

use super::paths::PATHS;
use crate::auth::{Auth, Device, Email, Password};
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::set_session_cookie;
use crate::web::{Error, FlaskJson, Input, Page, SameOrigin};

/// The fields of a registration.
#[derive(Debug, FromForm, ToSchema)]
pub struct Registration {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
    /// At least `passwords.min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024,
             example = "correct horse battery")]
    pub password: Password,
}

/// The registration form.
const REGISTER: PageForm = PageForm {
    template: "register",
    fields: &["email", "password"],
    page: PATHS.register,
};

/// Registers a user: `{"email": E, "message": "user created"}`, or 400
/// `{"message": "email already registered"}` (or a password refused by the
/// policy).
#[utoipa::path(
    tag = "users",
    request_body = Registration,
    responses(
        (status = 200, description = "Registered", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "user created"})),
        (status = 400, description = "The email is taken, or the password is too short or too \
                                      common",
         body = Message, example = json!({"message": "email already registered"})),
        (status = 429, description = "Too many registrations from this address \
                                      (login_limits.registrations_per_hour)", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/users", data = "<input>", rank = 2)]
pub async fn register(
    _origin: SameOrigin,
    input: Input<Registration>,
    device: Device,
    language: Language,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let Registration { email, password } = input.into_inner();
    auth.register_from(&email, &password, device.ip, language)
        .await?;
    Ok(FlaskJson(EmailMessage::new(&email, "user created")))
}

/// The registration form; for someone logged in already, their profile.
#[utoipa::path(
    tag = "pages",
    responses((status = 200, description = "The registration form, for browsers", content_type = "text/html")),
)]
#[get("/register")]
pub fn form(page: Page, auth: &State<Auth>) -> Either<Template, Redirect> {
    if page.user().is_some() {
        return Either::Right(Redirect::to(PATHS.profile));
    }
    let state = FormState::default().choosing_password(auth.settings().passwords.min_length);
    Either::Left(state.show(page, &REGISTER))
}

/// Registers and logs in, then 303 to the profile with the notice
/// "Account created." (where `sessions.require_verified_email` is on: to the login
/// page, until the address is confirmed); or back (303) to the form with
/// every error beside its field and the email kept.
#[post("/users", data = "<form>")]
pub async fn register_page(
    _origin: SameOrigin,
    form: Form<Contextual<'_, Registration>>,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    device: Device,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &["email"])
        .choosing_password(auth.settings().passwords.min_length);
    let Some(Registration { email, password }) = &form.value else {
        return Err(with_password_rules(state, auth, &form.context).again(&REGISTER));
    };
    let registered = auth.register_from(email, password, device.ip, page.language());
    if let Err(error) = registered.await {
        return Err(state.refused(&REGISTER, error.into()));
    }
    if auth.settings().sessions.require_verified_email {
        let login = Redirect::to(PATHS.login);
        let notice = Text::new("notice-account-created-confirm").with("email", email.as_str());
        return Ok(Notice::success(login, notice));
    }
    if let Some(session) = auth.create_session(email, &device, false).await? {
        set_session_cookie(cookies, auth, session);
    }
    let profile = Redirect::to(PATHS.profile);
    let notice = Text::new("notice-account-created");
    Ok(Notice::success(profile, notice))
}

/// `state`, with what is wrong with the password beside it too, when
/// another field kept the form from being read: every problem at once.
fn with_password_rules(state: FormState, auth: &Auth, context: &Context<'_>) -> FormState {
    if state.first_error(&["password"]).is_some() {
        return state;
    }
    let field = |name: &str| context.field_value(name);
    let password = field("password").and_then(|typed| Password::parse(typed).ok());
    let email = field("email").and_then(|typed| Email::parse(typed).ok());
    match password.map(|password| auth.password_rules(&password, email.as_ref())) {
        Some(Err(refused)) => state.told(&Error::from(refused)),
        _ => state,
    }
}

/// `GET /users` from the address bar: the registration form.
#[get("/users")]
pub fn address_bar() -> Redirect {
    Redirect::to(uri!(form))
}
