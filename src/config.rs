//! Configuration: Rocket's own figment (Rocket.toml and `ROCKET_*` variables)
//! with the service's keys beside Rocket's, nested by concern
//! (`[default.sessions] ttl = "7d"`, or `ROCKET_SESSIONS__TTL=7d`), and the
//! secret key kept on disk.
//! Durations are seconds, or humantime's words (`"15m"`, `"7d"`). The flat
//! keys of the releases before (`session_ttl`, `ROCKET_SESSION_TTL`) are
//! read as aliases of the nested ones for one more release, with a warning.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use std::fmt;

use base64::Engine;
use ipnet::IpNet;
use rocket::config::SecretKey;
use rocket::figment::providers::Env;
use rocket::figment::Figment;
use rocket::http::uri::Absolute;
use serde::{Deserialize, Deserializer};

use crate::user::Group;

/// The service's configuration, read once at start from Rocket's figment
/// and checked; each part goes to the module that needs it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The base of every link in a mail (`https://auth.example.com`), and
    /// the origin of passkeys; `http://localhost:<port>` when not set.
    pub public_url: String,
    /// The site's name, as mails say it ("Example Accounts"); the host of
    /// `public_url` when not set.
    pub site_name: String,
    /// Where the generated secret key is kept when `secret_key` is not set.
    pub secret_key_file: PathBuf,
    /// Rocket's `secret_key`, from which the keys of sealed values derive.
    pub secret_key: Option<Redacted>,
    /// Rocket's port, for the default `public_url`.
    pub port: u16,
    /// The folder served under `/static`.
    pub static_dir: PathBuf,
    /// The folder of the Tera templates, pages and mails (Rocket's key).
    pub template_dir: PathBuf,
    /// `[passwords]`.
    pub passwords: Passwords,
    /// `[sessions]`.
    pub sessions: Sessions,
    /// `[login_limits]`.
    pub login_limits: LoginLimits,
    /// `[mail]`.
    pub mail: MailSettings,
    /// `[passkeys]`.
    pub passkeys: PasskeySettings,
    /// `[proxy]`.
    pub proxy: Proxy,
    /// `[forward_auth]`.
    pub forward_auth: ForwardAuth,
    /// `[provider]`.
    pub provider: ProviderSettings,
    /// `[operations]`.
    pub operations: Operations,
}

/// `[passwords]`: what a new password must be, and how it is hashed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Passwords {
    /// Fewest characters of a new password, counted as typed.
    pub min_length: usize,
    /// bcrypt work factor (4 to 31).
    pub bcrypt_cost: u32,
    /// Password checks, and as many new hashes, that may wait for a
    /// hashing thread; past that, 503.
    pub hash_queue_limit: usize,
}

/// `[sessions]`: how long a session lives, and what it may do.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sessions {
    /// Lifetime of a session.
    #[serde(deserialize_with = "duration")]
    pub ttl: u64,
    /// A session not kept ("keep me logged in" unchecked) ends after this
    /// long unused: `ttl` when not set, and never more.
    #[serde(deserialize_with = "optional_duration")]
    pub idle_ttl: Option<u64>,
    /// Sessions one user may have; past that, the least recently used end.
    pub max_per_user: u32,
    /// How long a login, or the password given again, proves the session's
    /// owner for sensitive changes ("sudo mode").
    #[serde(deserialize_with = "duration")]
    pub recent_login_ttl: u64,
    /// Lifetime of a device cookie: how long a device that logged in keeps
    /// logging in apart from untrusted clients.
    #[serde(deserialize_with = "duration")]
    pub device_cookie_ttl: u64,
    /// Whether logging in needs a verified address.
    pub require_verified_email: bool,
    /// The domain the session cookie is sent to (`example.com`): the host
    /// of `public_url` or a parent of it, so that the applications beside
    /// it (`app.example.com`) see the session through forward auth. Not
    /// set: this host only.
    pub cookie_domain: Option<String>,
    /// On PostgreSQL, how long each instance reuses a session it looked up
    /// (every change of it reaches every instance at once; see
    /// `db::session_cache`): 0 reads it from the database every time.
    #[serde(deserialize_with = "duration")]
    pub cache_ttl: u64,
    /// How many looked-up sessions each instance keeps at most.
    pub cache_size: usize,
}

impl Sessions {
    /// How long a session not kept lives unused.
    pub fn idle_ttl(&self) -> u64 {
        self.idle_ttl.unwrap_or(self.ttl)
    }
}

