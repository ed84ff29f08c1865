//! Recent session look-ups, kept in this instance's memory so that the
//! request behind a session cookie need not wait on PostgreSQL each time.
//!
//! Revocation stays immediate: every change of a session or of its user
//! (logout, "end this session", "end all others", password change or reset,
//! account deletion, an admin's command, from any instance) is announced by
//! PostgreSQL triggers on one channel (see [`listener`](super::listener)),
//! this instance's own changes forget their entries before they return, and
//! a look-up that finds a notification waiting unread on the channel's
//! socket goes to the database.
//! The cache is used only while that channel is connected: when it drops,
//! the cache is emptied and bypassed until it is back. Entries also expire
//! after a short time and the number kept is bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Session;
use crate::user::User;

/// A session as looked up, with its user.
pub type Found = (Session, User);

/// What a notification on the channel says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The session whose id has this digest ended or changed.
    Session(String),
    /// The session with this row id changed (a change that knows the row,
    /// not the digest).
    SessionRow(i64),
    /// The user with this id changed or was deleted.
    User(i32),
}

impl Change {
    /// The change a notification's payload names: `s:<digest>` or
    /// `u:<user id>` (see the migration `session_change_notifications`).
    pub fn parse(payload: &str) -> Option<Change> {
        match payload.split_once(':')? {
            ("s", digest) => Some(Change::Session(digest.to_owned())),
            ("u", id) => id.parse().ok().map(Change::User),
            _ => None,
        }
    }
}

/// The cache: look-ups by the digest of the session id.
pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// How long an entry is used.
    ttl: Duration,
    /// How many entries are kept at most.
    capacity: usize,
    /// The change channel's socket while it is connected, else -1: entries
    /// are used only while there is one.
    channel: AtomicI32,
    /// Moves on with every change forgotten: a look-up that started before
    /// a change is not kept, as it may have read what the change undid.
    generation: AtomicU64,
}

struct Entry {
    found: Found,
    kept_at: Instant,
}

impl SessionCache {
    /// An empty cache, not used until [`resume`](Self::resume) says the
    /// change channel is connected.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        SessionCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
            channel: AtomicI32::new(-1),
            generation: AtomicU64::new(0),
        }
    }

    /// The entry of `digest` if the cache is in use and the entry fresh,
    /// and no change waits unread on the channel.
    pub fn get(&self, digest: &str) -> Option<Found> {
        if change_waiting(self.channel()?) {
            return None;
        }
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = entries.get(digest)?;
        (entry.kept_at.elapsed() < self.ttl).then(|| entry.found.clone())
    }

    /// The generation to hand back to [`keep`](Self::keep) with what a
    /// look-up starting now finds; `None` when the cache is not in use.
    pub fn generation(&self) -> Option<u64> {
        self.channel()?;
        Some(self.generation.load(Ordering::Acquire))
    }

    /// Keeps what a look-up of `digest` found, unless some change was
    /// forgotten since it started (at `generation`). Past the capacity,
    /// expired entries go first, then any.
    pub fn keep(&self, digest: &str, found: Found, generation: u64) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Checked under the lock that `forget` takes to move it on.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(digest) {
            entries.retain(|_, entry| entry.kept_at.elapsed() < self.ttl);
            if entries.len() >= self.capacity {
                let any = entries.keys().next().cloned();
                if let Some(any) = any {
                    entries.remove(&any);
                }
            }
        }
        let kept_at = Instant::now();
        entries.insert(digest.to_owned(), Entry { found, kept_at });
    }

    /// Forgets what `change` makes stale.
    pub fn forget(&self, change: &Change) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        match change {
            Change::Session(digest) => {
                entries.remove(digest);
            }
            Change::SessionRow(id) => entries.retain(|_, entry| entry.found.0.id != *id),
            Change::User(id) => entries.retain(|_, entry| entry.found.1.id.0 != *id),
        }
    }

    /// The change channel's socket, if it is connected.
    fn channel(&self) -> Option<i32> {
        let channel = self.channel.load(Ordering::Acquire);
        (channel >= 0).then_some(channel)
    }

    /// Uses the cache from now on, empty: the change channel is connected
    /// (again) on the socket `channel`, and what changed while it was not
    /// is unknown.
    pub fn resume(&self, channel: i32) {
        self.clear();
        self.channel.store(channel, Ordering::Release);
    }

    /// Bypasses and empties the cache: the change channel dropped. Called
    /// at once, though libpq may have closed the socket a moment before
    /// (when it saw the drop itself): for that moment a look-up polls
    /// whatever took its number and answers as it did just before.
    pub fn suspend(&self) {
        self.channel.store(-1, Ordering::Release);
        self.clear();
    }

    fn clear(&self) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

