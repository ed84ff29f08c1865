//! The OpenID Connect provider's endpoints that applications call (their
//! servers, not their users' browsers): discovery, the JWKS, the token
//! endpoint, userinfo, revocation and introspection. They speak OAuth's
//! JSON (`{"error": ..., "error_description": ...}`), never the pages',
//! and are described by `/.well-known/openid-configuration` rather than
//! the OpenAPI document. The browser's side is [`super::authorize`].

use base64::Engine;
use rocket::form::{Form, FromForm};
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;
use serde_json::{json, Value};

use crate::auth::provider::{ClientCredentials, OAuthError, TokenGrant, SCOPES};
use crate::auth::Auth;
use crate::jose::Algorithm;
use crate::web::security::NoReferrer;
use crate::web::Error;

/// Where each endpoint is, under the issuer.
pub const ENDPOINTS: Endpoints = Endpoints {
    authorization: "/authorize",
    token: "/token",
    userinfo: "/userinfo",
    jwks: "/jwks.json",
    revocation: "/revoke",
    introspection: "/introspect",
    end_session: "/logout",
};

/// The paths of the provider's endpoints.
pub struct Endpoints {
    pub authorization: &'static str,
    pub token: &'static str,
    pub userinfo: &'static str,
    pub jwks: &'static str,
    pub revocation: &'static str,
    pub introspection: &'static str,
    pub end_session: &'static str,
}

/// An answer of the provider: JSON that no cache keeps and no referrer
/// carries, or OAuth's refusal.
pub struct OAuthAnswer<T>(pub Result<T, OAuthError>);

impl<'r, T: Serialize> Responder<'r, 'static> for OAuthAnswer<T> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let (status, body, challenge) = match self.0 {
            Ok(value) => (
                Status::Ok,
                serde_json::to_value(value).unwrap_or_default(),
                None,
            ),
            Err(OAuthError::Refused { code, description }) => {
                let (status, challenge) = match code {
                    "invalid_client" => (
                        Status::Unauthorized,
                        Some(r#"Basic realm="auth-service""#.to_owned()),
                    ),
                    "invalid_token" => (
                        Status::Unauthorized,
                        Some(format!(
                            r#"Bearer error="invalid_token", error_description="{description}""#
                        )),
                    ),
                    _ => (Status::BadRequest, None),
                };
                let body = json!({ "error": code, "error_description": description });
                (status, body, challenge)
            }
            Err(OAuthError::Service(error)) => return Error::from(error).respond_to(request),
        };
        let mut response = Response::build_from(NoReferrer(Json(body)).respond_to(request)?);
        response
            .status(status)
            .header(Header::new("Pragma", "no-cache"));
        if let Some(challenge) = challenge {
            response.header(Header::new("WWW-Authenticate", challenge));
        }
        response.ok()
    }
}

/// The provider's metadata (OpenID Connect Discovery 1.0 §3).
#[get("/.well-known/openid-configuration")]
pub fn discovery(auth: &State<Auth>) -> Json<Value> {
    let issuer = auth.issuer();
    let at = |path: &str| format!("{issuer}{path}");
    let algorithms: Vec<&str> = Algorithm::ALL.iter().map(|alg| alg.as_str()).collect();
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": at(ENDPOINTS.authorization),
        "token_endpoint": at(ENDPOINTS.token),
        "userinfo_endpoint": at(ENDPOINTS.userinfo),
        "jwks_uri": at(ENDPOINTS.jwks),
        "revocation_endpoint": at(ENDPOINTS.revocation),
        "introspection_endpoint": at(ENDPOINTS.introspection),
        "end_session_endpoint": at(ENDPOINTS.end_session),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email",
                             "email_verified", "locale"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    }))
}

/// The public keys that ID tokens are signed with (RFC 7517).
#[get("/jwks.json")]
pub async fn jwks(auth: &State<Auth>) -> OAuthAnswer<Value> {
    OAuthAnswer(auth.jwks().await)
}

/// A client's credentials in HTTP Basic (RFC 6749 §2.3.1: the id and the
/// secret form-urlencoded, then joined by a colon), if the request has
/// them; a malformed header is refused.
pub struct BasicCredentials(Option<ClientCredentials>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BasicCredentials {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(header) = request.headers().get_one("Authorization") else {
            return Outcome::Success(BasicCredentials(None));
        };
        let encoded = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "));
        let decoded = encoded
            .and_then(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
            })
            .and_then(|bytes| String::from_utf8(bytes).ok());
        let credentials = decoded.as_deref().and_then(|decoded| {
            let (id, secret) = decoded.split_once(':')?;
            let unescape = |text: &str| {
                rocket::http::RawStr::new(&text.replace('+', " "))
                    .percent_decode()
                    .ok()
                    .map(|text| text.into_owned())
            };
            Some(ClientCredentials {
                client_id: unescape(id)?,
                secret: Some(unescape(secret)?),
            })
        });
        Outcome::Success(BasicCredentials(credentials))
    }
}

