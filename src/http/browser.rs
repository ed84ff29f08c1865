//! Telling browsers from JSON clients: a browser's Accept header prefers
//! `text/html`; curl, Python's requests and other clients send `*/*` or
//! `application/json` and keep getting the JSON API.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

/// Whether the client prefers an HTML page to JSON.
pub fn prefers_html(request: &Request<'_>) -> bool {
    request
        .accept()
        .is_some_and(|accept| accept.preferred().media_type().is_html())
}

/// A request guard that lets a route answer browsers only: other clients
/// are forwarded to the JSON route of the same path.
#[derive(Debug, Clone, Copy)]
pub struct Browser;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Browser {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        if prefers_html(request) {
            Outcome::Success(Browser)
        } else {
            Outcome::Forward(Status::NotFound)
        }
    }
}
