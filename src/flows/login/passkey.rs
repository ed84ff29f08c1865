//! Signing in with a passkey, for the login page's script and JSON clients:
//! `POST /sessions/passkey/options` gives the options for
//! `navigator.credentials.get()` and a ceremony id; `POST /sessions/passkey`
//! sends them back with the authenticator's answer, and answers as
//! `POST /sessions` does.

use rocket::http::{CookieJar, Status};
use rocket::{post, State};
use serde::Deserialize;
use utoipa::ToSchema;
use webauthn_rs::prelude::PublicKeyCredential;

use super::outcome::refusal;
use crate::auth::{Auth, Device, Login, PasskeyLogin};
use crate::flows::passkeys::{AssertedCredential, CeremonyOptions};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::set_session_cookie;
use crate::web::{Error, FlaskJson, JsonInput, SameOrigin};

/// The authenticator's answer to a sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyAssertion {
    /// The `ceremony` that `POST /sessions/passkey/options` gave.
    pub ceremony: String,
    /// What `navigator.credentials.get()` returned, as JSON
    /// (`PublicKeyCredential.toJSON()`: binary fields in base64url).
    #[schema(value_type = AssertedCredential)]
    pub credential: PublicKeyCredential,
    /// Whether the session outlives the browser (default: it does, as a
    /// JSON client's login does).
    #[serde(default)]
    pub remember: Option<bool>,
}

/// Starts a sign-in with a passkey: the options for
/// `navigator.credentials.get()`, for any passkey of this site (no email
/// needed). Counts against the address's login attempts per minute.
#[utoipa::path(
    tag = "passkeys",
    responses(
        (status = 200, description = "The ceremony's id and options",
         body = CeremonyOptions),
        (status = 429, description = "Too many login attempts from this address",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/sessions/passkey/options")]
pub async fn start_sign_in(
    _origin: SameOrigin,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<CeremonyOptions>, Error> {
    let challenge = auth.start_passkey_sign_in(&device).await?;
    Ok(FlaskJson(CeremonyOptions::of(challenge)?))
}

/// Signs in with the authenticator's answer: the passkey verified its
/// user, so no one-time code is asked. Answers as `POST /sessions` does.
#[utoipa::path(
    tag = "passkeys",
    request_body = PasskeyAssertion,
    responses(
        (status = 200, description = "Logged in", body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id` and a device cookie, as \
                                                        `POST /sessions` sets them")),
         example = json!({"email": "bob@example.com", "message": "logged in"})),
        (status = 400, description = "A malformed body", body = Message),
        (status = 401, description = "The answer does not verify (an unknown or removed \
                                      passkey, another ceremony's challenge, another account's \
                                      user, no user verification): \"passkey not accepted\"; \
                                      or the ceremony is unknown, used or expired: \"passkey \
                                      ceremony expired or already used; start again\"",
         body = Message, example = json!({"message": "passkey not accepted"})),
        (status = 403, description = "The address is not verified yet (sessions.require_verified_email \
                                      only)", body = Message),
    ),
)]
#[post("/sessions/passkey", data = "<input>")]
pub async fn finish_sign_in(
    _origin: SameOrigin,
    input: JsonInput<PasskeyAssertion>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasskeyAssertion {
        ceremony,
        credential,
        remember,
    } = input.into_inner();
    let PasskeyLogin { email, outcome } = auth
        .finish_passkey_sign_in(&ceremony, &credential, &device, remember.unwrap_or(true))
        .await
        .map_err(|error| Error::from(error).at_sign_in())?;
    match outcome {
        Login::Success(session) => {
            set_session_cookie(cookies, auth, session);
            Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
        }
        // The account was deleted while its passkey signed.
        Login::WrongCredentials => Err(Error::PasskeyRejected(Status::Unauthorized)),
        other => Err(refusal(other, "code")),
    }
}
