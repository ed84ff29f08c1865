//! `Auth`: registration, login, sessions, password resets, address
//! verification and account settings. The web layer talks only to `Auth`;
//! `Auth` talks to `DB`. Nothing here knows Rocket.
//!
//! The methods named by the original design (`register_user`,
//! `valid_login`, `create_session`, `get_user_from_session_id`,
//! `destroy_session`, `get_reset_password_token`, `update_password`) keep
//! their names; the others sit beside them, by concern: `sessions`,
//! `recovery` (reset and verification links), `account` (what a logged-in
//! user changes).

mod access;
mod account;
mod credentials;
mod device_cookies;
mod error;
mod limits;
mod passkeys;
mod password;
mod policy;
mod proof;
pub mod provider;
mod recovery;
mod sessions;
mod throttle;
pub mod token;
mod two_factor;

pub use access::{Access, Visitor};
pub use account::EmailChange;
pub use credentials::{Email, OneTimeCode, PasskeyName, Password, ResetToken, TotpCode};
pub use device_cookies::{DeviceCookie, DeviceToken, DEVICE_COOKIE_PREFIX};
pub use error::AuthError;
pub use passkeys::{relying_party, PasskeyChallenge, PasskeyLogin};
pub use password::{HashError, PasswordHasher};
pub use policy::PolicyViolation;
pub use proof::Requester;
pub use recovery::{LinkFollower, Mailed, ResetIssued};
pub use sessions::{Device, DeviceName, LiveSession, NewSession, SessionSweeper};
pub use token::{generate_uuid, CeremonyId, PendingSignInId, SessionId};
pub use two_factor::{CodeAwaited, TotpEnrolment, TwoFactorStatus, PENDING_SIGN_IN_TTL};

use std::net::IpAddr;

use crate::clock::now;
use crate::config::Settings;
use crate::db::{DbError, UserChanges, UserQuery, UserUpdate, DB};
use crate::language::Language;
use crate::mail::{Letter, Mailer};
use crate::metrics::{LoginOutcome, Logins, Tally};
use crate::seal::{derive_key, Sealer};
use crate::user::{User, UserId};
use limits::{AddressLimits, Limited};
use sessions::Factors;
use throttle::{Attempt, LoginThrottle, Refusal};

/// How a login attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The new session to give the client.
    Success(NewSession),
    /// The email and password do not match (or the email is unknown).
    WrongCredentials,
    /// Too many attempts: try again after this many seconds.
    Throttled(u64),
    /// The password is right, but the address must be verified first
    /// (`sessions.require_verified_email`): no session.
    EmailNotVerified,
    /// The password is right; two-factor sign-in is on and no code came
    /// with it: a browser's sign-in may wait for one
    /// ([`Auth::wait_for_code`]).
    SecondFactorRequired(CodeAwaited),
    /// The second factor is wrong.
    WrongCode,
    /// The second factor is a recovery code used before.
    UsedRecoveryCode,
    /// The second factor was wrong too many times in a row: every sign-in
    /// of the account waiting for one has ended.
    TooManyWrongCodes,
    /// The sign-in waited too long for its second factor, or was ended
    /// (its code used, the password changed).
    SignInExpired,
}

/// How long a registration refused for want of a hashing place waits
/// before its answer.
const BUSY_REFUSAL_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a readiness check waits for a database connection.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The authentication service. The web layer builds it at start and keeps
/// it as Rocket's managed state.
pub struct Auth {
    db: DB,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    /// Registrations and mailed links per client address.
    limits: AddressLimits,
    mailer: Mailer,
    /// Seals TOTP secrets.
    totp_sealer: Sealer,
    /// Keys the digests of recovery codes.
    recovery_key: [u8; 32],
    /// Keys the names of device cookies.
    device_cookie_key: [u8; 32],
    /// Checks passkeys, for the relying party `public_url` names; `None`
    /// when passkeys are off.
    relying_party: Option<webauthn_rs::Webauthn>,
    settings: Settings,
    /// Counts logins by outcome.
    logins: Logins,
    /// Counts forward auth's decisions.
    access: Tally,
    /// Counts the provider's events.
    provider_events: Tally,
    /// Keys the digests of client secrets.
    client_secret_key: [u8; 32],
    /// Seals the private keys that sign ID tokens.
    key_sealer: Sealer,
    /// The signing keys this instance loaded.
    signing_keys: provider::KeyCache,
}