/// `[login_limits]`: how guesses and floods are slowed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginLimits {
    /// Failed logins of one email allowed before each further one waits.
    pub free_attempts: u32,
    /// Wait after the first failure past the free ones; it doubles with
    /// every further failure.
    #[serde(deserialize_with = "duration")]
    pub lockout_base: u64,
    /// Longest wait between two login attempts of one email.
    #[serde(deserialize_with = "duration")]
    pub lockout_max: u64,
    /// Failed logins older than this are forgotten.
    #[serde(deserialize_with = "duration")]
    pub failure_window: u64,
    /// Login attempts allowed from one client address per minute (0: no
    /// limit).
    pub ip_attempts_per_minute: u32,
    /// Registrations allowed from one client address per hour (0: no
    /// limit).
    pub registrations_per_hour: u32,
    /// Requests for a mailed link (a password reset, a new verification
    /// link) allowed from one client address per hour (0: no limit).
    pub mailed_links_per_hour: u32,
}

/// `[mail]`: how mails go out, and the links they carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// The SMTP server, in lettre's URL form (`smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host:465`);
    /// without it, mails go to standard error.
    pub smtp_url: Option<Redacted>,
    /// The sender of every mail.
    pub from: String,
    /// Attempts to send a mail before it is marked failed.
    pub max_attempts: u32,
    /// How `POST /reset_password` delivers the token to JSON clients.
    pub reset_delivery: ResetDelivery,
    /// The least time between two reset (or verification) mails to one
    /// address.
    #[serde(deserialize_with = "duration")]
    pub link_interval: u64,
    /// Lifetime of a password reset token.
    #[serde(deserialize_with = "duration")]
    pub reset_token_ttl: u64,
    /// Lifetime of an address verification link (and of a change of
    /// address waiting for its confirmation).
    #[serde(deserialize_with = "duration")]
    pub verify_token_ttl: u64,
}

/// `[passkeys]`: the WebAuthn relying party.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasskeySettings {
    /// The relying party id: the host of `public_url` when not set, or a
    /// domain it belongs to (`example.com` for `https://auth.example.com`).
    pub rp_id: Option<String>,
    /// How long a passkey ceremony (adding one, signing in) may take.
    #[serde(deserialize_with = "duration")]
    pub timeout: u64,
}

/// `[provider]`: the OpenID Connect provider's tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSettings {
    /// Lifetime of an access token and of an ID token.
    #[serde(deserialize_with = "duration")]
    pub access_token_ttl: u64,
    /// Lifetime of a refresh token (each refresh gives a new one).
    #[serde(deserialize_with = "duration")]
    pub refresh_token_ttl: u64,
    /// How long a key made by `keys rotate` is published in the JWKS
    /// before it signs, so that applications fetch it first.
    #[serde(deserialize_with = "duration")]
    pub key_publish_ahead: u64,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            access_token_ttl: 60 * MINUTE,
            refresh_token_ttl: 30 * DAY,
            key_publish_ahead: 60 * MINUTE,
        }
    }
}

/// `[proxy]`: the reverse proxies in front of the service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Proxy {
    /// The proxies (addresses or networks) whose `ip_header` names the
    /// client; from any other peer the header is ignored and the client is
    /// the peer itself.
    #[serde(deserialize_with = "networks")]
    pub trusted: Vec<IpNet>,
}

/// `[forward_auth]`: which hosts behind a reverse proxy a session opens
/// (see `flows::forward_auth`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardAuth {
    /// The rules, the first whose host matches applies; a host that no
    /// rule names is denied.
    pub rules: Vec<AccessRule>,
    /// Whether `http` return addresses are accepted beside `https` (for
    /// local use).
    pub allow_http: bool,
}

/// Who may open a host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRule {
    /// The host (`app.example.com`), or every host under a domain
    /// (`*.example.com`).
    pub host: String,
    /// What the session must have proven.
    pub policy: AccessPolicy,
    /// When not empty, the groups of which the user must be in one.
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// What a session must have proven to open a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessPolicy {
    /// A login, with whatever the account asks for.
    SignedIn,
    /// A login with a second factor (a one-time code or a passkey).
    TwoFactor,
}

impl ForwardAuth {
    /// The rule of `host` (a host name, without its port), if one names it.
    pub fn rule_for(&self, host: &str) -> Option<&AccessRule> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.rules.iter().find(|rule| {
            let pattern = rule.host.to_ascii_lowercase();
            match pattern.strip_prefix("*.") {
                Some(domain) => host != domain && within(&host, domain),
                None => host == pattern,
            }
        })
    }
}

