//! What the token endpoint gives (RFC 6749 §4.1.3 and §6, OpenID Connect
//! Core §3.1.3), and what `/userinfo`, `/revoke` (RFC 7009) and
//! `/introspect` (RFC 7662) read back. Access and refresh tokens are
//! opaque and kept as digests. A refresh token works once: each use gives
//! the next (rotation), and a spent one presented again revokes its whole
//! family, but for the immediate predecessor within [`REFRESH_GRACE`] (a
//! client that retried). A code redeemed twice revokes what it gave.

use std::fmt;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::authorize::{s256, CodeDetails};
use super::{Client, OAuthError, Scopes};
use crate::auth::token::{digest, handle, random_base64url};
use crate::auth::{Auth, AuthError};
use crate::clock::now;
use crate::db::{Redemption, Rotation, StoredCode, StoredToken};
use crate::user::UserId;

/// How long after its use a refresh token's second use is taken for a
/// retry rather than a theft (seconds).
pub const REFRESH_GRACE: i64 = 5;

/// How long an expired token's row is kept before it goes (seconds).
const FORGET_EXPIRED_TOKENS: i64 = 60 * 60;

/// A client's credentials, from HTTP Basic or the request body.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    /// A confidential client's secret.
    pub secret: Option<String>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What a client trades for tokens.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenGrant {
    /// `grant_type=authorization_code`.
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    /// `grant_type=refresh_token`, with the scopes asked (a subset).
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
    },
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenGrant::AuthorizationCode { .. } => f.write_str("AuthorizationCode(<redacted>)"),
            TokenGrant::RefreshToken { .. } => f.write_str("RefreshToken(<redacted>)"),
        }
    }
}

impl TokenGrant {
    /// The grant's name, for metrics.
    pub fn name(&self) -> &'static str {
        match self {
            TokenGrant::AuthorizationCode { .. } => "authorization_code",
            TokenGrant::RefreshToken { .. } => "refresh_token",
        }
    }
}

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The claims `/userinfo` gives.
pub type UserInfo = Map<String, Value>;

/// What `/introspect` says of a token.
pub type Introspection = Value;

/// Whether `verifier` can be a PKCE code verifier (RFC 7636 §4.1).
fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
}

/// What the tokens of one grant share.
struct Grant {
    grant_id: String,
    client: Client,
    user_id: UserId,
    session_id: i64,
    scopes: Scopes,
    auth_time: i64,
    nonce: Option<String>,
}

/// The grant of `code`, presented by `client` with `redirect_uri` and the
/// PKCE `verifier`; or why the code does not give it to them.
fn code_grant(
    code: StoredCode,
    client: Client,
    redirect_uri: Option<String>,
    verifier: Option<String>,
) -> Result<Grant, &'static str> {
    if code.client_id != client.id {
        return Err("the code is another client's");
    }
    let details: CodeDetails =
        serde_json::from_str(&code.grant_details).map_err(|_| "the code cannot be read")?;
    if redirect_uri.as_deref() != Some(details.redirect_uri.as_str()) {
        return Err("redirect_uri differs from the request's");
    }
    match (&details.code_challenge, verifier.as_deref()) {
        (Some(challenge), Some(verifier))
            if is_verifier(verifier) && s256(verifier) == *challenge => {}
        (Some(_), _) => return Err("code_verifier missing or wrong"),
        (None, Some(_)) => return Err("no code_challenge was sent"),
        (None, None) => {}
    }
    Ok(Grant {
        grant_id: code.grant_id,
        client,
        user_id: UserId(code.user_id),
        session_id: code.session_id,
        scopes: details.scopes,
        auth_time: details.auth_time,
        nonce: details.nonce,
    })
}

