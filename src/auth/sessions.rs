//! Sessions: one per logged-in device, each ending at `sessions.ttl`, or
//! earlier when not kept and unused for `sessions.idle_ttl`.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use super::device_cookies::{DeviceCookie, DeviceToken};
use super::token::{self, SessionId};
use super::{Auth, AuthError, Email, Password, Requester};
use crate::clock::{self, now};
use crate::db::{Session, SessionLimits, SessionStart, UserQuery, DB};
use crate::language::Text;
use crate::mail::Letter;
use crate::user::{User, UserId};

/// How often, at most, a session's last use is written: reading a session
/// stays a read.
const LAST_SEEN_EVERY: i64 = 60;

/// How often the sessions that are over are swept away.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Deletes the sessions that are over, expired device cookies and waiting
/// sign-ins, and quiet rate limits, once a minute: logins delete them too,
/// but the tables hold only live rows even while nobody logs in.
pub struct SessionSweeper {
    db: DB,
    idle_ttl: u64,
}

impl SessionSweeper {
    /// Deletes what is over now (and the rate limits of addresses that
    /// have been quiet long enough to count as new); how many sessions.
    pub async fn sweep(&self) -> Result<usize, AuthError> {
        let now = now();
        let idle_since = now.saturating_sub(clock::seconds(self.idle_ttl));
        self.db.forget_rates_before(clock::now_ms()).await?;
        Ok(self.db.delete_over_sessions(now, idle_since).await?)
    }

    /// Sweeps at once, then every minute until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            if let Err(error) = self.sweep().await {
                log::warn!("cannot delete the sessions that are over: {error}");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    }
}

/// Where a request comes from: what the device is, the client's
/// address, and the device cookies it presents (name and nonce), of the
/// accounts that logged in from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: DeviceName,
    pub ip: Option<IpAddr>,
    pub cookies: Vec<(String, DeviceToken)>,
}

impl Device {
    /// A device nothing is known of.
    pub fn unknown() -> Self {
        Device {
            name: DeviceName::default(),
            ip: None,
            cookies: Vec::new(),
        }
    }

    /// The client's address, for logs and notices.
    pub fn address_in_words(&self) -> String {
        self.ip
            .map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string())
    }
}

/// What a device is, as its user agent tells: a browser (or another
/// client) and the system it runs on, either of which may be unknown.
///
/// A session keeps it in the JSON API's words, which are part of its
/// contract and never translated (`Display`: "Firefox on Linux", "curl",
/// "Unknown device"; the words every release has stored); pages and mails
/// read them back ([`DeviceName::read`]) and say them in the person's
/// language ([`DeviceName::text`]: "Firefox sous Linux").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceName {
    /// The browser or client; `None`: nothing is known of the device.
    browser: Option<String>,
    /// The system, if known.
    system: Option<String>,
}

/// The JSON API's words for a device nothing is known of.
const UNKNOWN_DEVICE: &str = "Unknown device";

/// What the JSON API's words put between a browser and its system.
const ON: &str = " on ";

impl DeviceName {
    /// The browser (or other client) `browser`, on `system` if known.
    pub fn new(browser: &str, system: Option<&str>) -> Self {
        DeviceName {
            browser: Some(browser.to_owned()),
            system: system.map(str::to_owned),
        }
    }

    /// The device that a session's stored words name (as `Display` writes
    /// them). No browser or system name holds " on ".
    pub fn read(stored: &str) -> Self {
        match stored.split_once(ON) {
            _ if stored.is_empty() || stored == UNKNOWN_DEVICE => DeviceName::default(),
            Some((browser, system)) => DeviceName::new(browser, Some(system)),
            None => DeviceName::new(stored, None),
        }
    }

