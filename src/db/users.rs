//! The `users` table.

use diesel::prelude::*;

use super::outbox::NewMail;
use super::schema::{
    authorization_codes, device_cookies, login_failures, oauth_tokens, outbox, passkeys,
    pending_sign_ins, recovery_codes, sessions, users,
};
use super::{on_backend, one_row_updated, Change, DbConnection, DbError, DB};
use crate::language::Language;
use crate::user::{User, UserId};

/// A row of `users`, as Diesel reads it: the domain's [`User`] field for
/// field (`user.rs` documents each), so that the domain type knows no
/// schema.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(super) struct UserRow {
    id: i32,
    email: String,
    normalized_email: String,
    hashed_password: String,
    reset_token: Option<String>,
    reset_token_expires_at: Option<i64>,
    created_at: i64,
    email_verified_at: Option<i64>,
    verify_token: Option<String>,
    verify_token_expires_at: Option<i64>,
    reset_mail_sent_at: Option<i64>,
    verify_mail_sent_at: Option<i64>,
    totp_secret: Option<Vec<u8>>,
    totp_enabled_at: Option<i64>,
    totp_last_step: Option<i64>,
    credential_generation: i64,
    reset_token_generation: Option<i64>,
    verify_token_generation: Option<i64>,
    pending_email: Option<String>,
    email_change_token: Option<String>,
    email_change_cancel_token: Option<String>,
    email_change_expires_at: Option<i64>,
    email_change_generation: Option<i64>,
    code_failures: i32,
    language: String,
    disabled_at: Option<i64>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            email: row.email,
            normalized_email: row.normalized_email,
            hashed_password: row.hashed_password,
            reset_token: row.reset_token,
            reset_token_expires_at: row.reset_token_expires_at,
            created_at: row.created_at,
            email_verified_at: row.email_verified_at,
            verify_token: row.verify_token,
            verify_token_expires_at: row.verify_token_expires_at,
            reset_mail_sent_at: row.reset_mail_sent_at,
            verify_mail_sent_at: row.verify_mail_sent_at,
            totp_secret: row.totp_secret,
            totp_enabled_at: row.totp_enabled_at,
            totp_last_step: row.totp_last_step,
            credential_generation: row.credential_generation,
            reset_token_generation: row.reset_token_generation,
            verify_token_generation: row.verify_token_generation,
            pending_email: row.pending_email,
            email_change_token: row.email_change_token,
            email_change_cancel_token: row.email_change_cancel_token,
            email_change_expires_at: row.email_change_expires_at,
            email_change_generation: row.email_change_generation,
            code_failures: row.code_failures,
            // A tag this release does not speak reads as the default.
            language: Language::of(&row.language).unwrap_or_default(),
            disabled_at: row.disabled_at,
        }
    }
}

/// What typing a recovery code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryCodeUse {
    /// It was unused: it is used now.
    Used,
    /// It was used before: it works no more.
    UsedBefore,
    /// It is none of the user's codes.
    Unknown,
}

/// How to find one user: every criterion is backed by a unique index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserQuery {
    Id(UserId),
    /// The normalized (lowercase, trimmed) email.
    Email(String),
    /// The digest of the id of one of the user's sessions.
    SessionId(String),
    /// The digest of a reset token.
    ResetToken(String),
    /// The digest of an address verification token.
    VerifyToken(String),
    /// The digest of the token that confirms a change of address.
    EmailChangeToken(String),
    /// The digest of the token that cancels a change of address.
    EmailChangeCancelToken(String),
}

/// What must hold of a user for an update to apply, checked in the update
/// statement itself, so that concurrent requests cannot both pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCondition {
    /// Nothing: the user exists.
    Exists,
    /// The user still holds the reset token of this digest, issued at the
    /// current credential generation.
    ResetToken(String),
    /// The user still holds the verification token of this digest, issued
    /// at the current credential generation.
    VerifyToken(String),
    /// The user still waits for the change of address whose confirming
    /// token has this digest, asked at the current credential generation.
    EmailChangeToken(String),
    /// The user still waits for the change of address whose cancelling
    /// token has this digest.
    EmailChangeCancelToken(String),
    /// No reset mail went to the user after this time.
    NoResetMailSince(i64),
    /// No verification mail went to the user after this time.
    NoVerifyMailSince(i64),
    /// No TOTP code of this time step, or a later one, was accepted yet.
    TotpStepBefore(i64),
}

