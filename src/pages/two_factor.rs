//! Two-factor sign-in for browsers: the second step of a login
//! (`GET`/`POST /login/code`), and on the account page its setup
//! (`POST /profile/totp` shows the QR code, `PUT /profile/totp` confirms
//! it and shows the recovery codes once), turning it off
//! (`DELETE /profile/totp`) and new recovery codes
//! (`POST /profile/recovery_codes`).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket::time::Duration;
use rocket::{delete, get, post, put, uri, Either, State};
use rocket_dyn_templates::{context, Template};
use serde::{Deserialize, Serialize};

use super::account::refused;
use super::confirm::Change;
use super::profile::AccountForms;
use super::{destination, login, profile, require_login, FormState, PageError, PageForm};
use crate::auth::{Auth, Device, Login, PendingSignInId, TotpEnrolment, PENDING_SIGN_IN_TTL};
use crate::web::forms::{PasswordProof, SecondFactor, TotpConfirmation, TwoFactorProof};
use crate::web::session::set_session_cookie;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The private cookie of a sign-in waiting for its second factor.
const PENDING_COOKIE: &str = "pending_sign_in";

/// The page that asks for the code of a sign-in.
const CODE: PageForm = PageForm {
    template: "login_code",
    fields: &["code"],
};

/// A sign-in waiting for its second factor, as its browser keeps it: in a
/// private (encrypted, authenticated) cookie, for five minutes, the id of
/// the sign-in that waits on the server (which ends it when its code is
/// used or the password changes), and where to go once logged in. It is
/// not a session: it opens nothing but the page that asks for the code.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingCookie {
    id: String,
    /// Where to go once logged in.
    next: Option<String>,
}

impl PendingCookie {
    /// Hands the browser the sign-in `id`, which goes on to `next`.
    pub fn keep(cookies: &CookieJar<'_>, id: &PendingSignInId, next: Option<String>) {
        let cookie = PendingCookie {
            id: id.expose().to_owned(),
            next,
        };
        let value = serde_json::to_string(&cookie).unwrap_or_default();
        let cookie = Cookie::build((PENDING_COOKIE, value))
            .path(uri!(code_form).path().to_string())
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Duration::seconds(PENDING_SIGN_IN_TTL));
        cookies.add_private(cookie);
    }

    /// The browser's, if it has one.
    fn of(cookies: &CookieJar<'_>) -> Option<Self> {
        let cookie = cookies.get_private(PENDING_COOKIE)?;
        serde_json::from_str(cookie.value()).ok()
    }

    fn forget(cookies: &CookieJar<'_>) {
        cookies
            .remove_private(Cookie::build(PENDING_COOKIE).path(uri!(code_form).path().to_string()));
    }
}

/// The page that asks for the code of a sign-in; without one waiting, the
/// login page.
#[get("/login/code")]
pub fn code_form(page: Page, cookies: &CookieJar<'_>) -> Either<Template, Redirect> {
    if PendingCookie::of(cookies).is_none() {
        return Either::Right(Redirect::to(uri!(login::form(next = _))));
    }
    Either::Left(FormState::default().show(page, &CODE))
}

/// Finishes the sign-in with its code: the session, and on to `next` or
/// the account page; or the page again with why not. A sign-in that ended
/// (expired, its code used, too many wrong codes) goes back to the login
/// page with a notice.
#[post("/login/code", data = "<form>")]
pub async fn finish(
    _origin: SameOrigin,
    form: Form<Contextual<'_, SecondFactor>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
    page: Page,
) -> Result<Redirect, PageError> {
    let Some(pending) = PendingCookie::of(cookies) else {
        return Ok(Redirect::to(uri!(login::form(next = _))));
    };
    let state = FormState::submitted(&form.context, &[]);
    let Some(SecondFactor { code }) = &form.value else {
        return Err(state.again(page, &CODE, Status::BadRequest));
    };
    let id = PendingSignInId::presented(&pending.id);
    let refusal = match auth.finish_sign_in(&id, code, &device).await? {
        Login::Success(session) => {
            PendingCookie::forget(cookies);
            set_session_cookie(cookies, session);
            return Ok(Redirect::to(destination(pending.next.as_deref())));
        }
        ended @ (Login::SignInExpired | Login::TooManyWrongCodes | Login::WrongCredentials) => {
            PendingCookie::forget(cookies);
            let why = match ended {
                Login::TooManyWrongCodes => {
                    "The code was wrong too many times. Log in again.".to_owned()
                }
                _ => Error::SignInExpired.sentence(),
            };
            let login = Redirect::to(uri!(login::form(next = _)));
            return Err(PageError::Elsewhere(Box::new(Flash::warning(login, why))));
        }
        Login::Throttled(wait) => Error::Throttled(wait),
        _ => Error::WrongCode {
            status: Status::Unauthorized,
            field: "code",
        },
    };
    Err(state.refused(page, &CODE, refusal))
}

