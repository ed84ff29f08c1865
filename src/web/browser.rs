//! Telling browsers from JSON clients: a browser's Accept header prefers
//! `text/html`; curl, Python's requests and other clients send `*/*` or
//! `application/json` and keep getting the JSON API.

use rocket::http::Status;
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request};

/// Whether the client prefers an HTML page to JSON.
pub fn prefers_html(request: &Request<'_>) -> bool {
    request
        .accept()
        .is_some_and(|accept| accept.preferred().media_type().is_html())
}

/// The rank of every [`for_browsers`] route, and of no other: before the
/// JSON API's routes of the same path, which have rank 2.
pub const BROWSER_RANK: isize = 1;

/// `route`, answering browsers only, with rank [`BROWSER_RANK`]: other
/// clients are forwarded, before any guard runs or any data is read, to the
/// next route of the same path (the JSON API's, if any).
///
/// A handler rather than a request guard, because Rocket logs a warning for
/// every request a guard forwards, and these are every JSON request.
pub fn for_browsers(mut route: Route) -> Route {
    route.handler = Box::new(BrowserOnly(route.handler));
    route.rank = BROWSER_RANK;
    route
}

/// Whether `route` answers browsers only (see [`for_browsers`]).
pub fn is_for_browsers(route: &Route) -> bool {
    route.rank == BROWSER_RANK
}

/// The handler of a [`for_browsers`] route.
#[derive(Clone)]
struct BrowserOnly(Box<dyn Handler>);

#[rocket::async_trait]
impl Handler for BrowserOnly {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        if prefers_html(request) {
            self.0.handle(request, data).await
        } else {
            Outcome::Forward((data, Status::NotFound))
        }
    }
}
