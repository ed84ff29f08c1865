//! The authorization endpoint's decisions: a request checked (an unknown
//! application or redirect address is refused at the provider, never
//! redirected to), kept server-side under an opaque id while the person
//! logs in or consents, then answered with a single-use code bound to the
//! client, the redirect address, the PKCE challenge and the nonce, or with
//! an error; every answer carries `state` and `iss` (RFC 9207).

use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Client, OAuthError, Scopes};
use crate::auth::token::{digest, handle, random_base64url};
use crate::auth::{Auth, Device, Password, Requester};
use crate::clock::now;
use crate::db::StoredCode;

/// How long a request waits for its login and consent (seconds).
const REQUEST_TTL: i64 = 30 * 60;

/// How long a code may be redeemed (seconds).
pub(super) const CODE_TTL: i64 = 60;

/// How long a used code is kept, to recognise a second redemption.
pub(super) const SPENT_CODE_MEMORY: i64 = 24 * 60 * 60;

/// Longest `state` and `nonce` taken.
const MAX_ECHOED: usize = 1024;

/// The parameters of a request to the authorization endpoint, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub response_mode: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

/// A checked request, as it waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// `prompt=none`: answer without any page.
    pub silent: bool,
    /// `prompt=login`: a proof of the owner newer than the request.
    pub fresh_login: bool,
    /// `prompt=consent`: ask again.
    pub ask_consent: bool,
    /// `max_age`: the oldest proof of the owner accepted, in seconds.
    pub max_age: Option<i64>,
    pub created_at: i64,
}

/// The opaque id of a waiting request, as its pages carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id a page sent back.
    pub fn presented(id: &str) -> Self {
        RequestId(id.to_owned())
    }

    /// The id itself, for the pages' addresses and forms.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestId(<redacted>)")
    }
}

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub request: RequestId,
    /// The application's name.
    pub client_name: String,
    pub scopes: Scopes,
    /// Whether the password must be given again (`prompt=login`,
    /// `max_age`).
    pub password_needed: bool,
}

/// What happens next with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeStep {
    /// Log in first, then come back to the request.
    LogIn(RequestId),
    /// Ask the person (and maybe their password).
    Consent(Consent),
    /// Back to the application: this address holds the code, or the error.
    Redirect(String),
}

/// How a decision about a request ends when the person is not asked.
enum Answer {
    Code(String),
    Error(&'static str, &'static str),
}

impl AuthorizationRequest {
    /// The address that gives the application `answer`, with `state` and
    /// `iss`.
    fn redirect(&self, issuer: &str, answer: Answer) -> String {
        reply(&self.redirect_uri, self.state.as_deref(), issuer, answer)
    }
}

/// The address at `redirect_uri` that gives the application `answer`,
/// with `state` and `iss`.
fn reply(redirect_uri: &str, state: Option<&str>, issuer: &str, answer: Answer) -> String {
    let mut query: Vec<(&str, String)> = Vec::with_capacity(4);
    match answer {
        Answer::Code(code) => query.push(("code", code)),
        Answer::Error(error, description) => {
            query.push(("error", error.to_owned()));
            query.push(("error_description", description.to_owned()));
        }
    }
    if let Some(state) = state {
        query.push(("state", state.to_owned()));
    }
    query.push(("iss", issuer.to_owned()));
    let separator = match redirect_uri.contains('?') {
        true => '&',
        false => '?',
    };
    let encoded: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("{redirect_uri}{separator}{}", encoded.join("&"))
}

