//! Passkeys, as the login and account pages' script (`static/passkeys.js`)
//! and JSON clients use them. Each ceremony has two halves: `…/options`
//! gives the options for `navigator.credentials` and a `ceremony` id; the
//! finishing call sends that id back with the authenticator's answer.
//!
//! - Adding one (logged in): `POST /profile/passkeys/options` (`name`,
//!   `password`), then `POST /profile/passkeys`; `GET /profile/passkeys`
//!   lists them, `DELETE /profile/passkeys/<id>` removes one.
//! - Signing in: `POST /sessions/passkey/options`, then
//!   `POST /sessions/passkey`, which answers as `POST /sessions` does.
//!
//! Where passkeys are off (a `public_url` that is an IP address), the four
//! ceremony routes answer 404 (the OpenAPI document adds it to each);
//! passkeys kept from before may still be listed and removed.

use rocket::http::{CookieJar, Status};
use rocket::{delete, get, post, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Auth, Device, Login, PasskeyChallenge, PasskeyLogin};
use crate::clock::timestamp;
use crate::db::StoredPasskey;
use crate::web::forms::{
    PasskeyAssertion, PasskeyCreated, PasskeyProof, PasskeyStart, PasswordProof,
};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::set_session_cookie;
use crate::web::{CurrentUser, Error, FlaskJson, Input, JsonInput, SameOrigin};

/// `{"ceremony": C, "options": O}`: the first half of a ceremony.
#[derive(Debug, Serialize, ToSchema)]
pub struct CeremonyOptions {
    /// To send back with the authenticator's answer; it works once, for
    /// `passkey_timeout` (5 minutes).
    #[schema(example = "9b2f6c1e-4d7a-4f0e-8a51-3c2d9e7b6a10")]
    ceremony: String,
    /// For `navigator.credentials.create()` or `.get()`, as JSON
    /// (`PublicKeyCredential.parseCreationOptionsFromJSON` and
    /// `parseRequestOptionsFromJSON` read its `publicKey`).
    #[schema(value_type = Object)]
    options: serde_json::Value,
}

impl CeremonyOptions {
    /// The first half of `challenge`, as the client gets it.
    fn of<T: Serialize>(challenge: PasskeyChallenge<T>) -> Result<Self, Error> {
        let options = serde_json::to_value(challenge.options).map_err(|error| {
            log::error!("passkey options to JSON: {error}");
            Error::Internal
        })?;
        Ok(CeremonyOptions {
            ceremony: challenge.ceremony.expose().to_owned(),
            options,
        })
    }
}

/// A passkey, as `GET /profile/passkeys` lists it. Times are RFC 3339, in
/// UTC.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyInfo {
    #[schema(example = "2026-11-26T16:28:53Z")]
    created_at: String,
    /// A handle for `DELETE /profile/passkeys/<id>`.
    #[schema(example = "5c0b7e2a9d314f6b8e1a2c3d4e5f6a7b")]
    id: String,
    /// When it last signed in, if it has.
    #[schema(example = "2026-11-26T17:02:11Z")]
    last_used_at: Option<String>,
    #[schema(example = "Laptop")]
    name: String,
}

impl From<StoredPasskey> for PasskeyInfo {
    fn from(passkey: StoredPasskey) -> Self {
        PasskeyInfo {
            created_at: timestamp(passkey.created_at),
            id: passkey.public_id,
            last_used_at: passkey.last_used_at.map(timestamp),
            name: passkey.name,
        }
    }
}

/// `{"message": "passkey added", "passkey": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyAdded {
    #[schema(example = "passkey added")]
    message: &'static str,
    passkey: PasskeyInfo,
}

/// Starts adding a passkey, proved by the password: the options for
/// `navigator.credentials.create()` (a discoverable credential, user
/// verification required).
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    request_body = PasskeyStart,
    responses(
        (status = 200, description = "The ceremony's id and options",
         body = CeremonyOptions),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 403, description = "No live session, a wrong password, an address never \
                                      confirmed, or a cross-site request", body = Message,
         example = json!({"message": "wrong password"})),
        (status = 429, description = "Too many wrong passwords for this account",
         body = Message, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/profile/passkeys/options", data = "<input>")]
pub async fn start_registration(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<PasskeyStart>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<CeremonyOptions>, Error> {
    let PasskeyStart { name, password } = input.into_inner();
    let challenge = auth
        .start_passkey_registration(&user.requester(), Some(&password), &name, &device)
        .await?;
    Ok(FlaskJson(CeremonyOptions::of(challenge)?))
}

/// Finishes adding a passkey with the authenticator's answer. A notice
/// goes to the address.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    request_body = PasskeyCreated,
    responses(
        (status = 200, description = "The passkey is added", body = PasskeyAdded),
        (status = 400, description = "A malformed answer, one that does not verify, a \
                                      ceremony unknown, used, expired or another user's, or a \
                                      passkey already registered: nothing is added",
         body = Message, example = json!({"message": "passkey not accepted"})),
        (status = 403, description = "No live session, or a cross-site request", body = Message),
    ),
)]
#[post("/profile/passkeys", data = "<input>")]
pub async fn finish_registration(
    _origin: SameOrigin,
    user: CurrentUser,
    input: JsonInput<PasskeyCreated>,
    auth: &State<Auth>,
) -> Result<FlaskJson<PasskeyAdded>, Error> {
    let PasskeyCreated {
        ceremony,
        credential,
    } = input.into_inner();
    let passkey = auth
        .finish_passkey_registration(user.id, &ceremony, &credential)
        .await?;
    Ok(FlaskJson(PasskeyAdded {
        message: "passkey added",
        passkey: passkey.into(),
    }))
}

