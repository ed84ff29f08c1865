//! What a logged-in user changes about their account: the password, the
//! address, the account itself. Each change needs a recent proof of the
//! owner (see `proof`): the password given with it, or a recent login.

use super::sessions::Factors;
use super::throttle::keys_of;
use super::token::{self, generate_uuid};
use super::{Auth, AuthError, Device, Email, NewSession, Password, Requester};
use crate::clock;
use crate::db::{EndDeviceCookies, EndSessions, UserChanges, UserCondition, UserQuery, UserUpdate};
use crate::mail::Letter;
use crate::user::{User, UserId};

/// Where a change of address stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChange {
    /// The new address waits for its owner to follow the link mailed to
    /// it; the old one got a notice with a link that cancels the change.
    Pending { new: String },
    /// Only the case of the address changed (the same mailbox): done.
    Done { email: String },
}

impl Auth {
    /// Changes the password of the requester, who proves it with
    /// `current`, from `device`: every session ends, this one included,
    /// and the new session returned (kept as this one was) takes its
    /// place, with a new id; reset and verification links mailed before
    /// stop working; a notice goes to the address. `WrongPassword`,
    /// `Throttled` or `WeakPassword` when it cannot.
    pub async fn change_password(
        &self,
        requester: &Requester,
        current: &Password,
        new: &Password,
        device: &Device,
    ) -> Result<NewSession, AuthError> {
        let user = self.prove(requester, Some(current), device).await?;
        let update = UserUpdate {
            end_sessions: EndSessions::All,
            end_device_cookies: EndDeviceCookies::AllBut(device.cookie_digests()),
            new_credentials: true,
            ..UserUpdate::new(UserCondition::Exists, UserChanges::default())
        };
        self.replace_password(&user, &Email::stored(&user.email), new, update)
            .await?;
        let factors = match requester.second_factor {
            true => Factors::Two,
            false => Factors::One,
        };
        self.start_session(&user, device, requester.kept, factors)
            .await?
            .ok_or_else(|| AuthError::Internal(format!("user {} is gone", user.id)))
    }

    /// Applies `update` to `user` (whose address is `email`) with `new` as
    /// the password: the policy and hashing of every new password, and the
    /// notice to the address, which names the passkeys that still sign in
    /// (a new password does not end them: whoever did not add one removes
    /// it). Whether the update applied (its condition held).
    /// `WeakPassword` when `new` breaks the policy.
    pub(super) async fn replace_password(
        &self,
        user: &User,
        email: &Email,
        new: &Password,
        mut update: UserUpdate,
    ) -> Result<bool, AuthError> {
        self.check_new_password(new, email)?;
        update.changes.hashed_password = Some(self.hash_password(new).await?);
        let passkeys = match update.remove_passkeys {
            true => Vec::new(),
            false => self.db.user_passkeys(user.id).await?,
        };
        let passkeys: Vec<String> = passkeys.into_iter().map(|passkey| passkey.name).collect();
        let notice = Letter::PasswordChanged {
            passkeys: &passkeys,
        };
        Ok(self
            .apply(user, update, &[(user.email.as_str(), notice)])
            .await?)
    }

    /// Asks to move the requester's account to the address `new`, proven
    /// by `password` or a recent login, from `device`. The account keeps
    /// its address until the owner of `new` follows the link mailed there
    /// (see `verify_email`); the old address gets a notice with a link
    /// that cancels the change. A change of case only is done at once.
    /// `UserAlreadyExists` when another account has `new`.
    pub async fn change_email(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        new: &Email,
        device: &Device,
    ) -> Result<EmailChange, AuthError> {
        let user = self.prove(requester, password, device).await?;
        if new.normalized() == user.normalized_email {
            let changes = UserChanges {
                email: Some(new.to_string()),
                ..UserChanges::default()
            };
            self.db.update_user(user.id, changes).await?;
            return Ok(EmailChange::Done {
                email: new.to_string(),
            });
        }
        if self
            .find_user(UserQuery::Email(new.normalized()))
            .await?
            .is_some()
        {
            return Err(AuthError::UserAlreadyExists(new.to_string()));
        }
        let (confirm, cancel) = (generate_uuid(), generate_uuid());
        let ttl = self.settings.mail.verify_token_ttl;
        let changes = UserChanges {
            pending_email: Some(Some(new.to_string())),
            email_change_token: Some(Some(token::digest(&confirm))),
            email_change_cancel_token: Some(Some(token::digest(&cancel))),
            email_change_expires_at: Some(Some(clock::after(ttl))),
            email_change_generation: Some(Some(user.credential_generation)),
            ..UserChanges::default()
        };
        let (confirm_link, cancel_link) = (
            self.mailer.verify_link(&confirm),
            self.mailer.cancel_email_change_link(&cancel),
        );
        let letters = [
            (
                new.as_str(),
                Letter::ConfirmNewEmail {
                    link: &confirm_link,
                    valid_for: ttl,
                },
            ),
            (
                user.email.as_str(),
                Letter::EmailChangeAsked {
                    new: new.as_str(),
                    cancel_link: &cancel_link,
                },
            ),
        ];
        let update = UserUpdate::new(UserCondition::Exists, changes);
        self.apply(&user, update, &letters).await?;
        Ok(EmailChange::Pending {
            new: new.to_string(),
        })
    }