/// `value` percent-encoded for a query (RFC 3986's unreserved characters
/// stay).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Whether `challenge` can be a PKCE S256 challenge: the unpadded
/// base64url of a SHA-256 digest.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// The S256 challenge of `verifier` (RFC 7636 §4.2).
pub(super) fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Auth {
    /// The issuer: `public_url`, the same on every instance.
    pub fn issuer(&self) -> &str {
        &self.settings.public_url
    }

    /// A request to the authorization endpoint from the browser of
    /// `visitor` (`None`: no session): what happens next. Refused, for the
    /// provider's own error page, when the application or the redirect
    /// address is unknown; any other problem goes back to the application.
    pub async fn authorize(
        &self,
        params: AuthorizationParams,
        visitor: Option<&Requester>,
    ) -> Result<AuthorizeStep, OAuthError> {
        let (client, redirect_uri) = self.trusted_redirect(&params).await?;
        let state = echoed_state(&params);
        let request = match check(params, &client, redirect_uri.clone()) {
            Ok(request) => request,
            Err((error, description)) => {
                let answer = Answer::Error(error, description);
                let url = reply(&redirect_uri, state.as_deref(), self.issuer(), answer);
                return Ok(AuthorizeStep::Redirect(url));
            }
        };
        let id = RequestId(random_base64url(32));
        let json = to_json(&request)?;
        let now = now();
        self.db
            .save_authorization_request(&digest(&id.0), &client.id, &json, now + REQUEST_TTL, now)
            .await?;
        self.next_step(&id, &request, &client, visitor).await
    }

    /// The waiting request `id`, back from the login page: what happens
    /// next.
    pub async fn continue_authorization(
        &self,
        id: &RequestId,
        visitor: Option<&Requester>,
    ) -> Result<AuthorizeStep, OAuthError> {
        let (request, client) = self.waiting(id).await?;
        self.next_step(id, &request, &client, visitor).await
    }

    /// The person's answer on the consent page of request `id`: `allow`ed
    /// or not, with their `password` where it was asked (checked like a
    /// login, from `device`).
    pub async fn answer_consent(
        &self,
        id: &RequestId,
        visitor: &Requester,
        allow: bool,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<AuthorizeStep, OAuthError> {
        let (request, client) = self.waiting(id).await?;
        if !allow {
            return self
                .answer(
                    id,
                    &request,
                    Answer::Error("access_denied", "the user said no"),
                )
                .await;
        }
        let mut visitor = *visitor;
        if self.needs_login(&request, &visitor) {
            let Some(password) = password else {
                return self.next_step(id, &request, &client, Some(&visitor)).await;
            };
            self.prove(&visitor, Some(password), device).await?;
            visitor.authenticated_at = now();
        }
        let granted = self.db.consent(visitor.user_id, &client.id).await?;
        let granted = granted
            .and_then(|scope| Scopes::parse(&scope))
            .unwrap_or_default();
        let scope = granted.union(&request.scopes).to_string();
        self.db
            .save_consent(visitor.user_id, &client.id, &scope, now())
            .await?;
        let code = self.issue_code(&request, &visitor).await?;
        self.answer(id, &request, Answer::Code(code)).await
    }

    /// The client and redirect address of `params`, when both are
    /// registered together; refused otherwise (never redirected).
    async fn trusted_redirect(
        &self,
        params: &AuthorizationParams,
    ) -> Result<(Client, String), OAuthError> {
        let unknown = || OAuthError::refused("invalid_request", "unknown application");
        let client_id = params.client_id.as_deref().ok_or_else(unknown)?;
        let client = self.client(client_id).await?.ok_or_else(unknown)?;
        let redirect_uri = params
            .redirect_uri
            .as_deref()
            .filter(|uri| {
                client
                    .redirect_uris
                    .iter()
                    .any(|registered| registered == uri)
            })
            .ok_or_else(|| {
                OAuthError::refused("invalid_request", "redirect address not registered")
            })?;
        let redirect_uri = redirect_uri.to_owned();
        Ok((client, redirect_uri))
    }

    async fn waiting(&self, id: &RequestId) -> Result<(AuthorizationRequest, Client), OAuthError> {
        let expired = || OAuthError::refused("invalid_request", "request expired or answered");
        let json = self.db.authorization_request(&digest(&id.0), now()).await?;
        let request: AuthorizationRequest = json
            .and_then(|json| serde_json::from_str(&json).ok())
            .ok_or_else(expired)?;
        let client = self.client(&request.client_id).await?.ok_or_else(expired)?;
        Ok((request, client))
    }

    /// Whether `visitor`'s proof of the owner is too old for `request`.
    fn needs_login(&self, request: &AuthorizationRequest, visitor: &Requester) -> bool {
        // Times are in seconds: a proof in the request's second is not
        // taken for a newer one.
        let stale = request.fresh_login && visitor.authenticated_at <= request.created_at;
        let too_old = request
            .max_age
            .is_some_and(|max_age| now() - visitor.authenticated_at > max_age);
        stale || too_old
    }

    async fn next_step(
        &self,
        id: &RequestId,
        request: &AuthorizationRequest,
        client: &Client,
        visitor: Option<&Requester>,
    ) -> Result<AuthorizeStep, OAuthError> {
        let silent_refusal = |error| Answer::Error(error, "the user must be asked");
        let Some(visitor) = visitor else {
            return match request.silent {
                true => {
                    self.answer(id, request, silent_refusal("login_required"))
                        .await
                }
                false => Ok(AuthorizeStep::LogIn(id.clone())),
            };
        };
        let password_needed = self.needs_login(request, visitor);
        if password_needed && request.silent {
            return self
                .answer(id, request, silent_refusal("login_required"))
                .await;
        }
        let granted = self.db.consent(visitor.user_id, &client.id).await?;
        let granted = granted.and_then(|scope| Scopes::parse(&scope));
        let consented = granted.is_some_and(|granted| granted.covers(&request.scopes));
        let ask = request.ask_consent || !consented;
        if ask && request.silent {
            return self
                .answer(id, request, silent_refusal("consent_required"))
                .await;
        }
        if ask || password_needed {
            return Ok(AuthorizeStep::Consent(Consent {
                request: id.clone(),
                client_name: client.name.clone(),
                scopes: request.scopes.clone(),
                password_needed,
            }));
        }
        let code = self.issue_code(request, visitor).await?;
        self.answer(id, request, Answer::Code(code)).await
    }

    /// Ends the request `id` with `answer`: where the browser goes. A
    /// request is answered once, on whichever instance.
    async fn answer(
        &self,
        id: &RequestId,
        request: &AuthorizationRequest,
        answer: Answer,
    ) -> Result<AuthorizeStep, OAuthError> {
        if !self.db.end_authorization_request(&digest(&id.0)).await? {
            return Err(OAuthError::refused(
                "invalid_request",
                "request expired or answered",
            ));
        }
        Ok(AuthorizeStep::Redirect(
            request.redirect(self.issuer(), answer),
        ))
    }

    /// A new code for `request`, given to `visitor`.
    async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        visitor: &Requester,
    ) -> Result<String, OAuthError> {
        let code = random_base64url(32);
        let details = CodeDetails {
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            auth_time: visitor.authenticated_at,
        };
        let now = now();
        let stored = StoredCode {
            digest: digest(&code),
            grant_id: handle(),
            client_id: request.client_id.clone(),
            user_id: visitor.user_id.0,
            session_id: visitor.session,
            grant_details: to_json(&details)?,
            expires_at: now + CODE_TTL,
            used_at: None,
        };
        self.db.save_code(stored, now - SPENT_CODE_MEMORY).await?;
        Ok(code)
    }
}

