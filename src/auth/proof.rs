//! Proof of the owner for sensitive changes ("sudo mode", Kratos's
//! privileged sessions): a session alone changes nothing that could take
//! the account. The owner proves themselves by the password given with the
//! request, or by a login (or the password, or a passkey, given again)
//! within the last `sessions.recent_login_ttl`.

use super::{Auth, AuthError, Device, Password};
use crate::clock::{self, now};
use crate::user::{User, UserId};

/// Who asks for a change: a user, in one of their sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requester {
    pub user_id: UserId,
    /// The session's key.
    pub session: i64,
    /// When the session last proved its owner (Unix seconds).
    pub authenticated_at: i64,
    /// Whether the session outlives the browser ("keep me logged in").
    pub kept: bool,
    /// Whether the session proved a second factor.
    pub second_factor: bool,
}

impl Auth {
    /// The requester's account, once its owner is proven for a sensitive
    /// change from `device` (see [`prove_owner`](Self::prove_owner)).
    pub async fn prove(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<User, AuthError> {
        let user = self.user(requester.user_id).await?;
        self.prove_owner(&user, requester, password, device).await?;
        Ok(user)
    }

    /// Proves `user`, the requester's account, for a sensitive change from
    /// `device`: by `password` if given (checked, throttled and counted
    /// like a login of the account; a right one renews the session's
    /// proof), else by the session's own recent proof. `WrongPassword` or
    /// `Throttled` for a password that fails; `ReauthenticationRequired`
    /// without one, past `sessions.recent_login_ttl`.
    pub(super) async fn prove_owner(
        &self,
        user: &User,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<(), AuthError> {
        match password {
            Some(password) => {
                self.confirm_password(user, password, device).await?;
                self.db.reauthenticated(requester.session, now()).await?;
            }
            None if !self.is_recent(requester.authenticated_at) => {
                return Err(AuthError::ReauthenticationRequired);
            }
            None => {}
        }
        Ok(())
    }

    /// Whether a proof of the owner at `authenticated_at` still counts.
    pub fn is_recent(&self, authenticated_at: i64) -> bool {
        let window = clock::seconds(self.settings.sessions.recent_login_ttl);
        now() < authenticated_at.saturating_add(window)
    }

    /// `user`'s password check before a change to their account (from
    /// `device`): throttled like logins of that account, and counted with
    /// them. `WrongPassword` or `Throttled` when it fails.
    pub(super) async fn confirm_password(
        &self,
        user: &User,
        password: &Password,
        device: &Device,
    ) -> Result<(), AuthError> {
        let attempt = match self.admit(&user.normalized_email, device).await? {
            Ok(attempt) => attempt,
            Err(refusal) => return Err(AuthError::Throttled(refusal.wait())),
        };
        let hash = Some(user.hashed_password.as_str());
        let checked = async { Ok(self.hasher.verify(password, hash).await?.then_some(())) };
        match self.settle(attempt, checked).await? {
            Some(()) => Ok(()),
            None => Err(AuthError::WrongPassword),
        }
    }
}

/// `EmailNotVerified` while `user`'s address has never been proven: a
/// second factor added then could be an impostor's, who registered an
/// address before its owner (see `recovery`: the first proof removes any).
pub(super) fn require_proven_address(user: &User) -> Result<(), AuthError> {
    match user.email_verified_at {
        Some(_) => Ok(()),
        None => Err(AuthError::EmailNotVerified),
    }
}
