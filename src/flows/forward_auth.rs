//! Forward auth for reverse proxies (Authelia's split): before a request
//! reaches an application that has no login of its own, the proxy asks
//! whether the session cookie it carries opens the application's host.
//! nginx's `auth_request` asks `GET /api/authz/auth-request` (the request
//! in `X-Original-URL` and `X-Original-Method`); Traefik's and Caddy's
//! `forward_auth` ask `GET /api/authz/forward-auth` (in `X-Forwarded-Proto`,
//! `-Host`, `-Uri` and `-Method`). The answer is 200 with the user in
//! `Remote-User`, `Remote-Email`, `Remote-Name` and `Remote-Groups`, for the
//! proxy to hand the application; or where to log in (401 with `Location`
//! for nginx, which turns it into a redirect; 302, or 303 for a method other
//! than GET and HEAD, for the others); or 403. The rules are
//! `[forward_auth]`'s (see `Auth::access`); what a proxy says is read from
//! the trusted proxies only (`[proxy] trusted`).

use rocket::http::uri::Absolute;
use rocket::http::{Header, RawStr, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{get, State};
use utoipa::IntoResponses;

use crate::auth::{Access, Auth};
use crate::flows::paths::PATHS;
use crate::web::client::from_trusted_proxy;
use crate::web::error::refuse;
use crate::web::json::Message;
use crate::web::{CurrentUser, Error};

/// The request a proxy holds and asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// Its full address (`https://app.example.com/page?x=1`).
    url: String,
    /// Its host, lowercase, without the port.
    host: String,
    /// Whether its method is GET or HEAD, which a plain redirect repeats.
    safe_method: bool,
}

/// The request nginx's `auth_request` asks about: `X-Original-URL` and
/// `X-Original-Method`.
pub struct OriginalRequest(Asked);

/// The request Traefik or Caddy asks about: `X-Forwarded-Proto`,
/// `X-Forwarded-Host`, `X-Forwarded-Uri` and `X-Forwarded-Method`.
pub struct ForwardedRequest(Asked);

impl Asked {
    /// The request at `url`, with `method` (GET when not said).
    fn new(url: &str, method: Option<&str>) -> Option<Asked> {
        let parsed = Absolute::parse(url).ok()?;
        let web = matches!(parsed.scheme(), "http" | "https");
        let host = parsed.authority()?.host().to_ascii_lowercase();
        if !web || host.is_empty() {
            return None;
        }
        let method = method.unwrap_or("GET");
        Some(Asked {
            url: url.to_owned(),
            host,
            safe_method: method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD"),
        })
    }
}

/// The proxy's request as `read` finds it in the headers of `request`;
/// refused (400) unless it comes from a trusted proxy and says it all.
fn asked_by_proxy<'r, S>(
    request: &'r Request<'_>,
    read: impl FnOnce(&'r Request<'_>) -> Option<Asked>,
    wrap: impl FnOnce(Asked) -> S,
) -> Outcome<S, Error> {
    if !from_trusted_proxy(request) {
        log::warn!(
            "forward auth asked by {}, which is not a trusted proxy: add it to proxy.trusted",
            request.remote().map_or_else(
                || "an unknown peer".to_owned(),
                |peer| peer.ip().to_string()
            )
        );
        return refuse(request, Error::NotProxied);
    }
    match read(request) {
        Some(asked) => Outcome::Success(wrap(asked)),
        None => refuse(request, Error::NotProxied),
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OriginalRequest {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let read = |request: &'r Request<'_>| {
            let headers = request.headers();
            Asked::new(
                headers.get_one("X-Original-URL")?,
                headers.get_one("X-Original-Method"),
            )
        };
        asked_by_proxy(request, read, OriginalRequest)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ForwardedRequest {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let read = |request: &'r Request<'_>| {
            let headers = request.headers();
            let proto = headers.get_one("X-Forwarded-Proto")?;
            let host = headers.get_one("X-Forwarded-Host")?;
            let uri = headers.get_one("X-Forwarded-Uri").unwrap_or("/");
            if !uri.starts_with('/') || host.contains(['/', '?', '#', '@']) {
                return None;
            }
            let url = format!("{}://{host}{uri}", proto.to_ascii_lowercase());
            Asked::new(&url, headers.get_one("X-Forwarded-Method"))
        };
        asked_by_proxy(request, read, ForwardedRequest)
    }
}

/// Forward auth's answer.
#[derive(Debug)]
pub enum Verdict {
    /// 200, with the user for the application.
    Granted { email: String, groups: Vec<String> },
    /// Log in first, or prove a second factor: `status` and `Location`.
    Elsewhere { status: Status, location: String },
    /// The refusal, answered by the catchers (a page for browsers, which
    /// Traefik and Caddy show as it is).
    Refused(Error),
}

impl<'r> Responder<'r, 'static> for Verdict {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Verdict::Granted { email, groups } => Response::build()
                .status(Status::Ok)
                .header(Header::new("Remote-User", email.clone()))
                .header(Header::new("Remote-Email", email.clone()))
                // Accounts have no name of their own: the address names them.
                .header(Header::new("Remote-Name", email))
                .header(Header::new("Remote-Groups", groups.join(",")))
                .ok(),
            Verdict::Elsewhere { status, location } => Response::build()
                .status(status)
                .header(Header::new("Location", location))
                .ok(),
            Verdict::Refused(error) => {
                error.remember(request);
                Err(error.status())
            }
        }
    }
}