/// The user's passkeys, newest first.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The user's passkeys", body = Vec<PasskeyInfo>),
        (status = 403, description = "No live session", body = Message),
    ),
)]
#[get("/profile/passkeys")]
pub async fn list(
    user: CurrentUser,
    auth: &State<Auth>,
) -> Result<FlaskJson<Vec<PasskeyInfo>>, Error> {
    let passkeys = auth.passkeys(user.id).await?;
    Ok(FlaskJson(passkeys.into_iter().map(Into::into).collect()))
}

/// Removes one of the user's passkeys; it no longer signs in. A notice
/// goes to the address. Needs the password past `recent_login_ttl` of the
/// login.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    params(("id" = String, Path, description = "The passkey's id, as GET /profile/passkeys \
                                               lists it")),
    request_body = PasswordProof,
    responses(
        (status = 200, description = "The passkey is removed", body = Message,
         example = json!({"message": "passkey removed"})),
        (status = 400, description = "A field is malformed", body = Message),
        (status = 403, description = "No live session, a cross-site request, a wrong password, \
                                      or no password past recent_login_ttl of the login",
         body = Message, example = json!({"message": "password confirmation required"})),
        (status = 404, description = "The user has no such passkey: nothing is removed",
         body = Message, example = json!({"message": "passkey not found"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[delete("/profile/passkeys/<id>", data = "<input>", rank = 2)]
pub async fn remove(
    _origin: SameOrigin,
    id: &str,
    user: CurrentUser,
    input: Input<PasswordProof>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let PasswordProof { password } = input.into_inner();
    let removed = auth
        .remove_passkey(&user.requester(), id, password.as_ref(), &device)
        .await?;
    if !removed {
        return Err(Error::UnknownPasskey);
    }
    Ok(FlaskJson(Message {
        message: "passkey removed",
    }))
}

/// Starts proving the session's owner with one of their passkeys, in
/// place of the password that sensitive changes ask for past
/// `recent_login_ttl` of the login: the options for
/// `navigator.credentials.get()`, allowing the user's passkeys.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The ceremony's id and options", body = CeremonyOptions),
        (status = 400, description = "The user has no passkey", body = Message,
         example = json!({"message": "passkey not accepted"})),
        (status = 403, description = "No live session, or a cross-site request", body = Message),
    ),
)]
#[post("/profile/confirm/passkey/options")]
pub async fn start_proof(
    _origin: SameOrigin,
    user: CurrentUser,
    auth: &State<Auth>,
) -> Result<FlaskJson<CeremonyOptions>, Error> {
    let challenge = auth.start_passkey_proof(&user.requester()).await?;
    Ok(FlaskJson(CeremonyOptions::of(challenge)?))
}

/// Finishes the proof with the authenticator's answer: `{"message":
/// "identity confirmed"}`, and for `recent_login_ttl` the session may make
/// sensitive changes without the password.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    request_body = PasskeyProof,
    responses(
        (status = 200, description = "The session's owner is proven", body = Message,
         example = json!({"message": "identity confirmed"})),
        (status = 400, description = "A malformed answer, one that does not verify (another \
                                      account's passkey, no user verification), or a ceremony \
                                      unknown, used, expired or another user's", body = Message,
         example = json!({"message": "passkey not accepted"})),
        (status = 403, description = "No live session, or a cross-site request", body = Message),
    ),
)]
#[post("/profile/confirm/passkey", data = "<input>")]
pub async fn finish_proof(
    _origin: SameOrigin,
    user: CurrentUser,
    input: JsonInput<PasskeyProof>,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let PasskeyProof {
        ceremony,
        credential,
    } = input.into_inner();
    auth.finish_passkey_proof(&user.requester(), &ceremony, &credential)
        .await?;
    Ok(FlaskJson(Message {
        message: "identity confirmed",
    }))
}

/// Starts a sign-in with a passkey: the options for
/// `navigator.credentials.get()`, for any passkey of this site (no email
/// needed). Counts against the address's login attempts per minute.
#[utoipa::path(
    tag = "passkeys",
    responses(
        (status = 200, description = "The ceremony's id and options",
         body = CeremonyOptions),
        (status = 403, description = "A cross-site request", body = Message),
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
        (status = 403, description = "The address is not verified yet (require_verified_email \
                                      only), or a cross-site request", body = Message),
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
            set_session_cookie(cookies, session);
            Ok(FlaskJson(EmailMessage::new(&email, "logged in")))
        }
        Login::EmailNotVerified => Err(Error::EmailNotVerified),
        _ => Err(Error::PasskeyRejected(Status::Unauthorized)),
    }
}