/// `[operations]`: what operators watch.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Operations {
    /// Where to serve `GET /metrics` (`127.0.0.1:9100`, say), apart from
    /// the service's own address; without it, metrics are not served.
    pub metrics_address: Option<SocketAddr>,
    /// How log lines are written (see `web::logging`).
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines, as Rocket writes them.
    #[default]
    Text,
    /// One JSON object per line: `time`, `level`, `message`, and the
    /// fields of the record (a request's `method`, `path`, ...).
    Json,
}

/// How `POST /reset_password` gives JSON clients the reset token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResetDelivery {
    /// In the answer's body, as the original API does.
    #[default]
    Response,
    /// By mail only; the answer never tells whether the address exists.
    Email,
}

/// A secret setting (a key, a URL with a password): never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(Vec<u8>);

impl Redacted {
    /// The secret itself.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, if it is text.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for Redacted {
    /// Text, or bytes (Rocket takes a `secret_key` as either).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Bytes(Vec<u8>),
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Redacted(text.into_bytes()),
            Raw::Bytes(bytes) => Redacted(bytes),
        })
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords {
            min_length: 8,
            bcrypt_cost: bcrypt::DEFAULT_COST,
            hash_queue_limit: 32,
        }
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            ttl: 7 * DAY,
            idle_ttl: None,
            max_per_user: 50,
            recent_login_ttl: 10 * MINUTE,
            device_cookie_ttl: 365 * DAY,
            require_verified_email: false,
            cookie_domain: None,
            cache_ttl: 10,
            cache_size: 10_000,
        }
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            free_attempts: 5,
            lockout_base: 30,
            lockout_max: 15 * MINUTE,
            failure_window: DAY,
            ip_attempts_per_minute: 60,
            registrations_per_hour: 20,
            mailed_links_per_hour: 20,
        }
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            from: "auth-service <no-reply@localhost>".to_owned(),
            max_attempts: 10,
            reset_delivery: ResetDelivery::Response,
            link_interval: MINUTE,
            reset_token_ttl: 60 * MINUTE,
            verify_token_ttl: 3 * DAY,
        }
    }
}

impl Default for PasskeySettings {
    fn default() -> Self {
        PasskeySettings {
            rp_id: None,
            timeout: 5 * MINUTE,
        }
    }
}

/// A minute and a day, in seconds.
const MINUTE: u64 = 60;
const DAY: u64 = 24 * 60 * MINUTE;

/// The flat keys of the releases before, and the nested keys they stand
/// for: read for one more release, with a warning.
const ALIASES: &[(&str, &str)] = &[
    ("password_min_length", "passwords.min_length"),
    ("bcrypt_cost", "passwords.bcrypt_cost"),
    ("hash_queue_limit", "passwords.hash_queue_limit"),
    ("session_ttl", "sessions.ttl"),
    ("session_idle_ttl", "sessions.idle_ttl"),
    ("max_sessions_per_user", "sessions.max_per_user"),
    ("recent_login_ttl", "sessions.recent_login_ttl"),
    ("device_cookie_ttl", "sessions.device_cookie_ttl"),
    ("require_verified_email", "sessions.require_verified_email"),
    ("login_free_attempts", "login_limits.free_attempts"),
    ("login_lockout_base", "login_limits.lockout_base"),
    ("login_lockout_max", "login_limits.lockout_max"),
    ("login_failure_window", "login_limits.failure_window"),
    (
        "login_ip_attempts_per_minute",
        "login_limits.ip_attempts_per_minute",
    ),
    (
        "registration_ip_attempts_per_hour",
        "login_limits.registrations_per_hour",
    ),
    (
        "reset_ip_attempts_per_hour",
        "login_limits.mailed_links_per_hour",
    ),
    ("smtp_url", "mail.smtp_url"),
    ("mail_from", "mail.from"),
    ("mail_max_attempts", "mail.max_attempts"),
    ("reset_delivery", "mail.reset_delivery"),
    ("reset_mail_interval", "mail.link_interval"),
    ("reset_token_ttl", "mail.reset_token_ttl"),
    ("verify_token_ttl", "mail.verify_token_ttl"),
    ("passkey_rp_id", "passkeys.rp_id"),
    ("passkey_timeout", "passkeys.timeout"),
    ("trusted_proxies", "proxy.trusted"),
    ("metrics_address", "operations.metrics_address"),
    ("log_format", "operations.log_format"),
];