/// `value` as JSON, to keep.
fn to_json(value: &impl Serialize) -> Result<String, OAuthError> {
    serde_json::to_string(value)
        .map_err(|error| OAuthError::Service(crate::auth::AuthError::Internal(error.to_string())))
}

/// What a code is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CodeDetails {
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
}

/// The `state` of `params` that goes back to the application, exactly as
/// it came (one too long is refused, not cut: see `check`).
fn echoed_state(params: &AuthorizationParams) -> Option<String> {
    params.state.clone().filter(|state| !state.is_empty())
}

/// `params` checked for `client`, whose `redirect_uri` is trusted: the
/// request, or the error and its description to tell the application.
fn check(
    params: AuthorizationParams,
    client: &Client,
    redirect_uri: String,
) -> Result<AuthorizationRequest, (&'static str, &'static str)> {
    let mut request = AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri,
        scopes: Scopes::default(),
        state: echoed_state(&params),
        nonce: params.nonce.filter(|nonce| !nonce.is_empty()),
        code_challenge: params.code_challenge.clone(),
        silent: false,
        fresh_login: false,
        ask_consent: false,
        max_age: None,
        created_at: now(),
    };
    if params.request.is_some() {
        return Err(("request_not_supported", "request objects are not supported"));
    }
    if params.request_uri.is_some() {
        return Err(("request_uri_not_supported", "request_uri is not supported"));
    }
    if params
        .response_mode
        .as_deref()
        .is_some_and(|mode| mode != "query")
    {
        return Err(("invalid_request", "response_mode must be query"));
    }
    match params.response_type.as_deref() {
        Some("code") => {}
        None => return Err(("invalid_request", "response_type is required")),
        Some(_) => return Err(("unsupported_response_type", "response_type must be code")),
    }
    let Some(scopes) = params.scope.as_deref().and_then(Scopes::parse) else {
        return Err(("invalid_scope", "unknown scope"));
    };
    if !scopes.has("openid") {
        return Err(("invalid_scope", "the openid scope is required"));
    }
    if !client.scopes.covers(&scopes) {
        return Err(("invalid_scope", "a scope this application may not ask for"));
    }
    request.scopes = scopes;
    if request
        .nonce
        .as_ref()
        .is_some_and(|nonce| nonce.len() > MAX_ECHOED)
    {
        return Err(("invalid_request", "nonce too long"));
    }
    if request
        .state
        .as_ref()
        .is_some_and(|state| state.len() > MAX_ECHOED)
    {
        return Err(("invalid_request", "state too long"));
    }
    match (
        &params.code_challenge,
        params.code_challenge_method.as_deref(),
    ) {
        (Some(challenge), Some("S256")) if is_s256_challenge(challenge) => {}
        (Some(_), Some("S256")) => return Err(("invalid_request", "malformed code_challenge")),
        (Some(_), _) => return Err(("invalid_request", "code_challenge_method must be S256")),
        (None, Some(_)) => return Err(("invalid_request", "code_challenge is required")),
        (None, None) if !client.confidential => {
            return Err(("invalid_request", "PKCE (S256) is required"))
        }
        (None, None) => {}
    }
    for prompt in params.prompt.as_deref().unwrap_or_default().split(' ') {
        match prompt {
            "" | "select_account" => {}
            "none" => request.silent = true,
            "login" => request.fresh_login = true,
            "consent" => request.ask_consent = true,
            _ => return Err(("invalid_request", "unknown prompt")),
        }
    }
    if request.silent && (request.fresh_login || request.ask_consent) {
        return Err(("invalid_request", "prompt=none goes alone"));
    }
    if let Some(max_age) = &params.max_age {
        match max_age.parse::<u32>() {
            Ok(max_age) => request.max_age = Some(i64::from(max_age)),
            Err(_) => return Err(("invalid_request", "max_age must be a number of seconds")),
        }
    }
    Ok(request)
}