    /// Cancels the change of address the user `user_id` asked for, if any;
    /// whether there was one.
    pub async fn cancel_pending_email(&self, user_id: UserId) -> Result<bool, AuthError> {
        let user = self.user(user_id).await?;
        if user.pending_email.is_none() {
            return Ok(false);
        }
        let changes = UserChanges::default().without_email_change();
        self.db.update_user(user.id, changes).await?;
        Ok(true)
    }

    /// The address the user `user_id` asked to move to, while its link
    /// works.
    pub async fn pending_email(&self, user_id: UserId) -> Result<Option<String>, AuthError> {
        let user = self.user(user_id).await?;
        Ok(user
            .pending_email
            .filter(|_| super::is_live(user.email_change_expires_at)))
    }

    /// Deletes the requester's account, whose owner proves it with
    /// `password` (or a recent login), from `device`: its sessions,
    /// tokens, failed logins and waiting mails go with it, and the address
    /// may register again.
    pub async fn delete_account(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<(), AuthError> {
        let user = self.prove(requester, password, device).await?;
        self.db
            .delete_user(user.id, keys_of(&user.normalized_email))
            .await?;
        log::info!("account {:?} deleted", user.email);
        Ok(())
    }

    /// Deletes the account `email`, on an operator's word (the admin
    /// command line): as [`delete_account`](Self::delete_account), without
    /// a password. `UnknownEmail` when there is no such account.
    pub async fn delete_user(&self, email: &Email) -> Result<(), AuthError> {
        let user = self.known_user(email).await?;
        self.db
            .delete_user(user.id, keys_of(&user.normalized_email))
            .await?;
        log::info!("account {:?} deleted by an operator", user.email);
        Ok(())
    }

    /// Sets the password of the account `email` on an operator's word: the
    /// policy and hashing of every new password; every session and device
    /// cookie ends, links mailed before stop working, failed logins are
    /// forgotten and a notice goes to the address. `UnknownEmail` or
    /// `WeakPassword` when it cannot.
    pub async fn set_password(&self, email: &Email, new: &Password) -> Result<(), AuthError> {
        let user = self.known_user(email).await?;
        let update = UserUpdate {
            end_sessions: EndSessions::All,
            end_device_cookies: EndDeviceCookies::AllBut(Vec::new()),
            new_credentials: true,
            ..UserUpdate::new(UserCondition::Exists, UserChanges::default())
        };
        self.replace_password(&user, email, new, update).await?;
        let keys = vec![user.normalized_email.clone()];
        self.db.clear_login_failures(keys).await?;
        log::info!("password of {:?} set by an operator", user.email);
        Ok(())
    }

    /// Disables the account `email` on an operator's word, or enables it
    /// again (`disabled` false): while disabled, no login, passkey or
    /// second factor starts a session for it; disabling ends every session,
    /// with the tokens applications hold through them, and every sign-in
    /// waiting for its code. Whether anything changed. `UnknownEmail` when
    /// there is no such account.
    pub async fn set_disabled(&self, email: &Email, disabled: bool) -> Result<bool, AuthError> {
        let user = self.known_user(email).await?;
        if user.disabled_at.is_some() == disabled {
            return Ok(false);
        }
        let changes = UserChanges {
            disabled_at: Some(disabled.then(clock::now)),
            ..UserChanges::default()
        };
        let update = UserUpdate {
            end_sessions: match disabled {
                true => EndSessions::All,
                false => EndSessions::None,
            },
            ..UserUpdate::new(UserCondition::Exists, changes)
        };
        self.db.apply_user_update(user.id, update).await?;
        let done = if disabled { "disabled" } else { "enabled" };
        log::info!("account {:?} {done} by an operator", user.email);
        Ok(true)
    }

    /// Ends every session of the account `email`; how many ended.
    /// `UnknownEmail` when there is no such account.
    pub async fn end_sessions_of(&self, email: &Email) -> Result<usize, AuthError> {
        let user = self.known_user(email).await?;
        Ok(self.db.end_sessions(user.id, None).await?)
    }

    /// The first `limit` accounts, oldest first.
    pub async fn users(&self, limit: i64) -> Result<Vec<User>, AuthError> {
        Ok(self.db.list_users(limit).await?)
    }

    /// The account `email`; `UnknownEmail` when there is none.
    pub(super) async fn known_user(&self, email: &Email) -> Result<User, AuthError> {
        self.find_user(UserQuery::Email(email.normalized()))
            .await?
            .ok_or(AuthError::UnknownEmail)
    }
}
