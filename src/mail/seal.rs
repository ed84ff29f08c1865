//! Mails at rest: the tokens in a waiting mail are secrets, so its message
//! is sealed with AES-256-GCM under a key derived from the secret key.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

/// What tells this key apart from any other derived from the secret key.
const KEY_INFO: &[u8] = b"auth-service/outbox/v1";

/// Bytes of the random nonce that starts every sealed message.
const NONCE_BYTES: usize = 12;

/// Seals and opens outbox messages.
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    /// The sealer whose key HKDF-SHA-256 derives from `secret` (the
    /// configured secret key): every instance with the same secret key
    /// opens what the others sealed.
    pub fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, secret)
            .expand(KEY_INFO, &mut key)
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        }
    }

    /// `message` for `recipient`, sealed: a random nonce, then the
    /// ciphertext, bound to the recipient (a row moved to another recipient
    /// does not open).
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
        let sealer = Sealer::new(b"a secret key");
        let sealed = sealer.seal("bob@example.com", b"the token 1234");
        assert!(!sealed.windows(4).any(|part| part == b"1234"));
        assert_eq!(
            sealer.open("bob@example.com", &sealed).as_deref(),
            Some(&b"the token 1234"[..])
        );
        assert_eq!(sealer.open("eve@example.com", &sealed), None);
        assert_eq!(
            Sealer::new(b"another key").open("bob@example.com", &sealed),
            None
        );
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
