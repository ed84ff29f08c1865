//! `Auth`: registration, login, sessions and password resets. The web layer
//! talks only to `Auth`; `Auth` talks to `DB`. Nothing here knows Rocket.

mod credentials;
mod error;
mod password;
mod policy;
mod throttle;
pub mod token;

use std::net::IpAddr;

pub use credentials::{Email, Password, ResetToken};
pub use error::AuthError;
pub use password::{HashError, PasswordHasher};
pub use policy::PolicyViolation;
pub use token::{generate_uuid, SessionId};

use crate::clock::{self, now};
use crate::config::{ResetDelivery, Settings};
use crate::db::{DbError, NewMail, UserChanges, UserCondition, UserQuery, DB};
use crate::mail::{in_words, Letter, Mailer};
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
    /// The password is right, but the address must be verified first
    /// (`require_verified_email`): no session.
    EmailNotVerified,
}

/// How a reset token reached a JSON client, as `reset_delivery` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetIssued {
    /// In the answer: the token (the original API).
    Token(String),
    /// By mail, if the address has an account.
    Mailed,
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
    mailer: Mailer,
    settings: Settings,
}

impl Auth {
    /// `Auth` over `db`, hashing with `hasher`, mailing through `mailer`,
    /// configured by `settings`.
    pub fn new(db: DB, hasher: PasswordHasher, mailer: Mailer, settings: Settings) -> Self {
        Auth {
            db,
            hasher,
            throttle: LoginThrottle::new(&settings),
            mailer,
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

    /// Registers a new user, and mails them a link to verify their
    /// address; `UserAlreadyExists` when the email (in any case) is taken,
    /// `WeakPassword` when the password breaks the policy.
    pub async fn register_user(
        &self,
        email: &Email,
        password: &Password,
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
        self.mail_verification_link(&user).await?;
        Ok(user)
    }

    /// Whether `password` is the password of the user `email`. Unknown users
    /// cost the same bcrypt work as known ones (a dummy hash is verified).
    pub async fn valid_login(&self, email: &Email, password: &Password) -> Result<bool, AuthError> {
        Ok(self.password_owner(email, password).await?.is_some())
    }

    /// Starts a new session for the user `email`, ending any previous one,
    /// in one statement. `None` for an unknown email.
    pub async fn create_session(&self, email: &Email) -> Result<Option<NewSession>, AuthError> {
        let id = SessionId::generate();
        let max_age = self.settings.session_ttl;
        let started = self
            .db
            .start_session(&email.normalized(), &id.digest(), clock::after(max_age))
            .await?;
        Ok(started.then_some(NewSession { id, max_age }))
    }

    /// A login attempt from `client`: admitted by the throttle (per client
    /// address in memory, per email in the database), then the password
    /// checked (as [`valid_login`](Self::valid_login) does), then on success
    /// a new session ([`create_session`](Self::create_session)), unless the
    /// address must be verified first. Every attempt is logged with the
    /// email and the address, never with the password.
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
        let owner = match self.password_owner(email, password).await {
            Ok(owner) => owner,
            Err(error) => {
                self.throttle.abandoned(&self.db, attempt).await?;
                return Err(error);
            }
        };
        let session = match owner {
            Some(user) => {
                self.throttle.succeeded(&self.db, attempt).await?;
                if self.settings.require_verified_email && user.email_verified_at.is_none() {
                    log::warn!("login refused for {shown:?} from {address}: address not verified");
                    return Ok(Login::EmailNotVerified);
                }
                // None only if the account was deleted since its password matched.
                self.create_session(email).await?
            }
            None => {
                self.throttle.failed(&self.db, attempt).await?;
                None
            }
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
            reset_token_expires_at: Some(Some(clock::after(self.settings.reset_token_ttl))),
            ..UserChanges::default()
        };
        self.db.update_user(user.id, changes).await?;
        Ok(reset_token)
    }

    /// A reset for a JSON client, delivered as `reset_delivery` says: the
    /// token itself (`UnknownEmail` for an unknown address), or a mail
    /// (the same answer for any address).
    pub async fn issue_reset(&self, email: &Email) -> Result<ResetIssued, AuthError> {
        match self.settings.reset_delivery {
            ResetDelivery::Response => Ok(ResetIssued::Token(
                self.get_reset_password_token(email).await?,
            )),
            ResetDelivery::Email => {
                self.mail_reset_link(email).await?;
                Ok(ResetIssued::Mailed)
            }
        }
    }

    /// Mails a reset link to `email` if it has an account and no reset mail
    /// went to it in the last `reset_mail_interval`. Says nothing either
    /// way, so that nobody learns which addresses have accounts or floods a
    /// mailbox through the service.
    pub async fn mail_reset_link(&self, email: &Email) -> Result<(), AuthError> {
        let Some(user) = self.find_user(UserQuery::Email(email.normalized())).await? else {
            return Ok(());
        };
        let (token, now) = (generate_uuid(), now());
        let letter = Letter::ResetLink {
            link: &self.mailer.reset_link(&token),
            valid_for: in_words(self.settings.reset_token_ttl),
        };
        let changes = UserChanges {
            reset_token: Some(Some(token::digest(&token))),
            reset_token_expires_at: Some(Some(clock::after(self.settings.reset_token_ttl))),
            reset_mail_sent_at: Some(Some(now)),
            ..UserChanges::default()
        };
        let quiet_since = UserCondition::NoResetMailSince(self.mail_interval_start(now));
        self.change_and_mail(&user, quiet_since, changes, Some(letter))
            .await?;
        Ok(())
    }

    /// The address of the account whose live reset token is `reset_token`,
    /// if any: what a reset link's page shows to whoever holds it.
    pub async fn reset_token_owner(
        &self,
        reset_token: &ResetToken,
    ) -> Result<Option<String>, AuthError> {
        let digest = token::digest(reset_token.expose());
        let user = self.find_user(UserQuery::ResetToken(digest)).await?;
        Ok(user
            .filter(|user| is_live(user.reset_token_expires_at))
            .map(|user| user.email))
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
            ..UserChanges::default()
        };
        let redeem = UserCondition::ResetToken(token_digest);
        let notice = Letter::PasswordChanged;
        if !self
            .change_and_mail(&user, redeem, changes, Some(notice))
            .await?
        {
            return Err(AuthError::InvalidResetToken);
        }
        Ok(self.db.clear_login_failures(&user.normalized_email).await?)
    }

