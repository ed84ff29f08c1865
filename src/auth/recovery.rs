//! Getting back into an account, and proving a mailbox: password reset
//! tokens (in the answer, as the original API does, or by mail), address
//! verification links, and the links that confirm (or cancel) a change of
//! address.
//!
//! Every token is bound to what it was issued for: the account's
//! credential generation at the time (a change of the password or the
//! address voids it), and its address (the mail went there). The first
//! proof of the mailbox of an account whose address was never proven (a
//! verification link, a reset link, a confirmed change) ends every session
//! and removes every second factor and device cookie added before it: they
//! may be an impostor's, who registered the address before its owner.

use std::net::IpAddr;

use super::limits::Limited;
use super::token::{self, generate_uuid};
use super::{is_live, Auth, AuthError, Device, Email, Password, Requester, ResetToken};
use crate::clock::{self, now};
use crate::config::ResetDelivery;
use crate::db::{
    DbError, EndDeviceCookies, EndSessions, UserChanges, UserCondition, UserQuery, UserUpdate,
};
use crate::mail::Letter;
use crate::user::User;

/// How a reset token reached a JSON client, as `mail.reset_delivery` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetIssued {
    /// In the answer: the token (the original API).
    Token(String),
    /// By mail, if the address has an account.
    Mailed,
}

/// What asking for a mailed link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailed {
    /// The link is on its way.
    Sent,
    /// A link went out within `mail.link_interval`: none again before this
    /// many seconds.
    HeldBack { wait: u64 },
}

impl Auth {
    /// Issues a new reset token for the user `email`, replacing any previous
    /// one; `UnknownEmail` when there is no such user.
    pub async fn get_reset_password_token(&self, email: &Email) -> Result<String, AuthError> {
        let user = self.known_user(email).await?;
        let reset_token = generate_uuid();
        let changes = self.with_reset_token(&user, &reset_token);
        self.db.update_user(user.id, changes).await?;
        Ok(reset_token)
    }

    /// A reset for a JSON client from `client`, delivered as
    /// `mail.reset_delivery` says: the token itself (`UnknownEmail` for an
    /// unknown address), or a mail (the same answer for any address).
    /// `AddressThrottled` past `login_limits.mailed_links_per_hour`.
    pub async fn issue_reset(
        &self,
        email: &Email,
        client: Option<IpAddr>,
    ) -> Result<ResetIssued, AuthError> {
        self.limit(Limited::MailedLink, client).await?;
        match self.settings.mail.reset_delivery {
            ResetDelivery::Response => Ok(ResetIssued::Token(
                self.get_reset_password_token(email).await?,
            )),
            ResetDelivery::Email => {
                self.mail_reset_link(email).await?;
                Ok(ResetIssued::Mailed)
            }
        }
    }

    /// [`mail_reset_link`](Self::mail_reset_link), for a request from
    /// `client`: `AddressThrottled` past `login_limits.mailed_links_per_hour`.
    pub async fn request_reset_link(
        &self,
        email: &Email,
        client: Option<IpAddr>,
    ) -> Result<(), AuthError> {
        self.limit(Limited::MailedLink, client).await?;
        self.mail_reset_link(email).await
    }

    /// Mails a reset link to `email` if it has an account and no reset mail
    /// went to it in the last `mail.link_interval`. Says nothing either
    /// way, so that nobody learns which addresses have accounts or floods a
    /// mailbox through the service.
    pub async fn mail_reset_link(&self, email: &Email) -> Result<(), AuthError> {
        let Some(user) = self.find_user(UserQuery::Email(email.normalized())).await? else {
            return Ok(());
        };
        let (token, now) = (generate_uuid(), now());
        let changes = UserChanges {
            reset_mail_sent_at: Some(Some(now)),
            ..self.with_reset_token(&user, &token)
        };
        let letter = Letter::ResetLink {
            link: &self.mailer.reset_link(&token),
            valid_for: self.settings.mail.reset_token_ttl,
        };
        let quiet = UserCondition::NoResetMailSince(self.mail_interval_start(now));
        let update = UserUpdate::new(quiet, changes);
        self.apply(&user, update, &[(&user.email, letter)]).await?;
        Ok(())
    }

