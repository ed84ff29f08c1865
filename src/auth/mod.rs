//! `Auth`: registration, login, sessions and password resets. Routes talk
//! only to `Auth`; `Auth` talks to `DB`.

mod credentials;
mod password;
mod token;

use std::time::{SystemTime, UNIX_EPOCH};

use rocket::fairing::AdHoc;
use rocket::{Build, Rocket};

pub use credentials::{Email, Password, ResetToken};
pub use password::{HashError, PasswordHasher};
pub use token::generate_uuid;

use crate::config::Settings;
use crate::db::{DbError, UserChanges, UserQuery, DB};
use crate::user::User;

/// What can go wrong in `Auth`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("User {0} already exists")]
    UserAlreadyExists(String),
    #[error("no user is registered with this email")]
    UnknownEmail,
    #[error("invalid reset token")]
    InvalidResetToken,
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Hashing(#[from] HashError),
}

/// The authentication service, managed by Rocket and attached by
/// [`Auth::fairing`].
pub struct Auth {
    db: DB,
    hasher: PasswordHasher,
    settings: Settings,
}

impl Auth {
    /// Builds `Auth` over the `auth` pool (which must be attached before),
    /// applies the migrations, and manages it.
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
        let db = DB::connect(rocket)
            .await
            .map_err(|error| format!("database: {error}"))?;
        let cost = settings.bcrypt_cost;
        let hasher = rocket::tokio::task::spawn_blocking(move || PasswordHasher::new(cost))
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
            settings,
        }
    }

    /// The settings this service runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The bcrypt hash of `password`.
    pub async fn hash_password(&self, password: &Password) -> Result<String, AuthError> {
        Ok(self.hasher.hash(password).await?)
    }

    /// Registers a new user; `UserAlreadyExists` when the email (in any case)
    /// is taken.
    pub async fn register_user(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<User, AuthError> {
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
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        let hash = user.as_ref().map(|user| user.hashed_password.as_str());
        Ok(self.hasher.verify(password, hash).await?)
    }

    /// Starts a new session for the user `email`, ending any previous one.
    /// Returns the session id to give the client, or `None` for an unknown
    /// email.
    pub async fn create_session(&self, email: &Email) -> Result<Option<String>, AuthError> {
        let Some(user) = self.find_user(UserQuery::Email(email.normalized())).await? else {
            return Ok(None);
        };
        let session_id = generate_uuid();
        let changes = UserChanges {
            session_id: Some(Some(token::digest(&session_id))),
            session_expires_at: Some(Some(expiry(self.settings.session_ttl))),
            ..UserChanges::default()
        };
        self.db.update_user(user.id, changes).await?;
        Ok(Some(session_id))
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

    /// Checks the password and starts a session: the session id to give the
    /// client, or `None` when the email and password do not match.
    pub async fn log_in(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<Option<String>, AuthError> {
        if !self.valid_login(email, password).await? {
            return Ok(None);
        }
        self.create_session(email).await
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
    /// works once; the user's session ends. `InvalidResetToken` when the token
    /// is unknown, expired, used, or was issued for another email.
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
            })
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

/// Attaches `Auth` with the pool it runs over.
pub fn stage(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .attach(crate::db::AuthPool::fairing())
        .attach(Auth::fairing())
}
