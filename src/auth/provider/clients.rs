//! The applications that sign their users in here, registered by the
//! admin command line: each with its redirect addresses, its scopes, the
//! algorithm of its ID tokens, and for a confidential client a secret,
//! shown once and kept as a keyed digest (fast to check: the token
//! endpoint must not run at bcrypt's pace), compared in constant time.

use std::fmt;

use subtle::ConstantTimeEq;

use super::{OAuthError, Scopes};
use crate::auth::token::handle;
use crate::auth::{Auth, AuthError};
use crate::clock::now;
use crate::db::StoredClient;
use crate::jose::Algorithm;
use crate::seal::keyed_digest;
use crate::user::UserId;

/// Purpose of the key that digests client secrets.
pub(crate) const CLIENT_SECRET_KEY: &[u8] = b"auth-service/client-secrets/v1";

/// Longest name of an application.
const MAX_NAME: usize = 100;

/// An application as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its `client_id`.
    pub id: String,
    /// Its name, as the consent page shows it.
    pub name: String,
    /// Whether it has a secret (a server); a public client (a single-page
    /// or native application) has none, and must use PKCE.
    pub confidential: bool,
    /// Where a response may go, compared as exact strings.
    pub redirect_uris: Vec<String>,
    /// Where a logout it asks for may go back to.
    pub post_logout_redirect_uris: Vec<String>,
    /// The scopes it may ask for.
    pub scopes: Scopes,
    /// The algorithm of its ID tokens.
    pub signing_alg: Algorithm,
    /// When it was registered (Unix seconds).
    pub created_at: i64,
    /// The digest of its secret.
    secret_digest: Option<String>,
}

/// An application a user allowed to sign them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApplication {
    pub client_id: String,
    pub name: String,
    /// What it was allowed.
    pub scopes: Scopes,
    /// When it was last allowed (Unix seconds).
    pub granted_at: i64,
}

/// What registers an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub confidential: bool,
    pub signing_alg: Algorithm,
}

/// A client secret as handed to the operator, once: never printed by
/// `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// A fresh random one: 256 bits, base64url.
    fn generate() -> Self {
        ClientSecret(crate::auth::token::random_base64url(32))
    }

    /// The secret itself, to show the operator.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

impl TryFrom<StoredClient> for Client {
    type Error = AuthError;

    fn try_from(stored: StoredClient) -> Result<Self, Self::Error> {
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let broken = |what: &str| {
            AuthError::Internal(format!(
                "client {}: stored {what} unreadable",
                stored.client_id
            ))
        };
        Ok(Client {
            scopes: Scopes::parse(&stored.scopes).ok_or_else(|| broken("scopes"))?,
            signing_alg: stored
                .signing_alg
                .parse()
                .map_err(|_| broken("algorithm"))?,
            redirect_uris: lines(&stored.redirect_uris),
            post_logout_redirect_uris: lines(&stored.post_logout_redirect_uris),
            id: stored.client_id,
            name: stored.name,
            confidential: stored.secret_digest.is_some(),
            created_at: stored.created_at,
            secret_digest: stored.secret_digest,
        })
    }
}

/// Why `uri` cannot be a redirect address: an absolute `https` address
/// (or `http` on the machine itself, for development), without a
/// fragment, a user name or a space.
fn redirect_problem(uri: &str) -> Option<&'static str> {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Some("is not an absolute address");
    };
    if uri.contains(['#', '\\']) || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("may not hold a fragment, a backslash or a space");
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some("may not hold a user name");
    }
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1");
    match scheme {
        "https" if !host.is_empty() => None,
        "http" if loopback => None,
        _ => Some("must be https (or http on localhost)"),
    }
}

impl ClientRegistration {
    /// Why it cannot be registered, in words for the operator.
    fn problem(&self) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Some(format!("the name must have 1 to {MAX_NAME} characters"));
        }
        if self.redirect_uris.is_empty() {
            return Some("at least one redirect address is needed".to_owned());
        }
        let addresses = self
            .redirect_uris
            .iter()
            .chain(&self.post_logout_redirect_uris);
        for uri in addresses {
            if let Some(problem) = redirect_problem(uri) {
                return Some(format!("{uri:?} {problem}"));
            }
        }
        if !self.scopes.has("openid") {
            return Some("the scopes must include openid".to_owned());
        }
        None
    }
}

