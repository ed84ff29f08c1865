//! The tables of the OpenID Connect provider: `signing_keys`,
//! `oauth_clients`, `authorization_requests`, `authorization_codes`,
//! `oauth_tokens`, `oauth_consents`, and the accounts' `subject`.

use diesel::prelude::*;

use super::schema::{
    authorization_codes, authorization_requests, oauth_clients, oauth_consents, oauth_tokens,
    signing_keys, users,
};
use super::{on_backend, DbConnection, DbError, DB};
use crate::user::UserId;

/// A key that signs ID tokens, as stored.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct StoredKey {
    pub kid: String,
    /// `RS256`, `ES256`.
    pub algorithm: String,
    /// The PKCS#8 private key, sealed.
    pub private_key: Vec<u8>,
    /// The public JWK, as `/jwks.json` serves it.
    pub public_jwk: String,
    pub created_at: i64,
    /// When a newer key of its algorithm took over.
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

/// A registered application, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_clients)]
pub struct StoredClient {
    pub client_id: String,
    pub name: String,
    /// The keyed digest of its secret; `None` for a public client.
    pub secret_digest: Option<String>,
    /// One per line.
    pub redirect_uris: String,
    /// One per line.
    pub post_logout_redirect_uris: String,
    /// Separated by spaces.
    pub scopes: String,
    pub signing_alg: String,
    pub created_at: i64,
}

/// An authorization code, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorization_codes)]
pub struct StoredCode {
    /// The digest of the code.
    pub digest: String,
    /// Names the tokens the code gives.
    pub grant_id: String,
    pub client_id: String,
    pub user_id: i32,
    /// The session it was given through.
    pub session_id: i64,
    /// What it is bound to, as JSON.
    pub grant_details: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// An access or refresh token, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_tokens)]
pub struct StoredToken {
    /// The digest of the token.
    pub digest: String,
    /// `access` or `refresh`.
    pub kind: String,
    /// The family: every token one code gave, and those refreshed from them.
    pub grant_id: String,
    pub client_id: String,
    pub user_id: i32,
    pub session_id: i64,
    /// Separated by spaces.
    pub scope: String,
    /// When the user logged in.
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    /// When a refresh token gave the next one.
    pub used_at: Option<i64>,
    /// The digest of that next one.
    pub replaced_by: Option<String>,
}

/// What a code presented for redemption is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// The code, live and unused so far.
    Fresh(StoredCode),
    /// The code was used before: the grant it gave.
    Spent { grant_id: String },
    /// No such code, or it expired.
    Unknown,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is spent and its successors stored.
    Rotated(StoredToken),
    /// The token was spent before.
    Spent(StoredToken),
    /// No such refresh token, or it expired.
    Unknown,
}