    /// The changes that give `user` the reset token `token`, bound to
    /// their credentials as they are.
    fn with_reset_token(&self, user: &User, token: &str) -> UserChanges {
        UserChanges {
            reset_token: Some(Some(token::digest(token))),
            reset_token_expires_at: Some(Some(clock::after(self.settings.mail.reset_token_ttl))),
            reset_token_generation: Some(Some(user.credential_generation)),
            ..UserChanges::default()
        }
    }

    /// The account whose live reset token is `reset_token`, if any.
    async fn reset_token_user(&self, reset_token: &ResetToken) -> Result<Option<User>, AuthError> {
        let digest = token::digest(reset_token.expose());
        let user = self.find_user(UserQuery::ResetToken(digest)).await?;
        Ok(user.filter(|user| {
            is_live(user.reset_token_expires_at)
                && user.reset_token_generation == Some(user.credential_generation)
        }))
    }

    /// The address of the account whose live reset token is `reset_token`,
    /// if any: what a reset link's page shows to whoever holds it.
    pub async fn reset_token_owner(
        &self,
        reset_token: &ResetToken,
    ) -> Result<Option<String>, AuthError> {
        Ok(self
            .reset_token_user(reset_token)
            .await?
            .map(|user| user.email))
    }

    /// Sets a new password with a reset token issued for `email`, from
    /// `device`. The token works once, and only while the account's
    /// password and address are those it was issued for; every session of
    /// the user ends, and every device cookie but those `device` presents;
    /// failed logins are forgotten, and a notice goes to the address. A
    /// never-proven address is proven by it (see the module's comment).
    /// `InvalidResetToken` when the token is unknown, expired, used, void
    /// or was issued for another email; `WeakPassword` when the password
    /// breaks the policy.
    pub async fn update_password(
        &self,
        email: &Email,
        reset_token: &ResetToken,
        password: &Password,
        device: &Device,
    ) -> Result<(), AuthError> {
        let user = self
            .reset_token_user(reset_token)
            .await?
            .filter(|user| user.normalized_email == email.normalized())
            .ok_or(AuthError::InvalidResetToken)?;
        let changes = UserChanges {
            reset_token: Some(None),
            reset_token_expires_at: Some(None),
            ..UserChanges::default()
        };
        let digest = token::digest(reset_token.expose());
        let mut update = UserUpdate {
            end_sessions: EndSessions::All,
            end_device_cookies: EndDeviceCookies::AllBut(device.cookie_digests()),
            new_credentials: true,
            ..UserUpdate::new(UserCondition::ResetToken(digest), changes)
        };
        if user.email_verified_at.is_none() {
            update = first_proof(update, EndSessions::All);
        }
        if !self
            .replace_password(&user, email, password, update)
            .await?
        {
            return Err(AuthError::InvalidResetToken);
        }
        let keys = vec![user.normalized_email.clone()];
        Ok(self.db.clear_login_failures(keys).await?)
    }

    /// [`request_verification`](Self::request_verification), for a request
    /// from `client`: `AddressThrottled` past `login_limits.mailed_links_per_hour`.
    pub async fn request_verification_from(
        &self,
        email: &Email,
        client: Option<IpAddr>,
    ) -> Result<(), AuthError> {
        self.limit(Limited::MailedLink, client).await?;
        self.request_verification(email).await
    }

    /// Mails a new verification link to `email` if it has an account whose
    /// address is not verified yet, and no verification mail went to it in
    /// the last `mail.link_interval`. Says nothing either way.
    pub async fn request_verification(&self, email: &Email) -> Result<(), AuthError> {
        let user = self.find_user(UserQuery::Email(email.normalized())).await?;
        match user {
            Some(user) if user.email_verified_at.is_none() => {
                self.mail_verification_link(&user).await.map(drop)
            }
            _ => Ok(()),
        }
    }

    /// A new verification link for the requester's own address, from
    /// `client` (its owner, so the answer may tell): `Sent`, or `HeldBack`
    /// within `mail.link_interval` of the last one; nothing for an address
    /// verified already.
    pub async fn resend_verification(
        &self,
        requester: &Requester,
        client: Option<IpAddr>,
    ) -> Result<Mailed, AuthError> {
        self.limit(Limited::MailedLink, client).await?;
        let user = self.user(requester.user_id).await?;
        if user.email_verified_at.is_some() {
            return Ok(Mailed::Sent);
        }
        self.mail_verification_link(&user).await
    }

