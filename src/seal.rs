//! Secrets at rest, sealed with AES-256-GCM under keys derived from the
//! configured secret key: the mails waiting in the outbox (the tokens in
//! them), and the TOTP secrets of two-factor sign-in, which must be read
//! back to check codes.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the random nonce that starts every sealed message.
const NONCE_BYTES: usize = 12;

/// The 256-bit key for `purpose` (say `b"auth-service/outbox/v1"`) that
/// HKDF-SHA-256 derives from `secret` (the configured secret key): every
/// instance with the same secret key derives the same keys, and no key of
/// one purpose tells anything of another.
pub fn derive_key(secret: &[u8], purpose: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, secret)
        .expand(purpose, &mut key)
        .expect("32 bytes is a valid HKDF-SHA-256 output length");
    key
}

/// HMAC-SHA-256 of `data` under `key` (from [`derive_key`]), in lowercase
/// hex: a digest only the holder of the secret key can compute.
pub fn keyed_digest(key: &[u8; 32], data: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    format!("{:x}", mac.finalize().into_bytes())
}

/// Seals and opens secrets of one purpose.
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    /// The sealer of `purpose`, its key derived from `secret` (see
    /// [`derive_key`]).
    pub fn new(secret: &[u8], purpose: &[u8]) -> Self {
        let key = derive_key(secret, purpose);
        Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    /// `message` for `recipient` (a mail's recipient, an account's
    /// address), sealed: a random nonce, then the ciphertext, bound to the
    /// recipient (a value moved to another does not open).
    pub fn seal(&self, recipient: &str, message: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::getrandom(&mut nonce).expect("the OS random number generator works");
        let payload = Payload {
            msg: message,
            aad: recipient.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encrypts any message of a mail's size");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The message `sealed` for `recipient`, if it opens (same key, same
    /// recipient, not altered).
    pub fn open(&self, recipient: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_BYTES)?;
        let payload = Payload {
            msg: ciphertext,
            aad: recipient.as_bytes(),
        };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_only_with_its_key_and_recipient() {
        let sealer = Sealer::new(b"a secret key", b"test/v1");
        let sealed = sealer.seal("bob@example.com", b"the token 1234");
        assert!(!sealed.windows(4).any(|part| part == b"1234"));
        assert_eq!(
            sealer.open("bob@example.com", &sealed).as_deref(),
            Some(&b"the token 1234"[..])
        );
        assert_eq!(sealer.open("eve@example.com", &sealed), None);
        let other_key = Sealer::new(b"another key", b"test/v1");
        let other_purpose = Sealer::new(b"a secret key", b"test/v2");
        assert_eq!(other_key.open("bob@example.com", &sealed), None);
        assert_eq!(other_purpose.open("bob@example.com", &sealed), None);
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open("bob@example.com", &altered), None);
        assert_eq!(sealer.open("bob@example.com", b"short"), None);
        assert_ne!(
            sealer.seal("bob@example.com", b"x"),
            sealer.seal("bob@example.com", b"x")
        );
    }
}
