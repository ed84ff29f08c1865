//! The `pending_sign_ins` table (sign-ins whose password was right,
//! waiting for their second factor) and the account's count of wrong
//! codes at sign-in.

use diesel::prelude::*;

use super::schema::{pending_sign_ins, users};
use super::{on_backend, Change, DbConnection, DbError, DB};
use crate::user::UserId;

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = pending_sign_ins)]
pub struct PendingSignIn {
    /// Whose password was right.
    pub user_id: i32,
    /// Whether the session to start outlives the browser.
    pub persistent: bool,
    /// Until when (Unix seconds) the code is awaited.
    pub expires_at: i64,
}

impl DB {
    /// Records a sign-in of `pending.user_id` waiting for its second
    /// factor, under the digest `digest`; deletes those expired at `now`.
    pub async fn await_code(
        &self,
        digest: &str,
        pending: PendingSignIn,
        now: i64,
    ) -> Result<(), DbError> {
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let expired = pending_sign_ins::expires_at.le(now);
                diesel::delete(pending_sign_ins::table.filter(expired)).execute(connection)?;
                diesel::insert_into(pending_sign_ins::table)
                    .values((
                        pending_sign_ins::digest.eq(digest),
                        pending_sign_ins::user_id.eq(pending.user_id),
                        pending_sign_ins::persistent.eq(pending.persistent),
                        pending_sign_ins::created_at.eq(now),
                        pending_sign_ins::expires_at.eq(pending.expires_at),
                    ))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The sign-in of digest `digest`, if it still waits at `now`.
    pub async fn pending_sign_in(
        &self,
        digest: &str,
        now: i64,
    ) -> Result<Option<PendingSignIn>, DbError> {
        let digest = digest.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                pending_sign_ins::table
                    .filter(pending_sign_ins::digest.eq(digest))
                    .filter(pending_sign_ins::expires_at.gt(now))
                    .select(PendingSignIn::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Ends the sign-in of digest `digest`, its code given: whether it
    /// still waited at `now` (a sign-in ends once, on whichever instance).
    pub async fn end_pending_sign_in(&self, digest: &str, now: i64) -> Result<bool, DbError> {
        let digest = digest.to_owned();
        let ended = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::delete(
                        pending_sign_ins::table
                            .filter(pending_sign_ins::digest.eq(digest))
                            .filter(pending_sign_ins::expires_at.gt(now)),
                    )
                    .execute(connection)
                })
            })
            .await?;
        Ok(ended > 0)
    }

    /// Counts one more wrong code at sign-in for the user `user_id`, in one
    /// transaction. At `cap` in a row, every sign-in of the user waiting
    /// for a code ends and the count starts again: whether it did.
    pub async fn count_wrong_code(&self, user_id: UserId, cap: i32) -> Result<bool, DbError> {
        let user_id = user_id.0;
        self.run_changing(Change::User(user_id), move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let user = users::table.find(user_id);
                    let failures: i32 = diesel::update(user)
                        .set(users::code_failures.eq(users::code_failures + 1))
                        .returning(users::code_failures)
                        .get_result(connection)?;
                    if failures < cap {
                        return Ok(false);
                    }
                    let waiting = pending_sign_ins::user_id.eq(user_id);
                    diesel::delete(pending_sign_ins::table.filter(waiting)).execute(connection)?;
                    diesel::update(user)
                        .set(users::code_failures.eq(0))
                        .execute(connection)?;
                    Ok(true)
                })
            })
        })
        .await
    }
}