/// Starts the setup: the QR code and the secret to add to an
/// authenticator app, and the field for its first code. Past
/// `recent_login_ttl` of the login, the password first.
#[post("/profile/totp", data = "<form>")]
pub async fn start(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Template, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let password = form
        .value
        .as_ref()
        .and_then(|proof| proof.password.as_ref());
    match auth.start_totp(&user.requester(), password, &device).await {
        Ok(enrolment) => Ok(setup_page(page, &enrolment, FormState::default())),
        Err(error) => {
            let error = Error::from(error);
            let change = Change {
                action: uri!(start).to_string(),
                method: "POST",
                purpose: "set up two-factor sign-in".to_owned(),
                fields: Vec::new(),
            };
            if !Change::needs_password(&error) {
                return Err(back_to_account(error));
            }
            Err(change.ask_password(page, auth, &user, &error).await)
        }
    }
}

/// Confirms the setup with a first code: the recovery codes, shown this
/// once; or the setup again with the error. Past `recent_login_ttl` of the
/// login, the password first.
#[put("/profile/totp", data = "<form>")]
pub async fn confirm(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TotpConfirmation>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Template, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut state = FormState::submitted(&form.context, &[]);
    let error = match &form.value {
        Some(TotpConfirmation { code, password }) => {
            let confirmed = auth
                .confirm_totp(&user.requester(), code, password.as_ref(), &device)
                .await;
            match confirmed {
                Ok(codes) => return Ok(codes_page(page, &codes, true)),
                Err(error) => {
                    let error = Error::from(error);
                    let change = Change {
                        action: uri!(confirm).to_string(),
                        method: "PUT",
                        purpose: "turn on two-factor sign-in".to_owned(),
                        fields: vec![("code", code.expose().to_owned())],
                    };
                    if Change::needs_password(&error) {
                        return Err(change.ask_password(page, auth, &user, &error).await);
                    }
                    state = state.told(&error);
                    error
                }
            }
        }
        // Not 6 digits: the field's error says so.
        None => Error::Status(Status::BadRequest),
    };
    let enrolment = match auth.pending_totp(user.id).await {
        Ok(enrolment) => enrolment,
        Err(other) => return Err(back_to_account(other.into())),
    };
    Err(PageError::shown(
        &error,
        setup_page(page, &enrolment, state),
    ))
}

/// Turns two-factor sign-in off, then the account page with a notice.
#[delete("/profile/totp", data = "<form>")]
pub async fn disable(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TwoFactorProof>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.two_factor_off = FormState::submitted(&form.context, &[]);
    let Some(proof) = &form.value else {
        return Err(refused(page, &user, auth, forms, None).await);
    };
    let disabled = auth
        .disable_totp(
            &user.requester(),
            Some(&proof.password),
            &proof.code,
            &device,
        )
        .await;
    match disabled.map_err(Error::from) {
        Ok(()) => Ok(Flash::success(
            Redirect::to(uri!(profile::profile)),
            "Two-factor sign-in is off.",
        )),
        Err(error) => {
            forms.two_factor_off = forms.two_factor_off.told(&error);
            Err(refused(page, &user, auth, forms, Some(error)).await)
        }
    }
}

/// New recovery codes, shown this once; the old ones stop working.
#[post("/profile/recovery_codes", data = "<form>")]
pub async fn new_codes(
    _origin: SameOrigin,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, TwoFactorProof>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Template, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let mut forms = AccountForms::new(auth);
    forms.recovery = FormState::submitted(&form.context, &[]);
    let Some(proof) = &form.value else {
        return Err(refused(page, &user, auth, forms, None).await);
    };
    let renewed = auth
        .new_recovery_codes(
            &user.requester(),
            Some(&proof.password),
            &proof.code,
            &device,
        )
        .await;
    match renewed.map_err(Error::from) {
        Ok(codes) => Ok(codes_page(page, &codes, false)),
        Err(error) => {
            forms.recovery = forms.recovery.told(&error);
            Err(refused(page, &user, auth, forms, Some(error)).await)
        }
    }
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
        form: state,
    };
    page.render("two_factor_setup", content)
}

/// The page that shows `codes` this once, with a way to save them.
fn codes_page(page: Page, codes: &[String], enabled: bool) -> Template {
    let file = format!(
        "Recovery codes of your auth-service account. Each works once.\n\n{}\n",
        codes.join("\n")
    );
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
    if error.status().code >= 500 {
        return PageError::Failure(error);
    }
    let account = Redirect::to(uri!(profile::profile));
    PageError::Elsewhere(Box::new(Flash::error(account, error.sentence())))
}
