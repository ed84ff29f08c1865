//! Password hashing with bcrypt, on a pool of its own: one thread per core,
//! at a lower scheduling priority than request handling, behind two bounded
//! queues: checks of a password (logins) come before new hashes
//! (registrations, new passwords), so that a flood of registrations never
//! takes the capacity that logins need.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Instant;

use base64::Engine;
use crossbeam_channel::{Receiver, Sender, TrySendError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::oneshot;
use unicode_normalization::UnicodeNormalization;

use super::credentials::Password;
use crate::metrics::Hashing;

/// Key of the pre-hash. It is not a secret: it only makes our bcrypt inputs
/// differ from plain SHA-256 digests leaked elsewhere ("password shucking").
const PREHASH_KEY: &[u8] = b"auth-service/bcrypt-prehash/v1";

/// How much lower than request handling the hashing threads run (a nice
/// value: request threads get about ten times their share of a busy core).
const HASHING_NICENESS: libc::c_int = 10;

/// Why hashing failed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing thread is busy and the queue is full: try again later.
    #[error("the password hashing queue is full")]
    Busy,
    #[error("bcrypt failed: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    #[error("the hashing threads have stopped")]
    Stopped,
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords.
///
/// bcrypt reads at most 72 bytes, so each password is first normalized to
/// NFKC (composed and decomposed accents match) and reduced with HMAC-SHA-256
/// to 44 base64 characters: every byte of it counts, whatever its length.
/// The work runs on threads of its own, one per core, never on the async
/// workers nor inside a database call. Checks (logins, a password
/// confirming a change) and new hashes (registrations, new passwords) wait
/// in queues of their own, of `queue` places each; a free thread takes a
/// check first. Past `queue` waiting, hashing fails at once with
/// [`HashError::Busy`].
pub struct PasswordHasher {
    cost: u32,
    /// Checks of a password: first served.
    checks: Sender<Job>,
    /// New hashes: served when no check waits.
    hashes: Sender<Job>,
    dummy_hash: String,
    verifications: AtomicU64,
    metrics: Hashing,
}

impl PasswordHasher {
    /// A hasher at bcrypt `cost`, with one thread per core and `queue`
    /// places for checks, and as many for new hashes, waiting for one.
    /// Computes one hash (the dummy that unknown users are checked
    /// against), so call it off the async workers.
    pub fn new(cost: u32, queue: usize) -> Result<Self, HashError> {
        let dummy_hash = bcrypt::hash(super::token::generate_uuid(), cost)?;
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let (checks, waiting_checks) = crossbeam_channel::bounded::<Job>(queue);
        let (hashes, waiting_hashes) = crossbeam_channel::bounded::<Job>(queue);
        for index in 0..cores {
            let (checks, hashes) = (waiting_checks.clone(), waiting_hashes.clone());
            thread::Builder::new()
                .name(format!("bcrypt-{index}"))
                .spawn(move || {
                    lower_priority();
                    // Ends when the hasher, and so the senders, are dropped.
                    while let Some(job) = next_job(&checks, &hashes) {
                        job();
                    }
                })
                .map_err(|_| HashError::Stopped)?;
        }
        Ok(PasswordHasher {
            cost,
            checks,
            hashes,
            dummy_hash,
            verifications: AtomicU64::new(0),
            metrics: Hashing::default(),
        })
    }

    /// This hasher, counting its queue and waits in `metrics`.
    pub fn counted_in(self, metrics: Hashing) -> Self {
        PasswordHasher { metrics, ..self }
    }

    /// The bcrypt hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let input = prehash(password);
        let cost = self.cost;
        self.run(&self.hashes, move || bcrypt::hash(input, cost))
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
            .run(&self.checks, move || bcrypt::verify(input, &hash))
            .await?;
        Ok(known && matches)
    }

    /// Whether a new hash would find no place to wait (and fail with
    /// `Busy`): for refusing its request before any other work. Without a
    /// queue (`passwords.hash_queue_limit = 0`), only the attempt tells whether a
    /// thread is free, so this never says so.
    pub fn hashes_full(&self) -> bool {
        self.hashes.capacity() != Some(0) && self.hashes.is_full()
    }

    /// How many bcrypt verifications this hasher has run, dummy ones included.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Queues `work` in `queue` for a hashing thread and waits for its
    /// result.
    async fn run<T: Send + 'static>(
        &self,
        queue: &Sender<Job>,
        work: impl FnOnce() -> Result<T, bcrypt::BcryptError> + Send + 'static,
    ) -> Result<T, HashError> {
        let (sender, result) = oneshot::channel();
        let (metrics, queued_at) = (self.metrics.clone(), Instant::now());
        let job: Job = Box::new(move || {
            metrics.queued.dec();
            metrics.wait.observe(queued_at.elapsed().as_secs_f64());
            // The requester may have gone away; then nobody needs the result.
            let _ = sender.send(work());
        });
        self.metrics.queued.inc();
        queue.try_send(job).map_err(|error| {
            self.metrics.queued.dec();
            match error {
                TrySendError::Full(_) => HashError::Busy,
                TrySendError::Disconnected(_) => HashError::Stopped,
            }
        })?;
        Ok(result.await.map_err(|_| HashError::Stopped)??)
    }
}