    /// What a page or a mail says of it, in its language.
    pub fn text(&self) -> Text {
        match (&self.browser, &self.system) {
            (None, _) => Text::new("device-unknown"),
            (Some(browser), None) => Text::new("device-browser").with("browser", browser),
            (Some(browser), Some(system)) => Text::new("device-on")
                .with("browser", browser)
                .with("os", system),
        }
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.browser, &self.system) {
            (None, _) => formatter.write_str(UNKNOWN_DEVICE),
            (Some(browser), None) => formatter.write_str(browser),
            (Some(browser), Some(system)) => write!(formatter, "{browser}{ON}{system}"),
        }
    }
}

/// What a login proved: the password (or the link of a new account) alone,
/// or a second factor too (a one-time code, or a passkey, which is one by
/// itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factors {
    One,
    Two,
}

/// A session just started: its id, for the client's cookie, how long that
/// cookie should live (`None`: as long as the browser runs), and the
/// device cookie that the login leaves the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    pub max_age: Option<u64>,
    pub device_cookie: DeviceCookie,
}

/// A live session, with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub session: Session,
    pub user: User,
}

impl Auth {
    /// What sweeps this service's ended sessions away, to run in the
    /// background.
    pub fn session_sweeper(&self) -> SessionSweeper {
        SessionSweeper {
            db: self.db.clone(),
            idle_ttl: self.settings.sessions.idle_ttl(),
        }
    }

    /// Starts a new session for the user `email` on `device`, leaving their
    /// other sessions (the least recently used ends past
    /// `sessions.max_per_user`); `kept` (persistent) or ending with the
    /// browser and after `sessions.idle_ttl` unused. Expired sessions are
    /// deleted on the way. The device gets a new device cookie, replacing
    /// the one it presented. A login from a device the account has not
    /// used before sends a notice. `None` for an unknown email.
    pub async fn create_session(
        &self,
        email: &Email,
        device: &Device,
        kept: bool,
    ) -> Result<Option<NewSession>, AuthError> {
        match self.find_user(UserQuery::Email(email.normalized())).await? {
            Some(user) => self.start_session(&user, device, kept, Factors::One).await,
            None => Ok(None),
        }
    }

    /// [`create_session`](Self::create_session) for `user`, proven by
    /// `factors`; `None` if the account was deleted meanwhile.
    pub(super) async fn start_session(
        &self,
        user: &User,
        device: &Device,
        kept: bool,
        factors: Factors,
    ) -> Result<Option<NewSession>, AuthError> {
        let (id, now) = (SessionId::generate(), now());
        let ttl = self.settings.sessions.ttl;
        let (device_cookie, device_cookie_start) =
            self.new_device_cookie(&user.normalized_email, device);
        let start = SessionStart {
            public_id: token::handle(),
            digest: id.digest(),
            now,
            expires_at: now.saturating_add(clock::seconds(ttl)),
            persistent: kept,
            device: device.name.to_string(),
            ip: device.ip.map(|ip| ip.to_string()),
            second_factor_at: (factors == Factors::Two).then_some(now),
            device_cookie: device_cookie_start,
        };
        let limits = SessionLimits {
            max_per_user: self.settings.sessions.max_per_user.into(),
            idle_since: now.saturating_sub(clock::seconds(self.settings.sessions.idle_ttl())),
        };
        let Some(started) = self.db.start_session(user.id, start, limits).await? else {
            return Ok(None);
        };
        if started.new_device {
            let notice = Letter::NewDevice {
                device: device.name.text(),
                address: device.ip.map(|ip| ip.to_string()),
            };
            let mail = self.mailer.letter(user, &started.email, &notice, now);
            if let Some(mail) = mail {
                self.db.queue_mail(mail).await?;
                self.mailer.posted();
            }
        }
        Ok(Some(NewSession {
            id,
            max_age: kept.then_some(ttl),
            device_cookie,
        }))
    }

