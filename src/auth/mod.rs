//! `Auth`: registration, login, sessions and password resets. The web layer
//! talks only to `Auth`; `Auth` talks to `DB`. Nothing here knows Rocket.

mod credentials;
mod error;
mod password;
mod policy;
mod throttle;
pub mod token;

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

pub use credentials::{Email, Password, ResetToken};
pub use error::AuthError;
pub use password::{HashError, PasswordHasher};
pub use policy::PolicyViolation;
pub use token::{generate_uuid, SessionId};

use crate::config::Settings;
use crate::db::{DbError, UserChanges, UserQuery, DB};
use crate::user::User;
use throttle::{LoginThrottle, Refusal};

/// How a login attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The new session to give the client.
    Success(NewSession),
    /// The email and password do not match (or the email is unknown).
    WrongCredentials,
    /// Too many attempts: try again after this many seconds.
    Throttled(u64),
}

/// A session just started: its id, for the client's cookie, and how long
/// that cookie should live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    /// Seconds until the session expires.
    pub max_age: u64,
}

/// The authentication service. The web layer builds it at start and keeps
/// it as Rocket's managed state.
pub struct Auth {
    db: DB,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    settings: Settings,
}

impl Auth {
    /// `Auth` over `db`, hashing with `hasher`, configured by `settings`.
    pub fn new(db: DB, hasher: PasswordHasher, settings: Settings) -> Self {
        Auth {
            db,
            hasher,
            throttle: LoginThrottle::new(&settings),
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
    /// cost the same bcrypt work as known ones (a dummy hash is verified).
    pub async fn valid_login(&self, email: &Email, password: &Password) -> Result<bool, AuthError> {
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        let hash = user.as_ref().map(|user| user.hashed_password.as_str());
        Ok(self.hasher.verify(password, hash).await?)
    }

    /// Starts a new session for the user `email`, ending any previous one,
    /// in one statement. `None` for an unknown email.
    pub async fn create_session(&self, email: &Email) -> Result<Option<NewSession>, AuthError> {
        let id = SessionId::generate();
        let max_age = self.settings.session_ttl;
        let started = self
            .db
            .start_session(&email.normalized(), &id.digest(), expiry(max_age))
            .await?;
        Ok(started.then_some(NewSession { id, max_age }))
    }

    /// A login attempt from `client`: admitted by the throttle (per client
    /// address in memory, per email in the database), then the password
    /// checked ([`valid_login`](Self::valid_login)), then on success a new
    /// session ([`create_session`](Self::create_session)). Every attempt is
    /// logged with the email and the address, never with the password.
    pub async fn log_in(
        &self,
        email: &Email,
        password: &Password,
        client: Option<IpAddr>,
    ) -> Result<Login, AuthError> {
        // Quoted and escaped, so that no email can forge a log line.
        let shown = email.as_str();
        let address = client.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
        let attempt = match self.throttle.admit(&self.db, email, client, now()).await? {
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
        let valid = match self.valid_login(email, password).await {
            Ok(valid) => valid,
            Err(error) => {
                self.throttle.abandoned(&self.db, attempt).await?;
                return Err(error);
            }
        };
        let session = if valid {
            self.throttle.succeeded(&self.db, attempt).await?;
            // None only if the account was deleted since its password matched.
            self.create_session(email).await?
        } else {
            self.throttle.failed(&self.db, attempt).await?;
            None
        };
        match session {
            Some(session) => {
                log::info!("login succeeded for {shown:?} from {address}");
                Ok(Login::Success(session))
            }
            None => {
                log::warn!("login failed for {shown:?} from {address}");
                Ok(Login::WrongCredentials)
            }
        }
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

    fn check_new_password(&self, password: &Password, email: &Email) -> Result<(), AuthError> {
        Ok(policy::check(
            password,
            email,
            self.settings.password_min_length,
        )?)
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
    now().saturating_add(throttle::seconds(ttl))
}

/// Whether a value that expires at `expires_at` is still valid.
fn is_live(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|expires_at| now() < expires_at)
}
