//! The `User` model: an account as the service knows it. The database
//! reads it from its row (`db::users`); it knows no schema itself.

use std::fmt;

use crate::language::Language;

/// The id of an account, which its sessions, tokens and factors hang on:
/// typed, so that no other number is taken for it. The database stores the
/// number inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i32);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A registered user, as stored.
///
/// `reset_token` and `verify_token` hold SHA-256 digests of the values handed
/// to the client (as `sessions` does of session ids), so a copy of the
/// database resets no password and verifies no address. Times are Unix
/// seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// The address as the user typed it, trimmed.
    pub email: String,
    /// The lowercase form that uniqueness and look-ups use.
    pub normalized_email: String,
    pub hashed_password: String,
    pub reset_token: Option<String>,
    pub reset_token_expires_at: Option<i64>,
    pub created_at: i64,
    /// When the address was verified, if it was.
    pub email_verified_at: Option<i64>,
    pub verify_token: Option<String>,
    pub verify_token_expires_at: Option<i64>,
    /// When the last reset link was mailed, for the mail interval.
    pub reset_mail_sent_at: Option<i64>,
    /// When the last verification link was mailed, for the mail interval.
    pub verify_mail_sent_at: Option<i64>,
    /// The TOTP secret, sealed; set from the start of an enrolment.
    pub totp_secret: Option<Vec<u8>>,
    /// When two-factor sign-in was turned on, if it is.
    pub totp_enabled_at: Option<i64>,
    /// The last TOTP time step accepted: no code of it or before works.
    pub totp_last_step: Option<i64>,
    /// Moves on with every change of the password or the address: a
    /// token issued at an older generation opens nothing.
    pub credential_generation: i64,
    /// The generation the reset token was issued at.
    pub reset_token_generation: Option<i64>,
    /// The generation the verification token was issued at.
    pub verify_token_generation: Option<i64>,
    /// The address a change waits to move to, until its link is followed.
    pub pending_email: Option<String>,
    /// The digest of the token of the link mailed to `pending_email`.
    pub email_change_token: Option<String>,
    /// The digest of the token of the link, mailed to the current address,
    /// that cancels the change.
    pub email_change_cancel_token: Option<String>,
    pub email_change_expires_at: Option<i64>,
    /// The generation the change was asked at.
    pub email_change_generation: Option<i64>,
    /// Wrong one-time codes at sign-in since the last right one.
    pub code_failures: i32,
    /// The language its mails and notices speak.
    pub language: Language,
    /// When an operator disabled it (`user disable`), if it is: no session
    /// starts for it meanwhile.
    pub disabled_at: Option<i64>,
}

/// The name of a group of accounts (`admins`), as access rules name it:
/// letters, digits, `.`, `_` and `-`, at most [`Group::MAX_LENGTH`]
/// characters, so that it travels in a header (`Remote-Groups`, a comma
/// between two) as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Group(String);

impl Group {
    /// The longest name.
    pub const MAX_LENGTH: usize = 64;

    /// `name` as a group, or why it is not one.
    pub fn parse(name: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if name.is_empty() || name.len() > Self::MAX_LENGTH || !name.chars().all(allowed) {
            return Err(format!(
                "{name:?} is not a group name (letters, digits, '.', '_' and '-', at most {} \
                 characters)",
                Self::MAX_LENGTH
            ));
        }
        Ok(Group(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Group {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        Group::parse(&name)
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
