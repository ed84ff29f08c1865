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

/// How a claim of one login attempt went (see [`DB::claim_login_attempt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginClaim {
    /// The attempt may be checked. It is counted already, as the
    /// `failures`th since the last success; `leased` when it holds the
    /// email alone (no other attempt is admitted until it is settled).
    Admitted { failures: i32, leased: bool },
    /// Another attempt holds the email, or the wait after the last
    /// failure is not over: not before this time (Unix seconds).
    Refused { until: i64 },
}

/// What a claim asks for: when, how many attempts are free, and until
/// when a claim past them holds the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimTerms {
    pub now: i64,
    /// Failures last counted before this time count no more.
    pub forget_before: i64,
    /// Attempts admitted before each further one waits.
    pub free: i32,
    /// Until when the last free attempt, or one past them, holds the
    /// email if it is not settled earlier.
    pub lease_until: i64,
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

    /// Claims one login attempt of `key` (a normalized email, or another
    /// throttled key) on `terms`, in one transaction, so that concurrent
    /// attempts (on one instance or several) are counted one by one: the
    /// attempt is counted as a failure up front (a success forgets it). Of
    /// the free attempts, each is admitted; the last free one, and each one
    /// past them once the wait after the previous failure is over, holds
    /// the email alone until `lease_until` (or until it is settled). Any
    /// other attempt is refused.
    pub async fn claim_login_attempt(
        &self,
        key: &str,
        terms: ClaimTerms,
    ) -> Result<LoginClaim, DbError> {
        let key = key.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let ClaimTerms {
                        now,
                        forget_before,
                        free,
                        lease_until,
                    } = terms;
                    // A write first: on SQLite, the transaction holds the
                    // write lock from here; on PostgreSQL, the row is
                    // locked by the first update, and concurrent claims
                    // wait for this one.
                    diesel::insert_into(login_failures::table)
                        .values((
                            login_failures::normalized_email.eq(&key),
                            login_failures::failures.eq(0),
                            login_failures::last_failed_at.eq(now),
                        ))
                        .on_conflict_do_nothing()
                        .execute(connection)?;
                    let row = login_failures::table.find(&key);
                    diesel::update(row.filter(login_failures::last_failed_at.lt(forget_before)))
                        .set((
                            login_failures::failures.eq(0),
                            login_failures::locked_until.eq(None::<i64>),
                        ))
                        .execute(connection)?;
                    let count = (
                        login_failures::failures.eq(login_failures::failures + 1),
                        login_failures::last_failed_at.eq(now),
                    );
                    let counted: Option<i32> =
                        diesel::update(row.filter(login_failures::failures.lt(free)))
                            .set(count)
                            .returning(login_failures::failures)
                            .get_result(connection)
                            .optional()?;
                    if let Some(failures) = counted {
                        let leased = failures >= free;
                        if leased {
                            diesel::update(row)
                                .set(login_failures::locked_until.eq(lease_until))
                                .execute(connection)?;
                        }
                        return Ok(LoginClaim::Admitted { failures, leased });
                    }
                    let unlocked = login_failures::locked_until
                        .is_null()
                        .or(login_failures::locked_until.le(now));
                    let leased: Option<i32> = diesel::update(row.filter(unlocked))
                        .set((count, login_failures::locked_until.eq(lease_until)))
                        .returning(login_failures::failures)
                        .get_result(connection)
                        .optional()?;
                    if let Some(failures) = leased {
                        return Ok(LoginClaim::Admitted {
                            failures,
                            leased: true,
                        });
                    }
                    let until: Option<i64> =
                        row.select(login_failures::locked_until).first(connection)?;
                    Ok(LoginClaim::Refused {
                        until: until.unwrap_or(now),
                    })
                })
            })
        })
        .await
    }

    /// Gives back an attempt of `key` claimed at `now` that could not be
    /// checked: it counts no more, and the email is free again if the
    /// attempt held it (`leased`).
    pub async fn give_back_login_attempt(
        &self,
        key: &str,
        now: i64,
        leased: bool,
    ) -> Result<(), DbError> {
        let key = key.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let row = login_failures::table
                    .find(key)
                    .filter(login_failures::failures.gt(0));
                let uncounted = login_failures::failures.eq(login_failures::failures - 1);
                match leased {
                    true => diesel::update(row)
                        .set((uncounted, login_failures::locked_until.eq(now)))
                        .execute(connection),
                    false => diesel::update(row).set(uncounted).execute(connection),
                }
                .map(drop)
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

    /// Forgets the failed logins of each of `keys`.
    pub async fn clear_login_failures(&self, keys: Vec<String>) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(
                    login_failures::table.filter(login_failures::normalized_email.eq_any(keys)),
                )
                .execute(connection)
                .map(drop)
            })
        })
        .await
    }
}
