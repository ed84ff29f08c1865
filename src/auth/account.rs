//! What a logged-in user changes about their account: the password, the
//! address, the account itself. Each change asks for the current password,
//! throttled and counted like logins of the account.

use super::{Auth, AuthError, Device, Email, Password};
use crate::clock::now;
use crate::db::{DbError, EndDeviceCookies, EndSessions, UserChanges, UserCondition, UserUpdate};
use crate::mail::Letter;

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
        self.check_new_password(new, &email)?;
        let changes = UserChanges {
            hashed_password: Some(self.hash_password(new).await?),
            ..UserChanges::default()
        };
        let update = UserUpdate {
            end_sessions: EndSessions::AllBut(keep_session),
            end_device_cookies: EndDeviceCookies::AllBut(device.cookie_digests()),
            ..UserUpdate::new(UserCondition::Exists, changes)
        };
        let notice = (user.email.as_str(), Letter::PasswordChanged);
        self.apply(&user, update, &[notice]).await?;
        Ok(())
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
}