/// `figment` with each flat key of the releases before (see [`ALIASES`])
/// read as its nested key, where that is not set itself; and the pairs
/// (flat, nested) it found, to warn of once the logger runs.
pub fn with_aliases(figment: Figment) -> (Figment, Vec<(&'static str, &'static str)>) {
    let mut found = Vec::new();
    let mut aliased = figment.clone();
    for &(flat, nested) in ALIASES {
        let Ok(value) = figment.find_value(flat) else {
            continue;
        };
        found.push((flat, nested));
        if !figment.contains(nested) {
            aliased = aliased.merge((nested, value));
        }
    }
    (aliased, found)
}

/// The work factors bcrypt accepts.
const BCRYPT_COSTS: std::ops::RangeInclusive<u32> = 4..=31;

/// The longest lifetime accepted for sessions, cookies and tokens: ten
/// years.
const MAX_TTL: u64 = 10 * 365 * DAY;

impl Settings {
    /// Reads the settings from `figment` (flat keys of the releases before
    /// included, with a warning) and checks them: what is wrong stops the
    /// start with a message naming the key.
    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let (figment, aliases) = with_aliases(figment.clone());
        for (flat, nested) in aliases {
            log::warn!(
                "the setting {flat} is now {nested}: the old name is read for one more release"
            );
        }
        let mut settings: Settings = figment
            .extract()
            .map_err(|error| format!("invalid configuration: {error}"))?;
        settings.check()?;
        settings.sessions.idle_ttl = Some(idle_ttl(&settings.sessions));
        settings.public_url = if settings.public_url.is_empty() {
            format!("http://localhost:{}", settings.port)
        } else {
            public_url(&settings.public_url)?
        };
        if settings.site_name.trim().is_empty() {
            settings.site_name = settings.public_host().to_owned();
        }
        settings.sessions.cookie_domain = settings
            .sessions
            .cookie_domain
            .as_deref()
            .map(|domain| cookie_domain(domain, settings.public_host()))
            .transpose()?;
        if settings.secret_key_file.as_os_str().is_empty() {
            settings.secret_key_file = PathBuf::from(DEFAULT_SECRET_KEY_FILE);
        }
        for (folder, default) in [
            (&mut settings.static_dir, "static"),
            (&mut settings.template_dir, "templates"),
        ] {
            if folder.as_os_str().is_empty() {
                *folder = PathBuf::from(default);
            }
        }
        Ok(settings)
    }

    /// The host of `public_url` (once read), lowercase.
    pub fn public_host(&self) -> &str {
        let authority = self
            .public_url
            .split_once("://")
            .map_or("", |(_, rest)| rest);
        let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if host.is_empty() {
            "auth-service"
        } else {
            host
        }
    }

    /// The domain whose hosts the session opens: `sessions.cookie_domain`,
    /// or the host of `public_url`.
    pub fn session_domain(&self) -> &str {
        self.sessions
            .cookie_domain
            .as_deref()
            .unwrap_or_else(|| self.public_host())
    }

    /// Whether a login may come back to `url`, an address outside this
    /// site, for forward auth (with rules only): an https URL (http too
    /// with `forward_auth.allow_http`) of a host the session reaches
    /// ([`session_domain`](Self::session_domain) or under it), with no user
    /// name or password in it.
    pub fn may_return_to(&self, url: &str) -> bool {
        if self.forward_auth.rules.is_empty()
            || url
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return false;
        }
        let Ok(url) = Absolute::parse(url) else {
            return false;
        };
        let scheme_allowed = match url.scheme().to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => self.forward_auth.allow_http,
            _ => false,
        };
        let Some(authority) = url
            .authority()
            .filter(|authority| authority.user_info().is_none())
        else {
            return false;
        };
        let host = authority.host().to_ascii_lowercase();
        scheme_allowed && within(&host, self.session_domain())
    }

    /// Where a login may come back to beyond this site, as the sources of
    /// a Content-Security-Policy (`https://example.com
    /// https://*.example.com`): browsers hold a form's redirect to them.
    /// Empty without forward auth rules.
    pub fn return_sources(&self) -> Vec<String> {
        if self.forward_auth.rules.is_empty() {
            return Vec::new();
        }
        let schemes: &[&str] = match self.forward_auth.allow_http {
            true => &["https", "http"],
            false => &["https"],
        };
        let domain = self.session_domain();
        schemes
            .iter()
            .flat_map(|scheme| {
                [
                    format!("{scheme}://{domain}"),
                    format!("{scheme}://*.{domain}"),
                ]
            })
            .collect()
    }

    /// Refuses values out of their range, naming the key.
    fn check(&self) -> Result<(), String> {
        let passwords = &self.passwords;
        if !BCRYPT_COSTS.contains(&passwords.bcrypt_cost) {
            return Err(format!(
                "passwords.bcrypt_cost must be between {} and {}, not {}",
                BCRYPT_COSTS.start(),
                BCRYPT_COSTS.end(),
                passwords.bcrypt_cost
            ));
        }
        let (sessions, limits, mail) = (&self.sessions, &self.login_limits, &self.mail);
        let lifetimes = [
            ("sessions.ttl", Some(sessions.ttl)),
            ("sessions.idle_ttl", sessions.idle_ttl),
            (
                "sessions.device_cookie_ttl",
                Some(sessions.device_cookie_ttl),
            ),
            ("sessions.recent_login_ttl", Some(sessions.recent_login_ttl)),
            ("login_limits.lockout_base", Some(limits.lockout_base)),
            ("login_limits.lockout_max", Some(limits.lockout_max)),
            ("login_limits.failure_window", Some(limits.failure_window)),
            ("mail.reset_token_ttl", Some(mail.reset_token_ttl)),
            ("mail.verify_token_ttl", Some(mail.verify_token_ttl)),
            ("passkeys.timeout", Some(self.passkeys.timeout)),
            (
                "provider.access_token_ttl",
                Some(self.provider.access_token_ttl),
            ),
            (
                "provider.refresh_token_ttl",
                Some(self.provider.refresh_token_ttl),
            ),
        ];
        for (key, ttl) in lifetimes {
            if let Some(ttl) = ttl.filter(|ttl| !(1..=MAX_TTL).contains(ttl)) {
                return Err(format!(
                    "{key} must be between 1 and {MAX_TTL} seconds, not {ttl}"
                ));
            }
        }
        let waits = [
            ("mail.link_interval", mail.link_interval),
            (
                "provider.key_publish_ahead",
                self.provider.key_publish_ahead,
            ),
        ];
        for (key, wait) in waits {
            if wait > MAX_TTL {
                return Err(format!(
                    "{key} must be at most {MAX_TTL} seconds, not {wait}"
                ));
            }
        }
        if sessions.max_per_user == 0 {
            return Err("sessions.max_per_user must be at least 1".to_owned());
        }
        if mail.max_attempts == 0 {
            return Err("mail.max_attempts must be at least 1".to_owned());
        }
        for rule in &self.forward_auth.rules {
            let host = rule.host.strip_prefix("*.").unwrap_or(&rule.host);
            if !is_host_name(host) {
                return Err(format!(
                    "forward_auth.rules: {:?} is not a host name (or *.domain)",
                    rule.host
                ));
            }
        }
        if let Err(error) = mail.from.parse::<lettre::message::Mailbox>() {
            return Err(format!("mail.from is not a mailbox: {error}"));
        }
        if let Some(url) = &mail.smtp_url {
            let url = url.expose_str().ok_or("mail.smtp_url is not text")?;
            // The error names the scheme or parameter at fault, never the
            // password in the URL.
            if let Err(error) = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            {
                return Err(format!("mail.smtp_url is not an SMTP URL: {error}"));
            }
        }
        Ok(())
    }
}

