//! Answers for every error status, so that no framework page reaches a
//! client: an error page in the site's look for browsers, JSON for others.

use rocket::http::{Header, Method, Status};
use rocket::response::{self, Responder};
use rocket::{Catcher, Either, Request};
use rocket_dyn_templates::{context, Template};

use super::browser::{is_for_browsers, prefers_html};
use super::error::Error;
use super::page::Page;

/// Every catcher, to register at `/`.
pub fn all() -> Vec<Catcher> {
    rocket::catchers![default]
}

/// An error answer in the client's format, with `Allow` (for a path that
/// exists but does not take the request's method) and `Retry-After` (for
/// 429 and 503) where they apply.
struct ErrorAnswer {
    body: Either<(Status, Template), Error>,
    headers: Vec<Header<'static>>,
}

impl<'r> Responder<'r, 'static> for ErrorAnswer {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.body.respond_to(request)?;
        for header in self.headers {
            response.set_header(header);
        }
        Ok(response)
    }
}

/// The error page or `{"message": ...}` for `status`; when a guard refused
/// the request, the answer says why (which field is wrong, ...). A path
/// that exists with other methods gets 405 and `Allow` rather than 404.
#[rocket::catch(default)]
async fn default(status: Status, request: &Request<'_>) -> ErrorAnswer {
    let allowed = (status == Status::NotFound)
        .then(|| allowed_methods(request))
        .flatten();
    let status = match allowed {
        Some(_) => Status::MethodNotAllowed,
        None => status,
    };
    let error = Error::recall(request, status);
    let mut headers: Vec<Header<'static>> = allowed
        .map(|methods| Header::new("Allow", methods))
        .into_iter()
        .collect();
    let body = if prefers_html(request) {
        if let Some(seconds) = error.retry_after() {
            headers.push(Header::new("Retry-After", seconds.to_string()));
        }
        let page = Page::of(request).await;
        let content = context! {
            code: status.code,
            message: page.language().say(&error.text()),
        };
        Either::Left((status, page.render("error", content)))
    } else {
        Either::Right(error)
    };
    ErrorAnswer { body, headers }
}

/// The methods that the request's path is mounted with for this client
/// (HEAD with GET; browser-only routes count for browsers only), if it is
/// mounted, but not with the request's method.
fn allowed_methods(request: &Request<'_>) -> Option<String> {
    let path = request.uri().path();
    let browser = prefers_html(request);
    let mut methods: Vec<&str> = request
        .rocket()
        .routes()
        .filter(|route| route.uri.path() == path.as_str())
        .filter(|route| browser || !is_for_browsers(route))
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
