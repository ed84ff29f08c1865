//! Login throttling: a per-email back-off kept in the database, and a
//! per-client-address limit in memory as a first layer, for untrusted
//! clients; a per-device-cookie count for clients that present one of the
//! account's device cookies (see `device_cookies`).
//!
//! Each login attempt is first [admitted](LoginThrottle::admit), then, once
//! its password is checked, settled: [`succeeded`](LoginThrottle::succeeded),
//! [`failed`](LoginThrottle::failed), or [`abandoned`](LoginThrottle::abandoned)
//! when it could not be checked at all.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::clock::seconds;
use crate::config::Settings;
use crate::db::{DbError, DeviceAttempt, LoginFailures, DB};

/// How long an email waits between login attempts after failures, and how
/// many attempts (and passkey sign-ins started) one client address may
/// make per minute.
pub struct LoginThrottle {
    free_attempts: u32,
    base: u64,
    max: u64,
    window: u64,
    addresses: AddressLimiter,
    /// Passkey sign-ins started, apart from password attempts: the login
    /// page starts one as it opens (for autofill), so they come
    /// `CEREMONIES_PER_ATTEMPT` times as often.
    ceremonies: AddressLimiter,
}

/// Passkey sign-ins one address may start for each login attempt it may
/// make: a login page viewed, a failed login shown again, a button pressed.
const CEREMONIES_PER_ATTEMPT: u32 = 4;

/// How long one login attempt past the free ones may take to be checked:
/// while it is, the email's other attempts wait (see `DB::claim_login`).
pub const ATTEMPT_LEASE: u64 = 60;

/// Why an attempt was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts from this client address.
    Address(u64),
    /// Too many failures for this email.
    Email(u64),
}

impl Refusal {
    /// The seconds to wait before trying again.
    pub fn wait(self) -> u64 {
        match self {
            Refusal::Address(wait) | Refusal::Email(wait) => wait,
        }
    }
}

/// A login attempt admitted by the throttle, to settle once its password
/// has been checked.
#[derive(Debug)]
#[must_use = "an attempt must be settled: succeeded, failed or abandoned"]
pub struct Attempt {
    key: String,
    now: i64,
    counter: Counter,
}

/// What an attempt counts against.
#[derive(Debug)]
enum Counter {
    /// The device cookie of this digest, of the account, which the attempt
    /// presented: it holds one of the cookie's free attempts.
    Device(String),
    /// The email's "untrusted clients" failures.
    Untrusted {
        /// The failures as stored before this attempt.
        stored: Option<LoginFailures>,
        /// Whether those failures are recent enough to count.
        current: bool,
        /// Whether this attempt holds the email's lease (past the free
        /// ones).
        claimed: bool,
    },
}

impl LoginThrottle {
    /// The policy the settings describe.
    pub fn new(settings: &Settings) -> Self {
        LoginThrottle {
            free_attempts: settings.login_free_attempts,
            base: settings.login_lockout_base,
            max: settings.login_lockout_max,
            window: settings.login_failure_window,
            addresses: AddressLimiter::per_minute(settings.login_ip_attempts_per_minute),
            ceremonies: AddressLimiter::per_minute(
                settings
                    .login_ip_attempts_per_minute
                    .saturating_mul(CEREMONIES_PER_ATTEMPT),
            ),
        }
    }

    /// Counts a passkey sign-in started by `client`; how long to wait when
    /// it started too many this minute.
    pub fn check_ceremony(&self, client: Option<IpAddr>) -> Option<u64> {
        self.ceremonies.check(client)
    }

    /// Admits one attempt to log in as `key` (a normalized email) from
    /// `client` at `now`, or says how long to wait. An attempt presenting
    /// `device_cookies` (digests) counts against one of them if it is the
    /// account's, live and under its free attempts; it then passes
    /// whatever the email's other counters say. Otherwise, past the free
    /// attempts, the attempt claims the email in one atomic statement, so
    /// that concurrent guesses (on one instance or several) are checked one
    /// at a time, each after its wait.
    pub async fn admit(
        &self,
        db: &DB,
        key: &str,
        client: Option<IpAddr>,
        now: i64,
        device_cookies: Vec<String>,
    ) -> Result<Result<Attempt, Refusal>, DbError> {
        let key = key.to_owned();
        if !device_cookies.is_empty() {
            let free = self.device_free_attempts();
            if let Some(digest) = db
                .claim_device_attempt(&key, device_cookies, now, free)
                .await?
            {
                let counter = Counter::Device(digest);
                return Ok(Ok(Attempt { key, now, counter }));
            }
        }
        if let Some(wait) = self.addresses.check(client) {
            return Ok(Err(Refusal::Address(wait)));
        }
        let stored = db.find_login_failures(&key).await?;
        let current = stored.filter(|failures| self.is_current(failures, now));
        let claimed = current.is_some_and(|failures| self.delay(failures.failures).is_some());
        if claimed {
            let lease = now.saturating_add(seconds(ATTEMPT_LEASE));
            if let Some(locked_until) = db.claim_login(&key, now, lease).await? {
                let wait = u64::try_from(locked_until.saturating_sub(now)).unwrap_or(0);
                return Ok(Err(Refusal::Email(wait.max(1))));
            }
        }
        let counter = Counter::Untrusted {
            stored,
            current: current.is_some(),
            claimed,
        };
        Ok(Ok(Attempt { key, now, counter }))
    }

