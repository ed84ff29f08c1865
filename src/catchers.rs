//! Answers for every error status, so that no framework page reaches a
//! client: an error page in the site's look for browsers, JSON for others.

use rocket::http::{Header, Method, Status};
use rocket::response::{self, Responder};
use rocket::{Catcher, Either, Request};
use rocket_dyn_templates::{context, Template};

use crate::http::browser::prefers_html;
use crate::http::ApiError;

/// Every catcher, to register at `/`.
pub fn all() -> Vec<Catcher> {
    rocket::catchers![default]
}

/// An error answer in the client's format; `allow` lists the methods of a
/// path that exists but does not take the request's method.
struct ErrorAnswer {
    body: Either<Box<(Status, Template)>, ApiError>,
    allow: Option<String>,
}

impl<'r> Responder<'r, 'static> for ErrorAnswer {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.body.respond_to(request)?;
        if let Some(methods) = self.allow {
            response.set_header(Header::new("Allow", methods));
        }
        Ok(response)
    }
}

/// The error page or `{"message": ...}` for `status`; when a guard refused
/// the request, the message says why (which field is wrong, ...). A path
/// that exists with other methods gets 405 and `Allow` rather than 404.
#[rocket::catch(default)]
fn default(status: Status, request: &Request<'_>) -> ErrorAnswer {
    let allowed = (status == Status::NotFound)
        .then(|| allowed_methods(request))
        .flatten();
    let status = match allowed {
        Some(_) => Status::MethodNotAllowed,
        None => status,
    };
    let body = if prefers_html(request) {
        let page = context! {
            code: status.code,
            reason: status.reason_lossy(),
            message: page_message(status),
        };
        Either::Left(Box::new((status, Template::render("error", page))))
    } else {
        Either::Right(ApiError::recall(request, status))
    };
    ErrorAnswer {
        body,
        allow: allowed,
    }
}

/// The methods that the request's path is mounted with (HEAD with GET), if
/// it is mounted, but not with the request's method.
fn allowed_methods(request: &Request<'_>) -> Option<String> {
    let path = request.uri().path();
    let mut methods: Vec<&str> = request
        .rocket()
        .routes()
        .filter(|route| route.uri.path() == path.as_str())
        .flat_map(|route| match route.method {
            Method::Get => vec!["GET", "HEAD"],
            method => vec![method.as_str()],
        })
        .collect();
    methods.sort_unstable();
    methods.dedup();
    let elsewhere = !methods.is_empty() && !methods.contains(&request.method().as_str());
    elsewhere.then(|| methods.join(", "))
}

/// What an error page tells a person.
fn page_message(status: Status) -> &'static str {
    match status.code {
        400 => "The request could not be understood.",
        403 => "This request was refused. Go back to the site and try again.",
        404 => "There is no page at this address.",
        405 => "This page cannot be used that way.",
        503 => "The service is busy. Try again in a moment.",
        code if code >= 500 => "Something went wrong on our side. Try again later.",
        _ => "The request could not be completed.",
    }
}
