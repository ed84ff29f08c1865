//! Answers for every error status, so that no framework page reaches a
//! client: an error page in the site's look for browsers, JSON for others.

use rocket::http::Status;
use rocket::{Catcher, Request, Responder};
use rocket_dyn_templates::{context, Template};

use crate::http::browser::prefers_html;
use crate::http::ApiError;

/// Every catcher, to register at `/`.
pub fn all() -> Vec<Catcher> {
    rocket::catchers![default]
}

/// An error answer in the client's format.
#[derive(Debug, Responder)]
enum ErrorAnswer {
    Page(Box<(Status, Template)>),
    Json(ApiError),
}

/// The error page or `{"message": ...}` for `status`; when a guard refused
/// the request, the message says why (which field is wrong, ...).
#[rocket::catch(default)]
fn default(status: Status, request: &Request<'_>) -> ErrorAnswer {
    if prefers_html(request) {
        let page = context! {
            code: status.code,
            reason: status.reason_lossy(),
            message: page_message(status),
        };
        return ErrorAnswer::Page(Box::new((status, Template::render("error", page))));
    }
    ErrorAnswer::Json(ApiError::recall(request, status))
}

/// What an error page tells a person.
fn page_message(status: Status) -> &'static str {
    match status.code {
        400 => "The request could not be understood.",
        403 => "This request was refused. Go back to the site and try again.",
        404 => "There is no page at this address.",
        503 => "The service is busy. Try again in a moment.",
        code if code >= 500 => "Something went wrong on our side. Try again later.",
        _ => "The request could not be completed.",
    }
}
