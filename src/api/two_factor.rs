//! Two-factor sign-in for JSON clients: `POST /profile/totp` (a new
//! secret, pending), `PUT /profile/totp` (confirm it with a first code),
//! `DELETE /profile/totp` (turn it off), `POST /profile/recovery_codes`
//! (a new set). Logging in then takes `otp` (see `POST /sessions`).

use rocket::{delete, post, put, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Auth, Device};
use crate::web::forms::{PasswordProof, TotpConfirmation, TwoFactorProof};
use crate::web::json::Message;
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

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
/// `recent_login_ttl` of the login. 400 when two-factor sign-in is already
/// on.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "A new secret, pending", body = TotpSecret),
        (status = 400, description = "Two-factor sign-in is already on, or a field is \
                                      malformed", body = Message,
         example = json!({"message": "two-factor sign-in is already on"})),
        (status = 403, description = "No live session, an address never confirmed, a wrong \
                                      password, or no password past recent_login_ttl of the \
                                      login", body = Message,
         example = json!({"message": "password confirmation required"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
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
/// `recent_login_ttl` of the login.
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
        (status = 403, description = "No live session, a wrong code, an address never \
                                      confirmed, a wrong password, or no password past \
                                      recent_login_ttl of the login", body = Message,
         example = json!({"message": "wrong one-time code"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
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
        .await?;
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
        (status = 400, description = "A field is missing or malformed, or two-factor sign-in \
                                      is off", body = Message),
        (status = 403, description = "No live session, a wrong password or a wrong code",
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
        (status = 400, description = "A field is missing or malformed, or two-factor sign-in \
                                      is off", body = Message),
        (status = 403, description = "No live session, a wrong password or a wrong code",
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