/// A duration: a number of seconds, or humantime's words (`"90s"`,
/// `"15m"`, `"7d"`, `"1h 30m"`).
fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Seconds(u64),
        Words(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Seconds(seconds) => Ok(seconds),
        Raw::Words(words) => match words.trim().parse::<u64>() {
            Ok(seconds) => Ok(seconds),
            Err(_) => humantime::parse_duration(words.trim())
                .map(|duration| duration.as_secs())
                .map_err(|error| {
                    serde::de::Error::custom(format!(
                        "{words:?} is not a duration (seconds, or words such as \"15m\" or \
                         \"7d\"): {error}"
                    ))
                }),
        },
    }
}

/// An optional [`duration`].
fn optional_duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    duration(deserializer).map(Some)
}

/// A list of networks (`10.0.0.0/8`) and addresses (`192.0.2.1`, a network
/// of one).
fn networks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    let texts = Vec::<String>::deserialize(deserializer)?;
    texts
        .iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!("{text:?} is not an IP address or network"))
                })
        })
        .collect()
}

/// The idle lifetime of `sessions`: their `ttl` when not set, and capped to
/// it (with a warning) when set above, since no session outlives its
/// absolute lifetime.
fn idle_ttl(sessions: &Sessions) -> u64 {
    match sessions.idle_ttl {
        None => sessions.ttl,
        Some(idle) if idle > sessions.ttl => {
            log::warn!(
                "sessions.idle_ttl ({idle} s) is longer than sessions.ttl ({} s), which ends \
                 every session: sessions end after {} s unused at most",
                sessions.ttl,
                sessions.ttl
            );
            sessions.ttl
        }
        Some(idle) => idle,
    }
}