    /// The live session whose id is `session_id`, with its user; its last
    /// use is recorded (at most once a minute).
    pub async fn session(&self, session_id: &str) -> Result<Option<LiveSession>, AuthError> {
        let found = self.db.find_session(&token::digest(session_id)).await?;
        let Some((session, user)) = found else {
            return Ok(None);
        };
        let now = now();
        // A session started as its account was being disabled ends here.
        if now >= self.session_ends_at(&session) || user.disabled_at.is_some() {
            return Ok(None);
        }
        if now - session.last_seen_at >= LAST_SEEN_EVERY {
            self.db.touch_session(session.id, now).await?;
        }
        Ok(Some(LiveSession { session, user }))
    }

    /// The user whose live session is `session_id`, if any.
    pub async fn get_user_from_session_id(
        &self,
        session_id: &str,
    ) -> Result<Option<User>, AuthError> {
        Ok(self.session(session_id).await?.map(|live| live.user))
    }

    /// Ends every session of the user `user_id` (the original design's
    /// single session; `DELETE /sessions` ends only the current one, with
    /// [`end_session`](Self::end_session)).
    pub async fn destroy_session(&self, user_id: UserId) -> Result<(), AuthError> {
        self.db.end_sessions(user_id, None).await?;
        Ok(())
    }

    /// The sessions of the user `user_id`, newest first.
    pub async fn sessions(&self, user_id: UserId) -> Result<Vec<Session>, AuthError> {
        Ok(self.db.user_sessions(user_id).await?)
    }

    /// Ends the session `public_id` of the user `user_id`; `false` when the
    /// user has no such session (another user's is not theirs to end).
    pub async fn end_session(&self, user_id: UserId, public_id: &str) -> Result<bool, AuthError> {
        Ok(self.db.end_session(user_id, public_id).await?)
    }

    /// Ends the requester's session `public_id`, as the session list names
    /// it: their own (which logs out) at once; another one only once they
    /// prove it is them with `password` (or a recent login) from `device`,
    /// as for ending all others: a thief's session must not end the
    /// owner's one by one. `false` when the user has no such session.
    pub async fn end_listed_session(
        &self,
        requester: &Requester,
        public_id: &str,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<bool, AuthError> {
        let sessions = self.db.user_sessions(requester.user_id).await?;
        let Some(listed) = sessions
            .iter()
            .find(|session| session.public_id == public_id)
        else {
            return Ok(false);
        };
        if listed.id != requester.session {
            self.prove(requester, password, device).await?;
        }
        self.end_session(requester.user_id, public_id).await
    }

    /// Ends every session of the requester but theirs, who proves it with
    /// `password` (or a recent login) from `device` (a thief's session
    /// must not end the owner's); how many ended.
    pub async fn end_other_sessions(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<usize, AuthError> {
        let user = self.prove(requester, password, device).await?;
        Ok(self
            .db
            .end_sessions(user.id, Some(requester.session))
            .await?)
    }

    /// When `session` ends if nothing else happens: its expiry, or for a
    /// session not kept, `sessions.idle_ttl` after its last use if sooner.
    pub fn session_ends_at(&self, session: &Session) -> i64 {
        if session.persistent {
            return session.expires_at;
        }
        let idle = clock::seconds(self.settings.sessions.idle_ttl());
        session
            .expires_at
            .min(session.last_seen_at.saturating_add(idle))
    }
}

#[cfg(test)]
mod tests {
    use super::DeviceName;
    use crate::language::Language;

    #[test]
    fn a_device_is_stored_in_the_api_s_words_and_said_in_each_language() {
        let cases = [
            (
                DeviceName::new("Firefox", Some("Linux")),
                "Firefox on Linux",
                "Firefox sous Linux",
            ),
            (DeviceName::new("curl", None), "curl", "curl"),
            (DeviceName::default(), "Unknown device", "Appareil inconnu"),
        ];
        for (device, stored, french) in cases {
            assert_eq!(device.to_string(), stored);
            assert_eq!(DeviceName::read(stored), device, "{stored}");
            assert_eq!(Language::En.say(&device.text()), stored);
            assert_eq!(Language::Fr.say(&device.text()), french);
        }
        assert_eq!(DeviceName::read(""), DeviceName::default());
    }
}