impl Auth {
    /// Registers an application: it, and its secret (a confidential
    /// client's), which is shown once and kept only as a digest.
    pub async fn register_client(
        &self,
        registration: ClientRegistration,
    ) -> Result<(Client, Option<ClientSecret>), OAuthError> {
        if let Some(problem) = registration.problem() {
            return Err(OAuthError::refused("invalid_client_metadata", problem));
        }
        let secret = registration.confidential.then(ClientSecret::generate);
        let stored = StoredClient {
            client_id: handle(),
            name: registration.name.trim().to_owned(),
            secret_digest: secret
                .as_ref()
                .map(|secret| self.client_secret_digest(secret)),
            redirect_uris: registration.redirect_uris.join("\n"),
            post_logout_redirect_uris: registration.post_logout_redirect_uris.join("\n"),
            scopes: registration.scopes.to_string(),
            signing_alg: registration.signing_alg.as_str().to_owned(),
            created_at: now(),
        };
        self.db.add_client(stored.clone()).await?;
        Ok((stored.try_into()?, secret))
    }

    /// Every registered application, oldest first.
    pub async fn clients(&self) -> Result<Vec<Client>, AuthError> {
        let stored = self.db.clients().await?;
        stored.into_iter().map(Client::try_from).collect()
    }

    /// The application `client_id`, if registered.
    pub async fn client(&self, client_id: &str) -> Result<Option<Client>, AuthError> {
        let stored = self.db.client(client_id).await?;
        stored.map(Client::try_from).transpose()
    }

    /// Gives the confidential client `client_id` a new secret, which
    /// replaces the old at once: the new secret, or `None` for an unknown
    /// or public client.
    pub async fn rotate_client_secret(
        &self,
        client_id: &str,
    ) -> Result<Option<ClientSecret>, AuthError> {
        match self.client(client_id).await? {
            Some(client) if client.confidential => {
                let secret = ClientSecret::generate();
                let digest = self.client_secret_digest(&secret);
                let changed = self.db.set_client_secret(client_id, &digest).await?;
                Ok(changed.then_some(secret))
            }
            _ => Ok(None),
        }
    }

    /// Removes the application `client_id`, with its codes, tokens and
    /// consents; whether it was registered.
    pub async fn remove_client(&self, client_id: &str) -> Result<bool, AuthError> {
        Ok(self.db.remove_client(client_id).await?)
    }

    /// The applications the user `user_id` allowed to sign them in, most
    /// recent first.
    pub async fn connected_applications(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ConnectedApplication>, AuthError> {
        let consents = self.db.consents_of(user_id).await?;
        Ok(consents
            .into_iter()
            .map(|consent| ConnectedApplication {
                scopes: Scopes::parse(&consent.scope).unwrap_or_default(),
                client_id: consent.client_id,
                name: consent.name,
                granted_at: consent.granted_at,
            })
            .collect())
    }

    /// Disconnects the application `client_id` from the user `user_id`:
    /// it is asked again next time, and what it holds (codes, tokens) ends.
    /// Its name, or `None` when it was not connected.
    pub async fn disconnect_application(
        &self,
        user_id: UserId,
        client_id: &str,
    ) -> Result<Option<String>, AuthError> {
        let connected = self.connected_applications(user_id).await?;
        let Some(application) = connected.into_iter().find(|app| app.client_id == client_id) else {
            return Ok(None);
        };
        let removed = self.db.remove_consent(user_id, client_id).await?;
        Ok(removed.then_some(application.name))
    }

    /// The application that `credentials` prove: a confidential client
    /// with its secret, a public one with its id alone. `invalid_client`
    /// otherwise.
    pub async fn authenticate_client(
        &self,
        credentials: &super::ClientCredentials,
    ) -> Result<Client, OAuthError> {
        let unknown = || OAuthError::refused("invalid_client", "unknown client or wrong secret");
        let client = self
            .client(&credentials.client_id)
            .await?
            .ok_or_else(unknown)?;
        match (&client.secret_digest, &credentials.secret) {
            (None, None) => Ok(client),
            (Some(digest), Some(secret)) => {
                let presented = keyed_digest(&self.client_secret_key, secret.as_bytes());
                match bool::from(presented.as_bytes().ct_eq(digest.as_bytes())) {
                    true => Ok(client),
                    false => Err(unknown()),
                }
            }
            _ => Err(unknown()),
        }
    }

    fn client_secret_digest(&self, secret: &ClientSecret) -> String {
        keyed_digest(&self.client_secret_key, secret.expose().as_bytes())
    }
}
