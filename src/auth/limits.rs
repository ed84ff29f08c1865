//! Limits per client address on what costs the service (a bcrypt hash)
//! or someone else (a mail): registrations, and requests for a mailed link
//! (a password reset, a new verification link). Kept in the database, so
//! that every instance counts against the same allowance; IPv6 addresses
//! count by their /64 network.

use std::net::IpAddr;

use super::throttle::per_address;
use super::{Auth, AuthError};
use crate::config::LoginLimits;
use crate::db::Rate;

/// An hour, in milliseconds.
const HOUR_MS: i64 = 60 * 60 * 1000;

/// What one client address may ask for per hour.
pub(super) struct AddressLimits {
    registrations: Option<Rate>,
    mailed_links: Option<Rate>,
}

/// A kind of request limited per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Limited {
    Registration,
    MailedLink,
}

impl AddressLimits {
    /// The limits `limits` describe (0: none).
    pub(super) fn new(limits: &LoginLimits) -> Self {
        let hourly = |limit: u32| {
            (limit > 0).then_some(Rate {
                limit,
                period_ms: HOUR_MS,
            })
        };
        AddressLimits {
            registrations: hourly(limits.registrations_per_hour),
            mailed_links: hourly(limits.mailed_links_per_hour),
        }
    }
}

impl Auth {
    /// Counts one request of `kind` from `client` against its address's
    /// allowance; `AddressThrottled` (with the seconds to wait) past it. A
    /// request without an address (the admin command line, a test client)
    /// is not limited.
    pub(super) async fn limit(
        &self,
        kind: Limited,
        client: Option<IpAddr>,
    ) -> Result<(), AuthError> {
        let (rate, name) = match kind {
            Limited::Registration => (self.limits.registrations, "registration"),
            Limited::MailedLink => (self.limits.mailed_links, "mailed-link"),
        };
        match per_address(&self.db, name, rate, client).await? {
            None => Ok(()),
            Some(wait) => {
                let client = client.map(|client| client.to_string()).unwrap_or_default();
                log::warn!("{name} refused from {client}: too many from this address");
                Err(AuthError::AddressThrottled(wait))
            }
        }
    }
}