/// `url` as the base of links: an absolute http(s) URL with no query,
/// without its trailing slash.
fn public_url(url: &str) -> Result<String, String> {
    let parsed = Absolute::parse(url).map_err(|_| format!("public_url {url:?} is not a URL"))?;
    let web = matches!(parsed.scheme(), "http" | "https") && parsed.authority().is_some();
    if !web || parsed.query().is_some() {
        return Err(format!(
            "public_url must be an http or https URL with no query, not {url:?}"
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Whether `host` is `domain` or a host under it (`app.example.com` under
/// `example.com`, but not `badexample.com`).
fn within(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|sub| sub.is_empty() || sub.ends_with('.'))
}

/// Whether `host` is a DNS host name: dot-separated labels of letters,
/// digits and hyphens.
fn is_host_name(host: &str) -> bool {
    let label = |label: &str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    host.len() <= 253 && host.split('.').all(label)
}

/// `domain` as `sessions.cookie_domain`, lowercase without a leading dot,
/// if it is `host` (that of `public_url`) or a parent of it: a browser
/// takes a cookie only for a domain its host belongs to.
fn cookie_domain(domain: &str, host: &str) -> Result<String, String> {
    let domain = domain.trim().trim_start_matches('.').to_ascii_lowercase();
    let top_level = !domain.contains('.') && host != domain;
    if !is_host_name(&domain) || top_level || !within(host, &domain) {
        return Err(format!(
            "sessions.cookie_domain must be the host of public_url ({host}) or a domain it \
             belongs to, not {domain:?}"
        ));
    }
    Ok(domain)
}

/// The key naming the file of the generated secret key.
const SECRET_KEY_FILE: &str = "secret_key_file";

/// Where the generated secret key is kept when nothing says.
const DEFAULT_SECRET_KEY_FILE: &str = "secret.key";

/// Rocket's default figment, where a double underscore in a `ROCKET_`
/// variable also nests (`ROCKET_SESSIONS__TTL=7d` sets `sessions.ttl`),
/// completed with a persistent secret key.
pub fn figment() -> io::Result<Figment> {
    let nested = Env::prefixed("ROCKET_")
        .ignore(&["PROFILE"])
        .split("__")
        .global();
    with_secret_key(rocket::Config::figment().merge(nested))
}

/// Adds `secret_key` to `figment` from `secret_key_file`, creating that file
/// with a fresh random key (mode 0600) the first time, so that private cookies
/// and thus sessions survive restarts in every profile. A configured
/// `secret_key` wins and no file is touched.
pub fn with_secret_key(figment: Figment) -> io::Result<Figment> {
    let configured = figment
        .extract_inner::<SecretKey>(rocket::Config::SECRET_KEY)
        .is_ok_and(|key| !key.is_zero());
    if configured {
        return Ok(figment);
    }
    let file = match figment.extract_inner::<PathBuf>(SECRET_KEY_FILE) {
        Ok(file) => file,
        Err(error) if error.missing() => PathBuf::from(DEFAULT_SECRET_KEY_FILE),
        Err(error) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                error.to_string(),
            ))
        }
    };
    let key = read_or_create_key(&file)?;
    Ok(figment.merge((rocket::Config::SECRET_KEY, key)))
}

fn read_or_create_key(path: &Path) -> io::Result<String> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let key = generate_key()?;
            file.write_all(key.as_bytes())?;
            file.sync_all()?;
            Ok(key)
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            Ok(fs::read_to_string(path)?.trim().to_owned())
        }
        Err(error) => Err(io::Error::new(
            error.kind(),
            format!("cannot create {}: {error}", path.display()),
        )),
    }
}

/// 512 random bits from the operating system's CSPRNG, base64-encoded as
/// Rocket's `secret_key` expects.
fn generate_key() -> io::Result<String> {
    let mut bytes = [0u8; 64];
    getrandom::getrandom(&mut bytes).map_err(io::Error::other)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}
