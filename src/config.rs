//! Configuration: Rocket's own figment (Rocket.toml and `ROCKET_*` variables)
//! with the service's keys beside Rocket's, and the secret key kept on disk.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use std::fmt;

use base64::Engine;
use ipnet::IpNet;
use rocket::config::SecretKey;
use rocket::figment::Figment;
use rocket::http::uri::Absolute;
use serde::Deserialize;

/// The service's own configuration keys, read from Rocket's figment.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// bcrypt work factor (4 to 31).
    pub bcrypt_cost: u32,
    /// Password hashes that may wait for a hashing thread; past that, 503.
    pub hash_queue_limit: usize,
    /// Where the generated secret key is kept when `secret_key` is not set.
    pub secret_key_file: PathBuf,
    /// Lifetime of a session, in seconds.
    pub session_ttl: u64,
    /// Seconds after which a session not kept ("keep me logged in" left
    /// unchecked) ends when unused: `session_ttl` when not set, and never
    /// more.
    pub session_idle_ttl: u64,
    /// Lifetime of a device cookie, in seconds: how long a device that
    /// logged in keeps logging in apart from untrusted clients.
    pub device_cookie_ttl: u64,
    /// Sessions one user may have; past that, the least recently used end.
    pub max_sessions_per_user: u32,
    /// The folder served under `/static`.
    pub static_dir: PathBuf,
    /// Fewest characters of a new password, counted as typed.
    pub password_min_length: usize,
    /// Failed logins of one email allowed before each further one waits.
    pub login_free_attempts: u32,
    /// Wait after the first failure past the free ones, in seconds; it
    /// doubles with every further failure.
    pub login_lockout_base: u64,
    /// Longest wait between two login attempts of one email, in seconds.
    pub login_lockout_max: u64,
    /// Failed logins older than this many seconds are forgotten.
    pub login_failure_window: u64,
    /// Login attempts allowed from one client address per minute (0: no limit).
    pub login_ip_attempts_per_minute: u32,
    /// Registrations allowed from one client address per hour (0: no limit).
    pub registration_ip_attempts_per_hour: u32,
    /// Requests for a mailed link (a password reset, a new verification
    /// link) allowed from one client address per hour (0: no limit).
    pub reset_ip_attempts_per_hour: u32,
    /// The reverse proxies (addresses or networks) whose `ip_header` names
    /// the client; from any other peer the header is ignored and the
    /// client is the peer itself.
    #[serde(deserialize_with = "networks")]
    pub trusted_proxies: Vec<IpNet>,
    /// Seconds for which a login, or the password given again, proves the
    /// session's owner for sensitive changes ("sudo mode").
    pub recent_login_ttl: u64,
    /// Lifetime of a password reset token, in seconds.
    pub reset_token_ttl: u64,
    /// The folder of the Tera templates, pages and mails (Rocket's key).
    pub template_dir: PathBuf,
    /// The SMTP server to send mail through, in lettre's URL form
    /// (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`); without it, mails go to the log.
    pub smtp_url: Option<Redacted>,
    /// The sender of every mail.
    pub mail_from: String,
    /// The base of every link in a mail (`https://auth.example.com`);
    /// `http://localhost:<port>` when not set.
    pub public_url: String,
    /// The WebAuthn relying party id of passkeys: the host of `public_url`
    /// when not set, or a domain it belongs to (`example.com` for
    /// `https://auth.example.com`).
    pub passkey_rp_id: Option<String>,
    /// Seconds a passkey ceremony (adding one, signing in) may take.
    pub passkey_timeout: u64,
    /// How `POST /reset_password` delivers the token to JSON clients.
    pub reset_delivery: ResetDelivery,
    /// Seconds between two reset (or verification) mails to one address.
    pub reset_mail_interval: u64,
    /// Lifetime of an address verification link, in seconds.
    pub verify_token_ttl: u64,
    /// Whether logging in needs a verified address.
    pub require_verified_email: bool,
    /// Attempts to send a mail before it is marked failed.
    pub mail_max_attempts: u32,
    /// Rocket's `secret_key`, from which the outbox key is derived.
    pub secret_key: Option<Redacted>,
    /// Rocket's port, for the default `public_url`.
    pub port: u16,
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
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
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

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bcrypt_cost: bcrypt::DEFAULT_COST,
            hash_queue_limit: 32,
            secret_key_file: PathBuf::from("secret.key"),
            session_ttl: 7 * 24 * 60 * 60,
            // Not set: the same as session_ttl (see `from_figment`).
            session_idle_ttl: 7 * 24 * 60 * 60,
            device_cookie_ttl: 365 * 24 * 60 * 60,
            max_sessions_per_user: 50,
            static_dir: PathBuf::from("static"),
            password_min_length: 8,
            login_free_attempts: 5,
            login_lockout_base: 30,
            login_lockout_max: 15 * 60,
            login_failure_window: 24 * 60 * 60,
            login_ip_attempts_per_minute: 60,
            registration_ip_attempts_per_hour: 20,
            reset_ip_attempts_per_hour: 20,
            trusted_proxies: Vec::new(),
            recent_login_ttl: 10 * 60,
            reset_token_ttl: 60 * 60,
            template_dir: PathBuf::from("templates"),
            smtp_url: None,
            mail_from: "auth-service <no-reply@localhost>".to_owned(),
            public_url: String::new(),
            passkey_rp_id: None,
            passkey_timeout: 5 * 60,
            reset_delivery: ResetDelivery::Response,
            reset_mail_interval: 60,
            verify_token_ttl: 3 * 24 * 60 * 60,
            require_verified_email: false,
            mail_max_attempts: 10,
            secret_key: None,
            port: 8000,
            metrics_address: None,
            log_format: LogFormat::Text,
        }
    }
}

