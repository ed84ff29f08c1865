//! Errors as JSON clients see them: a status and `{"message": ...}`.

use std::borrow::Cow;

use rocket::http::{Header, Status};
use rocket::response::{self, Responder};
use rocket::Request;

use super::json::{FlaskJson, Message};
use crate::auth::{AuthError, HashError};
use crate::db::DbError;

/// An error answer: its status, a message for the client and, for 429 and
/// 503, when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: Status,
    pub message: Cow<'static, str>,
    pub retry_after: Option<u64>,
}

/// The error a guard refused the request with, kept for the catchers (which
/// Rocket 0.5 gives only the status).
#[derive(Debug, Default)]
pub struct Refusal(pub Option<ApiError>);

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: Status, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
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

    /// 429: too many login attempts; try again in `seconds`.
    pub fn too_many_attempts(seconds: u64) -> Self {
        ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(
                Status::TooManyRequests,
                "too many login attempts; try again later",
            )
        }
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

    /// Keeps this error for the catcher of this request: a guard that fails
    /// calls this so that the answer says why.
    pub fn remember(&self, request: &Request<'_>) {
        request.local_cache(|| Refusal(Some(self.clone())));
    }

    /// The error a guard remembered for this request if it has `status`,
    /// else the default one.
    pub fn recall(request: &Request<'_>, status: Status) -> Self {
        match &request.local_cache(Refusal::default).0 {
            Some(error) if error.status == status => error.clone(),
            _ => ApiError::from_status(status),
        }
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
            AuthError::WeakPassword(reason) => {
                ApiError::new(Status::BadRequest, format!("password {reason}"))
            }
            AuthError::Database(DbError::Unavailable) => {
                rocket::warn!("database unavailable: no connection within the pool's timeout");
                ApiError::from_status(Status::ServiceUnavailable)
            }
            AuthError::Hashing(HashError::Busy) => {
                rocket::warn!("password hashing queue full: answering 503");
                ApiError {
                    retry_after: Some(1),
                    ..ApiError::from_status(Status::ServiceUnavailable)
                }
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
        if let Some(seconds) = self.retry_after {
            response.set_header(Header::new("Retry-After", seconds.to_string()));
        }
        Ok(response)
    }
}