    /// The password was right: the failures it was counted with are
    /// forgotten (a device cookie's, or the email's).
    pub async fn succeeded(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        match attempt.counter {
            Counter::Device(digest) => self.settle_device(db, &digest, DeviceAttempt::Right).await,
            Counter::Untrusted { stored: None, .. } => Ok(()),
            Counter::Untrusted { .. } => db.clear_login_failures(&attempt.key).await,
        }
    }

    /// The password was wrong. A device cookie's failure stands, and the
    /// cookie is forgotten at its last free attempt. Otherwise one more
    /// failure of the email is counted, the email waits if it is past its
    /// free attempts, and failures too old to count are deleted (which
    /// keeps the table as small as the recent failures).
    pub async fn failed(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        let Attempt { key, now, counter } = attempt;
        let (stored, current) = match counter {
            Counter::Device(digest) => {
                return self.settle_device(db, &digest, DeviceAttempt::Wrong).await
            }
            Counter::Untrusted {
                stored, current, ..
            } => (stored, current),
        };
        let restart = stored.is_some() && !current;
        let recorded = db.record_login_failure(&key, now, restart).await?;
        if let Some(delay) = self.delay(recorded.failures) {
            db.lock_logins(&key, now.saturating_add(seconds(delay)))
                .await?;
        }
        db.forget_login_failures_before(self.oldest_current(now))
            .await?;
        Ok(())
    }

    /// The password could not be checked (hashing busy, database gone): the
    /// attempt gives its claim back, or the email (or device cookie) would
    /// wait for nothing.
    pub async fn abandoned(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        match attempt.counter {
            Counter::Device(digest) => {
                self.settle_device(db, &digest, DeviceAttempt::Unchecked)
                    .await
            }
            Counter::Untrusted { claimed: true, .. } => {
                db.lock_logins(&attempt.key, attempt.now).await
            }
            Counter::Untrusted { .. } => Ok(()),
        }
    }

    /// Settles the attempt that device cookie `digest` claimed.
    async fn settle_device(
        &self,
        db: &DB,
        digest: &str,
        outcome: DeviceAttempt,
    ) -> Result<(), DbError> {
        db.settle_device_attempt(digest, outcome, self.device_free_attempts())
            .await
    }

    /// The failures a device cookie may have: `login_free_attempts`.
    fn device_free_attempts(&self) -> i32 {
        i32::try_from(self.free_attempts).unwrap_or(i32::MAX)
    }

    /// Whether `failures` are recent enough to count.
    pub fn is_current(&self, failures: &LoginFailures, now: i64) -> bool {
        failures.last_failed_at >= self.oldest_current(now)
    }

    /// At `now`, the time of the oldest failure that still counts.
    pub fn oldest_current(&self, now: i64) -> i64 {
        now.saturating_sub(seconds(self.window))
    }

    /// The wait, in seconds, after `failures` consecutive failures: none for
    /// the first `free_attempts`, then `base`, doubling with each further
    /// failure, at most `max`.
    pub fn delay(&self, failures: i32) -> Option<u64> {
        let beyond = u32::try_from(failures)
            .ok()?
            .checked_sub(self.free_attempts)?;
        Some(
            self.base
                .saturating_mul(2u64.saturating_pow(beyond))
                .min(self.max),
        )
    }
}

/// At most `login_ip_attempts_per_minute` login attempts per client address,
/// in memory: a first layer against one client trying many emails.
struct AddressLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Past this many tracked addresses, forget those that are idle again.
const TRACKED_ADDRESSES: usize = 10_000;

impl AddressLimiter {
    /// `per_minute` attempts per address (no limit when 0).
    fn per_minute(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute)
            .map(|per_minute| RateLimiter::keyed(Quota::per_minute(per_minute)));
        AddressLimiter { limiter }
    }

    /// Counts an attempt from `address`; the seconds to wait when it is over
    /// the limit.
    fn check(&self, address: Option<IpAddr>) -> Option<u64> {
        let (limiter, address) = (self.limiter.as_ref()?, address?);
        if limiter.len() > TRACKED_ADDRESSES {
            limiter.retain_recent();
        }
        let refused = limiter.check_key(&address).err()?;
        let wait = refused.wait_time_from(DefaultClock::default().now());
        Some(wait.as_secs() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(&Settings::default())
    }

    #[test]
    fn a_few_mistakes_never_wait() {
        for failures in 0..5 {
            assert_eq!(throttle().delay(failures), None);
        }
    }

    #[test]
    fn the_wait_doubles_with_each_failure_up_to_the_maximum() {
        let waits: Vec<_> = (5..12).map(|failures| throttle().delay(failures)).collect();
        let expected = [30, 60, 120, 240, 480, 900, 900].map(Some);
        assert_eq!(waits, expected);
        assert_eq!(throttle().delay(i32::MAX), Some(900));
    }

    #[test]
    fn old_failures_are_forgotten() {
        let day = 24 * 60 * 60;
        let failures = LoginFailures {
            failures: 50,
            last_failed_at: 1000,
            locked_until: Some(1900),
        };
        assert!(throttle().is_current(&failures, 1000 + day));
        assert!(!throttle().is_current(&failures, 1000 + day + 1));
    }

    #[test]
    fn one_address_is_limited_and_another_is_not() {
        let limiter = AddressLimiter::per_minute(3);
        let (first, second) = ("192.0.2.1".parse().ok(), "192.0.2.2".parse().ok());
        for _ in 0..3 {
            assert_eq!(limiter.check(first), None);
        }
        assert!(limiter
            .check(first)
            .is_some_and(|wait| (1..=60).contains(&wait)));
        assert_eq!(limiter.check(second), None);
        assert_eq!(limiter.check(None), None, "no address, no limit");
    }
}