impl Auth {
    /// Tokens for `grant`, to the client `credentials` prove.
    pub async fn token(
        &self,
        credentials: &ClientCredentials,
        grant: TokenGrant,
    ) -> Result<Tokens, OAuthError> {
        let client = self.authenticate_client(credentials).await?;
        let kind = grant.name();
        let tokens = match grant {
            TokenGrant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                self.redeem(client, &code, redirect_uri, code_verifier)
                    .await
            }
            TokenGrant::RefreshToken {
                refresh_token,
                scope,
            } => self.refresh(client, &refresh_token, scope).await,
        }?;
        self.provider_events.count(kind);
        Ok(tokens)
    }

    async fn redeem(
        &self,
        client: Client,
        code: &str,
        redirect_uri: Option<String>,
        verifier: Option<String>,
    ) -> Result<Tokens, OAuthError> {
        let invalid = |description| OAuthError::refused("invalid_grant", description);
        let presented = digest(code);
        let code = match self.db.code_to_redeem(&presented, now()).await? {
            Redemption::Fresh(code) => code,
            Redemption::Spent { grant_id } => {
                return Err(self.code_reused(&client, &grant_id).await?)
            }
            Redemption::Unknown => return Err(invalid("unknown or expired code")),
        };
        let grant = match code_grant(code, client, redirect_uri, verifier) {
            Ok(grant) => grant,
            Err(refusal) => {
                // Presented once, in vain: never again.
                self.db
                    .redeem_code(&presented, now(), Vec::new(), 0)
                    .await?;
                return Err(invalid(refusal));
            }
        };
        let (tokens, stored) = self.mint(&grant).await?;
        let forget_before = now() - FORGET_EXPIRED_TOKENS;
        if !self
            .db
            .redeem_code(&presented, now(), stored, forget_before)
            .await?
        {
            // Another redemption used it meanwhile: a replay, as above.
            return Err(self.code_reused(&grant.client, &grant.grant_id).await?);
        }
        Ok(tokens)
    }

    /// A code redeemed a second time (stolen, or replayed): every token its
    /// grant `grant_id` gave is revoked; the refusal to answer.
    async fn code_reused(&self, client: &Client, grant_id: &str) -> Result<OAuthError, OAuthError> {
        let revoked = self.db.revoke_grant(grant_id).await?;
        self.provider_events.count("code_reuse");
        log::warn!(
            "an authorization code of client {} was redeemed twice: {revoked} tokens revoked",
            client.id
        );
        Ok(OAuthError::refused("invalid_grant", "code already used"))
    }

    async fn refresh(
        &self,
        client: Client,
        refresh_token: &str,
        scope: Option<String>,
    ) -> Result<Tokens, OAuthError> {
        let invalid =
            || OAuthError::refused("invalid_grant", "unknown, expired or used refresh token");
        let presented = digest(refresh_token);
        let token = self.db.client_token(&presented, &client.id).await?;
        let Some(token) = token.filter(|token| token.kind == "refresh") else {
            return Err(invalid());
        };
        // Spent or expired: refused before anything is signed.
        if token.used_at.is_some() {
            self.spent_refresh_token(&token).await?;
            return Err(invalid());
        }
        if token.expires_at <= now() {
            return Err(invalid());
        }
        let granted = Scopes::parse(&token.scope).unwrap_or_default();
        let scopes = match scope.as_deref().map(Scopes::parse) {
            None => granted,
            Some(Some(asked)) if granted.covers(&asked) => asked,
            Some(_) => {
                return Err(OAuthError::refused(
                    "invalid_scope",
                    "more scopes than were granted",
                ))
            }
        };
        let grant = Grant {
            grant_id: token.grant_id.clone(),
            client,
            user_id: UserId(token.user_id),
            session_id: token.session_id,
            scopes,
            auth_time: token.auth_time,
            nonce: None,
        };
        let (tokens, stored) = self.mint(&grant).await?;
        match self
            .db
            .rotate_refresh_token(&presented, stored, now())
            .await?
        {
            Rotation::Rotated(_) => Ok(tokens),
            Rotation::Spent(spent) => {
                self.spent_refresh_token(&spent).await?;
                Err(invalid())
            }
            Rotation::Unknown => Err(invalid()),
        }
    }

    /// A refresh token used before, presented again: a retry within
    /// [`REFRESH_GRACE`] of its use, while its successor is unused, is
    /// refused alone; anything else revokes the family.
    async fn spent_refresh_token(&self, spent: &StoredToken) -> Result<(), OAuthError> {
        let now = now();
        let recent = spent
            .used_at
            .is_some_and(|used| now - used <= REFRESH_GRACE);
        if recent {
            if let Some(successor) = &spent.replaced_by {
                if self.db.token_is_live(successor, now).await? {
                    return Ok(());
                }
            }
        }
        let revoked = self.db.revoke_grant(&spent.grant_id).await?;
        self.provider_events.count("refresh_reuse");
        log::warn!(
            "a spent refresh token of client {} was presented again: {revoked} tokens of its family revoked",
            spent.client_id
        );
        Ok(())
    }

    /// New tokens of `grant`, and their rows (the refresh token's first).
    async fn mint(&self, grant: &Grant) -> Result<(Tokens, Vec<StoredToken>), OAuthError> {
        let now = now();
        let ttl = self.settings.provider.access_token_ttl;
        let access_token = random_base64url(32);
        let row = |token: &str, kind: &str, lifetime: u64| StoredToken {
            digest: digest(token),
            kind: kind.to_owned(),
            grant_id: grant.grant_id.clone(),
            client_id: grant.client.id.clone(),
            user_id: grant.user_id.0,
            session_id: grant.session_id,
            scope: grant.scopes.to_string(),
            auth_time: grant.auth_time,
            created_at: now,
            expires_at: now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX / 2)),
            used_at: None,
            replaced_by: None,
        };
        let refresh_token = grant
            .scopes
            .has("offline_access")
            .then(|| random_base64url(32));
        let refresh_ttl = self.settings.provider.refresh_token_ttl;
        let refresh_row = refresh_token
            .as_deref()
            .map(|token| row(token, "refresh", refresh_ttl));
        let stored = refresh_row
            .into_iter()
            .chain([row(&access_token, "access", ttl)])
            .collect();
        let id_token = self.id_token(grant, now).await?;
        Ok((
            Tokens {
                access_token,
                token_type: "Bearer",
                expires_in: ttl,
                id_token: Some(id_token),
                refresh_token,
                scope: grant.scopes.to_string(),
            },
            stored,
        ))
    }

    /// The ID token of `grant`, signed with its client's algorithm.
    async fn id_token(&self, grant: &Grant, now: i64) -> Result<String, OAuthError> {
        let user = self.user(grant.user_id).await?;
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer()));
        claims.insert("sub".into(), json!(self.subject(grant.user_id).await?));
        claims.insert("aud".into(), json!(grant.client.id));
        let ttl = i64::try_from(self.settings.provider.access_token_ttl).unwrap_or(i64::MAX / 2);
        claims.insert("exp".into(), json!(now.saturating_add(ttl)));
        claims.insert("iat".into(), json!(now));
        claims.insert("auth_time".into(), json!(grant.auth_time));
        if let Some(nonce) = &grant.nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        if grant.scopes.has("email") {
            claims.insert("email".into(), json!(user.email));
            claims.insert(
                "email_verified".into(),
                json!(user.email_verified_at.is_some()),
            );
        }
        let key = self.signing_key(grant.client.signing_alg).await?;
        // Half a millisecond for an RS256 signature: off the async workers,
        // which serve every other request meanwhile.
        let signed = tokio::task::spawn_blocking(move || key.sign(&claims)).await;
        Ok(signed.map_err(|error| AuthError::Internal(format!("signing: {error}")))?)
    }

    /// The subject applications know the user `user_id` by.
    async fn subject(&self, user_id: UserId) -> Result<String, AuthError> {
        Ok(self.db.subject(user_id, &handle()).await?)
    }

    /// The claims of the user whose live access token is `access_token`,
    /// as its scopes allow; `invalid_token` for any other token.
    pub async fn user_info(&self, access_token: &str) -> Result<UserInfo, OAuthError> {
        let token = self
            .db
            .live_token(&digest(access_token), "access", now())
            .await?
            .ok_or_else(|| OAuthError::refused("invalid_token", "unknown or expired token"))?;
        let scopes = Scopes::parse(&token.scope).unwrap_or_default();
        let user_id = UserId(token.user_id);
        let user = self.user(user_id).await?;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(self.subject(user_id).await?));
        if scopes.has("email") {
            claims.insert("email".into(), json!(user.email));
            claims.insert(
                "email_verified".into(),
                json!(user.email_verified_at.is_some()),
            );
        }
        if scopes.has("profile") {
            claims.insert("locale".into(), json!(user.language.code()));
        }
        Ok(claims)
    }

    /// Revokes `token` if it is the client's that `credentials` prove (a
    /// refresh token with its whole family); any other token is left, and
    /// the answer is the same (RFC 7009 §2.2).
    pub async fn revoke(
        &self,
        credentials: &ClientCredentials,
        token: &str,
    ) -> Result<(), OAuthError> {
        let client = self.authenticate_client(credentials).await?;
        let presented = digest(token);
        match self.db.client_token(&presented, &client.id).await? {
            Some(token) if token.kind == "refresh" => {
                self.db.revoke_grant(&token.grant_id).await?;
            }
            Some(_) => self.db.revoke_token(&presented).await?,
            None => {}
        }
        Ok(())
    }

    /// What `token` is, told to the confidential client `credentials`
    /// prove, if it is that client's and live; `{"active": false}` for any
    /// other.
    pub async fn introspect(
        &self,
        credentials: &ClientCredentials,
        token: &str,
    ) -> Result<Introspection, OAuthError> {
        let client = self.authenticate_client(credentials).await?;
        if !client.confidential {
            return Err(OAuthError::refused(
                "invalid_client",
                "introspection is for confidential clients",
            ));
        }
        let now = now();
        let found = self.db.client_token(&digest(token), &client.id).await?;
        let Some(token) = found.filter(|token| token.expires_at > now && token.used_at.is_none())
        else {
            return Ok(json!({ "active": false }));
        };
        let token_type = match token.kind.as_str() {
            "access" => "Bearer",
            _ => "refresh_token",
        };
        Ok(json!({
            "active": true,
            "scope": token.scope,
            "client_id": token.client_id,
            "sub": self.subject(UserId(token.user_id)).await?,
            "exp": token.expires_at,
            "iat": token.created_at,
            "iss": self.issuer(),
            "aud": token.client_id,
            "token_type": token_type,
        }))
    }
}
