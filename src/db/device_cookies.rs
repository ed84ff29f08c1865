//! The `device_cookies` table: the device cookies handed out, and the
//! failed logins counted against each.

use diesel::prelude::*;

use super::schema::{device_cookies, users};
use super::{on_backend, DbConnection, DbError, DB};

/// A device cookie to record as a session starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCookieStart {
    /// The digest of the nonce handed to the client.
    pub digest: String,
    pub expires_at: i64,
    /// The digests of the device cookies the client presented: those of
    /// the user are replaced by this one.
    pub replacing: Vec<String>,
}

impl DB {
    /// Claims one login attempt for one of the device cookies `digests`
    /// that is the user `normalized_email`'s, at `now`: counts it as a
    /// failure up front if the cookie is unexpired and under
    /// `free_attempts` failures. The digest of the cookie claimed, if any
    /// (else the attempt is an untrusted client's).
    pub async fn claim_device_attempt(
        &self,
        normalized_email: &str,
        digests: Vec<String>,
        now: i64,
        free_attempts: i32,
    ) -> Result<Option<String>, DbError> {
        let email = normalized_email.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let usable = device_cookies::table
                        .inner_join(users::table)
                        .filter(users::normalized_email.eq(email))
                        .filter(device_cookies::digest.eq_any(digests))
                        .filter(device_cookies::expires_at.gt(now))
                        .filter(device_cookies::failures.lt(free_attempts));
                    let Some(digest) = usable
                        .select(device_cookies::digest)
                        .first::<String>(connection)
                        .optional()?
                    else {
                        return Ok(None);
                    };
                    // The filter again: a concurrent attempt may have taken
                    // the last free one since.
                    let claimed = diesel::update(
                        device_cookies::table
                            .filter(device_cookies::digest.eq(&digest))
                            .filter(device_cookies::failures.lt(free_attempts)),
                    )
                    .set(device_cookies::failures.eq(device_cookies::failures + 1))
                    .execute(connection)?;
                    Ok((claimed > 0).then_some(digest))
                })
            })
        })
        .await
    }

    /// Settles the claimed attempt of the device cookie `digest`: right, its
    /// failures are forgotten; wrong, the one counted stands, and at
    /// `free_attempts` the cookie itself is deleted (locked out); not
    /// checked (hashing busy), the count is given back.
    pub async fn settle_device_attempt(
        &self,
        digest: &str,
        outcome: DeviceAttempt,
        free_attempts: i32,
    ) -> Result<(), DbError> {
        let digest = digest.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                let cookie = device_cookies::table.filter(device_cookies::digest.eq(digest));
                match outcome {
                    DeviceAttempt::Right => diesel::update(cookie)
                        .set(device_cookies::failures.eq(0))
                        .execute(connection),
                    DeviceAttempt::Wrong => {
                        diesel::delete(cookie.filter(device_cookies::failures.ge(free_attempts)))
                            .execute(connection)
                    }
                    DeviceAttempt::Unchecked => {
                        diesel::update(cookie.filter(device_cookies::failures.gt(0)))
                            .set(device_cookies::failures.eq(device_cookies::failures - 1))
                            .execute(connection)
                    }
                }
                .map(drop)
            })
        })
        .await
    }
}

/// How a device cookie's claimed login attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceAttempt {
    Right,
    Wrong,
    /// The password could not be checked.
    Unchecked,
}