impl Auth {
    /// `Auth` over `db`, hashing with `hasher`, mailing through `mailer`,
    /// with keys derived from `secret` (the configured secret key),
    /// configured by `settings`; why not, in words for an operator, when
    /// `settings` name no usable passkey relying party.
    pub fn new(
        db: DB,
        hasher: PasswordHasher,
        mailer: Mailer,
        secret: &[u8],
        settings: Settings,
    ) -> Result<Self, String> {
        Ok(Auth {
            db,
            hasher,
            throttle: LoginThrottle::new(&settings.login_limits),
            limits: AddressLimits::new(&settings.login_limits),
            mailer,
            totp_sealer: Sealer::new(secret, two_factor::TOTP_KEY),
            recovery_key: derive_key(secret, two_factor::RECOVERY_KEY),
            device_cookie_key: derive_key(secret, device_cookies::DEVICE_COOKIE_KEY),
            relying_party: relying_party(&settings)?,
            settings,
            logins: Logins::default(),
            access: Tally::new("decision"),
            provider_events: Tally::new("event"),
            client_secret_key: derive_key(secret, provider::CLIENT_SECRET_KEY),
            key_sealer: Sealer::new(secret, provider::SIGNING_KEY_SEAL),
            signing_keys: provider::KeyCache::default(),
        })
    }

    /// This `Auth`, counting logins by outcome in `logins`, and forward
    /// auth's decisions in `access`, and the provider's events in `provider_events`.
    pub fn counted_in(self, logins: Logins, access: Tally, provider_events: Tally) -> Self {
        Auth {
            logins,
            access,
            provider_events,
            ..self
        }
    }

