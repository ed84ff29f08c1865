//! Browser protections: refusing cross-site state changes, and the security
//! headers of every response.

use std::sync::OnceLock;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::Header;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder};
use rocket::shield::{Frame, NoSniff, Permission, Shield};
use rocket::Response;

use super::error::{refuse, Error};
use crate::auth::Auth;

/// `next` as a path of this site, if it is one: a `next` that could lead
/// elsewhere (`//host`, `https://...`, a backslash that browsers read as a
/// slash, control characters) is not, so that no link can turn a page
/// that comes back to `next` into an open redirect.
pub fn local_path(next: &str) -> Option<Origin<'static>> {
    let suspicious = !next.starts_with('/')
        || next.starts_with("//")
        || next.contains('\\')
        || next.chars().any(|c| c.is_control() || c.is_whitespace());
    if suspicious {
        return None;
    }
    Origin::parse_owned(next.to_owned()).ok()
}

/// The Content-Security-Policy of every response: nothing but this origin's
/// own files, no plugins, no framing, forms posting only here (and, with
/// forward auth, redirecting to the hosts a login may come back to, which
/// browsers check too: see `Settings::return_sources`).
fn content_security_policy(return_sources: &[String]) -> String {
    let mut form_action = String::from("'self'");
    for source in return_sources {
        form_action.push(' ');
        form_action.push_str(source);
    }
    format!(
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action {form_action}"
    )
}

/// A request guard for state-changing routes: refuses (403) a request that a
/// browser does not mark as this site's own. Browsers that send
/// `Sec-Fetch-Site` are trusted on it: only `same-origin` (this site's
/// pages and scripts) and `none` (typed by the person) pass; `same-site`
/// (a sibling subdomain, which may be anyone's) and `cross-site` are
/// refused. For older browsers, an `Origin` that is not this server is
/// refused. Clients that send neither header (curl, scripts) pass.
#[derive(Debug, Clone, Copy)]
pub struct SameOrigin {
    from_this_site: bool,
}

impl SameOrigin {
    /// Whether a browser marked the request as sent by this site's own
    /// pages (`Sec-Fetch-Site: same-origin`): its script, say, whose page
    /// reloads to show a notice. JSON clients send no such header.
    pub fn from_this_site(self) -> bool {
        self.from_this_site
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let headers = request.headers();
        let cross_site = match headers.get_one("Sec-Fetch-Site") {
            Some(site) => !matches!(site, "same-origin" | "none"),
            None => headers
                .get_one("Origin")
                .is_some_and(|origin| !is_this_server(origin, headers.get_one("Host"))),
        };
        if cross_site {
            return refuse(request, Error::CrossSite);
        }
        let from_this_site = headers.get_one("Sec-Fetch-Site") == Some("same-origin");
        Outcome::Success(SameOrigin { from_this_site })
    }
}

/// Whether `origin` (`scheme://host[:port]`, or `null`) names the host the
/// request was sent to.
fn is_this_server(origin: &str, host: Option<&str>) -> bool {
    let authority = origin.split_once("://").map(|(_, authority)| authority);
    matches!((authority, host), (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(host))
}

/// Rocket's Shield with framing denied and nosniff; HSTS is added by Shield
/// itself when TLS is on (outside the debug profile). The referrer policy
/// is [`SecurityHeaders`]'s, which knows the pages that send none.
pub fn shield() -> Shield {
    Shield::new()
        .enable(NoSniff::Enable)
        .enable(Frame::Deny)
        .enable(Permission::default())
}

/// The referrer policy of a response: `same-origin` (a referrer sent to
/// this origin only: `no-referrer` everywhere would make browsers send
/// `Origin: null` with this site's own forms), or `no-referrer` for what
/// [`NoReferrer`] marks.
struct ReferrerPolicy(&'static str);

/// An answer that no `Referer` may leave, not even to this site: a page
/// that carries a token, the OpenID Connect provider's pages and answers.
pub struct NoReferrer<R>(pub R);

impl<'r, 'o: 'r, R: Responder<'r, 'o>> Responder<'r, 'o> for NoReferrer<R> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'o> {
        request.local_cache(|| ReferrerPolicy("no-referrer"));
        self.0.respond_to(request)
    }
}

/// Adds the Content-Security-Policy and the referrer policy to every
/// response, and `Cache-Control: no-store` to every one but the static
/// files, since pages and answers carry sessions, tokens and personal
/// data.
#[derive(Default)]
pub struct SecurityHeaders {
    /// The policy, written once the settings are known.
    policy: OnceLock<String>,
}

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let policy = self.policy.get_or_init(|| {
            let auth = request.rocket().state::<Auth>();
            content_security_policy(
                &auth
                    .map(|auth| auth.settings().return_sources())
                    .unwrap_or_default(),
            )
        });
        response.set_header(Header::new("Content-Security-Policy", policy.clone()));
        let referrer = request.local_cache(|| ReferrerPolicy("same-origin"));
        response.set_header(Header::new("Referrer-Policy", referrer.0));
        if !request.uri().path().starts_with("/static/") {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
