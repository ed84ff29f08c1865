//! Getting back into an account: password reset tokens (in the answer, as
//! the original API does, or by mail) and address verification links.

use super::token::{self, generate_uuid};
use super::{is_live, Auth, AuthError, Device, Email, Password, ResetToken};
use crate::clock::{self, now};
use crate::config::ResetDelivery;
use crate::db::{EndDeviceCookies, EndSessions, UserChanges, UserCondition, UserQuery, UserUpdate};
use crate::mail::{in_words, Letter};
use crate::user::User;

/// How a reset token reached a JSON client, as `reset_delivery` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetIssued {
    /// In the answer: the token (the original API).
    Token(String),
    /// By mail, if the address has an account.
    Mailed,
}

impl Auth {
    /// Issues a new reset token for the user `email`, replacing any previous
    /// one; `UnknownEmail` when there is no such user.
    pub async fn get_reset_password_token(&self, email: &Email) -> Result<String, AuthError> {
        let user = self.known_user(email).await?;
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
        let changes = UserChanges {
            reset_token: Some(Some(token::digest(&token))),
            reset_token_expires_at: Some(Some(clock::after(self.settings.reset_token_ttl))),
            reset_mail_sent_at: Some(Some(now)),
            ..UserChanges::default()
        };
        let letter = Letter::ResetLink {
            link: &self.mailer.reset_link(&token),
            valid_for: in_words(self.settings.reset_token_ttl),
        };
        let quiet = UserCondition::NoResetMailSince(self.mail_interval_start(now));
        let update = UserUpdate::new(quiet, changes);
        self.apply(&user, update, &[(&user.email, letter)]).await?;
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

    /// Sets a new password with a reset token issued for `email`, from
    /// `device`. The token works once; every session of the user ends, and
    /// every device cookie but those `device` presents; failed logins are
    /// forgotten, and a notice goes to the address. `InvalidResetToken`
    /// when the token is unknown, expired, used, or was issued for another
    /// email; `WeakPassword` when the password breaks the policy.
    pub async fn update_password(
        &self,
        email: &Email,
        reset_token: &ResetToken,
        password: &Password,
        device: &Device,
    ) -> Result<(), AuthError> {
        let token_digest = token::digest(reset_token.expose());
        let user = self
            .find_user(UserQuery::ResetToken(token_digest.clone()))
            .await?
            .filter(|user| user.normalized_email == email.normalized())
            .filter(|user| is_live(user.reset_token_expires_at))
            .ok_or(AuthError::InvalidResetToken)?;
        let changes = UserChanges {
            reset_token: Some(None),
            reset_token_expires_at: Some(None),
            ..UserChanges::default()
        };
        let update = UserUpdate {
            end_sessions: EndSessions::All,
            end_device_cookies: EndDeviceCookies::AllBut(device.cookie_digests()),
            ..UserUpdate::new(UserCondition::ResetToken(token_digest), changes)
        };
        if !self
            .replace_password(&user, email, password, update)
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
        let redeem = UserUpdate::new(UserCondition::VerifyToken(digest), changes);
        if !self.apply(&user, redeem, &[]).await? {
            return Err(AuthError::InvalidVerificationToken);
        }
        Ok(user.email)
    }

    /// A new verification token for `user`, mailed, unless one was mailed
    /// in the last `reset_mail_interval`.
    pub(super) async fn mail_verification_link(&self, user: &User) -> Result<(), AuthError> {
        let now = now();
        let (changes, link) = self.with_verification(UserChanges::default(), now);
        let quiet = UserCondition::NoVerifyMailSince(self.mail_interval_start(now));
        let letter = self.verify_letter(&link);
        self.apply(
            user,
            UserUpdate::new(quiet, changes),
            &[(&user.email, letter)],
        )
        .await?;
        Ok(())
    }

    /// `changes` with a new verification token (its digest and expiry, and
    /// the time of its mail, `now`), and the link that carries the token.
    pub(super) fn with_verification(
        &self,
        changes: UserChanges,
        now: i64,
    ) -> (UserChanges, String) {
        let token = generate_uuid();
        let ttl = clock::seconds(self.settings.verify_token_ttl);
        let changes = UserChanges {
            verify_token: Some(Some(token::digest(&token))),
            verify_token_expires_at: Some(Some(now.saturating_add(ttl))),
            verify_mail_sent_at: Some(Some(now)),
            ..changes
        };
        (changes, self.mailer.verify_link(&token))
    }

    /// The letter that carries the verification `link`.
    pub(super) fn verify_letter<'a>(&self, link: &'a str) -> Letter<'a> {
        Letter::VerifyEmail {
            link,
            valid_for: in_words(self.settings.verify_token_ttl),
        }
    }
}