    /// The settings this service runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the service can serve: the database answers (within
    /// `READY_TIMEOUT`) with every migration applied. Else why not, in
    /// words for an operator.
    pub async fn readiness(&self) -> Result<(), &'static str> {
        match self.db.readiness(READY_TIMEOUT).await {
            Ok(()) => Ok(()),
            Err(DbError::Migration(_)) => Err("database migrations are pending"),
            Err(_) => Err("the database does not answer"),
        }
    }

    /// How many bcrypt verifications have run, dummy ones included.
    pub fn password_verifications(&self) -> u64 {
        self.hasher.verifications()
    }

    /// The bcrypt hash of `password`.
    pub async fn hash_password(&self, password: &Password) -> Result<String, AuthError> {
        Ok(self.hasher.hash(password).await?)
    }

    /// Registers a new user, and mails them a link to verify their
    /// address; `UserAlreadyExists` when the email (in any case) is taken,
    /// `WeakPassword` when the password breaks the policy.
    pub async fn register_user(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<User, AuthError> {
        self.register_speaking(email, password, Language::default())
            .await
    }

    /// [`register_user`](Self::register_user), for a person who reads
    /// `language`: the account's mails speak it.
    pub async fn register_speaking(
        &self,
        email: &Email,
        password: &Password,
        language: Language,
    ) -> Result<User, AuthError> {
        self.check_new_password(password, email)?;
        let hashed_password = self.hash_password(password).await?;
        let user = self
            .db
            .add_user(email.as_str(), &email.normalized(), &hashed_password, now())
            .await
            .map_err(|error| match error {
                DbError::Conflict => AuthError::UserAlreadyExists(email.to_string()),
                other => other.into(),
            })?;
        let user = self.speaking(user, Some(language)).await?;
        self.mail_verification_link(&user).await?;
        Ok(user)
    }

    /// `user`, whose mails speak `language` from now on where one is
    /// given.
    async fn speaking(
        &self,
        mut user: User,
        language: Option<Language>,
    ) -> Result<User, AuthError> {
        if let Some(language) = language.filter(|language| *language != user.language) {
            self.set_language(user.id, language).await?;
            user.language = language;
        }
        Ok(user)
    }

    /// Makes `language` the one the mails and notices of user `user_id`
    /// speak.
    pub async fn set_language(&self, user_id: UserId, language: Language) -> Result<(), AuthError> {
        let changes = UserChanges {
            language: Some(language.code().to_owned()),
            ..UserChanges::default()
        };
        Ok(self.db.update_user(user_id, changes).await?)
    }

    /// [`register_user`](Self::register_user), for a request from
    /// `client`: `AddressThrottled` past `login_limits.registrations_per_hour`
    /// from its address. While new hashes have no place to wait, `Busy`
    /// before any other work, after `BUSY_REFUSAL_DELAY`: a flood of
    /// registrations gets one cheap refusal per connection and delay, and
    /// leaves the CPU to logins (answered at once, its clients would ask
    /// again thousands of times a second).
    pub async fn register_from(
        &self,
        email: &Email,
        password: &Password,
        client: Option<IpAddr>,
        language: Language,
    ) -> Result<User, AuthError> {
        if self.hasher.hashes_full() {
            tokio::time::sleep(BUSY_REFUSAL_DELAY).await;
            return Err(AuthError::Busy);
        }
        self.limit(Limited::Registration, client).await?;
        self.register_speaking(email, password, language).await
    }

    /// Whether `password` is the password of the user `email`. Unknown users
    /// cost the same bcrypt work as known ones (a dummy hash is verified).
    pub async fn valid_login(&self, email: &Email, password: &Password) -> Result<bool, AuthError> {
        Ok(self.password_owner(email, password).await?.is_some())
    }

    /// A login attempt from `device`: admitted by the throttle (against
    /// the device cookie it presents for the account, or else per client
    /// address and per email, in the database), then the password
    /// checked (as [`valid_login`](Self::valid_login) does), then, with
    /// two-factor sign-in on, the one-time code `otp` (without one, the
    /// sign-in waits for it), then on success a new session
    /// ([`create_session`](Self::create_session)), `kept` beyond the
    /// browser's life if asked, unless the address must be verified first.
    /// A person logging in from a page reads `language`: the account's
    /// mails speak it from this login on (its new-device notice first); a
    /// JSON client's login (`None`) leaves the account's language alone.
    /// A wrong password answers alike whatever `otp` holds. Every attempt
    /// is logged with the email and the address, never with the password.
    pub async fn log_in(
        &self,
        email: &Email,
        password: &Password,
        device: &Device,
        kept: bool,
        otp: Option<&OneTimeCode>,
        language: Option<Language>,
    ) -> Result<Login, AuthError> {
        let login: Result<Login, AuthError> = async {
            // Quoted and escaped, so that no email can forge a log line.
            let shown = email.as_str();
            let address = device.address_in_words();
            let attempt = match self.admit(&email.normalized(), device).await? {
                Ok(attempt) => attempt,
                Err(refusal) => {
                    let why = match refusal {
                        Refusal::Address(_) => "too many attempts from this address",
                        Refusal::Email(_) => "too many failures",
                    };
                    log::warn!("login throttled for {shown:?} from {address}: {why}");
                    return Ok(Login::Throttled(refusal.wait()));
                }
            };
            let owner = self
                .settle(attempt, self.password_owner(email, password))
                .await?;
            let Some(user) = owner else {
                log::warn!("login failed for {shown:?} from {address}");
                return Ok(Login::WrongCredentials);
            };
            // As Django's and Keycloak's: a disabled account's right
            // password opens nothing and says nothing of the account.
            if user.disabled_at.is_some() {
                log::warn!("login refused for {shown:?} from {address}: account disabled");
                return Ok(Login::WrongCredentials);
            }
            if self.settings.sessions.require_verified_email && user.email_verified_at.is_none() {
                log::warn!("login refused for {shown:?} from {address}: address not verified");
                return Ok(Login::EmailNotVerified);
            }
            if user.totp_enabled_at.is_some() {
                let Some(otp) = otp else {
                    let awaited = CodeAwaited {
                        user_id: user.id,
                        kept,
                    };
                    return Ok(Login::SecondFactorRequired(awaited));
                };
                if let Some(refusal) = self.sign_in_code(&user, otp, device.ip).await? {
                    log::warn!("login failed for {shown:?} from {address}: {refusal:?}");
                    return Ok(refusal);
                }
            }
            let factors = match user.totp_enabled_at {
                Some(_) => Factors::Two,
                None => Factors::One,
            };
            let user = self.speaking(user, language).await?;
            match self.start_session(&user, device, kept, factors).await? {
                Some(session) => {
                    log::info!("login succeeded for {shown:?} from {address}");
                    Ok(Login::Success(session))
                }
                // The account was deleted or disabled since its password
                // matched.
                None => Ok(Login::WrongCredentials),
            }
        }
        .await;
        self.count(login)
    }

    /// Counts `login` by its outcome, and hands it on.
    fn count(&self, login: Result<Login, AuthError>) -> Result<Login, AuthError> {
        let outcome = match &login {
            Ok(Login::Success(_)) => LoginOutcome::Success,
            Ok(
                Login::WrongCredentials
                | Login::WrongCode
                | Login::UsedRecoveryCode
                | Login::TooManyWrongCodes
                | Login::SignInExpired,
            ) => LoginOutcome::Wrong,
            Ok(Login::Throttled(_)) => LoginOutcome::Throttled,
            Ok(Login::SecondFactorRequired(_)) => LoginOutcome::SecondFactor,
            Ok(Login::EmailNotVerified) => LoginOutcome::Unverified,
            Err(_) => return login,
        };
        self.logins.count(outcome);
        login
    }

    /// Admits one password attempt for the address `normalized_email`
    /// from `device`, or says how long to wait.
    async fn admit(
        &self,
        normalized_email: &str,
        device: &Device,
    ) -> Result<Result<Attempt, Refusal>, AuthError> {
        let device_cookies = device.cookie_digests();
        Ok(self
            .throttle
            .admit(&self.db, normalized_email, device.ip, now(), device_cookies)
            .await?)
    }

    /// Runs the password check `checked` of the admitted `attempt`, and
    /// settles the attempt by its result: a match (`Some`) clears the
    /// address's failures, a mismatch counts one more, and a check that
    /// could not run gives the attempt back.
    async fn settle<T>(
        &self,
        attempt: Attempt,
        checked: impl std::future::Future<Output = Result<Option<T>, AuthError>>,
    ) -> Result<Option<T>, AuthError> {
        match checked.await {
            Ok(Some(found)) => {
                self.throttle.succeeded(&self.db, attempt).await?;
                Ok(Some(found))
            }
            Ok(None) => {
                self.throttle.failed(&self.db, attempt).await?;
                Ok(None)
            }
            Err(error) => {
                self.throttle.abandoned(&self.db, attempt).await?;
                Err(error)
            }
        }
    }

    /// The user `email` if `password` is theirs. Unknown users are checked
    /// against a dummy hash, so that both cost one bcrypt verification.
    async fn password_owner(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<Option<User>, AuthError> {
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        let hash = user.as_ref().map(|user| user.hashed_password.as_str());
        let matches = self.hasher.verify(password, hash).await?;
        Ok(user.filter(|_| matches))
    }

    fn check_new_password(&self, password: &Password, email: &Email) -> Result<(), AuthError> {
        self.password_rules(password, Some(email))
    }

    /// Whether `password` keeps the rules of a new password (for `email`,
    /// where it is known): a page tells every problem of a form at once,
    /// even where another field keeps it from being sent on.
    pub fn password_rules(
        &self,
        password: &Password,
        email: Option<&Email>,
    ) -> Result<(), AuthError> {
        let min_length = self.settings.passwords.min_length;
        Ok(policy::check(password, email, min_length)?)
    }

    /// `find_user_by`, with "no such user" as `None`.
    async fn find_user(&self, query: UserQuery) -> Result<Option<User>, AuthError> {
        match self.db.find_user_by(query).await {
            Ok(user) => Ok(Some(user)),
            Err(DbError::NotFound) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// The user `user_id`, who must exist (the session that names them
    /// was just found).
    async fn user(&self, user_id: UserId) -> Result<User, AuthError> {
        self.find_user(UserQuery::Id(user_id))
            .await?
            .ok_or_else(|| AuthError::Internal(format!("user {user_id} is gone")))
    }

    /// Applies `update` to `user` with `letters` (recipient, letter) queued
    /// in the same transaction, and wakes the mail sender. Whether the user
    /// was changed.
    async fn apply(
        &self,
        user: &User,
        mut update: UserUpdate,
        letters: &[(&str, Letter<'_>)],
    ) -> Result<bool, DbError> {
        let now = now();
        update.mails.extend(
            letters
                .iter()
                .filter_map(|(to, letter)| self.mailer.letter(user, to, letter, now)),
        );
        let posted = !update.mails.is_empty();
        let changed = self.db.apply_user_update(user.id, update).await?;
        if changed && posted {
            self.mailer.posted();
        }
        Ok(changed)
    }

    /// The start of the interval in which an address gets one mail of a
    /// kind, at `now`.
    fn mail_interval_start(&self, now: i64) -> i64 {
        now.saturating_sub(crate::clock::seconds(self.settings.mail.link_interval))
    }
}

/// Whether a value that expires at `expires_at` is still valid.
fn is_live(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|expires_at| now() < expires_at)
}