    /// Mails a new verification link to `email` if it has an account whose
    /// address is not verified yet, and no verification mail went to it in
    /// the last `reset_mail_interval`. Says nothing either way.
    pub async fn request_verification(&self, email: &Email) -> Result<(), AuthError> {
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        match user {
            Some(user) if user.email_verified_at.is_none() => {
                self.mail_verification_link(&user).await
            }
            _ => Ok(()),
        }
    }

    /// Verifies the address that the verification token `token` was
    /// mailed to, once; returns that address. `InvalidVerificationToken`
    /// when the token is unknown, expired or used.
    pub async fn verify_email(&self, token: &str) -> Result<String, AuthError> {
        let digest = token::digest(token);
        let user = self
            .find_user(UserQuery::VerifyToken(digest.clone()))
            .await?
            .filter(|user| is_live(user.verify_token_expires_at))
            .ok_or(AuthError::InvalidVerificationToken)?;
        let changes = UserChanges {
            email_verified_at: Some(Some(now())),
            verify_token: Some(None),
            verify_token_expires_at: Some(None),
            ..UserChanges::default()
        };
        let redeem = UserCondition::VerifyToken(digest);
        if !self.change_and_mail(&user, redeem, changes, None).await? {
            return Err(AuthError::InvalidVerificationToken);
        }
        Ok(user.email)
    }

    /// A new verification token for `user`, mailed, unless one was mailed
    /// in the last `reset_mail_interval`.
    async fn mail_verification_link(&self, user: &User) -> Result<(), AuthError> {
        let (token, now) = (generate_uuid(), now());
        let letter = Letter::VerifyEmail {
            link: &self.mailer.verify_link(&token),
            valid_for: in_words(self.settings.verify_token_ttl),
        };
        let changes = UserChanges {
            verify_token: Some(Some(token::digest(&token))),
            verify_token_expires_at: Some(Some(clock::after(self.settings.verify_token_ttl))),
            verify_mail_sent_at: Some(Some(now)),
            ..UserChanges::default()
        };
        let quiet_since = UserCondition::NoVerifyMailSince(self.mail_interval_start(now));
        self.change_and_mail(user, quiet_since, changes, Some(letter))
            .await?;
        Ok(())
    }

    /// In one transaction, applies `changes` to `user` if `condition` holds
    /// and queues `letter` to them; wakes the mail sender. Whether the user
    /// was changed.
    async fn change_and_mail(
        &self,
        user: &User,
        condition: UserCondition,
        changes: UserChanges,
        letter: Option<Letter<'_>>,
    ) -> Result<bool, AuthError> {
        let mails: Vec<NewMail> = letter
            .and_then(|letter| self.mailer.letter(user.id, &user.email, &letter, now()))
            .into_iter()
            .collect();
        let posted = !mails.is_empty();
        let changed = self
            .db
            .update_user_and_mail(user.id, condition, changes, mails)
            .await?;
        if changed && posted {
            self.mailer.posted();
        }
        Ok(changed)
    }

    /// The start of the interval in which an address gets one mail of a
    /// kind, at `now`.
    fn mail_interval_start(&self, now: i64) -> i64 {
        now.saturating_sub(clock::seconds(self.settings.reset_mail_interval))
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

/// Whether a value that expires at `expires_at` is still valid.
fn is_live(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|expires_at| now() < expires_at)
}
