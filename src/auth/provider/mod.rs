//! The OpenID Connect provider: applications (clients) registered by the
//! admin command line sign their users in here, with the authorization
//! code flow (OpenID Connect Core 1.0, OAuth 2.1's rules, RFC 9700's
//! advice). `clients` keeps the applications, `keys` the keys that sign
//! ID tokens, `authorize` the requests and their codes, `tokens` what the
//! token endpoint and its neighbours give and take back.

mod authorize;
mod clients;
mod keys;
mod tokens;

pub use authorize::{AuthorizationParams, AuthorizationRequest, AuthorizeStep, Consent, RequestId};
pub(crate) use clients::CLIENT_SECRET_KEY;
pub use clients::{Client, ClientRegistration, ClientSecret, ConnectedApplication};
pub use keys::KeyInfo;
pub(crate) use keys::{KeyCache, SIGNING_KEY_SEAL};
pub use tokens::{ClientCredentials, Introspection, TokenGrant, Tokens, UserInfo};

use std::fmt;

/// The scopes the provider knows: `openid` (an ID token), `email` (the
/// address and whether it is verified), `profile` (the language), and
/// `offline_access` (a refresh token).
pub const SCOPES: [&str; 4] = ["openid", "email", "profile", "offline_access"];

/// A set of known scopes, in the order of [`SCOPES`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scopes(Vec<&'static str>);

impl Scopes {
    /// The scopes of `text` (separated by spaces): `None` when one is
    /// unknown.
    pub fn parse(text: &str) -> Option<Scopes> {
        let asked: Vec<&str> = text.split(' ').filter(|scope| !scope.is_empty()).collect();
        if asked.iter().any(|scope| !SCOPES.contains(scope)) {
            return None;
        }
        Some(Scopes(
            SCOPES
                .into_iter()
                .filter(|scope| asked.contains(scope))
                .collect(),
        ))
    }

    /// Whether `scope` is among them.
    pub fn has(&self, scope: &str) -> bool {
        self.0.contains(&scope)
    }

    /// Whether every one of `other` is among them.
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|scope| self.has(scope))
    }

    /// These and `other`'s.
    pub fn union(&self, other: &Scopes) -> Scopes {
        Scopes(
            SCOPES
                .into_iter()
                .filter(|scope| self.has(scope) || other.has(scope))
                .collect(),
        )
    }

    /// Each of them.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

impl TryFrom<String> for Scopes {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Scopes::parse(&text).ok_or_else(|| format!("unknown scope in {text:?}"))
    }
}

impl From<Scopes> for String {
    fn from(scopes: Scopes) -> String {
        scopes.to_string()
    }
}

/// Why the provider refuses a request, as OAuth names it (RFC 6749 §4.1.2.1
/// and §5.2, OpenID Connect Core §3.1.2.6): `error` and
/// `error_description`.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// A refusal the client is told of.
    #[error("{code}: {description}")]
    Refused {
        /// `invalid_request`, `invalid_grant`, `login_required`...
        code: &'static str,
        description: String,
    },
    /// The service could not answer (the database, say).
    #[error(transparent)]
    Service(#[from] super::AuthError),
}

impl OAuthError {
    /// The refusal `code`, explained by `description`.
    pub fn refused(code: &'static str, description: impl Into<String>) -> Self {
        OAuthError::Refused {
            code,
            description: description.into(),
        }
    }
}

impl From<crate::db::DbError> for OAuthError {
    fn from(error: crate::db::DbError) -> Self {
        OAuthError::Service(error.into())
    }
}