/// Whether a notification has reached the change channel's socket
/// `channel` and waits there for the listener's thread: a change made
/// elsewhere (by another instance, the admin command line) has committed,
/// and the request that follows it may run before that thread does. Such a
/// look-up goes to the database. One `poll` that does not wait.
fn change_waiting(channel: i32) -> bool {
    let mut socket = libc::pollfd {
        fd: channel,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one `pollfd`, alive for the call; a timeout of 0 returns at
    // once. A socket closed meanwhile is an error, read as waiting.
    unsafe { libc::poll(&mut socket, 1, 0) != 0 }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::UnixStream;

    use super::*;
    use crate::user::UserId;

    fn found(session_id: i64, user_id: i32) -> Found {
        let session = Session {
            id: session_id,
            public_id: format!("public-{session_id}"),
            user_id,
            created_at: 0,
            last_seen_at: 0,
            expires_at: i64::MAX,
            persistent: true,
            device: "Firefox on Linux".to_owned(),
            ip: None,
            authenticated_at: 0,
            second_factor_at: None,
        };
        let email = format!("user{user_id}@example.com");
        let user = User {
            id: UserId(user_id),
            normalized_email: email.clone(),
            email,
            hashed_password: "$2b$04$hash".to_owned(),
            reset_token: None,
            reset_token_expires_at: None,
            created_at: 0,
            email_verified_at: None,
            verify_token: None,
            verify_token_expires_at: None,
            reset_mail_sent_at: None,
            verify_mail_sent_at: None,
            totp_secret: None,
            totp_enabled_at: None,
            totp_last_step: None,
            credential_generation: 0,
            reset_token_generation: None,
            verify_token_generation: None,
            pending_email: None,
            email_change_token: None,
            email_change_cancel_token: None,
            email_change_expires_at: None,
            email_change_generation: None,
            code_failures: 0,
            language: Default::default(),
            disabled_at: None,
        };
        (session, user)
    }

    /// A change channel: the database's end, and the cache's.
    fn channel() -> (UnixStream, UnixStream) {
        UnixStream::pair().expect("a socket pair")
    }

    /// A cache listening on a new channel, with the channel.
    fn listening(ttl: Duration, capacity: usize) -> (SessionCache, (UnixStream, UnixStream)) {
        let cache = SessionCache::new(ttl, capacity);
        let ends = channel();
        cache.resume(ends.1.as_raw_fd());
        (cache, ends)
    }

    fn keep(cache: &SessionCache, digest: &str, found: Found) {
        let generation = cache.generation().expect("in use");
        cache.keep(digest, found, generation);
    }

    #[test]
    fn an_entry_is_used_until_its_session_or_user_changes() {
        let (cache, _channel) = listening(Duration::from_secs(60), 10);
        keep(&cache, "a", found(1, 7));
        keep(&cache, "b", found(2, 7));
        keep(&cache, "c", found(3, 8));
        assert_eq!(cache.get("a"), Some(found(1, 7)));

        cache.forget(&Change::Session("a".to_owned()));
        assert_eq!(cache.get("a"), None);
        assert!(cache.get("b").is_some());

        cache.forget(&Change::User(7));
        assert_eq!(cache.get("b"), None);
        assert!(cache.get("c").is_some());

        cache.forget(&Change::SessionRow(3));
        assert_eq!(cache.get("c"), None);
    }

    #[test]
    fn a_look_up_that_started_before_a_change_is_not_kept() {
        let (cache, _channel) = listening(Duration::from_secs(60), 10);
        let generation = cache.generation().unwrap();
        cache.forget(&Change::User(7));
        cache.keep("a", found(1, 7), generation);
        assert_eq!(cache.get("a"), None);
    }

    #[test]
    fn nothing_is_used_while_the_change_channel_is_down() {
        let cache = SessionCache::new(Duration::from_secs(60), 10);
        assert_eq!(cache.generation(), None);
        let (_database, socket) = channel();
        cache.resume(socket.as_raw_fd());
        keep(&cache, "a", found(1, 7));
        cache.suspend();
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.generation(), None);
        cache.resume(socket.as_raw_fd());
        assert_eq!(cache.get("a"), None, "emptied, not only bypassed");
    }

    #[test]
    fn a_change_waiting_unread_on_the_channel_sends_look_ups_to_the_database() {
        let (cache, (mut database, mut channel)) = listening(Duration::from_secs(60), 10);
        keep(&cache, "a", found(1, 7));
        assert!(cache.get("a").is_some());

        database.write_all(b"N").unwrap();
        assert_eq!(cache.get("a"), None, "a notification waits");
        let mut notification = [0u8; 1];
        channel.read_exact(&mut notification).unwrap();
        assert!(cache.get("a").is_some(), "read: the cache answers again");
    }

    #[test]
    fn entries_expire_and_their_number_is_bounded() {
        let (cache, _channel) = listening(Duration::from_millis(50), 2);
        keep(&cache, "a", found(1, 7));
        keep(&cache, "b", found(2, 7));
        keep(&cache, "c", found(3, 7));
        let kept = ["a", "b", "c"].iter().filter(|d| cache.get(d).is_some());
        assert_eq!(kept.count(), 2);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("c"), None);
    }

    #[test]
    fn notifications_name_a_session_or_a_user() {
        assert_eq!(
            Change::parse("s:abc"),
            Some(Change::Session("abc".to_owned()))
        );
        assert_eq!(Change::parse("u:42"), Some(Change::User(42)));
        assert_eq!(Change::parse("u:x"), None);
        assert_eq!(Change::parse("x:1"), None);
        assert_eq!(Change::parse("nothing"), None);
    }
}
