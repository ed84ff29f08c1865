//! The request bodies both front ends take (the JSON API through
//! [`Input`](super::Input), the pages through Rocket's `Form`), how each
//! typed value is read from a field, and what each field is called on a
//! page.

use rocket::form::error::ErrorKind;
use rocket::form::{self, DataField, FromForm, FromFormField, ValueField};
use utoipa::ToSchema;

use super::error::PasswordFields;
use serde::Deserialize;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use crate::auth::{Email, OneTimeCode, PasskeyName, Password, ResetToken, TotpCode};

/// The fields of a registration.
#[derive(Debug, FromForm, ToSchema)]
pub struct Registration {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
    /// At least `password_min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024,
             example = "correct horse battery")]
    pub password: Password,
}

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

/// A field that may be left out, but not malformed (Rocket's `Option`
/// would take a malformed value for none).
#[derive(Debug)]
pub struct Optional<T>(pub Option<T>);

impl<T> Optional<T> {
    /// The value, if one was given.
    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// The field that proves the owner for a sensitive change that takes
/// nothing else: the current password, which may be left out within
/// `recent_login_ttl` of a login.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasswordProof {
    /// The current password; needed when the session's login (or the
    /// last password given) is older than `recent_login_ttl` (10 minutes).
    #[schema(value_type = String, format = Password, required = false, min_length = 1,
             max_length = 1024)]
    pub password: Optional<Password>,
}

/// The field of a one-time code: the first of an authenticator app, to
/// confirm a setup.
#[derive(Debug, FromForm, ToSchema)]
pub struct TotpConfirmation {
    /// The 6 digits the app shows.
    #[schema(value_type = String, pattern = "^( *[0-9]){6} *$", example = "123456")]
    pub code: TotpCode,
    /// The current password; needed past `recent_login_ttl` of a login.
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

/// The field of a sign-in's second step, on the page that asks for it.
#[derive(Debug, FromForm)]
pub struct SecondFactor {
    pub code: OneTimeCode,
}

/// The field of a reset request.
#[derive(Debug, FromForm, ToSchema)]
pub struct ResetRequest {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
}

/// The field of a request for a new verification link.
#[derive(Debug, FromForm, ToSchema)]
pub struct VerificationRequest {
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
    /// At least `password_min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024)]
    pub new_password: Password,
}

/// The name of the field that holds a new password in a password update.
pub const NEW_PASSWORD: &str = "new_password";

/// The name of the field of a page that repeats the new password.
pub const CONFIRM_PASSWORD: &str = "confirm_password";

/// The name of the field that holds the current password in a password
/// change.
pub const CURRENT_PASSWORD: &str = "current_password";

/// Where a [`PasswordUpdate`] holds its new password.
pub const RESET_PASSWORDS: PasswordFields = PasswordFields {
    new: NEW_PASSWORD,
    ..PasswordFields::PASSWORD
};

/// Where a [`PasswordChange`] holds its passwords.
pub const CHANGE_PASSWORDS: PasswordFields = PasswordFields {
    current: CURRENT_PASSWORD,
    new: NEW_PASSWORD,
    ..PasswordFields::PASSWORD
};

/// The fields of a password change, logged in.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasswordChange {
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub current_password: Password,
    /// At least `password_min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024)]
    pub new_password: Password,
}

/// The fields of an address change, logged in.
#[derive(Debug, FromForm, ToSchema)]
pub struct EmailChange {
    /// The current password; needed past `recent_login_ttl` of a login.
    #[schema(value_type = String, format = Password, required = false, min_length = 1,
             max_length = 1024)]
    pub password: Optional<Password>,
    /// The new address.
    #[schema(value_type = String, format = Email, example = "bob@example.org")]
    pub email: Email,
}

/// The field of the link that cancels a change of address.
#[derive(Debug, FromForm, ToSchema)]
pub struct EmailChangeCancel {
    /// The token of the link mailed to the old address.
    #[schema(value_type = String, min_length = 1)]
    pub token: ResetToken,
}

/// The field of an account deletion.
#[derive(Debug, FromForm, ToSchema)]
pub struct AccountDeletion {
    /// The current password.
    #[schema(value_type = String, format = Password, min_length = 1, max_length = 1024)]
    pub password: Password,
}

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

/// What a page calls the field `name` (JSON clients see the name itself).
pub fn label(name: &str) -> &str {
    match name {
        "email" => "Email",
        "password" => "Password",
        NEW_PASSWORD => "New password",
        CURRENT_PASSWORD => "Current password",
        CONFIRM_PASSWORD => "New password, again",
        "reset_token" => "Reset link",
        "otp" => "One-time code",
        "code" => "Code",
        "name" => "Name",
        other => other,
    }
}

/// Each type read from a field by its own `parse`, whose refusal completes
/// the field's name (see [`parsed`]).
macro_rules! parsed_fields {
    ($($kind:ty),+) => {$(
        impl<'v> FromFormField<'v> for $kind {
            fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
                parsed(field, <$kind>::parse)
            }
        }
    )+};
}

parsed_fields!(
    Email,
    Password,
    ResetToken,
    PasskeyName,
    TotpCode,
    OneTimeCode
);

/// A field read as `T`'s, where its absence (and only its absence) is no
/// value.
#[rocket::async_trait]
impl<'v, T: FromForm<'v>> FromForm<'v> for Optional<T> {
    type Context = T::Context;

    fn init(_: form::Options) -> Self::Context {
        T::init(form::Options::Strict)
    }

    fn push_value(context: &mut Self::Context, field: ValueField<'v>) {
        T::push_value(context, field)
    }

    async fn push_data(context: &mut Self::Context, field: DataField<'v, '_>) {
        T::push_data(context, field).await
    }

    fn finalize(context: Self::Context) -> form::Result<'v, Self> {
        match T::finalize(context) {
            Ok(value) => Ok(Optional(Some(value))),
            Err(errors) if errors.iter().all(|error| error.kind == ErrorKind::Missing) => {
                Ok(Optional(None))
            }
            Err(errors) => Err(errors),
        }
    }
}

/// A field's value read by `parse`, whose refusal completes the field's
/// name ("email" + "is not a valid email address").
fn parsed<'v, T>(
    field: ValueField<'v>,
    parse: fn(&str) -> Result<T, &'static str>,
) -> form::Result<'v, T> {
    parse(field.value).map_err(|reason| form::Error::validation(reason).into())
}