impl DB {
    /// Every signing key, newest first.
    pub async fn signing_keys(&self) -> Result<Vec<StoredKey>, DbError> {
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                signing_keys::table
                    .order(signing_keys::created_at.desc())
                    .select(StoredKey::as_select())
                    .load(connection)
            })
        })
        .await
    }

    /// Adds `key`, which takes over from the other keys of its algorithm
    /// (retired at its creation); deletes the keys retired before
    /// `forget_before`.
    pub async fn add_signing_key(&self, key: StoredKey, forget_before: i64) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let retired = signing_keys::retired_at.lt(forget_before);
                    diesel::delete(signing_keys::table.filter(retired)).execute(connection)?;
                    diesel::update(
                        signing_keys::table
                            .filter(signing_keys::algorithm.eq(&key.algorithm))
                            .filter(signing_keys::retired_at.is_null()),
                    )
                    .set(signing_keys::retired_at.eq(key.created_at))
                    .execute(connection)?;
                    diesel::insert_into(signing_keys::table)
                        .values(&key)
                        .execute(connection)
                        .map(drop)
                })
            })
        })
        .await
    }

    /// Registers `client`; `Conflict` when its id is taken.
    pub async fn add_client(&self, client: StoredClient) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::insert_into(oauth_clients::table)
                    .values(&client)
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The client `client_id`, if registered.
    pub async fn client(&self, client_id: &str) -> Result<Option<StoredClient>, DbError> {
        let client_id = client_id.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_clients::table
                    .find(client_id)
                    .select(StoredClient::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Every registered client, oldest first.
    pub async fn clients(&self) -> Result<Vec<StoredClient>, DbError> {
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_clients::table
                    .order((oauth_clients::created_at, oauth_clients::client_id))
                    .select(StoredClient::as_select())
                    .load(connection)
            })
        })
        .await
    }

    /// Gives the client `client_id` the secret of digest `digest`; whether
    /// it is registered.
    pub async fn set_client_secret(&self, client_id: &str, digest: &str) -> Result<bool, DbError> {
        let (client_id, digest) = (client_id.to_owned(), digest.to_owned());
        let changed = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::update(oauth_clients::table.find(client_id))
                        .set(oauth_clients::secret_digest.eq(digest))
                        .execute(connection)
                })
            })
            .await?;
        Ok(changed > 0)
    }

    /// Removes the client `client_id`, with its codes, tokens and consents;
    /// whether it was registered.
    pub async fn remove_client(&self, client_id: &str) -> Result<bool, DbError> {
        let client_id = client_id.to_owned();
        let removed = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::delete(oauth_clients::table.find(client_id)).execute(connection)
                })
            })
            .await?;
        Ok(removed > 0)
    }

    /// Keeps an authorization request of `client_id` (`request`, JSON)
    /// under `digest` until `expires_at`; deletes those expired at `now`.
    pub async fn save_authorization_request(
        &self,
        digest: &str,
        client_id: &str,
        request: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), DbError> {
        let values = (
            authorization_requests::digest.eq(digest.to_owned()),
            authorization_requests::client_id.eq(client_id.to_owned()),
            authorization_requests::request.eq(request.to_owned()),
            authorization_requests::expires_at.eq(expires_at),
        );
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let expired = authorization_requests::expires_at.le(now);
                diesel::delete(authorization_requests::table.filter(expired))
                    .execute(connection)?;
                diesel::insert_into(authorization_requests::table)
                    .values(values.clone())
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The request kept under `digest` (JSON), if it still waits at `now`.
    pub async fn authorization_request(
        &self,
        digest: &str,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        let digest = digest.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                authorization_requests::table
                    .find(digest)
                    .filter(authorization_requests::expires_at.gt(now))
                    .select(authorization_requests::request)
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Ends the request kept under `digest`: whether it still waited (a
    /// request is answered once).
    pub async fn end_authorization_request(&self, digest: &str) -> Result<bool, DbError> {
        let digest = digest.to_owned();
        let ended = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::delete(authorization_requests::table.find(digest)).execute(connection)
                })
            })
            .await?;
        Ok(ended > 0)
    }

    /// Keeps `code`; deletes the codes expired before `forget_before`.
    pub async fn save_code(&self, code: StoredCode, forget_before: i64) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let expired = authorization_codes::expires_at.lt(forget_before);
                diesel::delete(authorization_codes::table.filter(expired)).execute(connection)?;
                diesel::insert_into(authorization_codes::table)
                    .values(&code)
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// What the code of digest `digest` is at `now`: live and unused, used
    /// before (by which grant), or unknown (or expired).
    pub async fn code_to_redeem(&self, digest: &str, now: i64) -> Result<Redemption, DbError> {
        let digest = digest.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                let code: Option<StoredCode> = authorization_codes::table
                    .find(&digest)
                    .select(StoredCode::as_select())
                    .first(connection)
                    .optional()?;
                Ok(match code {
                    Some(code) if code.used_at.is_some() => Redemption::Spent {
                        grant_id: code.grant_id,
                    },
                    Some(code) if code.expires_at > now => Redemption::Fresh(code),
                    _ => Redemption::Unknown,
                })
            })
        })
        .await
    }

    /// Uses the code of digest `digest` at `now`, if it is still live and
    /// unused, and keeps the `tokens` it gave in the same transaction (so
    /// that a second redemption, which revokes its grant, finds them);
    /// deletes the tokens expired before `forget_before`. `false` when the
    /// code was used meanwhile or expired: nothing is kept.
    pub async fn redeem_code(
        &self,
        digest: &str,
        now: i64,
        tokens: Vec<StoredToken>,
        forget_before: i64,
    ) -> Result<bool, DbError> {
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let claimed = diesel::update(
                        authorization_codes::table
                            .find(&digest)
                            .filter(authorization_codes::used_at.is_null())
                            .filter(authorization_codes::expires_at.gt(now)),
                    )
                    .set(authorization_codes::used_at.eq(now))
                    .execute(connection)?;
                    if claimed == 0 {
                        return Ok(false);
                    }
                    let expired = oauth_tokens::expires_at.lt(forget_before);
                    diesel::delete(oauth_tokens::table.filter(expired)).execute(connection)?;
                    diesel::insert_into(oauth_tokens::table)
                        .values(&tokens)
                        .execute(connection)?;
                    Ok(true)
                })
            })
        })
        .await
    }

    /// The token of digest `digest` and `kind`, if live at `now` (a spent
    /// refresh token is not).
    pub async fn live_token(
        &self,
        digest: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<StoredToken>, DbError> {
        let (digest, kind) = (digest.to_owned(), kind.to_owned());
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_tokens::table
                    .find(digest)
                    .filter(oauth_tokens::kind.eq(kind))
                    .filter(oauth_tokens::expires_at.gt(now))
                    .filter(oauth_tokens::used_at.is_null())
                    .select(StoredToken::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Spends the refresh token of digest `digest` at `now` for `next`
    /// (its successors, the next refresh token first), on whichever
    /// instance first.
    pub async fn rotate_refresh_token(
        &self,
        digest: &str,
        next: Vec<StoredToken>,
        now: i64,
    ) -> Result<Rotation, DbError> {
        let digest = digest.to_owned();
        let successor = next.first().map(|token| token.digest.clone());
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let spent = diesel::update(
                        oauth_tokens::table
                            .find(&digest)
                            .filter(oauth_tokens::kind.eq("refresh"))
                            .filter(oauth_tokens::used_at.is_null())
                            .filter(oauth_tokens::expires_at.gt(now)),
                    )
                    .set((
                        oauth_tokens::used_at.eq(now),
                        oauth_tokens::replaced_by.eq(&successor),
                    ))
                    .returning(StoredToken::as_returning())
                    .get_result(connection)
                    .optional()?;
                    if let Some(spent) = spent {
                        diesel::insert_into(oauth_tokens::table)
                            .values(&next)
                            .execute(connection)?;
                        return Ok(Rotation::Rotated(spent));
                    }
                    let before = oauth_tokens::table
                        .find(&digest)
                        .filter(oauth_tokens::kind.eq("refresh"))
                        .filter(oauth_tokens::used_at.is_not_null())
                        .select(StoredToken::as_select())
                        .first(connection)
                        .optional()?;
                    Ok(before.map_or(Rotation::Unknown, Rotation::Spent))
                })
            })
        })
        .await
    }

    /// Whether the token of digest `digest` is live at `now`, whatever its
    /// kind (a refresh token's successor, say).
    pub async fn token_is_live(&self, digest: &str, now: i64) -> Result<bool, DbError> {
        let digest = digest.to_owned();
        let found: Option<String> = self
            .read(move |connection| {
                on_backend!(connection, |connection| {
                    oauth_tokens::table
                        .find(digest)
                        .filter(oauth_tokens::expires_at.gt(now))
                        .filter(oauth_tokens::used_at.is_null())
                        .select(oauth_tokens::digest)
                        .first(connection)
                        .optional()
                })
            })
            .await?;
        Ok(found.is_some())
    }

    /// The token of digest `digest`, whatever its state, if `client_id`'s.
    pub async fn client_token(
        &self,
        digest: &str,
        client_id: &str,
    ) -> Result<Option<StoredToken>, DbError> {
        let (digest, client_id) = (digest.to_owned(), client_id.to_owned());
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_tokens::table
                    .find(digest)
                    .filter(oauth_tokens::client_id.eq(client_id))
                    .select(StoredToken::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Revokes every token of the grant `grant_id`: how many there were.
    pub async fn revoke_grant(&self, grant_id: &str) -> Result<usize, DbError> {
        let grant_id = grant_id.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(oauth_tokens::table.filter(oauth_tokens::grant_id.eq(grant_id)))
                    .execute(connection)
            })
        })
        .await
    }

    /// Revokes the one token of digest `digest`.
    pub async fn revoke_token(&self, digest: &str) -> Result<(), DbError> {
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(oauth_tokens::table.find(digest))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The scopes `user_id` granted `client_id`, if any.
    pub async fn consent(
        &self,
        user_id: UserId,
        client_id: &str,
    ) -> Result<Option<String>, DbError> {
        let user_id = user_id.0;
        let client_id = client_id.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_consents::table
                    .find((user_id, client_id))
                    .select(oauth_consents::scope)
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Records that `user_id` granted `client_id` the scopes `scope` at
    /// `now` (in place of what they granted before).
    pub async fn save_consent(
        &self,
        user_id: UserId,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<(), DbError> {
        let user_id = user_id.0;
        let (client_id, scope) = (client_id.to_owned(), scope.to_owned());
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::insert_into(oauth_consents::table)
                    .values((
                        oauth_consents::user_id.eq(user_id),
                        oauth_consents::client_id.eq(&client_id),
                        oauth_consents::scope.eq(&scope),
                        oauth_consents::granted_at.eq(now),
                    ))
                    .on_conflict((oauth_consents::user_id, oauth_consents::client_id))
                    .do_update()
                    .set((
                        oauth_consents::scope.eq(&scope),
                        oauth_consents::granted_at.eq(now),
                    ))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The subject of the user `user_id`: `candidate` if they had none
    /// (given once, on whichever instance; a read afterwards).
    pub async fn subject(&self, user_id: UserId, candidate: &str) -> Result<String, DbError> {
        let user_id = user_id.0;
        let given: Option<String> = self
            .read(move |connection| {
                on_backend!(connection, |connection| {
                    users::table
                        .find(user_id)
                        .select(users::subject)
                        .first(connection)
                })
            })
            .await?;
        if let Some(subject) = given {
            return Ok(subject);
        }
        let candidate = candidate.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(users::table.find(user_id).filter(users::subject.is_null()))
                    .set(users::subject.eq(candidate))
                    .execute(connection)?;
                users::table
                    .find(user_id)
                    .select(users::subject.assume_not_null())
                    .first(connection)
            })
        })
        .await
    }
}

