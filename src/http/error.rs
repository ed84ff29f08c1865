//! Errors as JSON clients see them: a status and `{"message": ...}`.

use std::borrow::Cow;

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::Request;

use super::json::{FlaskJson, Message};
use crate::auth::AuthError;
use crate::db::DbError;

/// An error answer: its status and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: Status,
    pub message: Cow<'static, str>,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: Status, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 401: the email and password do not match.
    pub fn wrong_credentials() -> Self {
        ApiError::new(Status::Unauthorized, "wrong email or password")
    }

    /// 403: the request needs a session and has none.
    pub fn no_session() -> Self {
        ApiError::new(Status::Forbidden, "not logged in")
    }

    /// The default message for `status`.
    pub fn from_status(status: Status) -> Self {
        let message = match status.code {
            403 => return ApiError::no_session(),
            500 => "internal server error",
            503 => "service unavailable, try again later",
            _ => status.reason_lossy(),
        };
        ApiError::new(status, message)
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::UserAlreadyExists(_) => {
                ApiError::new(Status::BadRequest, "email already registered")
            }
            AuthError::UnknownEmail => ApiError::new(Status::Forbidden, "email not registered"),
            AuthError::InvalidResetToken => ApiError::new(Status::Forbidden, "invalid reset token"),
            AuthError::Database(DbError::Unavailable) => {
                rocket::warn!("database unavailable: no connection within the pool's timeout");
                ApiError::from_status(Status::ServiceUnavailable)
            }
            other => {
                rocket::error!("internal error: {other}");
                ApiError::from_status(Status::InternalServerError)
            }
        }
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = FlaskJson(Message {
            message: &self.message,
        })
        .respond_to(request)?;
        response.set_status(self.status);
        Ok(response)
    }
}
