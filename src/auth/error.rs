//! What can go wrong in `Auth`, in its own words: the web layer maps these
//! to answers without looking at the database's or the hasher's errors.

use super::password::HashError;
use super::policy::PolicyViolation;
use crate::db::DbError;

/// Why an `Auth` operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("User {0} already exists")]
    UserAlreadyExists(String),
    #[error("no user is registered with this email")]
    UnknownEmail,
    #[error("invalid reset token")]
    InvalidResetToken,
    #[error("invalid verification token")]
    InvalidVerificationToken,
    /// The mailed link is live but belongs to another account than the
    /// session that followed it: only the account's owner, logged in,
    /// proves its mailbox.
    #[error("the link belongs to another account")]
    LinkOfAnotherAccount,
    /// The password given to confirm a change is not the account's.
    #[error("wrong password")]
    WrongPassword,
    /// A sensitive change without a recent proof of the owner: the
    /// password (or a passkey) must be given again.
    #[error("password confirmation required")]
    ReauthenticationRequired,
    /// The account's address has never been proven (its link never
    /// followed): no second factor may be added.
    #[error("the email address is not verified")]
    EmailNotVerified,
    /// Too many requests of this kind from the client's address: try again
    /// after this many seconds.
    #[error("too many requests from this address")]
    AddressThrottled(u64),
    /// The one-time code (TOTP or recovery) is wrong.
    #[error("wrong one-time code")]
    WrongCode,
    /// The recovery code was used before: each works once.
    #[error("recovery code already used")]
    UsedRecoveryCode,
    /// Two-factor sign-in is already on.
    #[error("two-factor sign-in is already on")]
    TwoFactorAlreadyOn,
    /// Two-factor sign-in is off.
    #[error("two-factor sign-in is off")]
    TwoFactorOff,
    /// No enrolment in two-factor sign-in is under way.
    #[error("no two-factor enrolment is under way")]
    NoTotpEnrolment,
    /// Passkeys are off on this server (its `public_url` names no domain).
    #[error("passkeys are not available")]
    PasskeysOff,
    /// The passkey ceremony named is unknown, already finished, expired,
    /// or not the requester's.
    #[error("the passkey ceremony is unknown, used or expired")]
    PasskeyCeremonyExpired,
    /// The authenticator's answer does not verify (an unknown passkey,
    /// another ceremony's challenge, another account's, a counter gone
    /// back, no user verification, a malformed answer).
    #[error("the passkey was not accepted")]
    PasskeyRejected,
    /// The passkey is already registered (to this account or another).
    #[error("the passkey is already registered")]
    PasskeyTaken,
    /// Too many wrong passwords (or codes) for the account: try again
    /// after this many seconds.
    #[error("too many attempts")]
    Throttled(u64),
    /// The new password breaks the policy.
    #[error("password {0}")]
    WeakPassword(#[from] PolicyViolation),
    /// Every password-hashing thread is busy and the queue is full: the
    /// request may be tried again in a moment.
    #[error("the password hashing queue is full")]
    Busy,
    /// The database gave no connection in time: the request may be tried
    /// again later.
    #[error("the database is unavailable")]
    Unavailable,
    /// Anything else: a broken database or hasher. Logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AuthError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Unavailable => AuthError::Unavailable,
            other => AuthError::Internal(other.to_string()),
        }
    }
}

impl From<HashError> for AuthError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => AuthError::Busy,
            other => AuthError::Internal(other.to_string()),
        }
    }
}