/// The answers both endpoints give alike: the user's headers, or a
/// refusal; each lists how it sends a stranger to log in.
#[derive(IntoResponses)]
#[allow(dead_code)] // Read by the OpenAPI document only.
enum VerdictAnswers {
    #[response(status = 200, description = "The session opens the host",
               headers(("Remote-User" = String, description = "The account's address"),
                       ("Remote-Email" = String, description = "The account's address"),
                       ("Remote-Name" = String, description = "The account's address"),
                       ("Remote-Groups" = String, description = "The account's groups, a \
                                                                 comma between two")))]
    Open,
    #[response(
        status = 400,
        description = "Not asked by a trusted proxy, or without the \
                                            request's address"
    )]
    NotProxied(Message<'static>),
    #[response(status = 403, description = "No rule opens the host to this account",
               example = json!({"message": "access denied"}))]
    Closed(Message<'static>),
}

/// For nginx's `auth_request`: 200 with the user, 401 with where to log in,
/// or 403.
#[utoipa::path(
    tag = "forward auth",
    params(
        ("X-Original-URL" = String, Header, description = "The address of the request the \
                                                          proxy holds"),
        ("X-Original-Method" = Option<String>, Header, description = "Its method"),
    ),
    responses(
        VerdictAnswers,
        (status = 401, description = "No session, or a second factor to prove first",
         headers(("Location" = String, description = "The login or code page, with `rd`"))),
    ),
)]
#[get("/api/authz/auth-request")]
pub async fn auth_request(
    asked: OriginalRequest,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
) -> Result<Verdict, Error> {
    verdict(auth, &asked.0, user.as_ref(), |_| Status::Unauthorized).await
}

/// For Traefik's and Caddy's forward auth: 200 with the user, 302 (303
/// after a method other than GET or HEAD) to where to log in, or 403.
#[utoipa::path(
    tag = "forward auth",
    params(
        ("X-Forwarded-Proto" = String, Header, description = "The scheme of the request the \
                                                             proxy holds"),
        ("X-Forwarded-Host" = String, Header, description = "Its host"),
        ("X-Forwarded-Uri" = Option<String>, Header, description = "Its path and query"),
        ("X-Forwarded-Method" = Option<String>, Header, description = "Its method"),
    ),
    responses(
        VerdictAnswers,
        (status = 302, description = "No session, or a second factor to prove first (303 \
                                      after a method other than GET or HEAD)",
         headers(("Location" = String, description = "The login or code page, with `rd`"))),
    ),
)]
#[get("/api/authz/forward-auth")]
pub async fn forward_auth(
    asked: ForwardedRequest,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
) -> Result<Verdict, Error> {
    let redirect = |asked: &Asked| match asked.safe_method {
        true => Status::Found,
        false => Status::SeeOther,
    };
    verdict(auth, &asked.0, user.as_ref(), redirect).await
}

/// Whether `user` opens the request `asked`; a login or code step answers
/// with the status `elsewhere` gives.
async fn verdict(
    auth: &Auth,
    asked: &Asked,
    user: Option<&CurrentUser>,
    elsewhere: impl FnOnce(&Asked) -> Status,
) -> Result<Verdict, Error> {
    let step = match auth
        .access(&asked.host, user.map(CurrentUser::visitor))
        .await?
    {
        Access::Granted { groups } => {
            let email = user.map(|user| user.email.clone()).unwrap_or_default();
            return Ok(Verdict::Granted { email, groups });
        }
        Access::Denied => return Ok(Verdict::Refused(Error::NoAccess)),
        Access::LogIn => PATHS.login,
        Access::SecondFactor => PATHS.login_code,
    };
    let settings = auth.settings();
    let mut location = format!("{}{step}", settings.public_url);
    if settings.may_return_to(&asked.url) {
        location = format!("{location}?rd={}", RawStr::new(&asked.url).percent_encode());
    }
    Ok(Verdict::Elsewhere {
        status: elsewhere(asked),
        location,
    })
}
