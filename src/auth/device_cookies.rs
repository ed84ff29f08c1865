//! Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device
//! Cookies"): a successful login leaves the client a cookie naming the
//! account and a random nonce. A login that presents one for its account
//! is counted against that cookie alone, which locks itself out after
//! `login_limits.free_attempts` failures; every other login of the account shares
//! the account's "untrusted clients" back-off. Someone guessing a
//! password slows the untrusted path only: the owner, on a device they
//! logged in from before, logs in at once.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{token, Auth, Device};
use crate::clock::{self, now};
use crate::db::DeviceCookieStart;
use crate::seal::keyed_digest;

/// The purpose of the key that names device cookies.
pub const DEVICE_COOKIE_KEY: &[u8] = b"auth-service/device-cookie-names/v1";

/// How every device cookie's name starts.
pub const DEVICE_COOKIE_PREFIX: &str = "device_";

/// Random bytes of a device cookie's nonce.
const NONCE_BYTES: usize = 32;

/// Hex digits of the account's digest in a device cookie's name.
const NAME_DIGITS: usize = 16;

/// A device cookie's nonce, as the client holds it: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// A fresh random nonce: 256 bits from the OS CSPRNG.
    fn generate() -> Self {
        let mut bytes = [0u8; NONCE_BYTES];
        getrandom::getrandom(&mut bytes).expect("the OS random number generator works");
        DeviceToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The nonce itself, to seal into the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps of it.
    fn digest(&self) -> String {
        token::digest(&self.0)
    }
}

impl From<&str> for DeviceToken {
    /// The nonce a client presented (read from its sealed cookie).
    fn from(nonce: &str) -> Self {
        DeviceToken(nonce.to_owned())
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

/// A device cookie to hand to the client: its name (one per account, so
/// that a browser shared by several accounts keeps one for each), its
/// nonce and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCookie {
    pub name: String,
    pub token: DeviceToken,
    pub max_age: u64,
}

impl Device {
    /// The digests of the device cookies the device presents, whatever
    /// their names: only the database tells which account each is of,
    /// and whether it is valid.
    pub(super) fn cookie_digests(&self) -> Vec<String> {
        self.cookies
            .iter()
            .map(|(_, token)| token.digest())
            .collect()
    }
}

impl Auth {
    /// The name of the device cookie of the account `normalized_email`:
    /// the prefix and a keyed digest of the address, which names the
    /// account to this service only.
    pub(super) fn device_cookie_name(&self, normalized_email: &str) -> String {
        let digest = keyed_digest(&self.device_cookie_key, normalized_email.as_bytes());
        format!("{DEVICE_COOKIE_PREFIX}{}", &digest[..NAME_DIGITS])
    }

    /// A new device cookie for the account `normalized_email` on `device`,
    /// and what the database keeps of it: it replaces those of the account
    /// that the device presented.
    pub(super) fn new_device_cookie(
        &self,
        normalized_email: &str,
        device: &Device,
    ) -> (DeviceCookie, DeviceCookieStart) {
        let (token, now) = (DeviceToken::generate(), now());
        let max_age = self.settings.sessions.device_cookie_ttl;
        let start = DeviceCookieStart {
            digest: token.digest(),
            expires_at: now.saturating_add(clock::seconds(max_age)),
            replacing: device.cookie_digests(),
        };
        let cookie = DeviceCookie {
            name: self.device_cookie_name(normalized_email),
            token,
            max_age,
        };
        (cookie, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_random_and_never_printed() {
        let token = DeviceToken::generate();
        assert_eq!(format!("{token:?}"), "DeviceToken(<redacted>)");
        assert_eq!(token.expose().len(), 43, "256 bits in unpadded base64");
        assert_ne!(token, DeviceToken::generate());
    }
}
