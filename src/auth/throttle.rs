//! Login throttling: a per-email back-off kept in the database, and a
//! per-client-address limit in memory as a first layer.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Settings;
use crate::db::LoginFailures;

/// When an email may try to log in again after failures.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    free_attempts: u32,
    base: u64,
    max: u64,
    window: u64,
}

impl LoginThrottle {
    /// The policy the settings describe.
    pub fn new(settings: &Settings) -> Self {
        LoginThrottle {
            free_attempts: settings.login_free_attempts,
            base: settings.login_lockout_base,
            max: settings.login_lockout_max,
            window: settings.login_failure_window,
        }
    }

    /// Whether `failures` are recent enough to count.
    pub fn is_current(&self, failures: &LoginFailures, now: i64) -> bool {
        now.saturating_sub(failures.last_failed_at) <= saturate(self.window)
    }

    /// Seconds to wait before the next attempt, if any: none for the first
    /// `free_attempts` failures, then `base`, doubling with each failure, at
    /// most `max`.
    pub fn wait(&self, failures: Option<&LoginFailures>, now: i64) -> Option<u64> {
        let failures = failures.filter(|failures| self.is_current(failures, now))?;
        let beyond = u32::try_from(failures.failures)
            .ok()?
            .checked_sub(self.free_attempts)?;
        let delay = self
            .base
            .saturating_mul(2u64.saturating_pow(beyond))
            .min(self.max);
        let retry_at = failures.last_failed_at.saturating_add(saturate(delay));
        u64::try_from(retry_at.saturating_sub(now))
            .ok()
            .filter(|wait| *wait > 0)
    }
}

fn saturate(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// At most `login_ip_attempts_per_minute` login attempts per client address,
/// in memory: a first layer against one client trying many emails.
pub struct AddressLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Past this many tracked addresses, forget those that are idle again.
const TRACKED_ADDRESSES: usize = 10_000;

impl AddressLimiter {
    /// The limit the settings describe (none when set to 0).
    pub fn new(settings: &Settings) -> Self {
        let limiter = NonZeroU32::new(settings.login_ip_attempts_per_minute)
            .map(|per_minute| RateLimiter::keyed(Quota::per_minute(per_minute)));
        AddressLimiter { limiter }
    }

    /// Counts an attempt from `address`; the seconds to wait when it is over
    /// the limit.
    pub fn check(&self, address: Option<IpAddr>) -> Option<u64> {
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

    fn failed(failures: i32, last_failed_at: i64) -> LoginFailures {
        LoginFailures {
            failures,
            last_failed_at,
        }
    }

    #[test]
    fn a_few_mistakes_never_wait() {
        for failures in 0..5 {
            assert_eq!(throttle().wait(Some(&failed(failures, 1000)), 1000), None);
        }
        assert_eq!(throttle().wait(None, 1000), None);
    }

    #[test]
    fn the_wait_doubles_with_each_failure_up_to_the_maximum() {
        let waits: Vec<_> = (5..12)
            .map(|failures| throttle().wait(Some(&failed(failures, 1000)), 1000))
            .collect();
        let expected = [30, 60, 120, 240, 480, 900, 900].map(Some);
        assert_eq!(waits, expected);
        assert_eq!(throttle().wait(Some(&failed(1_000, 1000)), 1000), Some(900));
    }

    #[test]
    fn the_wait_counts_from_the_last_failure() {
        assert_eq!(throttle().wait(Some(&failed(5, 1000)), 1020), Some(10));
        assert_eq!(throttle().wait(Some(&failed(5, 1000)), 1030), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let day = 24 * 60 * 60;
        assert_eq!(
            throttle().wait(Some(&failed(50, 1000)), 1000 + day + 1),
            None
        );
    }

    #[test]
    fn one_address_is_limited_and_another_is_not() {
        let settings = Settings {
            login_ip_attempts_per_minute: 3,
            ..Settings::default()
        };
        let limiter = AddressLimiter::new(&settings);
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
