//! Why a request was refused, told once for both front ends: JSON clients
//! get the status and `{"message": ...}` in the original API's words, pages
//! get the same refusal as a sentence for people.

use std::borrow::Cow;
use std::sync::Mutex;

use rocket::http::{Header, Status};
use rocket::outcome::Outcome;
use rocket::response::{self, Responder};
use rocket::Request;

use super::fields::{reason_text, InputError, PasswordFields, CONFIRM_PASSWORD};
use super::json::{FlaskJson, Message};
use crate::auth::AuthError;
use crate::language::Text;

/// The JSON message of a change of two-factor sign-in while it is on.
const TWO_FACTOR_ON: &str = "two-factor sign-in is already on";
/// The JSON message of a change of two-factor sign-in while it is off.
const TWO_FACTOR_OFF: &str = "two-factor sign-in is off";
/// The JSON message of a confirmation with no setup under way.
const NO_TWO_FACTOR_SETUP: &str = "no two-factor setup is under way; start one first";

/// Why a one-time code was refused; JSON clients read "wrong one-time
/// code" whatever the reason, pages tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFault {
    /// No code of the account's.
    Wrong,
    /// A recovery code of the account's, used before.
    UsedRecoveryCode,
    /// Not the code the app shows now, at setup (no recovery code yet).
    FirstCode,
}