/// The body of a request to the token, revocation or introspection
/// endpoint: what OAuth defines, other fields ignored (RFC 6749 §3.2).
#[derive(Debug, FromForm)]
pub struct ClientRequest {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

impl ClientRequest {
    /// The client's credentials, from HTTP Basic or the body (not both).
    fn credentials(&mut self, basic: BasicCredentials) -> Result<ClientCredentials, OAuthError> {
        let in_body = self.client_id.take().map(|client_id| ClientCredentials {
            client_id,
            secret: self.client_secret.take(),
        });
        match (basic.0, in_body) {
            (Some(_), Some(_)) => Err(OAuthError::refused(
                "invalid_request",
                "client credentials in the header and the body",
            )),
            (Some(credentials), None) | (None, Some(credentials)) => Ok(credentials),
            (None, None) => Err(OAuthError::refused(
                "invalid_client",
                "client authentication required",
            )),
        }
    }

    fn grant(&mut self) -> Result<TokenGrant, OAuthError> {
        let missing =
            |name: &str| OAuthError::refused("invalid_request", format!("{name} is required"));
        match self.grant_type.as_deref() {
            Some("authorization_code") => Ok(TokenGrant::AuthorizationCode {
                code: self.code.take().ok_or_else(|| missing("code"))?,
                redirect_uri: self.redirect_uri.take(),
                code_verifier: self.code_verifier.take(),
            }),
            Some("refresh_token") => Ok(TokenGrant::RefreshToken {
                refresh_token: self
                    .refresh_token
                    .take()
                    .ok_or_else(|| missing("refresh_token"))?,
                scope: self.scope.take(),
            }),
            Some(_) => Err(OAuthError::refused(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )),
            None => Err(missing("grant_type")),
        }
    }
}

/// The body of a request to a client endpoint; `None` when it is not a
/// form.
type ClientForm<'r> = Option<Form<ClientRequest>>;

/// The form of a request, or OAuth's refusal when it has none.
fn form_of(form: ClientForm<'_>) -> Result<ClientRequest, OAuthError> {
    form.map(Form::into_inner).ok_or_else(|| {
        OAuthError::refused(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        )
    })
}

/// The token endpoint: a code or a refresh token for tokens.
#[post("/token", data = "<form>")]
pub async fn token(
    basic: BasicCredentials,
    form: ClientForm<'_>,
    auth: &State<Auth>,
) -> OAuthAnswer<crate::auth::provider::Tokens> {
    let answer = async {
        let mut form = form_of(form)?;
        let credentials = form.credentials(basic)?;
        let grant = form.grant()?;
        auth.token(&credentials, grant).await
    };
    OAuthAnswer(answer.await)
}

/// The access token of `Authorization: Bearer`.
pub struct BearerToken(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for BearerToken {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let header = request.headers().get_one("Authorization");
        let token = header
            .and_then(|header| header.strip_prefix("Bearer "))
            .map(|token| token.trim().to_owned());
        Outcome::Success(BearerToken(token))
    }
}

/// The user's claims, for their access token.
#[get("/userinfo")]
pub async fn userinfo(
    bearer: BearerToken,
    auth: &State<Auth>,
) -> OAuthAnswer<crate::auth::provider::UserInfo> {
    OAuthAnswer(match bearer.0 {
        Some(token) => auth.user_info(&token).await,
        None => Err(OAuthError::refused(
            "invalid_token",
            "an access token is required",
        )),
    })
}

/// [`userinfo`], by POST (OpenID Connect Core §5.3.1).
#[post("/userinfo")]
pub async fn userinfo_by_post(
    bearer: BearerToken,
    auth: &State<Auth>,
) -> OAuthAnswer<crate::auth::provider::UserInfo> {
    userinfo(bearer, auth).await
}

/// The client's credentials and the token of a revocation or
/// introspection request.
fn about_token(
    form: ClientForm<'_>,
    basic: BasicCredentials,
) -> Result<(ClientCredentials, String), OAuthError> {
    let mut form = form_of(form)?;
    let credentials = form.credentials(basic)?;
    let token = form
        .token
        .ok_or_else(|| OAuthError::refused("invalid_request", "token is required"))?;
    Ok((credentials, token))
}

/// Revokes a token of the client (RFC 7009): 200 whatever the token.
#[post("/revoke", data = "<form>")]
pub async fn revoke(
    basic: BasicCredentials,
    form: ClientForm<'_>,
    auth: &State<Auth>,
) -> OAuthAnswer<Value> {
    let answer = async {
        let (credentials, token) = about_token(form, basic)?;
        auth.revoke(&credentials, &token).await?;
        Ok(json!({}))
    };
    OAuthAnswer(answer.await)
}

/// Whether a token of the client is live, and what it is (RFC 7662).
#[post("/introspect", data = "<form>")]
pub async fn introspect(
    basic: BasicCredentials,
    form: ClientForm<'_>,
    auth: &State<Auth>,
) -> OAuthAnswer<Value> {
    let answer = async {
        let (credentials, token) = about_token(form, basic)?;
        auth.introspect(&credentials, &token).await
    };
    OAuthAnswer(answer.await)
}
