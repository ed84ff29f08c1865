//! The background sender: it claims due mails from the outbox, opens and
//! sends them, deletes what was sent, retries what could not be sent with
//! exponential backoff, and marks failed what never will be.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use lettre::Address;
use tokio::sync::Notify;

use super::seal::Sealer;
use super::transport::{SendError, Transport};
use crate::clock;
use crate::db::{QueuedMail, DB};

/// Mails claimed at a time.
const BATCH: i64 = 64;
/// Mails in flight at a time.
const CONCURRENCY: usize = 16;
/// How long a claimed mail is this sender's, in seconds: a few SMTP
/// timeouts. A sender that dies leaves its mails to others after that.
const LEASE: u64 = 60;
/// How often the outbox is read when nothing wakes the sender: for mails
/// due again, and those posted by other instances.
const POLL: Duration = Duration::from_secs(1);
/// The wait before the second attempt, in seconds; it doubles with each
/// further attempt, up to `RETRY_MAX`.
const RETRY_BASE: u64 = 2;
const RETRY_MAX: u64 = 60 * 60;

/// Delivers the outbox.
pub struct Sender {
    db: DB,
    transport: Transport,
    sealer: Arc<Sealer>,
    from: Address,
    max_attempts: u32,
    wake: Arc<Notify>,
}

impl Sender {
    /// A sender of `db`'s outbox through `transport`, opening with
    /// `sealer`, as `from` (a mailbox), giving up after `max_attempts`,
    /// woken by `wake`.
    pub fn new(
        db: DB,
        transport: Transport,
        sealer: Arc<Sealer>,
        from: &str,
        max_attempts: u32,
        wake: Arc<Notify>,
    ) -> Result<Self, String> {
        let from: lettre::message::Mailbox = from
            .parse()
            .map_err(|error| format!("mail_from: {error}"))?;
        Ok(Sender {
            db,
            transport,
            sealer,
            from: from.email,
            max_attempts,
            wake,
        })
    }

    /// Sends until `shutdown` completes: whatever is due, then again when
    /// woken or every second.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            self.drain().await;
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Sends every mail due now, a batch at a time.
    async fn drain(&self) {
        loop {
            let now = clock::now();
            let lease_until = now.saturating_add(clock::seconds(LEASE));
            let batch = match self.db.claim_mails(now, lease_until, BATCH).await {
                Ok(batch) => batch,
                Err(error) => {
                    log::warn!("outbox: cannot claim mails: {error}");
                    return;
                }
            };
            let full = i64::try_from(batch.len()) == Ok(BATCH);
            stream::iter(batch)
                .for_each_concurrent(CONCURRENCY, |mail| self.deliver(mail))
                .await;
            if !full {
                return;
            }
        }
    }

    /// Sends one claimed mail and records how it went.
    async fn deliver(&self, mail: QueuedMail) {
        let message = mail
            .message
            .as_deref()
            .and_then(|sealed| self.sealer.open(&mail.recipient, sealed));
        let sent = match message {
            Some(message) => {
                self.transport
                    .send(&self.from, &mail.recipient, &message)
                    .await
            }
            None => Err(SendError::Permanent(
                "its message does not open (was the secret key changed?)".to_owned(),
            )),
        };
        let now = clock::now();
        let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
        let recorded = match sent {
            Ok(()) => self.db.mail_sent(mail.id).await,
            Err(SendError::Transient(reason)) if attempts < self.max_attempts => {
                let wait = backoff(attempts);
                log::warn!(
                    "mail to {:?} not sent (attempt {attempts} of {}), trying again in {wait} s: \
                     {reason}",
                    mail.recipient,
                    self.max_attempts
                );
                let next = now.saturating_add(clock::seconds(wait));
                self.db.retry_mail(mail.id, next).await
            }
            Err(SendError::Permanent(reason) | SendError::Transient(reason)) => {
                log::error!(
                    "mail to {:?} failed for good after {attempts} attempt(s): {reason}",
                    mail.recipient
                );
                self.db.give_up_mail(mail.id, now).await
            }
        };
        if let Err(error) = recorded {
            log::warn!("outbox: cannot record a sending: {error}");
        }
    }
}

/// The wait after `attempts` failed attempts, in seconds.
fn backoff(attempts: u32) -> u64 {
    let doublings = attempts.saturating_sub(1).min(31);
    RETRY_BASE.saturating_mul(1 << doublings).min(RETRY_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let waits: Vec<u64> = (1..=5).map(backoff).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32]);
        assert_eq!(backoff(12), 3600);
        assert_eq!(backoff(u32::MAX), 3600);
    }
}