/// A new row of `users`.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub normalized_email: &'a str,
    pub hashed_password: &'a str,
    pub created_at: i64,
}

/// Columns to change on one user; `None` leaves a column as it is and
/// `Some(None)` clears a nullable one.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub normalized_email: Option<String>,
    pub hashed_password: Option<String>,
    pub reset_token: Option<Option<String>>,
    pub reset_token_expires_at: Option<Option<i64>>,
    pub email_verified_at: Option<Option<i64>>,
    pub verify_token: Option<Option<String>>,
    pub verify_token_expires_at: Option<Option<i64>>,
    pub reset_mail_sent_at: Option<Option<i64>>,
    pub verify_mail_sent_at: Option<Option<i64>>,
    pub totp_secret: Option<Option<Vec<u8>>>,
    pub totp_enabled_at: Option<Option<i64>>,
    pub totp_last_step: Option<Option<i64>>,
    pub reset_token_generation: Option<Option<i64>>,
    pub verify_token_generation: Option<Option<i64>>,
    pub pending_email: Option<Option<String>>,
    pub email_change_token: Option<Option<String>>,
    pub email_change_cancel_token: Option<Option<String>>,
    pub email_change_expires_at: Option<Option<i64>>,
    pub email_change_generation: Option<Option<i64>>,
    pub code_failures: Option<i32>,
    /// The tag of a [`Language`].
    pub language: Option<String>,
    pub disabled_at: Option<Option<i64>>,
}

impl UserChanges {
    /// No change of address under way any more.
    pub fn without_email_change(self) -> Self {
        UserChanges {
            pending_email: Some(None),
            email_change_token: Some(None),
            email_change_cancel_token: Some(None),
            email_change_expires_at: Some(None),
            email_change_generation: Some(None),
            ..self
        }
    }

    /// No second factor any more: two-factor sign-in off, its secret gone.
    pub fn without_totp(self) -> Self {
        UserChanges {
            totp_secret: Some(None),
            totp_enabled_at: Some(None),
            totp_last_step: Some(None),
            ..self
        }
    }
}

/// Replaces every recovery code of the user `$user_id` with `$digests`,
/// on `$connection` (within the caller's transaction). A macro, like every
/// query written for both backends (see `on_backend!`).
macro_rules! replace_codes {
    ($connection:expr, $user_id:expr, $digests:expr) => {{
        let of_user = recovery_codes::user_id.eq($user_id);
        diesel::delete(recovery_codes::table.filter(of_user)).execute($connection)?;
        let rows: Vec<_> = $digests
            .iter()
            .map(|digest| (of_user, recovery_codes::digest.eq(digest)))
            .collect();
        diesel::insert_into(recovery_codes::table)
            .values(&rows)
            .execute($connection)?;
    }};
}

/// An update of one user, applied whole or not at all: its `changes` if
/// `condition` holds, then the sessions and device cookies it ends and the
/// mails it queues.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub condition: UserCondition,
    pub changes: UserChanges,
    /// The sessions it ends; ending any also ends every sign-in waiting
    /// for its second factor.
    pub end_sessions: EndSessions,
    pub end_device_cookies: EndDeviceCookies,
    pub mails: Vec<NewMail>,
    /// The digests of the user's recovery codes from now on, replacing
    /// every one before (`Some(vec![])` deletes them all).
    pub recovery_codes: Option<Vec<String>>,
    /// Whether it replaces a credential (the password or the address): the
    /// credential generation moves on, and every reset and verification
    /// token and any change of address under way, issued before, is gone.
    pub new_credentials: bool,
    /// Whether every passkey of the user is removed.
    pub remove_passkeys: bool,
}

