//! The background sender: it claims due mails from the outbox, opens and
//! sends them, deletes what was sent, retries what could not be sent with
//! exponential backoff, and marks failed what never will be. When the
//! server cannot be reached, the rest of the batch waits without trying.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use lettre::Address;
use tokio::sync::Notify;

use super::transport::{SendError, Transport};
use crate::clock;
use crate::db::{MailOutcome, QueuedMail, DB};
use crate::metrics::{Delivery, Mail as MailMetrics};
use crate::seal::Sealer;

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
    /// Where to count the outbox's depth and the sendings, when metrics
    /// are served (counting the depth costs a query each round).
    metrics: Option<MailMetrics>,
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
            .map_err(|error| format!("mail.from: {error}"))?;
        Ok(Sender {
            db,
            transport,
            sealer,
            from: from.email,
            max_attempts,
            wake,
            metrics: None,
        })
    }

    /// This sender, counting the outbox's depth and its mails in `metrics`.
    pub fn counted_in(self, metrics: MailMetrics) -> Self {
        Sender {
            metrics: Some(metrics),
            ..self
        }
    }

    /// Sends until `shutdown` completes: whatever is due, then again when
    /// woken or every second. While the server cannot be reached, it rests
    /// `RETRY_BASE` seconds between tries rather than trying each new mail
    /// as it comes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let reachable = self.drain().await;
            if let Some(metrics) = &self.metrics {
                if let Ok(waiting) = self.db.count_waiting_mails().await {
                    metrics.outbox.set(waiting);
                }
            }
            let wait = match reachable {
                true => POLL,
                false => Duration::from_secs(RETRY_BASE),
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified(), if reachable => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Sends every mail due now, a batch at a time, and records how each
    /// batch went in one transaction. Whether the server could be reached.
    async fn drain(&self) -> bool {
        loop {
            let now = clock::now();
            let lease_until = now.saturating_add(clock::seconds(LEASE));
            let batch = match self.db.claim_mails(now, lease_until, BATCH).await {
                Ok(batch) => batch,
                Err(error) => {
                    log::warn!("outbox: cannot claim mails: {error}");
                    return true;
                }
            };
            let full = i64::try_from(batch.len()) == Ok(BATCH);
            let unreachable = AtomicBool::new(false);
            let results: Vec<(QueuedMail, Result<(), SendError>)> = stream::iter(batch)
                .map(|mail| self.deliver(mail, &unreachable))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            let outcome = self.outcome(results, clock::now());
            let counts = [
                (Delivery::Sent, outcome.sent.len()),
                (Delivery::Deferred, outcome.retried.len()),
                (Delivery::Failed, outcome.failed.len()),
            ];
            if let Err(error) = self.db.settle_mails(outcome, clock::now()).await {
                log::warn!("outbox: cannot record a batch of sendings: {error}");
            }
            if let Some(metrics) = &self.metrics {
                for (delivery, count) in counts {
                    metrics.count(delivery, count);
                }
            }
            if unreachable.into_inner() {
                return false;
            }
            if !full {
                return true;
            }
        }
    }

    /// Sends one claimed mail, unless the server has proved unreachable
    /// during this batch: then the mail waits like the others.
    async fn deliver(
        &self,
        mail: QueuedMail,
        unreachable: &AtomicBool,
    ) -> (QueuedMail, Result<(), SendError>) {
        if unreachable.load(Ordering::Relaxed) {
            let skipped = SendError::Unreachable("an earlier mail of the batch".to_owned());
            return (mail, Err(skipped));
        }
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
        if matches!(sent, Err(SendError::Unreachable(_))) {
            unreachable.store(true, Ordering::Relaxed);
        }
        (mail, sent)
    }

    /// What to record of each sending: sent, to try again (after a backoff),
    /// or failed for good (logged with its recipient).
    fn outcome(&self, results: Vec<(QueuedMail, Result<(), SendError>)>, now: i64) -> MailOutcome {
        let mut outcome = MailOutcome::default();
        for (mail, sent) in results {
            let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
            match sent {
                Ok(()) => outcome.sent.push(mail.id),
                Err(SendError::Transient(reason) | SendError::Unreachable(reason))
                    if attempts < self.max_attempts =>
                {
                    let wait = backoff(attempts);
                    log::warn!(
                        "mail to {:?} not sent (attempt {attempts} of {}), trying again in \
                         {wait} s: {reason}",
                        mail.recipient,
                        self.max_attempts
                    );
                    let next = now.saturating_add(clock::seconds(wait));
                    outcome.retried.push((mail.id, next));
                }
                Err(
                    SendError::Permanent(reason)
                    | SendError::Transient(reason)
                    | SendError::Unreachable(reason),
                ) => {
                    log::error!(
                        "mail to {:?} failed for good after {attempts} attempt(s): {reason}",
                        mail.recipient
                    );
                    outcome.failed.push(mail.id);
                }
            }
        }
        outcome
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
