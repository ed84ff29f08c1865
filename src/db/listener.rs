//! The channel that keeps every instance's [`SessionCache`] true: one
//! PostgreSQL connection per instance that `LISTEN`s to what the triggers of
//! the migration `session_change_notifications` announce, on a thread of
//! its own.
//!
//! Diesel's `PgConnection` can only poll for notifications, which would
//! leave a revoked session usable for up to a polling period on the other
//! instances; this connection is opened through libpq itself (the same
//! library Diesel uses, with the same URL and TLS settings) so that the
//! thread sleeps on the socket and wakes the moment a notification lands.

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Arc, Weak};
use std::thread;
use std::time::Duration;

use pq_sys::{
    ConnStatusType, ExecStatusType, PGconn, PQclear, PQconnectdbParams, PQconsumeInput,
    PQerrorMessage, PQexec, PQfinish, PQfreemem, PQgetCurrentTimeUSec, PQnotifies, PQresultStatus,
    PQsetNoticeProcessor, PQsocket, PQsocketPoll, PQstatus,
};

use super::session_cache::{Change, SessionCache};

/// The channel the triggers notify.
const CHANNEL: &str = "auth_session_changes";

/// The name the connection shows in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "auth-service session cache";

/// How long the thread sleeps on a quiet connection before it checks the
/// connection (and whether the cache is still wanted).
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// How long it waits before connecting again after the connection dropped.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Listens for changes on behalf of `cache`, on a thread of its own, for as
/// long as the cache lives: the cache is used while the connection to
/// `url` is up, and emptied and bypassed while it is not.
pub fn spawn(url: &str, cache: &Arc<SessionCache>) -> std::io::Result<()> {
    let url = CString::new(url).map_err(std::io::Error::other)?;
    let cache = Arc::downgrade(cache);
    thread::Builder::new()
        .name("cache-listener".to_owned())
        .spawn(move || listen(&url, &cache))
        .map(drop)
}

/// The thread's loop: connect, listen, apply; on a drop, suspend the cache
/// and connect again. Returns once the cache is dropped.
fn listen(url: &CStr, cache: &Weak<SessionCache>) {
    // Whether the log has told of the channel yet (up, or waited for): a
    // later connection is news ("back").
    let mut told = false;
    while cache.strong_count() > 0 {
        match Listening::open(url) {
            Ok(listening) => {
                let Some(live) = cache.upgrade() else { return };
                live.resume(listening.socket());
                drop(live);
                if told {
                    log::info!("the session cache's change channel is back");
                }
                told = true;
                let error = loop {
                    let changes = match listening.wait(CHECK_EVERY) {
                        Ok(changes) => changes,
                        Err(error) => break error,
                    };
                    let Some(live) = cache.upgrade() else { return };
                    for change in &changes {
                        live.forget(change);
                    }
                };
                let Some(live) = cache.upgrade() else { return };
                live.suspend();
                log::warn!(
                    "the session cache's change channel dropped ({error}): sessions are read \
                     from the database until it is back"
                );
            }
            Err(error) if told => log::debug!("the change channel is still down: {error}"),
            Err(error) => {
                log::warn!("the session cache waits for its change channel: {error}");
                told = true;
            }
        }
        thread::sleep(RECONNECT_AFTER);
    }
}

/// A notice processor that drops what libpq hands it.
unsafe extern "C" fn ignore_notice(_: *mut c_void, _: *const c_char) {}

/// A libpq connection that has run `LISTEN`.
struct Listening {
    connection: *mut PGconn,
}

impl Drop for Listening {
    fn drop(&mut self) {
        // SAFETY: `connection` came from `PQconnectdbParams` and is
        // finished once, here.
        unsafe { PQfinish(self.connection) }
    }
}

