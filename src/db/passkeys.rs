//! The `passkeys` table (each user's WebAuthn credentials) and the
//! `passkey_ceremonies` table (ceremonies under way, single use).

use diesel::prelude::*;

use super::outbox::NewMail;
use super::schema::{outbox, passkey_ceremonies, passkeys, users};
use super::users::UserRow;
use super::{on_backend, DbConnection, DbError, DB};
use crate::user::{User, UserId};

/// A passkey as stored. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = passkeys)]
pub struct StoredPasskey {
    /// Its key, within the database.
    pub id: i64,
    /// Its handle, as the account page and `GET /profile/passkeys` show it.
    pub public_id: String,
    /// Whose it is.
    pub user_id: i32,
    /// The WebAuthn user id the authenticator keeps with it.
    pub user_handle: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// What its owner named it ("Laptop").
    pub name: String,
    /// webauthn-rs's `Passkey` as JSON: public key, counter, backup flags.
    pub credential: String,
    /// When it was added.
    pub created_at: i64,
    /// When it last signed in, if it has.
    pub last_used_at: Option<i64>,
}

/// A new row of `passkeys` (its fields as [`StoredPasskey`]'s).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = passkeys)]
pub struct NewPasskey {
    pub public_id: String,
    pub user_id: i32,
    pub user_handle: String,
    pub credential_id: String,
    pub name: String,
    pub credential: String,
    pub created_at: i64,
}

/// A new row of `passkey_ceremonies`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = passkey_ceremonies)]
pub struct NewCeremony {
    /// The digest of the id handed to the client.
    pub digest: String,
    /// Whose registration it is; `None` for a sign-in.
    pub user_id: Option<i32>,
    /// webauthn-rs's state, as JSON.
    pub state: String,
    pub expires_at: i64,
}

impl DB {
    /// The passkeys of the user `user_id`, newest first.
    pub async fn user_passkeys(&self, user_id: UserId) -> Result<Vec<StoredPasskey>, DbError> {
        let user_id = user_id.0;
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                passkeys::table
                    .filter(passkeys::user_id.eq(user_id))
                    .order(passkeys::id.desc())
                    .select(StoredPasskey::as_select())
                    .load(connection)
            })
        })
        .await
    }

    /// The passkey of credential id `credential_id`, with its user.
    pub async fn find_passkey(
        &self,
        credential_id: &str,
    ) -> Result<Option<(StoredPasskey, User)>, DbError> {
        let credential_id = credential_id.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                passkeys::table
                    .inner_join(users::table)
                    .filter(passkeys::credential_id.eq(credential_id))
                    .select((StoredPasskey::as_select(), UserRow::as_select()))
                    .first::<(StoredPasskey, UserRow)>(connection)
                    .optional()
                    .map(|found| found.map(|(passkey, row)| (passkey, User::from(row))))
            })
        })
        .await
    }

    /// Adds `passkey` and queues `mail` with it, in one transaction;
    /// `Conflict` when its credential id is already registered.
    pub async fn add_passkey(
        &self,
        passkey: NewPasskey,
        mail: Option<NewMail>,
    ) -> Result<StoredPasskey, DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let added = diesel::insert_into(passkeys::table)
                        .values(&passkey)
                        .returning(StoredPasskey::as_returning())
                        .get_result(connection)?;
                    if let Some(mail) = &mail {
                        diesel::insert_into(outbox::table)
                            .values(mail)
                            .execute(connection)?;
                    }
                    Ok(added)
                })
            })
        })
        .await
    }

    /// Records a sign-in with `passkey` at `now`, with its new
    /// `credential` if the sign-in changed it (counter, backup state), as
    /// long as the row still holds the credential the sign-in checked;
    /// `false` when it no longer does (removed, or changed by a concurrent
    /// sign-in, whose counter must not go back).
    pub async fn passkey_used(
        &self,
        passkey: &StoredPasskey,
        credential: Option<String>,
        now: i64,
    ) -> Result<bool, DbError> {
        let (id, checked) = (passkey.id, passkey.credential.clone());
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let unchanged = passkeys::table
                    .find(id)
                    .filter(passkeys::credential.eq(checked.clone()));
                let used = passkeys::last_used_at.eq(Some(now));
                let credential = passkeys::credential.eq(credential.unwrap_or(checked));
                diesel::update(unchanged)
                    .set((used, credential))
                    .execute(connection)
                    .map(|updated| updated > 0)
            })
        })
        .await
    }

    /// Removes the passkey `public_id` of the user `user_id` and queues
    /// `mail` with it, in one transaction; `false` (and no mail) when the
    /// user has no such passkey.
    pub async fn remove_passkey(
        &self,
        user_id: UserId,
        public_id: &str,
        mail: Option<NewMail>,
    ) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let public_id = public_id.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let theirs = passkeys::table
                        .filter(passkeys::user_id.eq(user_id))
                        .filter(passkeys::public_id.eq(public_id));
                    let removed = diesel::delete(theirs).execute(connection)? > 0;
                    if let (true, Some(mail)) = (removed, &mail) {
                        diesel::insert_into(outbox::table)
                            .values(mail)
                            .execute(connection)?;
                    }
                    Ok(removed)
                })
            })
        })
        .await
    }

    /// Records `ceremony`, and deletes the ceremonies expired at `now`.
    pub async fn start_ceremony(&self, ceremony: NewCeremony, now: i64) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let expired = passkey_ceremonies::expires_at.le(now);
                diesel::delete(passkey_ceremonies::table.filter(expired)).execute(connection)?;
                diesel::insert_into(passkey_ceremonies::table)
                    .values(&ceremony)
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Takes the ceremony of `digest` out of the table, if it is `owner`'s
    /// (a registration of that user; `None`: a sign-in) and live at `now`:
    /// once taken, it cannot be finished again, here or on another
    /// instance. Another user's, or one of the other kind, stays. Its
    /// state.
    pub async fn take_ceremony(
        &self,
        digest: &str,
        owner: Option<i32>,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let ceremony =
                    passkey_ceremonies::table.filter(passkey_ceremonies::digest.eq(digest));
                let returned = (passkey_ceremonies::state, passkey_ceremonies::expires_at);
                let taken: Option<(String, i64)> = match owner {
                    Some(user_id) => {
                        let theirs = ceremony.filter(passkey_ceremonies::user_id.eq(user_id));
                        diesel::delete(theirs)
                            .returning(returned)
                            .get_result(connection)
                    }
                    None => {
                        let anyones = ceremony.filter(passkey_ceremonies::user_id.is_null());
                        diesel::delete(anyones)
                            .returning(returned)
                            .get_result(connection)
                    }
                }
                .optional()?;
                Ok(taken.and_then(|(state, expires_at)| (now < expires_at).then_some(state)))
            })
        })
        .await
    }
}
