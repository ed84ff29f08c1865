//! `Auth`: registration, login, sessions and password resets. Routes talk
//! only to `Auth`; `Auth` talks to `DB`.

mod credentials;
mod password;
mod policy;
mod throttle;
mod token;

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use rocket::fairing::AdHoc;
use rocket::{Build, Rocket};

pub use credentials::{Email, Password, ResetToken};
pub use password::{HashError, PasswordHasher};
pub use token::generate_uuid;

use crate::config::Settings;
use crate::db::{DbError, UserChanges, UserQuery, DB};
use crate::user::User;
use throttle::{AddressLimiter, LoginThrottle};

/// What can go wrong in `Auth`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("User {0} already exists")]
    UserAlreadyExists(String),
    #[error("no user is registered with this email")]
    UnknownEmail,
    #[error("invalid reset token")]
    InvalidResetToken,
    /// The new password breaks the policy; the text completes the field's
    /// name ("must be at least 8 characters").
    #[error("password {0}")]
    WeakPassword(String),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Hashing(#[from] HashError),
}

/// How a login attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The session id to give the client.
    Success(String),
    /// The email and password do not match (or the email is unknown).
    WrongCredentials,
    /// Too many attempts: try again after this many seconds.
    Throttled(u64),
}

/// The authentication service, managed by Rocket and attached by
/// [`Auth::fairing`].
pub struct Auth {
    db: DB,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    addresses: AddressLimiter,
    settings: Settings,
}

impl Auth {
    /// Opens the `auth` database pool, applies the migrations, and manages
    /// `Auth` over it.
    pub fn fairing() -> impl rocket::fairing::Fairing {
        AdHoc::try_on_ignite("Auth", |rocket| async move {
            match Auth::from_rocket(&rocket).await {
                Ok(auth) => Ok(rocket.manage(auth)),
                Err(error) => {
                    rocket::error!("auth-service cannot start: {error}");
                    Err(rocket)
                }
            }
        })
    }

