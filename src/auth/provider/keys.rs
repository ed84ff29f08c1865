//! The keys that sign ID tokens. The JWKS (or the first token) of an
//! algorithm makes its first key, which signs at once; `keys rotate` (the
//! admin command line) makes the next one, published in the JWKS at once
//! but signing only `provider.key_publish_ahead` later, so that
//! applications holding the JWKS they fetched know it before they meet
//! it; every instance follows within [`KEY_CACHE_TTL`]. A retired key
//! stays in the JWKS as long as a token it signed may be checked. Private
//! keys are sealed with the server's key at rest.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::Mutex;

use super::OAuthError;
use crate::auth::{Auth, AuthError};
use crate::clock::now;
use crate::db::StoredKey;
use crate::jose::{Algorithm, SigningKey};

/// Purpose of the key that seals private signing keys.
pub(crate) const SIGNING_KEY_SEAL: &[u8] = b"auth-service/signing-keys/v1";

/// How long an instance signs with the key it loaded before looking for a
/// newer one (seconds).
pub const KEY_CACHE_TTL: i64 = 60;

/// A signing key as the admin command line lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub algorithm: String,
    /// When it signs from (Unix seconds; later than now for a key
    /// published ahead).
    pub signs_from: i64,
    /// When a newer key of its algorithm takes over.
    pub retired_at: Option<i64>,
}

/// The key of `algorithm` that signs at `now` among `stored`: the newest
/// whose time has come and that no newer one replaced.
fn current(stored: &[StoredKey], algorithm: Algorithm, now: i64) -> Option<&StoredKey> {
    stored
        .iter()
        .filter(|key| key.algorithm == algorithm.as_str() && key.created_at <= now)
        .filter(|key| key.retired_at.is_none_or(|retired| retired > now))
        .max_by_key(|key| key.created_at)
}

/// The signing keys an instance loaded, by algorithm, with when.
#[derive(Default)]
pub(crate) struct KeyCache(Mutex<HashMap<Algorithm, (SigningKey, i64)>>);

impl KeyCache {
    /// The key of `algorithm`, if loaded less than [`KEY_CACHE_TTL`] ago.
    fn fresh(&self, algorithm: Algorithm) -> Option<SigningKey> {
        let cached = self.0.lock().expect("no panic holds the key cache");
        let (key, loaded_at) = cached.get(&algorithm)?;
        (now() - loaded_at < KEY_CACHE_TTL).then(|| key.clone())
    }

    /// Keeps `key`, loaded now.
    fn keep(&self, key: &SigningKey) {
        let mut cached = self.0.lock().expect("no panic holds the key cache");
        cached.insert(key.algorithm(), (key.clone(), now()));
    }
}

impl Auth {
    /// The key that signs `algorithm`'s tokens now (see [`current`]), or
    /// a new one when there is none.
    pub(super) async fn signing_key(&self, algorithm: Algorithm) -> Result<SigningKey, OAuthError> {
        if let Some(key) = self.signing_keys.fresh(algorithm) {
            return Ok(key);
        }
        let stored = self.db.signing_keys().await?;
        let key = match current(&stored, algorithm, now()) {
            Some(stored) => self.open_key(stored, algorithm)?,
            None => self.rotate_key(algorithm).await?.0,
        };
        self.signing_keys.keep(&key);
        Ok(key)
    }

    /// Makes a new key for `algorithm`, published in the JWKS at once. The
    /// first key of an algorithm signs at once; a next one from
    /// `provider.key_publish_ahead` on, when the one before is retired
    /// (kept in the JWKS while its tokens may be checked). The new key, and
    /// when it signs from.
    pub async fn rotate_key(&self, algorithm: Algorithm) -> Result<(SigningKey, i64), AuthError> {
        let key = tokio::task::spawn_blocking(move || SigningKey::generate(algorithm))
            .await
            .map_err(|error| AuthError::Internal(format!("key generation: {error}")))?;
        let now = now();
        let ahead = i64::try_from(self.settings.provider.key_publish_ahead).unwrap_or(0);
        let in_use = current(&self.db.signing_keys().await?, algorithm, now).is_some();
        let created_at = match in_use {
            true => now.saturating_add(ahead),
            false => now,
        };
        let stored = StoredKey {
            kid: key.kid().to_owned(),
            algorithm: algorithm.as_str().to_owned(),
            private_key: self.key_sealer.seal(key.kid(), &key.to_pkcs8_der()),
            public_jwk: key.public_jwk().to_string(),
            created_at,
            retired_at: None,
        };
        self.db
            .add_signing_key(stored, now - self.retired_key_lifetime())
            .await?;
        Ok((key, created_at))
    }

