//! Passkeys on the account page and for JSON clients (the pages' script,
//! `static/passkeys.js`, uses the JSON API). Each ceremony has two halves:
//! `…/options` gives the options for `navigator.credentials` and a
//! `ceremony` id; the finishing call sends that id back with the
//! authenticator's answer.
//!
//! - Adding one: `POST /profile/passkeys/options` (`name`, `password`),
//!   then `POST /profile/passkeys`; `GET /profile/passkeys` lists them,
//!   `DELETE /profile/passkeys/<id>` removes one.
//! - Proving the owner with one, in place of the password:
//!   `POST /profile/confirm/passkey/options`, then
//!   `POST /profile/confirm/passkey`.
//!
//! Signing in with one is the login flow's (`login::passkey`). Where
//! passkeys are off (a `public_url` that is an IP address), the ceremony
//! routes answer 404 (the OpenAPI document adds it to each); passkeys kept
//! from before may still be listed and removed.

use rocket::form::{Contextual, Form};
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{delete, get, post, uri, Either, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::paths::PATHS;
use super::settings::confirm::{Change, PasswordProof};
use super::settings::require_login;
use crate::auth::{Auth, Device, PasskeyChallenge, PasskeyName, Password};
use crate::clock::timestamp;
use crate::db::StoredPasskey;
use crate::language::Text;
use crate::web::form::PageError;
use crate::web::json::Message;
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, JsonInput, SameOrigin};

/// The fields that start adding a passkey.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasskeyStart {
    /// What to call it, 1 to 64 characters.
    #[schema(value_type = String, min_length = 1, max_length = 64, example = "Laptop")]
    pub name: PasskeyName,
    /// The current password.
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub password: Password,
}

/// The authenticator's answer to adding a passkey.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyCreated {
    /// The `ceremony` that `POST /profile/passkeys/options` gave.
    pub ceremony: String,
    /// What `navigator.credentials.create()` returned, as JSON
    /// (`PublicKeyCredential.toJSON()`: binary fields in base64url).
    #[schema(value_type = CreatedCredential)]
    pub credential: RegisterPublicKeyCredential,
}

/// The authenticator's answer to a proof of the session's owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyProof {
    /// The `ceremony` that `POST /profile/confirm/passkey/options` gave.
    pub ceremony: String,
    /// What `navigator.credentials.get()` returned, as JSON
    /// (`PublicKeyCredential.toJSON()`: binary fields in base64url).
    #[schema(value_type = AssertedCredential)]
    pub credential: PublicKeyCredential,
}

// The schemas of the authenticators' answers, for the OpenAPI document:
// the routes read them into webauthn-rs's own types (these derive
// `Deserialize` only for utoipa to read their serde names). Binary values
// are base64url without padding (here in whole groups of four characters).

/// A new credential, as `PublicKeyCredential.toJSON()` writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatedCredential {
    /// The credential id, base64url.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub id: String,
    /// The same id.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub raw_id: String,
    /// `public-key`.
    #[serde(rename = "type")]
    #[schema(example = "public-key")]
    pub kind: String,
    /// What the authenticator made.
    pub response: AttestationResponse,
    /// `getClientExtensionResults()`.
    #[schema(value_type = Object, required = false, nullable = false)]
    pub extensions: Option<serde_json::Value>,
}

/// The authenticator's attestation of a new credential.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttestationResponse {
    /// The new public key, in CBOR.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub attestation_object: String,
    /// The browser's account of the ceremony (origin, challenge).
    #[serde(rename = "clientDataJSON")]
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub client_data_json: String,
    /// How the authenticator is reached (`internal`, `hybrid`, `usb`...).
    pub transports: Option<Vec<String>>,
}

/// An assertion (a signature by a passkey), as
/// `PublicKeyCredential.toJSON()` writes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssertedCredential {
    /// The credential id, base64url.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub id: String,
    /// The same id.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub raw_id: String,
    /// `public-key`.
    #[serde(rename = "type")]
    #[schema(example = "public-key")]
    pub kind: String,
    /// What the authenticator signed.
    pub response: AssertionResponse,
    /// `getClientExtensionResults()`.
    #[schema(value_type = Object, required = false, nullable = false)]
    pub extensions: Option<serde_json::Value>,
}

