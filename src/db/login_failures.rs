//! The `login_failures` table: failed logins counted per normalized email.

use diesel::prelude::*;

use super::schema::login_failures;
use super::{on_backend, DbConnection, DbError, DB};

/// The failed logins recorded for one normalized email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = login_failures)]
pub struct LoginFailures {
    /// Failures since the last success (or since the count restarted).
    pub failures: i32,
    /// Unix time of the latest failure.
    pub last_failed_at: i64,
    /// Until when (Unix time) no attempt is checked, if set.
    pub locked_until: Option<i64>,
}

impl DB {
    /// The failed logins recorded for `normalized_email`, if any.
    pub async fn find_login_failures(
        &self,
        normalized_email: &str,
    ) -> Result<Option<LoginFailures>, DbError> {
        let email = normalized_email.to_owned();
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                login_failures::table
                    .find(email)
                    .select(LoginFailures::as_select())
                    .first(connection)
                    .optional()
            })
        })
        .await
    }

    /// Counts one more failed login for `normalized_email` at `now`, or
    /// restarts the count at one when `restart` is set. Atomic, so that
    /// concurrent failures all count.
    pub async fn record_login_failure(
        &self,
        normalized_email: &str,
        now: i64,
        restart: bool,
    ) -> Result<LoginFailures, DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                // failures × 1 + 1 counts one more; failures × 0 + 1 restarts.
                let kept = i32::from(!restart);
                diesel::insert_into(login_failures::table)
                    .values((
                        login_failures::normalized_email.eq(email),
                        login_failures::failures.eq(1),
                        login_failures::last_failed_at.eq(now),
                    ))
                    .on_conflict(login_failures::normalized_email)
                    .do_update()
                    .set((
                        login_failures::failures.eq(login_failures::failures * kept + 1),
                        login_failures::last_failed_at.eq(now),
                    ))
                    .returning(LoginFailures::as_returning())
                    .get_result(connection)
            })
        })
        .await
    }

    /// Sets when the next login attempt of `normalized_email` may be checked.
    pub async fn lock_logins(&self, normalized_email: &str, until: i64) -> Result<(), DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(login_failures::table.find(email))
                    .set(login_failures::locked_until.eq(until))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Claims the right to check one login attempt of `normalized_email` at
    /// `now`, by locking further attempts until `lease_until`, in one atomic
    /// statement: of concurrent attempts, one gets it. `Ok(None)` when
    /// claimed, `Ok(Some(locked_until))` when another attempt's lock holds.
    pub async fn claim_login(
        &self,
        normalized_email: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<i64>, DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let free = login_failures::locked_until
                    .is_null()
                    .or(login_failures::locked_until.le(now));
                let claimed = diesel::update(login_failures::table.find(&email).filter(free))
                    .set(login_failures::locked_until.eq(lease_until))
                    .execute(connection)?;
                if claimed > 0 {
                    return Ok(None);
                }
                login_failures::table
                    .find(&email)
                    .select(login_failures::locked_until)
                    .first::<Option<i64>>(connection)
                    .optional()
                    .map(Option::flatten)
            })
        })
        .await
    }

    /// Forgets every email's failed logins last counted before `cutoff`
    /// (Unix seconds), which count no more; returns how many emails.
    pub async fn forget_login_failures_before(&self, cutoff: i64) -> Result<usize, DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(
                    login_failures::table.filter(login_failures::last_failed_at.lt(cutoff)),
                )
                .execute(connection)
            })
        })
        .await
    }

    /// Forgets the failed logins of `normalized_email`.
    pub async fn clear_login_failures(&self, normalized_email: &str) -> Result<(), DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(login_failures::table.find(email))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }
}
