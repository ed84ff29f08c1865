//! Password hashing with bcrypt, on a blocking pool bounded to the cores.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task;
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;

use super::credentials::Password;

/// Key of the pre-hash. It is not a secret: it only makes our bcrypt inputs
/// differ from plain SHA-256 digests leaked elsewhere ("password shucking").
const PREHASH_KEY: &[u8] = b"auth-service/bcrypt-prehash/v1";

/// Why hashing failed; never expected in service.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("bcrypt failed: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    #[error("the hashing task did not complete: {0}")]
    Task(#[from] task::JoinError),
}

/// Hashes and verifies passwords.
///
/// bcrypt reads at most 72 bytes, so each password is first normalized to
/// NFKC (composed and decomposed accents match) and reduced with HMAC-SHA-256
/// to 44 base64 characters: every byte of it counts, whatever its length.
/// The work runs on Tokio's blocking threads, at most one per core at a time,
/// never on the async workers nor inside a database call.
pub struct PasswordHasher {
    cost: u32,
    permits: Arc<Semaphore>,
    dummy_hash: String,
    verifications: AtomicU64,
}

impl PasswordHasher {
    /// A hasher at bcrypt `cost`. Computes one hash (the dummy that unknown
    /// users are checked against), so call it off the async workers.
    pub fn new(cost: u32) -> Result<Self, HashError> {
        let dummy_hash = bcrypt::hash(super::token::generate_uuid(), cost)?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(PasswordHasher {
            cost,
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash,
            verifications: AtomicU64::new(0),
        })
    }

    /// The bcrypt hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let input = prehash(password);
        let cost = self.cost;
        self.run(move || bcrypt::hash(input, cost).map_err(HashError::from))
            .await
    }

    /// Whether `password` matches `hash`. With no hash (unknown user) it
    /// checks against a dummy hash, so that the answer costs the same time.
    pub async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, HashError> {
        let input = prehash(password);
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_owned();
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let matches = self
            .run(move || bcrypt::verify(input, &hash).map_err(HashError::from))
            .await?;
        Ok(known && matches)
    }

    /// How many bcrypt verifications this hasher has run, dummy ones included.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        task::spawn_blocking(work).await?
    }
}

/// NFKC, then HMAC-SHA-256, then base64: 44 bytes that bcrypt reads whole.
fn prehash(password: &Password) -> String {
    let normalized: String = password.expose().nfkc().collect();
    let mut mac = Hmac::<Sha256>::new_from_slice(PREHASH_KEY).expect("HMAC takes any key length");
    mac.update(normalized.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).unwrap()
    }

    #[rocket::async_test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = PasswordHasher::new(4).unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        assert!(hasher
            .verify(&password("correct horse"), Some(&hash))
            .await
            .unwrap());
        assert!(!hasher
            .verify(&password("correct horsE"), Some(&hash))
            .await
            .unwrap());
    }

    #[rocket::async_test]
    async fn passwords_differing_after_byte_72_are_different() {
        let hasher = PasswordHasher::new(4).unwrap();
        let long = "x".repeat(72);
        let hash = hasher.hash(&password(&format!("{long}a"))).await.unwrap();
        assert!(hasher
            .verify(&password(&format!("{long}a")), Some(&hash))
            .await
            .unwrap());
        assert!(!hasher
            .verify(&password(&format!("{long}b")), Some(&hash))
            .await
            .unwrap());
        assert!(!hasher.verify(&password(&long), Some(&hash)).await.unwrap());
    }

    #[rocket::async_test]
    async fn composed_and_decomposed_accents_match() {
        let hasher = PasswordHasher::new(4).unwrap();
        let hash = hasher
            .hash(&password("caf\u{e9} cr\u{e8}me"))
            .await
            .unwrap();
        let decomposed = password("cafe\u{301} cre\u{300}me");
        assert!(hasher.verify(&decomposed, Some(&hash)).await.unwrap());
    }

    #[rocket::async_test]
    async fn an_unknown_user_never_matches_even_the_dummy_password() {
        let hasher = PasswordHasher::new(4).unwrap();
        assert!(!hasher.verify(&password("anything"), None).await.unwrap());
    }
}
