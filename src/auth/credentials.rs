//! The values a user types: an email address, a password and a reset
//! token, each checked once as it comes in. A refusal completes the field's
//! name ("is not a valid email address"); the web layer says which field.

use std::fmt;

/// A syntactically valid email address, trimmed.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims `input` and checks it is an email address.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let email = input.trim();
        if email.is_empty() {
            Err("must not be empty")
        } else if email_address::EmailAddress::is_valid(email) {
            Ok(Email(email.to_owned()))
        } else {
            Err("is not a valid email address")
        }
    }

    /// The address as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form that uniqueness and look-ups use: addresses differing only in
    /// case belong to one account.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&self.0).finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: never trimmed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The longest password accepted, in characters (Unicode code points,
    /// as the OpenAPI document's `maxLength` counts them): far beyond any
    /// passphrase, and short enough (4 KiB at most) that hashing it costs
    /// nothing extra.
    pub const MAX_CHARS: usize = 1024;

    /// Accepts any non-empty input up to `MAX_CHARS`, exactly as given.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        if input.is_empty() {
            Err("must not be empty")
        } else if input.chars().nth(Self::MAX_CHARS).is_some() {
            Err("must be at most 1024 characters")
        } else {
            Ok(Password(input.to_owned()))
        }
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A password reset token as the client sent it: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    /// Accepts any non-empty input, trimmed.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input.trim() {
            "" => Err("must not be empty"),
            token => Ok(ResetToken(token.to_owned())),
        }
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}
