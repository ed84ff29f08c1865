//! What a logged-in user changes about their account: the password, the
//! address, the account itself. Each change asks for the current password,
//! throttled and counted like logins of the account.

use super::{Auth, AuthError, Device, Email, Password};
use crate::clock::now;
use crate::db::{
    DbError, EndDeviceCookies, EndSessions, UserChanges, UserCondition, UserQuery, UserUpdate,
};
use crate::mail::Letter;
use crate::user::User;

impl Auth {
    /// Changes the password of the user `user_id`, who proves it with
    /// `current`, from `device`; every other session ends (`keep_session`,
    /// the one making the change, stays) and a notice goes to the address.
    /// `WrongPassword`, `Throttled` or `WeakPassword` when it cannot.
    pub async fn change_password(
        &self,
        user_id: i32,
        keep_session: i64,
        current: &Password,
        new: &Password,
        device: &Device,
    ) -> Result<(), AuthError> {
        let user = self.user(user_id).await?;
        self.confirm_password(&user, current, device).await?;
        let email = Email::parse(&user.email)
            .map_err(|reason| AuthError::Internal(format!("stored email {reason}")))?;
        let update = UserUpdate {
            end_sessions: EndSessions::AllBut(keep_session),
            end_device_cookies: EndDeviceCookies::AllBut(device.cookie_digests()),
            ..UserUpdate::new(UserCondition::Exists, UserChanges::default())
        };
        self.replace_password(&user, &email, new, update).await?;
        Ok(())
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
        let passkeys = self.db.user_passkeys(user.id).await?;
        let passkeys: Vec<String> = passkeys.into_iter().map(|passkey| passkey.name).collect();
        let notice = Letter::PasswordChanged {
            passkeys: &passkeys,
        };
        Ok(self
            .apply(user, update, &[(user.email.as_str(), notice)])
            .await?)
    }

    /// Changes the address of the user `user_id`, who proves it with
    /// `password`, from `device`, to `new`, which is unverified until its
    /// link is followed; a notice goes to the old address. Returns the new
    /// address. `UserAlreadyExists` when another account has it.
    pub async fn change_email(
        &self,
        user_id: i32,
        password: &Password,
        new: &Email,
        device: &Device,
    ) -> Result<String, AuthError> {
        let user = self.user(user_id).await?;
        self.confirm_password(&user, password, device).await?;
        let now = now();
        let changes = UserChanges {
            email: Some(new.to_string()),
            normalized_email: Some(new.normalized()),
            email_verified_at: Some(None),
            // The TOTP secret is sealed for the address: sealed again.
            totp_secret: self.totp_secret_for(&user, &new.normalized())?.map(Some),
            ..UserChanges::default()
        };
        let (changes, link) = self.with_verification(changes, now);
        let letters = [
            (
                user.email.as_str(),
                Letter::EmailChanged { new: new.as_str() },
            ),
            (new.as_str(), self.verify_letter(&link)),
        ];
        let update = UserUpdate::new(UserCondition::Exists, changes);
        self.apply(&user, update, &letters)
            .await
            .map_err(|error| match error {
                DbError::Conflict => AuthError::UserAlreadyExists(new.to_string()),
                other => other.into(),
            })?;
        Ok(new.to_string())
    }

    /// Deletes the account `user_id`, whose owner proves it with
    /// `password`, from `device`: its sessions, tokens, failed logins and
    /// waiting mails go with it, and the address may register again.
    pub async fn delete_account(
        &self,
        user_id: i32,
        password: &Password,
        device: &Device,
    ) -> Result<(), AuthError> {
        let user = self.user(user_id).await?;
        self.confirm_password(&user, password, device).await?;
        self.db.delete_user(user.id).await?;
        log::info!("account {:?} deleted", user.email);
        Ok(())
    }

    /// Deletes the account `email`, on an operator's word (the admin
    /// command line): as [`delete_account`](Self::delete_account), without
    /// a password. `UnknownEmail` when there is no such account.
    pub async fn delete_user(&self, email: &Email) -> Result<(), AuthError> {
        let user = self.known_user(email).await?;
        self.db.delete_user(user.id).await?;
        log::info!("account {:?} deleted by an operator", user.email);
        Ok(())
    }

    /// Sets the password of the account `email` on an operator's word: the
    /// policy and hashing of every new password; every session and device
    /// cookie ends, failed logins are forgotten and a notice goes to the
    /// address. `UnknownEmail` or `WeakPassword` when it cannot.
    pub async fn set_password(&self, email: &Email, new: &Password) -> Result<(), AuthError> {
        let user = self.known_user(email).await?;
        let update = UserUpdate {
            end_sessions: EndSessions::All,
            end_device_cookies: EndDeviceCookies::AllBut(Vec::new()),
            ..UserUpdate::new(UserCondition::Exists, UserChanges::default())
        };
        self.replace_password(&user, email, new, update).await?;
        self.db.clear_login_failures(&user.normalized_email).await?;
        log::info!("password of {:?} set by an operator", user.email);
        Ok(())
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
