//! Two-factor sign-in, on the account page and for JSON clients:
//! `POST /profile/totp` (a new secret, pending: the page shows its QR code),
//! `PUT /profile/totp` (confirmed by a first code: the recovery codes,
//! shown once), `DELETE /profile/totp` (off) and
//! `POST /profile/recovery_codes` (a new set). Asking for the code at
//! login is the login flow's (`login::second_factor`).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::{Flash, Redirect};
use rocket::time::Duration;
use rocket::FromForm;
use rocket::{delete, get, post, put, Either, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;
use utoipa::ToSchema;

use super::paths::PATHS;
use super::settings::confirm::{Change, PasswordProof};
use super::settings::{require_login, AccountForm, Submitted};
use crate::auth::{Auth, AuthError, Device, OneTimeCode, Password, TotpCode, TotpEnrolment};
use crate::language::Text;
use crate::web::form::{FormState, PageError};
use crate::web::json::Message;
use crate::web::values::Optional;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};

/// The field of a one-time code: the first of an authenticator app, to
/// confirm a setup.
#[derive(Debug, FromForm, ToSchema)]
pub struct TotpConfirmation {
    /// The 6 digits the app shows.
    #[schema(value_type = String, pattern = "^( *[0-9]){6} *$", example = "123456")]
    pub code: TotpCode,
    /// The current password; needed past `sessions.recent_login_ttl` of a login.
    #[schema(value_type = String, format = Password, required = false, min_length = 1,
             max_length = 1024)]
    pub password: Optional<Password>,
}

/// The fields that prove a change of two-factor sign-in: the password and
/// a one-time code.
#[derive(Debug, FromForm, ToSchema)]
pub struct TwoFactorProof {
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub password: Password,
    /// The 6 digits of the authenticator app, or a recovery code.
    #[schema(value_type = String, example = "123456",
             pattern = "^( *[0-9]){6} *$|^([ -]*[A-Za-z2-7]){10}[ -]*$")]
    pub code: OneTimeCode,
}

/// `{"otpauth_url": U, "secret": S}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSecret {
    /// For a QR code an authenticator app reads.
    #[schema(
        example = "otpauth://totp/auth-service:bob%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=auth-service"
    )]
    otpauth_url: String,
    /// The same secret, base32, for manual entry.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    secret: String,
}

/// `{"message": M, "recovery_codes": [...]}`: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    message: &'static str,
    /// Ten codes, each working once in place of an app's code.
    #[schema(example = json!(["abcde-fghij", "klmno-pqrst"]))]
    recovery_codes: Vec<String>,
}