/// Whether the ID token `claims` were issued to `client_id`.
fn issued_to(claims: &serde_json::Value, client_id: &str) -> bool {
    match &claims["aud"] {
        serde_json::Value::String(aud) => aud == client_id,
        serde_json::Value::Array(auds) => auds.iter().any(|aud| aud == client_id),
        _ => false,
    }
}

/// The first audience of the ID token `claims`.
fn audience(claims: &serde_json::Value) -> Option<String> {
    match &claims["aud"] {
        serde_json::Value::String(aud) => Some(aud.clone()),
        serde_json::Value::Array(auds) => auds.first()?.as_str().map(str::to_owned),
        _ => None,
    }
}

impl Auth {
    /// Where a logout that an application asks for goes back to:
    /// `post_logout_redirect_uri`, with `state`, when that application
    /// (`client_id`, or the audience of `id_token_hint`) registered it;
    /// `None` when none is asked. Refused for an address it did not
    /// register, without a known application, or with an `id_token_hint`
    /// that this provider did not sign or issued to another client.
    pub async fn logout_destination(
        &self,
        client_id: Option<&str>,
        id_token_hint: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<Option<String>, OAuthError> {
        let Some(uri) = post_logout_redirect_uri else {
            return Ok(None);
        };
        let refused = |description| OAuthError::refused("invalid_request", description);
        let hinted = match id_token_hint {
            Some(hint) => match self.own_token_claims(hint).await? {
                Some(claims) => Some(claims),
                None => return Err(refused("id_token_hint is not an ID token of this provider")),
            },
            None => None,
        };
        let client_id = match (client_id, &hinted) {
            (Some(client_id), Some(claims)) if !issued_to(claims, client_id) => {
                return Err(refused("id_token_hint was issued to another client"));
            }
            (Some(client_id), _) => Some(client_id.to_owned()),
            (None, claims) => claims.as_ref().and_then(audience),
        };
        let client = match client_id {
            Some(client_id) => self.client(&client_id).await?,
            None => None,
        };
        let registered = client.is_some_and(|client| {
            client
                .post_logout_redirect_uris
                .iter()
                .any(|registered| registered == uri)
        });
        if !registered {
            return Err(OAuthError::refused(
                "invalid_request",
                "post_logout_redirect_uri not registered",
            ));
        }
        let separator = match uri.contains('?') {
            true => '&',
            false => '?',
        };
        Ok(Some(match state {
            Some(state) => format!("{uri}{separator}state={}", encode(state)),
            None => uri.to_owned(),
        }))
    }
}