    /// Proves the mailbox that the token `token` was mailed to, once, and
    /// returns its address: a verification link verifies the account's
    /// address; the link of a change of address moves the account to its
    /// new address (a notice goes to the old one). Only the account's
    /// owner proves it, by its session or its password (`follower`): neither
    /// a mail scanner that fetches every link nor the holder of a mailbox
    /// who does not hold the account proves anything. The first proof of a
    /// never-proven address ends every session but the follower's and
    /// removes every second factor and device cookie.
    /// `InvalidVerificationToken` when the token is unknown, expired, used
    /// or void; `LinkOfAnotherAccount` when it is live but another
    /// account's session followed it; `WrongPassword` or `Throttled` for a
    /// password that fails; `UserAlreadyExists` when a change's address was
    /// taken meanwhile.
    pub async fn verify_email(
        &self,
        token: &str,
        follower: LinkFollower<'_>,
    ) -> Result<String, AuthError> {
        let digest = token::digest(token);
        let link = self.mailed_link(&digest).await?;
        let Some(link) = link else {
            return Err(AuthError::InvalidVerificationToken);
        };
        match link {
            MailedLink::Verification(user) => {
                let others = self.owner_following(&user, follower).await?;
                let changes = UserChanges {
                    email_verified_at: Some(Some(now())),
                    verify_token: Some(None),
                    verify_token_expires_at: Some(None),
                    verify_token_generation: Some(None),
                    ..UserChanges::default()
                };
                let mut update = UserUpdate::new(UserCondition::VerifyToken(digest), changes);
                if user.email_verified_at.is_none() {
                    update = first_proof(update, others);
                }
                if !self.apply(&user, update, &[]).await? {
                    return Err(AuthError::InvalidVerificationToken);
                }
                Ok(user.email)
            }
            MailedLink::Change(user, new) => {
                let others = self.owner_following(&user, follower).await?;
                self.move_to(&user, &new, digest, others).await?;
                Ok(new.to_string())
            }
        }
    }

    /// Whether the token `token` of a mailed verification or change link
    /// is live: unknown, used, expired and void ones are not.
    pub async fn mailed_link_is_live(&self, token: &str) -> Result<bool, AuthError> {
        Ok(self.mailed_link(&token::digest(token)).await?.is_some())
    }

    /// The live link whose token has the digest `digest`, if any.
    async fn mailed_link(&self, digest: &str) -> Result<Option<MailedLink>, AuthError> {
        let query = UserQuery::VerifyToken(digest.to_owned());
        if let Some(user) = self.find_user(query).await? {
            let current = user.verify_token_generation == Some(user.credential_generation);
            let live = current && is_live(user.verify_token_expires_at);
            return Ok(live.then_some(MailedLink::Verification(user)));
        }
        let query = UserQuery::EmailChangeToken(digest.to_owned());
        let user = self
            .find_user(query)
            .await?
            .filter(|user| is_live(user.email_change_expires_at))
            .filter(|user| user.email_change_generation == Some(user.credential_generation));
        Ok(user.and_then(|user| {
            let new = Email::stored(user.pending_email.as_ref()?);
            Some(MailedLink::Change(user, new))
        }))
    }

    /// The sessions of `user` that the first proof of their address ends,
    /// once `follower` proved to be its owner: all but the follower's.
    async fn owner_following(
        &self,
        user: &User,
        follower: LinkFollower<'_>,
    ) -> Result<EndSessions, AuthError> {
        match follower {
            LinkFollower::Session(requester) if requester.user_id == user.id => {
                Ok(EndSessions::AllBut(requester.session))
            }
            LinkFollower::Session(_) => Err(AuthError::LinkOfAnotherAccount),
            LinkFollower::Password(password, device) => {
                self.confirm_password(user, password, device).await?;
                Ok(EndSessions::All)
            }
        }
    }