/// The authenticator's signature, and the user handle its passkey keeps.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssertionResponse {
    /// The relying party's hash, flags and counter.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub authenticator_data: String,
    /// The browser's account of the ceremony (origin, challenge).
    #[serde(rename = "clientDataJSON")]
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub client_data_json: String,
    /// Over the authenticator data and the client data.
    #[schema(pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub signature: String,
    /// The account's user handle, base64url (null from a passkey that
    /// keeps none, which is refused).
    #[schema(required = true, pattern = "^([A-Za-z0-9_-]{4})*$")]
    pub user_handle: Option<String>,
}

/// `{"ceremony": C, "options": O}`: the first half of a ceremony.
#[derive(Debug, Serialize, ToSchema)]
pub struct CeremonyOptions {
    /// To send back with the authenticator's answer; it works once, for
    /// `passkeys.timeout` (5 minutes).
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
    pub fn of<T: Serialize>(challenge: PasskeyChallenge<T>) -> Result<Self, Error> {
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
        (status = 403, description = "A wrong password, an address never confirmed", body = Message,
         example = json!({"message": "wrong password"})),
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
    ),
)]
#[post("/profile/passkeys", data = "<input>")]
pub async fn finish_registration(
    origin: SameOrigin,
    user: CurrentUser,
    input: JsonInput<PasskeyCreated>,
    auth: &State<Auth>,
) -> Result<Either<Flash<FlaskJson<PasskeyAdded>>, FlaskJson<PasskeyAdded>>, Error> {
    let PasskeyCreated {
        ceremony,
        credential,
    } = input.into_inner();
    let passkey = auth
        .finish_passkey_registration(user.id, &ceremony, &credential)
        .await?;
    let notice = Text::new("notice-passkey-added").with("name", passkey.name.as_str());
    let added = FlaskJson(PasskeyAdded {
        message: "passkey added",
        passkey: passkey.into(),
    });
    // The account page's script reloads it: the page says what was added.
    Ok(match origin.from_this_site() {
        true => Either::Left(Notice::after(added, notice)),
        false => Either::Right(added),
    })
}

/// The user's passkeys, newest first.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The user's passkeys", body = Vec<PasskeyInfo>),
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
/// goes to the address. Needs the password past `sessions.recent_login_ttl` of the
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
        (status = 403, description = "A wrong password, or no password past sessions.recent_login_ttl of \
                                      the login",
         body = Message, example = json!({"message": "password confirmation required"})),
        (status = 404, description = "The user has no such passkey: nothing is removed",
         body = Message, example = json!({"message": "passkey not found"})),
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
/// `sessions.recent_login_ttl` of the login: the options for
/// `navigator.credentials.get()`, allowing the user's passkeys.
#[utoipa::path(
    tag = "passkeys",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The ceremony's id and options", body = CeremonyOptions),
        (status = 400, description = "The user has no passkey", body = Message,
         example = json!({"message": "passkey not accepted"})),
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
/// "identity confirmed"}`, and for `sessions.recent_login_ttl` the session may make
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

/// Removes the passkey `id`, then the account page with a notice; past
/// `sessions.recent_login_ttl` of the login, the password first.
#[delete("/profile/passkeys/<id>", data = "<form>")]
pub async fn remove_page(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let account = Redirect::to(PATHS.profile);
    let passkeys = auth.passkeys(user.id).await?;
    let Some(passkey) = passkeys.into_iter().find(|passkey| passkey.public_id == id) else {
        return Ok(Notice::error(account, Error::UnknownPasskey.text()));
    };
    let password = form
        .value
        .as_ref()
        .and_then(|proof| proof.password.as_ref());
    let removed = auth
        .remove_passkey(&user.requester(), id, password, &device)
        .await;
    match removed.map_err(Error::from) {
        Ok(true) => {
            let notice = Text::new("notice-passkey-removed").with("name", passkey.name);
            Ok(Notice::success(account, notice))
        }
        Ok(false) => Ok(Notice::error(account, Error::UnknownPasskey.text())),
        Err(error) if Change::needs_password(&error) => {
            let change = Change {
                action: uri!(remove(id = id)).to_string(),
                method: "DELETE".to_owned(),
                purpose: Text::new("purpose-remove-passkey").with("name", passkey.name),
                fields: Vec::new(),
            };
            Err(change.ask_password(&error))
        }
        Err(error) => Err(PageError::Failure(error)),
    }
}
