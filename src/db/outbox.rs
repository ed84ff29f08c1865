//! The `outbox` table: mails waiting to be sent, claimed by senders with a
//! lease so that each is sent by one instance at a time.

use diesel::prelude::*;

use super::schema::outbox;
use super::{DbConnection, DbError, DB};

/// A mail to queue: its sealed message, for `recipient`, due at
/// `next_attempt_at`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    /// The account it concerns, if any: its mails go when it goes.
    pub user_id: Option<i32>,
    pub recipient: String,
    /// The sealed RFC 5322 message.
    pub message: Vec<u8>,
    pub next_attempt_at: i64,
    pub created_at: i64,
}

/// A queued mail, as a sender (or a test) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct QueuedMail {
    pub id: i64,
    pub user_id: Option<i32>,
    pub recipient: String,
    /// The sealed message; `None` once the mail has failed for good.
    pub message: Option<Vec<u8>>,
    /// Attempts to send it so far, this one included once claimed.
    pub attempts: i32,
    pub next_attempt_at: i64,
    /// When the mail failed for good, if it did.
    pub failed_at: Option<i64>,
}

/// How a batch of claimed mails went, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailOutcome {
    pub sent: Vec<i64>,
    /// With the time of the next attempt.
    pub retried: Vec<(i64, i64)>,
    pub failed: Vec<i64>,
}

impl DB {
    /// Queues `mail` on its own.
    pub async fn queue_mail(&self, mail: NewMail) -> Result<(), DbError> {
        self.run(move |connection| {
            super::on_backend!(connection, |connection| {
                diesel::insert_into(outbox::table)
                    .values(&mail)
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Claims at most `limit` mails due at `now` that no sender holds, until
    /// `lease_until`, counting one more attempt for each. On PostgreSQL the
    /// rows are locked with `FOR UPDATE SKIP LOCKED`, so that concurrent
    /// senders of several instances claim different mails; SQLite has one
    /// writer at a time.
    pub async fn claim_mails(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<QueuedMail>, DbError> {
        let due = move || {
            outbox::table
                .select(outbox::id)
                .filter(outbox::failed_at.is_null())
                .filter(outbox::next_attempt_at.le(now))
                .filter(
                    outbox::lease_until
                        .is_null()
                        .or(outbox::lease_until.lt(now)),
                )
                .order(outbox::id)
                .limit(limit)
        };
        // A macro, like every query written for both backends (see
        // `on_backend!`).
        macro_rules! lease {
            ($connection:expr, $ids:expr) => {{
                let ids: Vec<i64> = $ids;
                diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
                    .set((
                        outbox::lease_until.eq(lease_until),
                        outbox::attempts.eq(outbox::attempts + 1),
                    ))
                    .returning(QueuedMail::as_returning())
                    .get_results($connection)
            }};
        }
        self.run(move |connection| match connection {
            DbConnection::Sqlite(connection) => {
                // A read first: the write lock is taken only when there is
                // something to claim, not at every poll of an idle outbox.
                if due().load::<i64>(connection)?.is_empty() {
                    return Ok(Vec::new());
                }
                connection.immediate_transaction(|connection| {
                    let ids = due().load(connection)?;
                    lease!(connection, ids)
                })
            }
            DbConnection::Postgres(connection) => connection.transaction(|connection| {
                let ids = due().for_update().skip_locked().load(connection)?;
                lease!(connection, ids)
            }),
        })
        .await
    }

    /// Records how a batch of claimed mails went, in one transaction: the
    /// sent ones are deleted, message and all; the `retried` ones (id, next
    /// attempt) are released to be tried again then; the `failed` ones are
    /// marked failed at `now` and their message (and the token in it) is
    /// deleted.
    pub async fn settle_mails(&self, outcome: MailOutcome, now: i64) -> Result<(), DbError> {
        self.run(move |connection| {
            super::on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    diesel::delete(outbox::table.filter(outbox::id.eq_any(&outcome.sent)))
                        .execute(connection)?;
                    for (id, next_attempt_at) in &outcome.retried {
                        diesel::update(outbox::table.find(id))
                            .set((
                                outbox::lease_until.eq(None::<i64>),
                                outbox::next_attempt_at.eq(next_attempt_at),
                            ))
                            .execute(connection)?;
                    }
                    diesel::update(outbox::table.filter(outbox::id.eq_any(&outcome.failed)))
                        .set((
                            outbox::lease_until.eq(None::<i64>),
                            outbox::failed_at.eq(now),
                            outbox::message.eq(None::<Vec<u8>>),
                        ))
                        .execute(connection)
                        .map(drop)
                })
            })
        })
        .await
    }

    /// Every mail in the outbox, waiting or failed, oldest first.
    pub async fn queued_mails(&self) -> Result<Vec<QueuedMail>, DbError> {
        self.read(move |connection| {
            super::on_backend!(connection, |connection| {
                outbox::table
                    .select(QueuedMail::as_select())
                    .order(outbox::id)
                    .load(connection)
            })
        })
        .await
    }

    /// How many mails wait to be sent (failed ones aside).
    pub async fn count_waiting_mails(&self) -> Result<i64, DbError> {
        self.read(move |connection| {
            super::on_backend!(connection, |connection| {
                outbox::table
                    .filter(outbox::failed_at.is_null())
                    .count()
                    .get_result(connection)
            })
        })
        .await
    }
}