    /// Moves `user` to their new address `new`, proven by the change's
    /// token of digest `digest`; the first proof ends `others`.
    async fn move_to(
        &self,
        user: &User,
        new: &Email,
        digest: String,
        others: EndSessions,
    ) -> Result<(), AuthError> {
        let first = user.email_verified_at.is_none();
        let changes = UserChanges {
            email: Some(new.to_string()),
            normalized_email: Some(new.normalized()),
            email_verified_at: Some(Some(now())),
            // The TOTP secret is sealed for the address: sealed again.
            totp_secret: match first {
                true => None,
                false => self.totp_secret_for(user, &new.normalized())?.map(Some),
            },
            ..UserChanges::default()
        };
        let mut update = UserUpdate {
            new_credentials: true,
            ..UserUpdate::new(UserCondition::EmailChangeToken(digest), changes)
        };
        if first {
            update = first_proof(update, others);
        }
        let notice = Letter::EmailChanged { new: new.as_str() };
        let moved = self
            .apply(user, update, &[(user.email.as_str(), notice)])
            .await
            .map_err(|error| match error {
                DbError::Conflict => AuthError::UserAlreadyExists(new.to_string()),
                other => other.into(),
            })?;
        match moved {
            true => Ok(()),
            false => Err(AuthError::InvalidVerificationToken),
        }
    }

    /// Cancels the change of address that the token `token` (of the link
    /// mailed to the old address) belongs to; the address it would have
    /// moved to. `InvalidVerificationToken` when there is no such change
    /// (already confirmed, cancelled or expired).
    pub async fn cancel_email_change(&self, token: &str) -> Result<String, AuthError> {
        let digest = token::digest(token);
        let user = self
            .find_user(UserQuery::EmailChangeCancelToken(digest.clone()))
            .await?
            .filter(|user| is_live(user.email_change_expires_at));
        let Some((user, pending)) = user.and_then(|user| Some((user.clone(), user.pending_email?)))
        else {
            return Err(AuthError::InvalidVerificationToken);
        };
        let changes = UserChanges::default().without_email_change();
        let cancel = UserUpdate::new(UserCondition::EmailChangeCancelToken(digest), changes);
        match self.apply(&user, cancel, &[]).await? {
            true => Ok(pending),
            false => Err(AuthError::InvalidVerificationToken),
        }
    }

    /// A new verification token for `user`, mailed, unless one was mailed
    /// in the last `mail.link_interval`.
    pub(super) async fn mail_verification_link(&self, user: &User) -> Result<Mailed, AuthError> {
        let now = now();
        let token = generate_uuid();
        let ttl = self.settings.mail.verify_token_ttl;
        let changes = UserChanges {
            verify_token: Some(Some(token::digest(&token))),
            verify_token_expires_at: Some(Some(now.saturating_add(clock::seconds(ttl)))),
            verify_token_generation: Some(Some(user.credential_generation)),
            verify_mail_sent_at: Some(Some(now)),
            ..UserChanges::default()
        };
        let quiet = UserCondition::NoVerifyMailSince(self.mail_interval_start(now));
        let letter = Letter::VerifyEmail {
            link: &self.mailer.verify_link(&token),
            valid_for: ttl,
        };
        let update = UserUpdate::new(quiet, changes);
        if self.apply(user, update, &[(&user.email, letter)]).await? {
            return Ok(Mailed::Sent);
        }
        let interval = clock::seconds(self.settings.mail.link_interval);
        let last = user.verify_mail_sent_at.unwrap_or(now);
        let wait = last.saturating_add(interval).saturating_sub(now).max(1);
        Ok(Mailed::HeldBack {
            wait: u64::try_from(wait).unwrap_or_default(),
        })
    }
}

/// A live mailed link that proves a mailbox: the verification of the
/// account's address, or the change of `User` to a new address.
enum MailedLink {
    Verification(User),
    Change(User, Email),
}

/// Who follows a mailed link and proves to be the account's owner.
#[derive(Debug, Clone, Copy)]
pub enum LinkFollower<'a> {
    /// A session, logged in.
    Session(&'a Requester),
    /// A browser without one, by the account's password, from a device
    /// (checked and throttled like a login).
    Password(&'a Password, &'a Device),
}

/// `update`, as the first proof of a mailbox makes it: every session but
/// those `sessions` leaves, every pending sign-in, device cookie and
/// second factor (TOTP, recovery codes, passkeys) ends, and the address is
/// verified.
fn first_proof(update: UserUpdate, sessions: EndSessions) -> UserUpdate {
    let changes = UserChanges {
        email_verified_at: Some(Some(now())),
        ..update.changes
    }
    .without_totp();
    UserUpdate {
        changes,
        end_sessions: sessions,
        end_device_cookies: EndDeviceCookies::AllBut(Vec::new()),
        recovery_codes: Some(Vec::new()),
        remove_passkeys: true,
        ..update
    }
}