/// Starts a setup: a new 160-bit secret, pending until `PUT /profile/totp`
/// confirms it. Needs a confirmed address, and the password past
/// `sessions.recent_login_ttl` of the login. 400 when two-factor sign-in is already
/// on.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "A new secret, pending", body = TotpSecret),
        (status = 400, description = "Two-factor sign-in is already on", body = Message,
         example = json!({"message": "two-factor sign-in is already on"})),
        (status = 403, description = "An address never confirmed, a wrong password, or no \
                                      password past sessions.recent_login_ttl of the login",
         body = Message,
         example = json!({"message": "password confirmation required"})),
    ),
)]
#[post("/profile/totp", data = "<input>", rank = 2)]
pub async fn start(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<PasswordProof>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<TotpSecret>, Error> {
    let PasswordProof { password } = input.into_inner();
    let enrolment = auth
        .start_totp(&user.requester(), password.as_ref(), &device)
        .await?;
    Ok(FlaskJson(TotpSecret {
        otpauth_url: enrolment.otpauth_url,
        secret: enrolment.secret,
    }))
}

/// Confirms the setup with the app's first code: two-factor sign-in is on,
/// and ten recovery codes come back, this once. Needs the password past
/// `sessions.recent_login_ttl` of the login.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = TotpConfirmation,
    responses(
        (status = 200, description = "Two-factor sign-in is on", body = RecoveryCodes,
         example = json!({"message": "two-factor sign-in enabled",
                          "recovery_codes": ["abcde-fghij", "klmno-pqrst"]})),
        (status = 400, description = "The code is not 6 digits, no setup is under way, or \
                                      two-factor sign-in is already on", body = Message),
        (status = 403, description = "A wrong code, an address never confirmed, a wrong \
                                      password, or no password past sessions.recent_login_ttl of the \
                                      login",
         body = Message,
         example = json!({"message": "wrong one-time code"})),
    ),
)]
#[put("/profile/totp", data = "<input>", rank = 2)]
pub async fn confirm(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<TotpConfirmation>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<RecoveryCodes>, Error> {
    let TotpConfirmation { code, password } = input.into_inner();
    let recovery_codes = auth
        .confirm_totp(&user.requester(), &code, password.as_ref(), &device)
        .await
        .map_err(|error| Error::from(error).at_setup())?;
    Ok(FlaskJson(RecoveryCodes {
        message: "two-factor sign-in enabled",
        recovery_codes,
    }))
}

/// Turns two-factor sign-in off, proved by the password and a code.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = TwoFactorProof,
    responses(
        (status = 200, description = "Two-factor sign-in is off", body = Message,
         example = json!({"message": "two-factor sign-in disabled"})),
        (status = 400, description = "Two-factor sign-in is off", body = Message),
        (status = 403, description = "A wrong password or a wrong code",
         body = Message),
        (status = 429, description = "Too many wrong passwords or codes for this account",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[delete("/profile/totp", data = "<input>", rank = 2)]
pub async fn disable(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<TwoFactorProof>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let TwoFactorProof { password, code } = input.into_inner();
    auth.disable_totp(&user.requester(), Some(&password), &code, &device)
        .await?;
    Ok(FlaskJson(Message {
        message: "two-factor sign-in disabled",
    }))
}

/// A new set of ten recovery codes, proved by the password and a code;
/// the old set stops working.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = TwoFactorProof,
    responses(
        (status = 200, description = "New recovery codes", body = RecoveryCodes,
         example = json!({"message": "new recovery codes",
                          "recovery_codes": ["abcde-fghij", "klmno-pqrst"]})),
        (status = 400, description = "Two-factor sign-in is off", body = Message),
        (status = 403, description = "A wrong password or a wrong code",
         body = Message),
        (status = 429, description = "Too many wrong passwords or codes for this account",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/profile/recovery_codes", data = "<input>", rank = 2)]
pub async fn new_codes(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<TwoFactorProof>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<RecoveryCodes>, Error> {
    let TwoFactorProof { password, code } = input.into_inner();
    let recovery_codes = auth
        .new_recovery_codes(&user.requester(), Some(&password), &code, &device)
        .await?;
    Ok(FlaskJson(RecoveryCodes {
        message: "new recovery codes",
        recovery_codes,
    }))
}

/// Starts the setup, then on (303) to its page. Past
/// `sessions.recent_login_ttl` of the login, the password first.
#[post("/profile/totp", data = "<form>")]
pub async fn start_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
) -> Result<Redirect, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let password = form
        .value
        .as_ref()
        .and_then(|proof| proof.password.as_ref());
    match auth.start_totp(&user.requester(), password, &device).await {
        Ok(_) => Ok(Redirect::to(PATHS.two_factor)),
        Err(error) => {
            let error = Error::from(error);
            let change = Change {
                action: PATHS.two_factor.to_owned(),
                method: "POST".to_owned(),
                purpose: Text::new("purpose-set-up-two-factor"),
                fields: Vec::new(),
            };
            if !Change::needs_password(&error) {
                return Err(back_to_account(error));
            }
            Err(change.ask_password(&error))
        }
    }
}

/// The setup under way: the QR code and the secret to add to an
/// authenticator app, and the field for its first code (a reload shows the
/// same secret); without one, the account page.
#[get("/profile/totp")]
pub async fn setup(
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
    page: Page,
) -> Result<Either<Template, Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let enrolment = match auth.pending_totp(user.id).await {
        Ok(enrolment) => enrolment,
        Err(AuthError::NoTotpEnrolment) => return Ok(Either::Right(Redirect::to(PATHS.profile))),
        Err(other) => return Err(back_to_account(other.into())),
    };
    let mut page = page;
    let state = FormState::default().or_carried(&mut page, SETUP);
    Ok(Either::Left(setup_page(page, &enrolment, state)))
}

/// The name of the setup's form, as a refused one comes back to it.
const SETUP: &str = "two_factor_setup";

/// Confirms the setup with a first code: on to the recovery codes, shown
/// this once; or back to the setup with the error. Past
/// `sessions.recent_login_ttl` of the login, the password first.
#[put("/profile/totp", data = "<form>")]
pub async fn confirm_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TotpConfirmation>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let state = FormState::submitted(&form.context, &[]);
    match &form.value {
        Some(TotpConfirmation { code, password }) => {
            let confirmed = auth
                .confirm_totp(&user.requester(), code, password.as_ref(), &device)
                .await;
            match confirmed {
                Ok(codes) => Ok(show_codes_once(cookies, codes, true)),
                Err(error) => {
                    let error = Error::from(error).at_setup();
                    let change = Change {
                        action: PATHS.two_factor.to_owned(),
                        method: "PUT".to_owned(),
                        purpose: Text::new("purpose-turn-on-two-factor"),
                        fields: vec![("code".to_owned(), code.expose().to_owned())],
                    };
                    if Change::needs_password(&error) {
                        return Err(change.ask_password(&error));
                    }
                    Err(PageError::refusal(error, |error| {
                        state.told(error).back(PATHS.two_factor, SETUP)
                    }))
                }
            }
        }
        // Not 6 digits: the field's error says so.
        None => Err(state.back(PATHS.two_factor, SETUP)),
    }
}

/// Turns two-factor sign-in off, then the account page with a notice.
#[delete("/profile/totp", data = "<form>")]
pub async fn disable_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TwoFactorProof>>,
    device: Device,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    AccountForm::submitted(Submitted::TwoFactorOff, &form.context)
        .make(form.value.as_ref(), async |proof| {
            let (password, requester) = (Some(&proof.password), user.requester());
            let disabled = auth.disable_totp(&requester, password, &proof.code, &device);
            disabled.await.map_err(Error::from)
        })
        .await?;
    let notice = Text::new("notice-two-factor-off");
    Ok(Notice::success(Redirect::to(PATHS.profile), notice))
}

/// New recovery codes, shown this once; the old ones stop working.
#[post("/profile/recovery_codes", data = "<form>")]
pub async fn new_codes_page(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TwoFactorProof>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let codes = AccountForm::submitted(Submitted::RecoveryCodes, &form.context)
        .make(form.value.as_ref(), async |proof| {
            let (password, requester) = (Some(&proof.password), user.requester());
            let renewed = auth.new_recovery_codes(&requester, password, &proof.code, &device);
            renewed.await.map_err(Error::from)
        })
        .await?;
    Ok(show_codes_once(cookies, codes, false))
}

/// The recovery codes just made, this once; after that (Back, a reload),
/// a page that says they were shown once, with the way to new ones.
#[get("/profile/recovery_codes")]
pub fn codes_shown_once(
    user: Result<CurrentUser, Error>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Template, PageError> {
    require_login(user, PATHS.profile)?;
    let path = PATHS.recovery_codes;
    let shown = cookies.get_private(CODES_COOKIE).and_then(|cookie| {
        cookies.remove_private(Cookie::build(CODES_COOKIE).path(path));
        serde_json::from_str::<(Vec<String>, bool)>(cookie.value()).ok()
    });
    let (codes, enabled) = shown.unwrap_or_default();
    Ok(codes_page(page, &codes, enabled))
}

/// The private cookie that carries new recovery codes to the page that
/// shows them once (`GET /profile/recovery_codes`), for a few minutes.
const CODES_COOKIE: &str = "recovery_codes";

/// On (303) to the page that shows `codes` once; `enabled`: they came with
/// two-factor sign-in turned on.
fn show_codes_once(cookies: &CookieJar<'_>, codes: Vec<String>, enabled: bool) -> Redirect {
    let carried = serde_json::to_string(&(codes, enabled)).unwrap_or_default();
    let cookie = Cookie::build((CODES_COOKIE, carried))
        .path(PATHS.recovery_codes)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::minutes(5));
    cookies.add_private(cookie);
    Redirect::to(PATHS.recovery_codes)
}

/// The setup page of `enrolment`: the QR code (an SVG drawn here, no
/// image from elsewhere), the secret for manual entry, the field for the
/// first code.
fn setup_page(page: Page, enrolment: &TotpEnrolment, state: FormState) -> Template {
    let qr = QrCode::with_error_correction_level(enrolment.otpauth_url.as_bytes(), EcLevel::M)
        .map(|code| {
            let svg = code
                .render::<svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Inline in the page: without its XML declaration.
            svg.split_once("?>")
                .map_or(svg.clone(), |(_, element)| element.to_owned())
        })
        .unwrap_or_default();
    // Groups of four letters, as apps show them.
    let letters: Vec<String> = enrolment
        .secret
        .as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect();
    let content = context! {
        qr,
        secret: letters.join(" "),
        form: state.said(page.language()),
    };
    page.render("two_factor_setup", content)
}

/// The page that shows `codes` this once, with a way to save them; without
/// codes, the page that says they were shown once.
fn codes_page(page: Page, codes: &[String], enabled: bool) -> Template {
    let heading = page.language().word("download-codes-heading");
    let file = format!("{heading}\n\n{}\n", codes.join("\n"));
    let download: String = url_escape(&file);
    page.render("recovery_codes", context! { codes, enabled, download })
}

/// `text` percent-encoded for a `data:` URL.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The account page with a notice for a refusal that is not about a field
/// of its forms (two-factor sign-in already on, say).
fn back_to_account(error: Error) -> PageError {
    PageError::refusal(error, |error| {
        let account = Redirect::to(PATHS.profile);
        PageError::Elsewhere(Box::new(Notice::error(account, error.text())))
    })
}
