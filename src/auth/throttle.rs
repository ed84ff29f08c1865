//! Login throttling: a per-email back-off and a per-client-address limit,
//! both kept in the database (so that N instances allow the attempts of
//! one), for untrusted clients; a per-device-cookie count for clients that
//! present one of the account's device cookies (see `device_cookies`).
//!
//! Each login attempt is first [admitted](LoginThrottle::admit), then, once
//! its password is checked, settled: [`succeeded`](LoginThrottle::succeeded),
//! [`failed`](LoginThrottle::failed), or [`abandoned`](LoginThrottle::abandoned)
//! when it could not be checked at all.

use std::net::IpAddr;

use crate::clock::{now_ms, seconds};
use crate::config::LoginLimits;
use crate::db::{ClaimTerms, DbError, DeviceAttempt, LoginClaim, Rate, DB};

/// How long an email waits between login attempts after failures, and how
/// many attempts (and passkey sign-ins started) one client address may
/// make per minute.
pub struct LoginThrottle {
    free_attempts: u32,
    base: u64,
    max: u64,
    window: u64,
    /// Login attempts per client address (none: no limit).
    addresses: Option<Rate>,
    /// Passkey sign-ins started, apart from password attempts: the login
    /// page starts one as it opens (for autofill), so they come
    /// `CEREMONIES_PER_ATTEMPT` times as often.
    ceremonies: Option<Rate>,
}

/// Passkey sign-ins one address may start for each login attempt it may
/// make: a login page viewed, a failed login shown again, a button pressed.
const CEREMONIES_PER_ATTEMPT: u32 = 4;

/// How long one login attempt past the free ones may take to be checked:
/// while it is, the email's other attempts wait (see `DB::claim_login_attempt`).
const ATTEMPT_LEASE: u64 = 60;

/// The key that the one-time codes guessed for the account
/// `normalized_email` count against, apart from its passwords.
pub fn code_key(normalized_email: &str) -> String {
    format!("otp:{normalized_email}")
}

/// Every key that guesses for the account `normalized_email` count
/// against: what is forgotten with the account.
pub fn keys_of(normalized_email: &str) -> Vec<String> {
    vec![normalized_email.to_owned(), code_key(normalized_email)]
}

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
    /// The key's "untrusted clients" failures, which count this attempt
    /// already, as the `failures`th; `leased` when it holds the key alone.
    Untrusted { failures: i32, leased: bool },
}

impl LoginThrottle {
    /// The policy the settings describe.
    pub fn new(limits: &LoginLimits) -> Self {
        LoginThrottle {
            free_attempts: limits.free_attempts,
            base: limits.lockout_base,
            max: limits.lockout_max,
            window: limits.failure_window,
            addresses: per_minute(limits.ip_attempts_per_minute),
            ceremonies: per_minute(
                limits
                    .ip_attempts_per_minute
                    .saturating_mul(CEREMONIES_PER_ATTEMPT),
            ),
        }
    }

    /// Counts a passkey sign-in started by `client`; how long to wait when
    /// it started too many this minute.
    pub async fn check_ceremony(
        &self,
        db: &DB,
        client: Option<IpAddr>,
    ) -> Result<Option<u64>, DbError> {
        per_address(db, "passkey_sign_in", self.ceremonies, client).await
    }