/// The work factors bcrypt accepts.
const BCRYPT_COSTS: std::ops::RangeInclusive<u32> = 4..=31;

/// The longest lifetime accepted for sessions, cookies and tokens: ten
/// years.
const MAX_TTL: u64 = 10 * 365 * 24 * 60 * 60;

impl Settings {
    /// Reads the settings from `figment` and checks their ranges.
    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let mut settings: Settings = figment
            .extract()
            .map_err(|error| format!("invalid configuration: {error}"))?;
        if !BCRYPT_COSTS.contains(&settings.bcrypt_cost) {
            return Err(format!(
                "bcrypt_cost must be between {} and {}, not {}",
                BCRYPT_COSTS.start(),
                BCRYPT_COSTS.end(),
                settings.bcrypt_cost
            ));
        }
        for (key, ttl) in [
            ("session_ttl", settings.session_ttl),
            ("session_idle_ttl", settings.session_idle_ttl),
            ("device_cookie_ttl", settings.device_cookie_ttl),
            ("reset_token_ttl", settings.reset_token_ttl),
            ("login_lockout_base", settings.login_lockout_base),
            ("login_lockout_max", settings.login_lockout_max),
            ("login_failure_window", settings.login_failure_window),
            ("verify_token_ttl", settings.verify_token_ttl),
            ("passkey_timeout", settings.passkey_timeout),
            ("recent_login_ttl", settings.recent_login_ttl),
        ] {
            if !(1..=MAX_TTL).contains(&ttl) {
                return Err(format!(
                    "{key} must be between 1 and {MAX_TTL} seconds, not {ttl}"
                ));
            }
        }
        settings.session_idle_ttl = idle_ttl(figment, &settings);
        if settings.reset_mail_interval > MAX_TTL {
            return Err(format!(
                "reset_mail_interval must be at most {MAX_TTL} seconds, not {}",
                settings.reset_mail_interval
            ));
        }
        if settings.max_sessions_per_user == 0 {
            return Err("max_sessions_per_user must be at least 1".to_owned());
        }
        if settings.mail_max_attempts == 0 {
            return Err("mail_max_attempts must be at least 1".to_owned());
        }
        if let Err(error) = settings.mail_from.parse::<lettre::message::Mailbox>() {
            return Err(format!("mail_from is not a mailbox: {error}"));
        }
        if let Some(url) = &settings.smtp_url {
            let url = url.expose_str().ok_or("smtp_url is not text")?;
            // The error names the scheme or parameter at fault, never the
            // password in the URL.
            if let Err(error) = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            {
                return Err(format!("smtp_url is not an SMTP URL: {error}"));
            }
        }
        settings.public_url = if settings.public_url.is_empty() {
            format!("http://localhost:{}", settings.port)
        } else {
            public_url(&settings.public_url)?
        };
        Ok(settings)
    }
}

/// A list of networks (`10.0.0.0/8`) and addresses (`192.0.2.1`, a network
/// of one).
fn networks<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
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

/// The idle lifetime of sessions in `settings`: `session_ttl` when
/// `figment` does not set it, and capped to it (with a warning) when it
/// sets more, since no session outlives its absolute lifetime.
fn idle_ttl(figment: &Figment, settings: &Settings) -> u64 {
    if !figment.contains("session_idle_ttl") {
        return settings.session_ttl;
    }
    if settings.session_idle_ttl > settings.session_ttl {
        log::warn!(
            "session_idle_ttl ({} s) is longer than session_ttl ({} s), which ends every \
             session: sessions end after {} s unused at most",
            settings.session_idle_ttl,
            settings.session_ttl,
            settings.session_ttl
        );
        return settings.session_ttl;
    }
    settings.session_idle_ttl
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

/// The key naming the file of the generated secret key.
const SECRET_KEY_FILE: &str = "secret_key_file";

/// Rocket's default figment, completed with a persistent secret key.
pub fn figment() -> io::Result<Figment> {
    with_secret_key(rocket::Config::figment())
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
        Err(error) if error.missing() => Settings::default().secret_key_file,
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