/// A refused request. It knows its status, its JSON message and its
/// sentence for a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The body could not be read into the route's fields.
    Input(InputError),
    /// The service refused the value of one field (a taken email, a weak
    /// password); `reason` completes the field's name.
    Field {
        status: Status,
        field: &'static str,
        reason: Cow<'static, str>,
    },
    /// The email and password do not match.
    WrongCredentials,
    /// The password given to confirm a change (in `field`) is wrong.
    WrongPassword { field: &'static str },
    /// Two-factor sign-in is on, and no one-time code came with the login.
    CodeRequired,
    /// The one-time code (in `field`) is wrong, for the reason `fault`:
    /// 401 at login, 403 when it confirms a change.
    WrongCode {
        status: Status,
        field: &'static str,
        fault: CodeFault,
    },
    /// A sign-in waited too long for its second factor.
    SignInExpired,
    /// A change of two-factor sign-in that its state forbids (already on,
    /// off, no setup under way); the text says which.
    TwoFactor(&'static str),
    /// The session named does not exist, or is another user's.
    UnknownSession,
    /// Passkeys are off on this server.
    PasskeysOff,
    /// The passkey ceremony is unknown, used, expired or another user's:
    /// 401 at sign-in, 400 when adding a passkey.
    PasskeyCeremonyExpired(Status),
    /// The authenticator's answer does not verify: 401 at sign-in, 400
    /// when adding a passkey.
    PasskeyRejected(Status),
    /// The passkey is already registered.
    PasskeyTaken,
    /// The passkey named does not exist, or is another user's.
    UnknownPasskey,
    /// No change of address is under way.
    NoEmailChange,
    /// The request carries no session cookie.
    NotLoggedIn,
    /// The request's session cookie names no live session (expired, ended
    /// elsewhere, or forged).
    SessionEnded,
    /// A browser marked the request as cross-site.
    CrossSite,
    /// Forward auth: no rule opens the host to this user.
    NoAccess,
    /// Forward auth: the request does not say, through a trusted proxy,
    /// which request it asks about.
    NotProxied,
    /// The OpenID Connect provider refuses an authorization or logout
    /// request: an unknown application or address, an expired request.
    BadAuthorization,
    /// The reset token is unknown, expired, used, or another email's.
    InvalidResetToken,
    /// The verification token is unknown, expired or used.
    InvalidVerificationToken,
    /// The password is right but the address is not verified yet.
    EmailNotVerified,
    /// A second factor cannot be added while the address has never been
    /// proven.
    AddressUnproven,
    /// A sensitive change without a recent proof of the owner: the
    /// password must come with it.
    ConfirmPassword,
    /// Too many registrations or mailed links from this client address:
    /// try again in this many seconds.
    AddressThrottled(u64),
    /// A page's new password and its repetition differ.
    PasswordsDiffer,
    /// Too many login attempts: try again in this many seconds.
    Throttled(u64),
    /// Password hashing is saturated: try again in a moment.
    Busy,
    /// The database did not answer in time.
    Unavailable,
    /// A bug or a broken dependency (logged where it happened).
    Internal,
    /// Any other status, as the catchers meet it (404, 405, ...).
    Status(Status),
}

impl Error {
    /// The answer's status.
    pub fn status(&self) -> Status {
        match self {
            Error::Input(_)
            | Error::InvalidVerificationToken
            | Error::PasswordsDiffer
            | Error::NotProxied
            | Error::BadAuthorization
            | Error::PasskeyTaken => Status::BadRequest,
            Error::PasskeyRejected(status) | Error::PasskeyCeremonyExpired(status) => *status,
            Error::Field { status, .. } | Error::Status(status) => *status,
            Error::WrongCredentials => Status::Unauthorized,
            Error::WrongPassword { .. } => Status::Forbidden,
            Error::CodeRequired | Error::SignInExpired => Status::Unauthorized,
            Error::WrongCode { status, .. } => *status,
            Error::TwoFactor(_) => Status::BadRequest,
            Error::UnknownSession
            | Error::UnknownPasskey
            | Error::NoEmailChange
            | Error::PasskeysOff => Status::NotFound,
            Error::NotLoggedIn
            | Error::SessionEnded
            | Error::CrossSite
            | Error::NoAccess
            | Error::InvalidResetToken
            | Error::EmailNotVerified
            | Error::AddressUnproven
            | Error::ConfirmPassword => Status::Forbidden,
            Error::Throttled(_) | Error::AddressThrottled(_) => Status::TooManyRequests,
            Error::Busy | Error::Unavailable => Status::ServiceUnavailable,
            Error::Internal => Status::InternalServerError,
        }
    }

    /// The message JSON clients get, exactly as the original API words it.
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Error::Input(input) => input.message().into(),
            Error::Field { field, reason, .. } => format!("{field} {reason}").into(),
            Error::WrongCredentials => "wrong email or password".into(),
            Error::WrongPassword { .. } => "wrong password".into(),
            Error::CodeRequired => "one-time code required".into(),
            Error::WrongCode { .. } => "wrong one-time code".into(),
            Error::SignInExpired => "sign-in expired; log in again".into(),
            Error::TwoFactor(message) => (*message).into(),
            Error::UnknownSession => "session not found".into(),
            Error::PasskeysOff => "passkeys are not available on this server".into(),
            Error::PasskeyCeremonyExpired(_) => {
                "passkey ceremony expired or already used; start again".into()
            }
            Error::PasskeyRejected(_) => "passkey not accepted".into(),
            Error::PasskeyTaken => "passkey already registered".into(),
            Error::UnknownPasskey => "passkey not found".into(),
            Error::NoEmailChange => "no email change under way".into(),
            Error::NotLoggedIn | Error::SessionEnded => "not logged in".into(),
            Error::CrossSite => "cross-site request refused".into(),
            Error::NoAccess => "access denied".into(),
            Error::NotProxied => {
                "no forwarded request: ask through a trusted proxy (proxy.trusted)".into()
            }
            Error::BadAuthorization => "invalid authorization request".into(),
            Error::InvalidResetToken => "invalid reset token".into(),
            Error::InvalidVerificationToken => "invalid verification token".into(),
            Error::EmailNotVerified => "email not verified".into(),
            Error::AddressUnproven => "confirm your email address first".into(),
            Error::ConfirmPassword => "password confirmation required".into(),
            Error::AddressThrottled(_) => {
                "too many requests from this address; try again later".into()
            }
            Error::PasswordsDiffer => "confirm_password differs from new_password".into(),
            Error::Throttled(_) => "too many login attempts; try again later".into(),
            Error::Busy | Error::Unavailable => "service unavailable, try again later".into(),
            Error::Internal => "internal server error".into(),
            Error::Status(status) => status.reason_lossy().into(),
        }
    }

    /// The refusal as a page says it, in the person's language.
    pub fn text(&self) -> Text {
        let key = match self {
            Error::Input(input) => return input.text(),
            Error::Field { field, reason, .. } => return reason_text(Some(field), reason),
            Error::WrongCredentials => "error-wrong-credentials",
            Error::WrongPassword { .. } => "error-wrong-password",
            Error::CodeRequired => "error-code-required",
            Error::WrongCode { fault, .. } => match fault {
                CodeFault::Wrong => "error-wrong-code",
                CodeFault::UsedRecoveryCode => "error-used-recovery-code",
                CodeFault::FirstCode => "error-wrong-first-code",
            },
            Error::SignInExpired => "error-sign-in-expired",
            Error::TwoFactor(message) => match *message {
                TWO_FACTOR_ON => "error-two-factor-on",
                TWO_FACTOR_OFF => "error-two-factor-off",
                _ => "error-no-two-factor-setup",
            },
            Error::UnknownSession => "error-unknown-session",
            Error::PasskeysOff => "error-passkeys-off",
            Error::PasskeyCeremonyExpired(_) => "error-passkey-expired",
            Error::PasskeyRejected(_) => "error-passkey-rejected",
            Error::PasskeyTaken => "error-passkey-taken",
            Error::UnknownPasskey => "error-unknown-passkey",
            Error::NoEmailChange => "error-no-email-change",
            Error::NotLoggedIn => "error-not-logged-in",
            Error::SessionEnded => "error-session-ended",
            Error::CrossSite => "error-cross-site",
            Error::NoAccess => "error-no-access",
            Error::NotProxied => "error-bad-request",
            Error::BadAuthorization => "error-bad-authorization",
            Error::InvalidResetToken => "error-invalid-reset-link",
            Error::InvalidVerificationToken => "error-invalid-verification-link",
            Error::EmailNotVerified => "error-email-not-verified",
            Error::AddressUnproven => "error-address-unproven",
            Error::ConfirmPassword => "error-confirm-password",
            Error::PasswordsDiffer => "error-passwords-differ",
            Error::Throttled(wait) => {
                return Text::new("error-throttled").number("seconds", *wait);
            }
            Error::AddressThrottled(wait) => {
                let minutes = wait.div_ceil(60).max(1);
                return Text::new("error-address-throttled").duration("wait", minutes * 60);
            }
            Error::Busy | Error::Unavailable => "error-busy",
            Error::Internal => "error-internal",
            Error::Status(status) => match status.code {
                400 => "error-bad-request",
                403 => "error-forbidden",
                404 => "error-not-found",
                405 => "error-method-not-allowed",
                code if code >= 500 => "error-internal",
                _ => "error-not-completed",
            },
        };
        Text::new(key)
    }

    /// This refusal as the setup of two-factor sign-in gives it: a wrong
    /// code there is the app's first, and no recovery code exists yet.
    pub fn at_setup(self) -> Self {
        match self {
            Error::WrongCode { status, field, .. } => Error::WrongCode {
                status,
                field,
                fault: CodeFault::FirstCode,
            },
            other => other,
        }
    }

    /// This refusal as a sign-in with a passkey gives it: whatever is wrong
    /// with the ceremony or the answer, the sign-in failed (401).
    pub fn at_sign_in(self) -> Self {
        match self {
            Error::PasskeyRejected(_) => Error::PasskeyRejected(Status::Unauthorized),
            Error::PasskeyCeremonyExpired(_) => Error::PasskeyCeremonyExpired(Status::Unauthorized),
            other => other,
        }
    }

    /// The field at fault, if the refusal concerns one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Field { field, .. }
            | Error::WrongPassword { field }
            | Error::WrongCode { field, .. } => Some(field),
            Error::PasswordsDiffer => Some(CONFIRM_PASSWORD),
            _ => None,
        }
    }

    /// When to try again, in seconds, for 429 and 503.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::Throttled(wait) | Error::AddressThrottled(wait) => Some(*wait),
            Error::Busy => Some(1),
            _ => None,
        }
    }

    /// Keeps this refusal for the catcher of this request (Rocket 0.5 gives
    /// catchers only the status). The latest refusal wins.
    pub fn remember(&self, request: &Request<'_>) {
        let remembered = request.local_cache(|| Remembered(Mutex::new(None)));
        if let Ok(mut slot) = remembered.0.lock() {
            *slot = Some(self.clone());
        }
    }

    /// The refusal remembered for this request if it has `status`, else the
    /// one of `status` itself.
    pub fn recall(request: &Request<'_>, status: Status) -> Self {
        let remembered = request.local_cache(|| Remembered(Mutex::new(None)));
        let error = remembered.0.lock().ok().and_then(|slot| slot.clone());
        error
            .filter(|error| error.status() == status)
            .unwrap_or(Error::Status(status))
    }
}