impl Listening {
    /// Connects to `url` (a PostgreSQL URL or key-value string, as the pool
    /// takes it) and listens on the channel.
    /// A peer that vanishes without a reset (a host or network gone) is
    /// noticed within seconds, not TCP's quarter of an hour: keepalives
    /// while the connection is quiet, and a bound on unacknowledged sends
    /// (the check that `wait` makes), both overriding the URL's.
    fn open(url: &CStr) -> Result<Listening, String> {
        let keywords: [*const c_char; 9] = [
            c"dbname".as_ptr(),
            c"application_name".as_ptr(),
            c"connect_timeout".as_ptr(),
            c"keepalives".as_ptr(),
            c"keepalives_idle".as_ptr(),
            c"keepalives_interval".as_ptr(),
            c"keepalives_count".as_ptr(),
            c"tcp_user_timeout".as_ptr(),
            std::ptr::null(),
        ];
        let name = CString::new(APPLICATION_NAME).map_err(|error| error.to_string())?;
        let values: [*const c_char; 9] = [
            url.as_ptr(),
            name.as_ptr(),
            c"5".as_ptr(),
            c"1".as_ptr(),
            c"2".as_ptr(),
            c"1".as_ptr(),
            c"2".as_ptr(),
            c"2000".as_ptr(),
            std::ptr::null(),
        ];
        // SAFETY: both arrays are null-terminated arrays of C strings that
        // outlive the call; `expand_dbname` = 1 reads `dbname` as a URL,
        // and the keywords after it override what it holds.
        let connection = unsafe { PQconnectdbParams(keywords.as_ptr(), values.as_ptr(), 1) };
        if connection.is_null() {
            return Err("out of memory".to_owned());
        }
        let listening = Listening { connection };
        // SAFETY: a live connection.
        if unsafe { PQstatus(connection) } != ConnStatusType::CONNECTION_OK {
            return Err(listening.error());
        }
        // libpq prints the server's messages to standard error by default
        // ("terminating connection due to administrator command"); the
        // error that ends the connection is logged once, by `listen`.
        // SAFETY: a live connection and a function that ignores its
        // arguments.
        unsafe { PQsetNoticeProcessor(connection, Some(ignore_notice), std::ptr::null_mut()) };
        listening.execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(listening)
    }

    /// Its socket, which libpq keeps open until the connection is finished.
    fn socket(&self) -> i32 {
        // SAFETY: a live connection.
        unsafe { PQsocket(self.connection) }
    }

    /// Runs `statement`, which returns no rows.
    fn execute(&self, statement: &str) -> Result<(), String> {
        let statement = CString::new(statement).map_err(|error| error.to_string())?;
        // SAFETY: a live connection and a C string; the result is cleared
        // once, here (`PQclear` accepts null).
        let status = unsafe {
            let result = PQexec(self.connection, statement.as_ptr());
            let status = PQresultStatus(result);
            PQclear(result);
            status
        };
        match status {
            ExecStatusType::PGRES_COMMAND_OK | ExecStatusType::PGRES_TUPLES_OK => Ok(()),
            _ => Err(self.error()),
        }
    }

    /// The changes notified within `timeout` (none if it passed quietly,
    /// after checking that the connection still answers); an error once the
    /// connection is lost.
    fn wait(&self, timeout: Duration) -> Result<Vec<Change>, String> {
        let socket = self.socket();
        if socket < 0 {
            return Err(self.error());
        }
        // SAFETY: the live connection's socket; `PQsocketPoll` waits on it
        // until it is readable or the end time has passed.
        let ready = unsafe {
            let micros = i64::try_from(timeout.as_micros()).unwrap_or(i64::MAX);
            let end = PQgetCurrentTimeUSec().saturating_add(micros);
            PQsocketPoll(socket, 1, 0, end)
        };
        if ready < 0 {
            return Err(std::io::Error::last_os_error().to_string());
        }
        if ready == 0 {
            // Quiet: a lost peer shows only when asked.
            self.execute("SELECT 1")?;
        }
        // SAFETY: a live connection.
        if unsafe { PQconsumeInput(self.connection) } == 0 {
            return Err(self.error());
        }
        // SAFETY: a live connection.
        if unsafe { PQstatus(self.connection) } != ConnStatusType::CONNECTION_OK {
            return Err(self.error());
        }
        let mut changes = Vec::new();
        loop {
            // SAFETY: `PQnotifies` hands over a notification or null; its
            // payload is a C string inside it, copied before it is freed.
            let payload = unsafe {
                let notification = PQnotifies(self.connection);
                if notification.is_null() {
                    break;
                }
                let payload = CStr::from_ptr((*notification).extra)
                    .to_string_lossy()
                    .into_owned();
                PQfreemem(notification.cast::<c_void>());
                payload
            };
            match Change::parse(&payload) {
                Some(change) => changes.push(change),
                None => log::warn!("the session cache ignored an unknown change notification"),
            }
        }
        Ok(changes)
    }

    /// libpq's last error on this connection, on one line.
    fn error(&self) -> String {
        // SAFETY: a live connection; the message is a C string owned by it,
        // copied at once.
        let message = unsafe { CStr::from_ptr(PQerrorMessage(self.connection)) };
        let message = message.to_string_lossy();
        message.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}