    async fn from_rocket(rocket: &Rocket<Build>) -> Result<Auth, String> {
        let settings = Settings::from_figment(rocket.figment())?;
        if rocket.figment().profile() == rocket::Config::RELEASE_PROFILE {
            rocket::warn!(
                "POST /reset_password returns the reset token in its body, as the original \
                 API does: anyone who can reach it can reset any account's password. Keep it \
                 away from the public (see README, Security)."
            );
        }
        let db = DB::connect(rocket)
            .await
            .map_err(|error| format!("database: {error}"))?;
        let (cost, queue) = (settings.bcrypt_cost, settings.hash_queue_limit);
        let hasher = rocket::tokio::task::spawn_blocking(move || PasswordHasher::new(cost, queue))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())?;
        Ok(Auth::new(db, hasher, settings))
    }

    /// `Auth` over `db`, hashing with `hasher`.
    pub fn new(db: DB, hasher: PasswordHasher, settings: Settings) -> Self {
        Auth {
            db,
            hasher,
            throttle: LoginThrottle::new(&settings),
            addresses: AddressLimiter::new(&settings),
            settings,
        }
    }

    /// The settings this service runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// How many bcrypt verifications have run, dummy ones included.
    pub fn password_verifications(&self) -> u64 {
        self.hasher.verifications()
    }

    /// The bcrypt hash of `password`.
    pub async fn hash_password(&self, password: &Password) -> Result<String, AuthError> {
        Ok(self.hasher.hash(password).await?)
    }

    /// Registers a new user; `UserAlreadyExists` when the email (in any case)
    /// is taken, `WeakPassword` when the password breaks the policy.
    pub async fn register_user(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<User, AuthError> {
        self.check_new_password(password, email)?;
        let hashed_password = self.hash_password(password).await?;
        self.db
            .add_user(email.as_str(), &email.normalized(), &hashed_password, now())
            .await
            .map_err(|error| match error {
                DbError::Conflict => AuthError::UserAlreadyExists(email.to_string()),
                other => other.into(),
            })
    }

    /// Whether `password` is the password of the user `email`. Unknown users
    /// cost the same bcrypt work as known ones.
    pub async fn valid_login(&self, email: &Email, password: &Password) -> Result<bool, AuthError> {
        Ok(self.check_password(email, password).await?.is_some())
    }

    /// Starts a new session for the user `email`, ending any previous one.
    /// Returns the session id to give the client, or `None` for an unknown
    /// email.
    pub async fn create_session(&self, email: &Email) -> Result<Option<String>, AuthError> {
        match self.find_user(UserQuery::Email(email.normalized())).await? {
            Some(user) => Ok(Some(self.start_session(user.id).await?)),
            None => Ok(None),
        }
    }

    /// A login attempt from `client`: throttled per client address (in
    /// memory) and per email (in the database), then the password checked,
    /// a new session started on success and the failure counted otherwise.
    /// Every attempt is logged with the email and the address, never with
    /// the password.
    pub async fn log_in(
        &self,
        email: &Email,
        password: &Password,
        client: Option<IpAddr>,
    ) -> Result<Login, AuthError> {
        // Quoted and escaped, so that no email can forge a log line.
        let shown = email.as_str();
        let address = client.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
        if let Some(wait) = self.addresses.check(client) {
            rocket::warn!(
                "login throttled for {shown:?} from {address}: too many attempts from this address"
            );
            return Ok(Login::Throttled(wait));
        }
        let key = email.normalized();
        let now = now();
        let stored = self.db.find_login_failures(&key).await?;
        let current = stored.filter(|failures| self.throttle.is_current(failures, now));
        let past_free_attempts = current
            .as_ref()
            .is_some_and(|failures| self.throttle.delay(failures.failures).is_some());
        if past_free_attempts {
            // One attempt at a time, each after its wait: concurrent guesses
            // cannot slip through together.
            let lease = now.saturating_add(throttle::seconds(throttle::ATTEMPT_LEASE));
            if let Some(locked_until) = self.db.claim_login(&key, now, lease).await? {
                rocket::warn!("login throttled for {shown:?} from {address}: too many failures");
                let wait = u64::try_from(locked_until.saturating_sub(now)).unwrap_or(0);
                return Ok(Login::Throttled(wait.max(1)));
            }
        }
        let checked = self.check_password(email, password).await;
        if past_free_attempts && checked.is_err() {
            // The attempt was never checked (hashing busy, database gone):
            // give its claim back, or the email would wait for nothing.
            self.db.lock_logins(&key, now).await?;
        }
        let Some(user) = checked? else {
            let restart = stored.is_some() && current.is_none();
            let recorded = self.db.record_login_failure(&key, now, restart).await?;
            if let Some(delay) = self.throttle.delay(recorded.failures) {
                let until = now.saturating_add(throttle::seconds(delay));
                self.db.lock_logins(&key, until).await?;
            }
            // Failures past the window count no more: forgetting them as new
            // ones come keeps the table as small as the recent failures.
            let cutoff = self.throttle.oldest_current(now);
            self.db.forget_login_failures_before(cutoff).await?;
            rocket::warn!("login failed for {shown:?} from {address}");
            return Ok(Login::WrongCredentials);
        };
        if stored.is_some() {
            self.db.clear_login_failures(&key).await?;
        }
        let session_id = self.start_session(user.id).await?;
        rocket::info!("login succeeded for {shown:?} from {address}");
        Ok(Login::Success(session_id))
    }

    /// The user whose live session is `session_id`, if any.
    pub async fn get_user_from_session_id(
        &self,
        session_id: &str,
    ) -> Result<Option<User>, AuthError> {
        let user = self
            .find_user(UserQuery::SessionId(token::digest(session_id)))
            .await?;
        Ok(user.filter(|user| is_live(user.session_expires_at)))
    }

    /// Ends the session of the user `user_id`.
    pub async fn destroy_session(&self, user_id: i32) -> Result<(), AuthError> {
        let changes = UserChanges {
            session_id: Some(None),
            session_expires_at: Some(None),
            ..UserChanges::default()
        };
        Ok(self.db.update_user(user_id, changes).await?)
    }

    /// Issues a new reset token for the user `email`, replacing any previous
    /// one; `UnknownEmail` when there is no such user.
    pub async fn get_reset_password_token(&self, email: &Email) -> Result<String, AuthError> {
        let user = self
            .find_user(UserQuery::Email(email.normalized()))
            .await?
            .ok_or(AuthError::UnknownEmail)?;
        let reset_token = generate_uuid();
        let changes = UserChanges {
            reset_token: Some(Some(token::digest(&reset_token))),
            reset_token_expires_at: Some(Some(expiry(self.settings.reset_token_ttl))),
            ..UserChanges::default()
        };
        self.db.update_user(user.id, changes).await?;
        Ok(reset_token)
    }

    /// Sets a new password with a reset token issued for `email`. The token
    /// works once; the user's session ends and failed logins are forgotten.
    /// `InvalidResetToken` when the token is unknown, expired, used, or was
    /// issued for another email; `WeakPassword` when the password breaks the
    /// policy.
    pub async fn update_password(
        &self,
        email: &Email,
        reset_token: &ResetToken,
        password: &Password,
    ) -> Result<(), AuthError> {
        let token_digest = token::digest(reset_token.expose());
        let user = self
            .find_user(UserQuery::ResetToken(token_digest.clone()))
            .await?
            .filter(|user| user.normalized_email == email.normalized())
            .filter(|user| is_live(user.reset_token_expires_at))
            .ok_or(AuthError::InvalidResetToken)?;
        self.check_new_password(password, email)?;
        let changes = UserChanges {
            hashed_password: Some(self.hash_password(password).await?),
            reset_token: Some(None),
            reset_token_expires_at: Some(None),
            session_id: Some(None),
            session_expires_at: Some(None),
        };
        self.db
            .redeem_reset_token(user.id, &token_digest, changes)
            .await
            .map_err(|error| match error {
                DbError::NotFound => AuthError::InvalidResetToken,
                other => other.into(),
            })?;
        Ok(self.db.clear_login_failures(&user.normalized_email).await?)
    }

    /// The user `email` if `password` is theirs. Unknown users are checked
    /// against a dummy hash, so that both cost one bcrypt verification.
    async fn check_password(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<Option<User>, AuthError> {
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        let hash = user.as_ref().map(|user| user.hashed_password.as_str());
        let matches = self.hasher.verify(password, hash).await?;
        Ok(user.filter(|_| matches))
    }

    /// Gives the user `user_id` a new session, ending any previous one.
    async fn start_session(&self, user_id: i32) -> Result<String, AuthError> {
        let session_id = generate_uuid();
        let changes = UserChanges {
            session_id: Some(Some(token::digest(&session_id))),
            session_expires_at: Some(Some(expiry(self.settings.session_ttl))),
            ..UserChanges::default()
        };
        self.db.update_user(user_id, changes).await?;
        Ok(session_id)
    }

    fn check_new_password(&self, password: &Password, email: &Email) -> Result<(), AuthError> {
        policy::check(password, email, self.settings.password_min_length)
            .map_err(AuthError::WeakPassword)
    }

    /// `find_user_by`, with "no such user" as `None`.
    async fn find_user(&self, query: UserQuery) -> Result<Option<User>, AuthError> {
        match self.db.find_user_by(query).await {
            Ok(user) => Ok(Some(user)),
            Err(DbError::NotFound) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// The current Unix time in seconds.
fn now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970");
    i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
}

/// The Unix time `ttl` seconds from now.
fn expiry(ttl: u64) -> i64 {
    now().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX))
}

/// Whether a value that expires at `expires_at` is still valid.
fn is_live(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|expires_at| now() < expires_at)
}

/// Attaches `Auth`, with the database pool it runs over.
pub fn stage(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket.attach(Auth::fairing())
}