/// The refusal a guard failed the request with, kept for the catchers.
struct Remembered(Mutex<Option<Error>>);

/// How every guard (request or data) refuses: the refusal is remembered for
/// the catcher, and the request fails with its status.
pub fn refuse<S, F>(request: &Request<'_>, error: Error) -> Outcome<S, (Status, Error), F> {
    error.remember(request);
    Outcome::Error((error.status(), error))
}

impl From<AuthError> for Error {
    fn from(error: AuthError) -> Self {
        Error::about(error, PasswordFields::PASSWORD)
    }
}

impl Error {
    /// `error` as the refusal of a form whose passwords are in `fields`.
    pub fn about(error: AuthError, fields: PasswordFields) -> Self {
        match error {
            AuthError::UserAlreadyExists(_) => Error::Field {
                status: Status::BadRequest,
                field: "email",
                reason: "already registered".into(),
            },
            AuthError::UnknownEmail => Error::Field {
                status: Status::Forbidden,
                field: "email",
                reason: "not registered".into(),
            },
            AuthError::InvalidResetToken => Error::InvalidResetToken,
            // Another account's link is no better than an unknown one.
            AuthError::InvalidVerificationToken | AuthError::LinkOfAnotherAccount => {
                Error::InvalidVerificationToken
            }
            AuthError::WeakPassword(violation) => Error::Field {
                status: Status::BadRequest,
                field: fields.new,
                reason: violation.to_string().into(),
            },
            AuthError::WrongPassword => Error::WrongPassword {
                field: fields.current,
            },
            AuthError::WrongCode => Error::WrongCode {
                status: Status::Forbidden,
                field: fields.code,
                fault: CodeFault::Wrong,
            },
            AuthError::UsedRecoveryCode => Error::WrongCode {
                status: Status::Forbidden,
                field: fields.code,
                fault: CodeFault::UsedRecoveryCode,
            },
            AuthError::TwoFactorAlreadyOn => Error::TwoFactor(TWO_FACTOR_ON),
            AuthError::TwoFactorOff => Error::TwoFactor(TWO_FACTOR_OFF),
            AuthError::NoTotpEnrolment => Error::TwoFactor(NO_TWO_FACTOR_SETUP),
            AuthError::PasskeysOff => Error::PasskeysOff,
            AuthError::PasskeyCeremonyExpired => Error::PasskeyCeremonyExpired(Status::BadRequest),
            AuthError::PasskeyRejected => Error::PasskeyRejected(Status::BadRequest),
            AuthError::PasskeyTaken => Error::PasskeyTaken,
            AuthError::Throttled(wait) => Error::Throttled(wait),
            AuthError::AddressThrottled(wait) => Error::AddressThrottled(wait),
            AuthError::ReauthenticationRequired => Error::ConfirmPassword,
            AuthError::EmailNotVerified => Error::AddressUnproven,
            AuthError::Busy => {
                log::warn!("password hashing queue full: answering 503");
                Error::Busy
            }
            AuthError::Unavailable => {
                log::warn!("database unavailable: no connection within the pool's timeout");
                Error::Unavailable
            }
            AuthError::Internal(reason) => {
                log::error!("internal error: {reason}");
                Error::Internal
            }
        }
    }
}

/// The JSON answer: the status, `{"message": ...}` and, for 429 and 503,
/// `Retry-After`.
impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = FlaskJson(Message {
            message: &self.message(),
        })
        .respond_to(request)?;
        response.set_status(self.status());
        if let Some(seconds) = self.retry_after() {
            response.set_header(Header::new("Retry-After", seconds.to_string()));
        }
        Ok(response)
    }
}
