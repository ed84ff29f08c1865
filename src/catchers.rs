//! Answers for every error status, so that no framework page reaches a client.

use rocket::http::Status;
use rocket::{Catcher, Request};

use crate::http::input::Rejection;
use crate::http::ApiError;

/// Every catcher, to register at `/`.
pub fn all() -> Vec<Catcher> {
    rocket::catchers![default]
}

/// `{"message": ...}` with the status; for a refused body, the message says
/// which field is wrong and why.
#[rocket::catch(default)]
fn default(status: Status, request: &Request<'_>) -> ApiError {
    match &request.local_cache(Rejection::default).0 {
        Some(error) if status == Status::BadRequest => ApiError::new(status, error.message()),
        _ => ApiError::from_status(status),
    }
}