    /// The public keys that tokens may be checked with: every key that
    /// signs or will, and those retired less than a token's lifetime ago.
    /// An algorithm without a key gets its first, so that an application
    /// that fetches the JWKS before its first sign-in knows the key.
    pub async fn jwks(&self) -> Result<serde_json::Value, OAuthError> {
        let mut stored = self.db.signing_keys().await?;
        let missing = Algorithm::ALL
            .into_iter()
            .filter(|algorithm| !stored.iter().any(|key| key.algorithm == algorithm.as_str()));
        let mut made = false;
        for algorithm in missing.collect::<Vec<_>>() {
            self.signing_key(algorithm).await?;
            made = true;
        }
        if made {
            stored = self.db.signing_keys().await?;
        }
        let forget_before = now() - self.retired_key_lifetime();
        let keys: Vec<serde_json::Value> = stored
            .into_iter()
            .filter(|key| {
                key.retired_at
                    .is_none_or(|retired| retired >= forget_before)
            })
            .filter_map(|key| serde_json::from_str(&key.public_jwk).ok())
            .collect();
        Ok(serde_json::json!({ "keys": keys }))
    }

    /// The claims of `token` if one of this provider's keys signed it (a
    /// retired one too: a logout's `id_token_hint` may be old), with this
    /// issuer; `None` for any other token.
    pub(super) async fn own_token_claims(
        &self,
        token: &str,
    ) -> Result<Option<serde_json::Value>, OAuthError> {
        let kid = token
            .split('.')
            .next()
            .and_then(|header| URL_SAFE_NO_PAD.decode(header).ok())
            .and_then(|header| serde_json::from_slice::<serde_json::Value>(&header).ok())
            .and_then(|header| header["kid"].as_str().map(str::to_owned));
        let stored = self.db.signing_keys().await?;
        let Some(stored) = stored.iter().find(|key| Some(&key.kid) == kid.as_ref()) else {
            return Ok(None);
        };
        let Ok(algorithm) = stored.algorithm.parse::<Algorithm>() else {
            return Ok(None);
        };
        let claims = self.open_key(stored, algorithm)?.verified_claims(token);
        Ok(claims.filter(|claims| claims["iss"] == self.issuer()))
    }

    /// Every key, newest first, for the admin command line.
    pub async fn signing_key_list(&self) -> Result<Vec<KeyInfo>, AuthError> {
        let keys = self.db.signing_keys().await?;
        Ok(keys
            .into_iter()
            .map(|key| KeyInfo {
                kid: key.kid,
                algorithm: key.algorithm,
                signs_from: key.created_at,
                retired_at: key.retired_at,
            })
            .collect())
    }

    /// How long a retired key is kept: the longest an ID token lives, and
    /// the time every instance takes to see the new key.
    fn retired_key_lifetime(&self) -> i64 {
        let ttl = i64::try_from(self.settings.provider.access_token_ttl).unwrap_or(i64::MAX / 4);
        ttl + 2 * KEY_CACHE_TTL
    }

    fn open_key(&self, stored: &StoredKey, algorithm: Algorithm) -> Result<SigningKey, AuthError> {
        let broken = || AuthError::Internal(format!("signing key {} does not open", stored.kid));
        let der = self
            .key_sealer
            .open(&stored.kid, &stored.private_key)
            .ok_or_else(broken)?;
        SigningKey::from_pkcs8_der(&stored.kid, algorithm, &der).ok_or_else(broken)
    }
}