impl UserUpdate {
    /// `changes`, if `condition` holds; no session ends, no mail.
    pub fn new(condition: UserCondition, changes: UserChanges) -> Self {
        UserUpdate {
            condition,
            changes,
            end_sessions: EndSessions::None,
            end_device_cookies: EndDeviceCookies::None,
            mails: Vec::new(),
            recovery_codes: None,
            new_credentials: false,
            remove_passkeys: false,
        }
    }
}

/// Which of the user's sessions an update ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSessions {
    None,
    All,
    /// All but the session of this id (the one making the change).
    AllBut(i64),
}

/// Which of the user's device cookies an update ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndDeviceCookies {
    None,
    /// Every one but those of these digests (of the device making the
    /// change).
    AllBut(Vec<String>),
}

impl DB {
    /// Inserts a user; `Conflict` when the normalized email is taken.
    pub async fn add_user(
        &self,
        email: &str,
        normalized_email: &str,
        hashed_password: &str,
        created_at: i64,
    ) -> Result<User, DbError> {
        let (email, normalized_email, hashed_password) = (
            email.to_owned(),
            normalized_email.to_owned(),
            hashed_password.to_owned(),
        );
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::insert_into(users::table)
                    .values(NewUser {
                        email: &email,
                        normalized_email: &normalized_email,
                        hashed_password: &hashed_password,
                        created_at,
                    })
                    .returning(UserRow::as_returning())
                    .get_result::<UserRow>(connection)
                    .map(User::from)
            })
        })
        .await
    }

    /// The user matching `query`; `NotFound` when there is none.
    pub async fn find_user_by(&self, query: UserQuery) -> Result<User, DbError> {
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                let select = users::table.select(UserRow::as_select());
                let row: Result<UserRow, _> = match query {
                    UserQuery::Id(id) => select.filter(users::id.eq(id.0)).first(connection),
                    UserQuery::Email(email) => select
                        .filter(users::normalized_email.eq(email))
                        .first(connection),
                    UserQuery::SessionId(digest) => users::table
                        .inner_join(sessions::table)
                        .filter(sessions::digest.eq(digest))
                        .select(UserRow::as_select())
                        .first(connection),
                    UserQuery::ResetToken(digest) => select
                        .filter(users::reset_token.eq(digest))
                        .first(connection),
                    UserQuery::VerifyToken(digest) => select
                        .filter(users::verify_token.eq(digest))
                        .first(connection),
                    UserQuery::EmailChangeToken(digest) => select
                        .filter(users::email_change_token.eq(digest))
                        .first(connection),
                    UserQuery::EmailChangeCancelToken(digest) => select
                        .filter(users::email_change_cancel_token.eq(digest))
                        .first(connection),
                };
                row.map(User::from)
            })
        })
        .await
    }

    /// The first `limit` users, oldest first.
    pub async fn list_users(&self, limit: i64) -> Result<Vec<User>, DbError> {
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                users::table
                    .select(UserRow::as_select())
                    .order(users::id)
                    .limit(limit)
                    .load::<UserRow>(connection)
                    .map(|rows| rows.into_iter().map(User::from).collect())
            })
        })
        .await
    }

    /// Applies `changes` to the user `user_id`; `NotFound` when there is no
    /// such user, `InvalidRequest` when `changes` changes nothing.
    pub async fn update_user(&self, user_id: UserId, changes: UserChanges) -> Result<(), DbError> {
        let user_id = user_id.0;
        let updated = self
            .run_changing(Change::User(user_id), move |connection| {
                on_backend!(connection, |connection| {
                    diesel::update(users::table.find(user_id))
                        .set(&changes)
                        .execute(connection)
                })
            })
            .await?;
        one_row_updated(updated)
    }

    /// Applies `changes` to the user `user_id` only if it still holds the reset
    /// token digest `reset_token`, so that a token is redeemed at most once even
    /// by concurrent requests. `NotFound` when it no longer does.
    pub async fn redeem_reset_token(
        &self,
        user_id: UserId,
        reset_token: &str,
        changes: UserChanges,
    ) -> Result<(), DbError> {
        let condition = UserCondition::ResetToken(reset_token.to_owned());
        let updated = self
            .apply_user_update(user_id, UserUpdate::new(condition, changes))
            .await?;
        one_row_updated(usize::from(updated))
    }

    /// Applies `update` to the user `user_id` in one transaction: all or
    /// nothing. Whether the user was changed (and so the sessions ended and
    /// the mails queued); `Conflict` when the new email is taken.
    pub async fn apply_user_update(
        &self,
        user_id: UserId,
        update: UserUpdate,
    ) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let UserUpdate {
            condition,
            changes,
            end_sessions,
            end_device_cookies,
            mails,
            recovery_codes: codes,
            new_credentials,
            remove_passkeys,
        } = update;
        self.run_changing(Change::User(user_id), move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let user = users::table.find(user_id);
                    let current = users::credential_generation.nullable();
                    let updated = match condition {
                        UserCondition::Exists => {
                            diesel::update(user).set(&changes).execute(connection)
                        }
                        UserCondition::ResetToken(digest) => diesel::update(
                            user.filter(users::reset_token.eq(digest))
                                .filter(users::reset_token_generation.eq(current)),
                        )
                        .set(&changes)
                        .execute(connection),
                        UserCondition::VerifyToken(digest) => diesel::update(
                            user.filter(users::verify_token.eq(digest))
                                .filter(users::verify_token_generation.eq(current)),
                        )
                        .set(&changes)
                        .execute(connection),
                        UserCondition::EmailChangeToken(digest) => diesel::update(
                            user.filter(users::email_change_token.eq(digest))
                                .filter(users::email_change_generation.eq(current)),
                        )
                        .set(&changes)
                        .execute(connection),
                        UserCondition::EmailChangeCancelToken(digest) => {
                            diesel::update(user.filter(users::email_change_cancel_token.eq(digest)))
                                .set(&changes)
                                .execute(connection)
                        }
                        UserCondition::NoResetMailSince(since) => {
                            let quiet = users::reset_mail_sent_at
                                .is_null()
                                .or(users::reset_mail_sent_at.le(since));
                            diesel::update(user.filter(quiet))
                                .set(&changes)
                                .execute(connection)
                        }
                        UserCondition::NoVerifyMailSince(since) => {
                            let quiet = users::verify_mail_sent_at
                                .is_null()
                                .or(users::verify_mail_sent_at.le(since));
                            diesel::update(user.filter(quiet))
                                .set(&changes)
                                .execute(connection)
                        }
                        UserCondition::TotpStepBefore(step) => {
                            let unused = users::totp_last_step
                                .is_null()
                                .or(users::totp_last_step.lt(step));
                            diesel::update(user.filter(unused))
                                .set(&changes)
                                .execute(connection)
                        }
                    }?;
                    if updated == 0 {
                        return Ok(false);
                    }
                    if new_credentials {
                        diesel::update(user)
                            .set((
                                users::credential_generation.eq(users::credential_generation + 1),
                                &UserChanges {
                                    reset_token: Some(None),
                                    reset_token_expires_at: Some(None),
                                    reset_token_generation: Some(None),
                                    verify_token: Some(None),
                                    verify_token_expires_at: Some(None),
                                    verify_token_generation: Some(None),
                                    ..UserChanges::default()
                                }
                                .without_email_change(),
                            ))
                            .execute(connection)?;
                        // What applications were given under the old
                        // credentials ends too (OpenID Connect tokens).
                        let tokens = oauth_tokens::user_id.eq(user_id);
                        diesel::delete(oauth_tokens::table.filter(tokens)).execute(connection)?;
                        let codes = authorization_codes::user_id.eq(user_id);
                        diesel::delete(authorization_codes::table.filter(codes))
                            .execute(connection)?;
                    }
                    let of_user = sessions::user_id.eq(user_id);
                    match end_sessions {
                        EndSessions::None => 0,
                        EndSessions::All => {
                            diesel::delete(sessions::table.filter(of_user)).execute(connection)?
                        }
                        EndSessions::AllBut(keep) => diesel::delete(
                            sessions::table
                                .filter(of_user)
                                .filter(sessions::id.ne(keep)),
                        )
                        .execute(connection)?,
                    };
                    if end_sessions != EndSessions::None {
                        let waiting = pending_sign_ins::user_id.eq(user_id);
                        diesel::delete(pending_sign_ins::table.filter(waiting))
                            .execute(connection)?;
                    }
                    if remove_passkeys {
                        diesel::delete(passkeys::table.filter(passkeys::user_id.eq(user_id)))
                            .execute(connection)?;
                    }
                    if let EndDeviceCookies::AllBut(keep) = end_device_cookies {
                        let of_user =
                            device_cookies::table.filter(device_cookies::user_id.eq(user_id));
                        diesel::delete(of_user.filter(device_cookies::digest.ne_all(keep)))
                            .execute(connection)?;
                    }
                    if !mails.is_empty() {
                        diesel::insert_into(outbox::table)
                            .values(&mails)
                            .execute(connection)?;
                    }
                    if let Some(digests) = codes {
                        replace_codes!(connection, user_id, digests);
                    }
                    Ok(true)
                })
            })
        })
        .await
    }

    /// Replaces every recovery code of the user `user_id` with `digests`.
    pub async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        digests: Vec<String>,
    ) -> Result<(), DbError> {
        let user_id = user_id.0;
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    replace_codes!(connection, user_id, digests);
                    Ok(())
                })
            })
        })
        .await
    }

    /// Uses the recovery code of digest `digest` of the user `user_id` at
    /// `now`, if it is unused (each works once): whether it was, or was
    /// used before, or is none of theirs.
    pub async fn use_recovery_code(
        &self,
        user_id: UserId,
        digest: &str,
        now: i64,
    ) -> Result<RecoveryCodeUse, DbError> {
        let user_id = user_id.0;
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let code = recovery_codes::table.find((user_id, digest));
                let unused = code.clone().filter(recovery_codes::used_at.is_null());
                let set = recovery_codes::used_at.eq(Some(now));
                if diesel::update(unused).set(set).execute(connection)? > 0 {
                    return Ok(RecoveryCodeUse::Used);
                }
                let known: i64 = code.count().get_result(connection)?;
                Ok(match known {
                    0 => RecoveryCodeUse::Unknown,
                    _ => RecoveryCodeUse::UsedBefore,
                })
            })
        })
        .await
    }

    /// How many unused recovery codes the user `user_id` has.
    pub async fn count_recovery_codes(&self, user_id: UserId) -> Result<i64, DbError> {
        let user_id = user_id.0;
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                recovery_codes::table
                    .filter(recovery_codes::user_id.eq(user_id))
                    .filter(recovery_codes::used_at.is_null())
                    .count()
                    .get_result(connection)
            })
        })
        .await
    }

    /// Deletes the user `user_id`, with everything that hangs on it
    /// (sessions, devices, waiting mails) and the failed logins counted
    /// against `throttle_keys` (its address's). `NotFound` when there is
    /// no such user.
    pub async fn delete_user(
        &self,
        user_id: UserId,
        throttle_keys: Vec<String>,
    ) -> Result<(), DbError> {
        let user_id = user_id.0;
        let deleted = self
            .run_changing(Change::User(user_id), move |connection| {
                on_backend!(connection, |connection| {
                    connection.transaction(|connection| {
                        let counted = login_failures::normalized_email.eq_any(throttle_keys);
                        diesel::delete(login_failures::table.filter(counted))
                            .execute(connection)?;
                        diesel::delete(users::table.find(user_id)).execute(connection)
                    })
                })
            })
            .await?;
        one_row_updated(deleted)
    }
}