    /// Admits one attempt to log in as `key` (a normalized email) from
    /// `client` at `now`, or says how long to wait. An attempt presenting
    /// `device_cookies` (digests) counts against one of them if it is the
    /// account's, live and under its free attempts; it then passes
    /// whatever the email's other counters say. Otherwise the attempt is
    /// claimed in the database, counted before it is checked, so that
    /// concurrent guesses (on one instance or several) get no more checks
    /// than the free attempts, and past them one at a time, each after
    /// its wait.
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
        if let Some(wait) = per_address(db, "login", self.addresses, client).await? {
            return Ok(Err(Refusal::Address(wait)));
        }
        let terms = ClaimTerms {
            now,
            forget_before: self.oldest_current(now),
            free: self.device_free_attempts(),
            lease_until: now.saturating_add(seconds(ATTEMPT_LEASE)),
        };
        match db.claim_login_attempt(&key, terms).await? {
            LoginClaim::Admitted { failures, leased } => {
                let counter = Counter::Untrusted { failures, leased };
                Ok(Ok(Attempt { key, now, counter }))
            }
            LoginClaim::Refused { until } => {
                let wait = u64::try_from(until.saturating_sub(now)).unwrap_or(0);
                Ok(Err(Refusal::Email(wait.max(1))))
            }
        }
    }

    /// The password was right: the failures it was counted with are
    /// forgotten (a device cookie's, or the email's).
    pub async fn succeeded(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        match attempt.counter {
            Counter::Device(digest) => self.settle_device(db, &digest, DeviceAttempt::Right).await,
            Counter::Untrusted { .. } => db.clear_login_failures(vec![attempt.key]).await,
        }
    }

    /// The password was wrong. A device cookie's failure stands, and the
    /// cookie is forgotten at its last free attempt. Otherwise the failure
    /// counted at the claim stands, the email waits if it is past its free
    /// attempts, and failures too old to count are deleted (which keeps
    /// the table as small as the recent failures).
    pub async fn failed(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        let Attempt { key, now, counter } = attempt;
        let failures = match counter {
            Counter::Device(digest) => {
                return self.settle_device(db, &digest, DeviceAttempt::Wrong).await
            }
            Counter::Untrusted { failures, .. } => failures,
        };
        if let Some(delay) = self.delay(failures) {
            db.lock_logins(&key, now.saturating_add(seconds(delay)))
                .await?;
        }
        db.forget_login_failures_before(self.oldest_current(now))
            .await?;
        Ok(())
    }

    /// The password could not be checked (hashing busy, database gone): the
    /// attempt gives its count (and its hold on the email) back, or the
    /// email (or device cookie) would wait for nothing.
    pub async fn abandoned(&self, db: &DB, attempt: Attempt) -> Result<(), DbError> {
        match attempt.counter {
            Counter::Device(digest) => {
                self.settle_device(db, &digest, DeviceAttempt::Unchecked)
                    .await
            }
            Counter::Untrusted { leased, .. } => {
                db.give_back_login_attempt(&attempt.key, attempt.now, leased)
                    .await
            }
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

    /// The failures a device cookie (or a key, from untrusted clients) may
    /// have before waits start: `login_limits.free_attempts`.
    fn device_free_attempts(&self) -> i32 {
        i32::try_from(self.free_attempts).unwrap_or(i32::MAX)
    }

    /// At `now`, the time of the oldest failure that still counts.
    fn oldest_current(&self, now: i64) -> i64 {
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

/// What the limits of an address count against: the address itself for
/// IPv4, its /64 network for IPv6 (where one subscriber usually holds a
/// whole /64, and could otherwise change address at every request).
pub fn limit_bucket(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !(u128::MAX >> 64);
            IpAddr::V6(network.into())
        }
        v4 => v4,
    }
}

/// `per_minute` a minute (no limit when 0).
fn per_minute(per_minute: u32) -> Option<Rate> {
    (per_minute > 0).then_some(Rate {
        limit: per_minute,
        period_ms: 60_000,
    })
}

/// Counts one request of `kind` from `client` against `rate` for its
/// address (its /64 network for IPv6), in the database; the seconds to wait
/// when it is over. No rate, or no address (the admin command line, a test
/// client): no limit.
pub(super) async fn per_address(
    db: &DB,
    kind: &str,
    rate: Option<Rate>,
    client: Option<IpAddr>,
) -> Result<Option<u64>, DbError> {
    let (Some(rate), Some(client)) = (rate, client) else {
        return Ok(None);
    };
    let key = format!("{kind}:{}", limit_bucket(client));
    let wait_ms = db.take_rate(&key, rate, now_ms()).await?;
    Ok(wait_ms.map(|wait| u64::try_from(wait).unwrap_or(0).div_ceil(1000).max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(&LoginLimits::default())
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

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_are_limited_by_their_64_network() {
        assert_eq!(
            limit_bucket(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            limit_bucket(ip("2001:db8:1:2::1")),
            limit_bucket(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_bucket(ip("2001:db8:1:2::1")),
            limit_bucket(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_bucket(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(limit_bucket(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }
}