/// An application a user allowed, as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StoredConsent {
    pub client_id: String,
    /// The application's name.
    pub name: String,
    /// The scopes granted, separated by spaces.
    pub scope: String,
    pub granted_at: i64,
}

impl DB {
    /// The applications `user_id` allowed, most recent first.
    pub async fn consents_of(&self, user_id: UserId) -> Result<Vec<StoredConsent>, DbError> {
        let user_id = user_id.0;
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                oauth_consents::table
                    .inner_join(oauth_clients::table)
                    .filter(oauth_consents::user_id.eq(user_id))
                    .order(oauth_consents::granted_at.desc())
                    .select((
                        oauth_consents::client_id,
                        oauth_clients::name,
                        oauth_consents::scope,
                        oauth_consents::granted_at,
                    ))
                    .load(connection)
            })
        })
        .await
    }

    /// Forgets that `user_id` allowed `client_id`, and ends what the
    /// application holds of theirs (codes, tokens): whether it was allowed.
    pub async fn remove_consent(&self, user_id: UserId, client_id: &str) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let client_id = client_id.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let tokens = oauth_tokens::table
                        .filter(oauth_tokens::user_id.eq(user_id))
                        .filter(oauth_tokens::client_id.eq(&client_id));
                    diesel::delete(tokens).execute(connection)?;
                    let codes = authorization_codes::table
                        .filter(authorization_codes::user_id.eq(user_id))
                        .filter(authorization_codes::client_id.eq(&client_id));
                    diesel::delete(codes).execute(connection)?;
                    let consent = oauth_consents::table.find((user_id, &client_id));
                    let removed = diesel::delete(consent).execute(connection)?;
                    Ok(removed > 0)
                })
            })
        })
        .await
    }
}
