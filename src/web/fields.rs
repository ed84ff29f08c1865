//! The fields of request bodies, as both front ends speak of them: their
//! names, what a page calls each ("New password"), which hold the
//! passwords an error may be about, and what is wrong with one ("email is
//! required" for JSON clients, "Email is required." on a page). A leaf: it
//! knows no route and no other part of `web`.

use rocket::form::{self, error::ErrorKind};

use crate::language::Text;

/// The name of the field that holds a new password in a password update.
pub const NEW_PASSWORD: &str = "new_password";

/// The name of the field of a page that repeats the new password.
pub const CONFIRM_PASSWORD: &str = "confirm_password";

/// The name of the field that holds the current password in a password
/// change.
pub const CURRENT_PASSWORD: &str = "current_password";

/// The fields of a form that hold the secrets an error may be about: the
/// current password, confirming a change, the new one, which the policy
/// checks, and a one-time code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordFields {
    pub current: &'static str,
    pub new: &'static str,
    pub code: &'static str,
}

impl PasswordFields {
    /// A form with one password field, `password`, and a `code`.
    pub const PASSWORD: PasswordFields = PasswordFields {
        current: "password",
        new: "password",
        code: "code",
    };
}

/// The catalogue key of what a page calls the field `name` ("New
/// password"); JSON clients see the name itself.
fn label_key(name: &str) -> Option<&'static str> {
    Some(match name {
        "email" => "field-email",
        "password" => "field-password",
        NEW_PASSWORD => "field-new-password",
        CURRENT_PASSWORD => "field-current-password",
        CONFIRM_PASSWORD => "field-confirm-password",
        "reset_token" => "field-reset-token",
        "otp" => "field-otp",
        "code" => "field-code",
        "name" => "field-name",
        _ => return None,
    })
}

/// The problem `reason` (as JSON clients read it after the field's name:
/// "is required") with the field `field`, as a page says it: "Email is
/// required." A reason of the request as a whole has no field.
pub fn reason_text(field: Option<&str>, reason: &str) -> Text {
    let (key, count) = match reason {
        "is required" => ("form-required", None),
        "must not be empty" => ("form-empty", None),
        "is too long" => ("form-too-long", None),
        "is not an expected field" => ("form-unexpected", None),
        "is given more than once" => ("form-duplicate", None),
        "must be a string" => ("form-not-text", None),
        "is not a valid email address" => ("form-invalid-email", None),
        "must not hold control or invisible characters" => ("form-invisible", None),
        "must be the 6 digits of your authenticator app" => ("form-totp-digits", None),
        "must be the 6 digits of your authenticator app, or a recovery code" => {
            ("form-code-digits", None)
        }
        "is too common; choose another" => ("form-too-common", None),
        "already registered" => ("form-already-registered", None),
        "not registered" => ("form-not-registered", None),
        other => match characters(other, "must be at least ") {
            Some(count) => ("form-at-least", Some(count)),
            None => match characters(other, "must be at most ") {
                Some(count) => ("form-at-most", Some(count)),
                None => ("form-invalid", None),
            },
        },
    };
    let text = match field {
        Some(field) => match label_key(field) {
            Some(label) => Text::new(key).word("field", label),
            None => Text::new(key).with("field", field),
        },
        None => return Text::new("form-invalid-request"),
    };
    match count {
        Some(count) => text.number("count", count),
        None => text,
    }
}

/// The number N of a reason "`prefix`N characters".
fn characters(reason: &str, prefix: &str) -> Option<u64> {
    let count = reason.strip_prefix(prefix)?.strip_suffix(" characters")?;
    count.parse().ok()
}

/// One problem with the body: the field it concerns (if any) and what is
/// wrong with it, completing the field's name ("is required").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub reason: String,
}

impl FieldError {
    /// The problem as JSON clients read it: "email is required".
    pub fn message(&self) -> String {
        match &self.field {
            Some(field) => format!("{field} {}", self.reason),
            None => self.reason.clone(),
        }
    }

    /// The problem as a page says it: "Email is required."
    pub fn text(&self) -> Text {
        reason_text(self.field.as_deref(), &self.reason)
    }
}

/// Why a body was refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputError {
    pub errors: Vec<FieldError>,
}

impl InputError {
    /// A problem with the body as a whole.
    pub fn body(reason: impl Into<String>) -> Self {
        InputError {
            errors: vec![FieldError {
                field: None,
                reason: reason.into(),
            }],
        }
    }

    /// The field `field` is missing.
    pub fn missing(field: &str) -> Self {
        InputError::field(field, "is required")
    }

    /// A problem with the field `field`.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        InputError {
            errors: vec![FieldError {
                field: Some(field.to_owned()),
                reason: reason.into(),
            }],
        }
    }

    /// Every problem, as JSON clients read them, joined.
    pub fn message(&self) -> String {
        let messages: Vec<String> = self.errors.iter().map(FieldError::message).collect();
        messages.join("; ")
    }

    /// The first problem, as a page says it (a page shows the others
    /// beside their fields).
    pub fn text(&self) -> Text {
        self.errors
            .first()
            .map_or_else(|| Text::new("form-invalid-request"), FieldError::text)
    }
}

impl From<&form::Error<'_>> for FieldError {
    fn from(error: &form::Error<'_>) -> Self {
        let reason = match &error.kind {
            ErrorKind::Missing => "is required".to_owned(),
            ErrorKind::Validation(reason) => reason.to_string(),
            ErrorKind::InvalidLength { .. } => "is too long".to_owned(),
            ErrorKind::Unexpected => "is not an expected field".to_owned(),
            ErrorKind::Duplicate => "is given more than once".to_owned(),
            other => format!("is invalid: {other}"),
        };
        match &error.name {
            // A field with an empty name is named by its quotes.
            Some(name) if name.is_empty() => FieldError {
                field: Some("\"\"".to_owned()),
                reason,
            },
            Some(name) => FieldError {
                field: Some(name.to_string()),
                reason,
            },
            None => FieldError {
                field: None,
                reason: format!("the request body {reason}"),
            },
        }
    }
}

impl From<form::Errors<'_>> for InputError {
    fn from(errors: form::Errors<'_>) -> Self {
        InputError {
            errors: errors.iter().map(FieldError::from).collect(),
        }
    }
}