/// The next job for a hashing thread: a waiting check, else whichever
/// comes first; `None` once the hasher is gone.
fn next_job(checks: &Receiver<Job>, hashes: &Receiver<Job>) -> Option<Job> {
    if let Ok(job) = checks.try_recv() {
        return Some(job);
    }
    crossbeam_channel::select! {
        recv(checks) -> job => job.ok(),
        recv(hashes) -> job => job.ok(),
    }
}

/// Lowers the calling thread's scheduling priority, so that request
/// handling keeps its latency while every core hashes.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; on Linux the nice value
    // is per thread, and gettid names the calling one.
    unsafe {
        let thread_id = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread_id, HASHING_NICENESS);
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
    use std::future::Future;

    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).unwrap()
    }

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(4, 8).unwrap()
    }

    #[rocket::async_test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hasher = hasher();
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
        let hasher = hasher();
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
        let hasher = hasher();
        let hash = hasher
            .hash(&password("caf\u{e9} cr\u{e8}me"))
            .await
            .unwrap();
        let decomposed = password("cafe\u{301} cre\u{300}me");
        assert!(hasher.verify(&decomposed, Some(&hash)).await.unwrap());
    }

    #[rocket::async_test]
    async fn an_unknown_user_never_matches_even_the_dummy_password() {
        let hasher = hasher();
        assert!(!hasher.verify(&password("anything"), None).await.unwrap());
        assert_eq!(hasher.verifications(), 1);
    }

    #[rocket::async_test]
    async fn a_full_queue_answers_busy_at_once() {
        // At cost 13 each hash keeps a thread busy for about half a second:
        // once every thread has one and the single queue place is taken, the
        // next request is refused without waiting.
        let slow = PasswordHasher {
            cost: 13,
            ..PasswordHasher::new(4, 1).unwrap()
        };
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let secret = password("a long wait");
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let mut pending = Vec::new();
        for taken in 0..=cores {
            let mut hashing = Box::pin(slow.hash(&secret));
            assert!(hashing.as_mut().poll(&mut context).is_pending());
            pending.push(hashing);
            if taken < cores {
                // Wait (at most 5 s) until a thread takes the job off the queue.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                while !slow.hashes.is_empty() && std::time::Instant::now() < deadline {
                    thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        }
        let refused = slow.hash(&secret).await;
        assert!(matches!(refused, Err(HashError::Busy)), "{refused:?}");

        // Every thread hashes and the queue of new hashes is full: a check
        // of a password still gets a place, and is served before them.
        let quick = bcrypt::hash(prehash(&secret), 4).unwrap();
        let checked = slow.verify(&secret, Some(&quick)).await;
        assert!(matches!(checked, Ok(true)), "{checked:?}");
        let queued = pending.last_mut().unwrap();
        assert!(
            queued.as_mut().poll(&mut context).is_pending(),
            "the hash queued before the check is not done yet"
        );
    }
}
