//! Two-factor sign-in: an authenticator app's codes (TOTP, RFC 6238:
//! SHA-1, 6 digits, 30 s, one step of drift either way), each accepted
//! once, and ten recovery codes, each usable once. Code guesses are
//! throttled per account like password guesses.

use std::net::IpAddr;

use totp_rs::{Algorithm, Builder, Totp};

use super::credentials::{new_recovery_code, OneTimeCode, TotpCode};
use super::proof::require_proven_address;
use super::sessions::Factors;
use super::{Auth, AuthError, Device, Login, Password, PendingSignInId, Requester};
use crate::clock::now;
use crate::db::{
    PendingSignIn, RecoveryCodeUse, UserChanges, UserCondition, UserQuery, UserUpdate,
};
use crate::language::Language;
use crate::mail::Letter;
use crate::seal::keyed_digest;
use crate::user::{User, UserId};

/// The purpose of the key that seals TOTP secrets.
pub const TOTP_KEY: &[u8] = b"auth-service/totp/v1";

/// The purpose of the key of recovery code digests.
pub const RECOVERY_KEY: &[u8] = b"auth-service/recovery-codes/v1";

/// How an authenticator app names the service.
const ISSUER: &str = "auth-service";

/// Bytes of a TOTP secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// Recovery codes given at a time.
const RECOVERY_CODES: usize = 10;

/// How long a sign-in waits for its second factor, in seconds.
pub const PENDING_SIGN_IN_TTL: i64 = 5 * 60;

/// Wrong codes in a row at sign-in, on the account, after which every
/// sign-in waiting for a code ends (the password must be given again).
pub const WRONG_CODES_CAP: i32 = 5;

/// A new TOTP secret, to add to an authenticator app.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The secret in base32, for manual entry.
    pub secret: String,
    /// The `otpauth://` URL, for a QR code.
    pub otpauth_url: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(<redacted>)")
    }
}

/// A right password for an account with two-factor sign-in on, awaiting
/// its code: only [`Auth::log_in`] makes one, and only
/// [`Auth::wait_for_code`] turns it into a sign-in that waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAwaited {
    pub(super) user_id: UserId,
    /// "Keep me logged in".
    pub(super) kept: bool,
}

/// Two-factor sign-in as the account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

impl Auth {
    /// Two-factor sign-in of the user `user_id`.
    pub async fn two_factor_status(&self, user_id: UserId) -> Result<TwoFactorStatus, AuthError> {
        let user = self.user(user_id).await?;
        Ok(TwoFactorStatus {
            enabled: user.totp_enabled_at.is_some(),
            recovery_codes_left: self.db.count_recovery_codes(user_id).await?,
        })
    }

    /// Starts an enrolment for the requester, proven by `password` or a
    /// recent login, from `device`: a new 160-bit secret, pending until a
    /// first code confirms it. `TwoFactorAlreadyOn` when it is on,
    /// `EmailNotVerified` while the address has never been proven.
    pub async fn start_totp(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<TotpEnrolment, AuthError> {
        let user = self.enrolling_user(requester, password, device).await?;
        let mut secret = vec![0u8; SECRET_BYTES];
        getrandom::getrandom(&mut secret)
            .map_err(|error| AuthError::Internal(error.to_string()))?;
        let enrolment = enrolment(&totp(&user, secret.clone())?)?;
        let changes = UserChanges {
            totp_secret: Some(Some(self.totp_sealer.seal(&user.normalized_email, &secret))),
            totp_last_step: Some(None),
            ..UserChanges::default()
        };
        self.apply(&user, UserUpdate::new(UserCondition::Exists, changes), &[])
            .await?;
        Ok(enrolment)
    }

    /// The enrolment under way for the user `user_id`, to show again;
    /// `NoTotpEnrolment` when none is.
    pub async fn pending_totp(&self, user_id: UserId) -> Result<TotpEnrolment, AuthError> {
        let user = self.user(user_id).await?;
        if user.totp_enabled_at.is_some() {
            return Err(AuthError::TwoFactorAlreadyOn);
        }
        enrolment(&self.totp_of(&user)?)
    }

    /// Confirms the requester's enrolment with a first `code`, proven by
    /// `password` or a recent login, from `device`: two-factor sign-in is
    /// on (the code proves a second factor in this session too), and the
    /// ten recovery codes returned are the only time they are shown. A
    /// notice goes to the address.
    pub async fn confirm_totp(
        &self,
        requester: &Requester,
        code: &TotpCode,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<Vec<String>, AuthError> {
        let user = self.enrolling_user(requester, password, device).await?;
        let Some(step) = self.totp_of(&user)?.check(code.expose(), unix_now()) else {
            return Err(AuthError::WrongCode);
        };
        let codes = new_recovery_codes();
        let changes = UserChanges {
            totp_enabled_at: Some(Some(now())),
            totp_last_step: Some(Some(step_of(step))),
            ..UserChanges::default()
        };
        let update = UserUpdate {
            recovery_codes: Some(self.recovery_digests(&codes)),
            ..UserUpdate::new(UserCondition::Exists, changes)
        };
        let notice = (user.email.as_str(), Letter::TwoFactorOn);
        self.apply(&user, update, &[notice]).await?;
        self.db
            .second_factor_proven(requester.session, now())
            .await?;
        Ok(codes)
    }

    /// Proves a second factor in the requester's session with `code`
    /// (an application behind forward auth asks for one), from `device`:
    /// `None` once it is right, else the refusal, counted as at sign-in.
    /// `TwoFactorOff` when the account has no code to give.
    pub async fn prove_second_factor(
        &self,
        requester: &Requester,
        code: &OneTimeCode,
        device: &Device,
    ) -> Result<Option<Login>, AuthError> {
        let user = self.user(requester.user_id).await?;
        if user.totp_enabled_at.is_none() {
            return Err(AuthError::TwoFactorOff);
        }
        if let Some(refusal) = self.sign_in_code(&user, code, device.ip).await? {
            return Ok(Some(refusal));
        }
        self.db
            .second_factor_proven(requester.session, now())
            .await?;
        Ok(None)
    }

    /// Turns two-factor sign-in off for the requester, who proves it with
    /// `password` (or a recent login) and a `code`, from `device`. A
    /// notice goes to the address.
    pub async fn disable_totp(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        code: &OneTimeCode,
        device: &Device,
    ) -> Result<(), AuthError> {
        let user = self.enabled_user(requester, password, code, device).await?;
        let update = UserUpdate {
            recovery_codes: Some(Vec::new()),
            ..UserUpdate::new(UserCondition::Exists, UserChanges::default().without_totp())
        };
        let notice = (user.email.as_str(), Letter::TwoFactorOff);
        self.apply(&user, update, &[notice]).await?;
        Ok(())
    }

    /// Ten new recovery codes for the requester, who proves it with
    /// `password` (or a recent login) and a `code`, from `device`; the old
    /// ones stop working.
    pub async fn new_recovery_codes(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        code: &OneTimeCode,
        device: &Device,
    ) -> Result<Vec<String>, AuthError> {
        let user = self.enabled_user(requester, password, code, device).await?;
        let codes = new_recovery_codes();
        self.db
            .replace_recovery_codes(user.id, self.recovery_digests(&codes))
            .await?;
        Ok(codes)
    }

    /// Lets the sign-in `awaited` wait for its code, in the database (so
    /// that any instance finishes it, and a new password ends it), for
    /// `PENDING_SIGN_IN_TTL`: its id, for the browser to keep.
    pub async fn wait_for_code(&self, awaited: CodeAwaited) -> Result<PendingSignInId, AuthError> {
        let (id, now) = (PendingSignInId::generate(), now());
        let pending = PendingSignIn {
            user_id: awaited.user_id.0,
            persistent: awaited.kept,
            expires_at: now.saturating_add(PENDING_SIGN_IN_TTL),
        };
        self.db.await_code(&id.digest(), pending, now).await?;
        Ok(id)
    }

    /// Finishes the waiting sign-in `id` with its second factor `code`,
    /// from `device`, on a page in `language`: a new session, once (the
    /// sign-in ends with it), and the account's mails speak `language`
    /// from then on; or why not. Past `WRONG_CODES_CAP` wrong codes in a
    /// row, the sign-in ends.
    pub async fn finish_sign_in(
        &self,
        id: &PendingSignInId,
        code: &OneTimeCode,
        device: &Device,
        language: Language,
    ) -> Result<Login, AuthError> {
        let login: Result<Login, AuthError> = async {
            let digest = id.digest();
            let Some(pending) = self.db.pending_sign_in(&digest, now()).await? else {
                return Ok(Login::SignInExpired);
            };
            let Some(user) = self
                .find_user(UserQuery::Id(UserId(pending.user_id)))
                .await?
            else {
                return Ok(Login::SignInExpired);
            };
            if let Some(refusal) = self.sign_in_code(&user, code, device.ip).await? {
                return Ok(refusal);
            }
            if !self.db.end_pending_sign_in(&digest, now()).await? {
                return Ok(Login::SignInExpired);
            }
            let user = self.speaking(user, Some(language)).await?;
            match self
                .start_session(&user, device, pending.persistent, Factors::Two)
                .await?
            {
                Some(session) => Ok(Login::Success(session)),
                None => Ok(Login::SignInExpired),
            }
        }
        .await;
        self.count(login)
    }

    /// Checks `code` as `user`'s second factor at sign-in, from `client`:
    /// `None` when it is right (the wrong ones in a row are forgotten),
    /// else the refusal. A wrong one counts on the account; at
    /// `WRONG_CODES_CAP`, every sign-in waiting for a code ends.
    pub(super) async fn sign_in_code(
        &self,
        user: &User,
        code: &OneTimeCode,
        client: Option<IpAddr>,
    ) -> Result<Option<Login>, AuthError> {
        match self.second_factor(user, code, client).await {
            Ok(()) => {
                if user.code_failures > 0 {
                    let changes = UserChanges {
                        code_failures: Some(0),
                        ..UserChanges::default()
                    };
                    self.db.update_user(user.id, changes).await?;
                }
                Ok(None)
            }
            Err(error @ (AuthError::WrongCode | AuthError::UsedRecoveryCode)) => {
                let capped = self.db.count_wrong_code(user.id, WRONG_CODES_CAP).await?;
                Ok(Some(match (capped, error) {
                    (true, _) => Login::TooManyWrongCodes,
                    (false, AuthError::UsedRecoveryCode) => Login::UsedRecoveryCode,
                    (false, _) => Login::WrongCode,
                }))
            }
            Err(AuthError::Throttled(wait)) => Ok(Some(Login::Throttled(wait))),
            Err(error) => Err(error),
        }
    }

    /// The requester's account with two-factor sign-in off and a proven
    /// address, once `password` (or a recent login) proves them: one that
    /// may set it up. `TwoFactorAlreadyOn` or `EmailNotVerified` first,
    /// before any password is asked.
    async fn enrolling_user(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<User, AuthError> {
        let user = self.user(requester.user_id).await?;
        if user.totp_enabled_at.is_some() {
            return Err(AuthError::TwoFactorAlreadyOn);
        }
        require_proven_address(&user)?;
        self.prove_owner(&user, requester, password, device).await?;
        Ok(user)
    }

    /// The requester's account with two-factor sign-in on, once `password`
    /// (or a recent login) and `code` prove them.
    async fn enabled_user(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        code: &OneTimeCode,
        device: &Device,
    ) -> Result<User, AuthError> {
        let user = self.user(requester.user_id).await?;
        if user.totp_enabled_at.is_none() {
            return Err(AuthError::TwoFactorOff);
        }
        self.prove_owner(&user, requester, password, device).await?;
        self.second_factor(&user, code, device.ip).await?;
        Ok(user)
    }

    /// Checks `code` as `user`'s second factor, from `client`: throttled
    /// per account (apart from password guesses), each TOTP code accepted
    /// once, each recovery code used once. `WrongCode`, `UsedRecoveryCode`
    /// (a failure too) or `Throttled` when it fails.
    pub(super) async fn second_factor(
        &self,
        user: &User,
        code: &OneTimeCode,
        client: Option<IpAddr>,
    ) -> Result<(), AuthError> {
        let key = super::throttle::code_key(&user.normalized_email);
        // Codes count per account, whatever the device: a device cookie
        // vouches for password guesses only.
        let admitted = self
            .throttle
            .admit(&self.db, &key, client, now(), Vec::new());
        let attempt = match admitted.await? {
            Ok(attempt) => attempt,
            Err(refusal) => return Err(AuthError::Throttled(refusal.wait())),
        };
        let mut used_before = false;
        let checked = async {
            Ok(match self.code_matches(user, code).await? {
                CodeCheck::Right => Some(()),
                CodeCheck::UsedBefore => {
                    used_before = true;
                    None
                }
                CodeCheck::Wrong => None,
            })
        };
        match self.settle(attempt, checked).await? {
            Some(()) => Ok(()),
            None if used_before => Err(AuthError::UsedRecoveryCode),
            None => Err(AuthError::WrongCode),
        }
    }

    /// Whether `code` is `user`'s, used up in the same statement.
    async fn code_matches(&self, user: &User, code: &OneTimeCode) -> Result<CodeCheck, AuthError> {
        match code {
            OneTimeCode::Totp(code) => {
                let Some(step) = self.totp_of(user)?.check(code.expose(), unix_now()) else {
                    return Ok(CodeCheck::Wrong);
                };
                let step = step_of(step);
                let changes = UserChanges {
                    totp_last_step: Some(Some(step)),
                    ..UserChanges::default()
                };
                let once = UserUpdate::new(UserCondition::TotpStepBefore(step), changes);
                Ok(match self.db.apply_user_update(user.id, once).await? {
                    true => CodeCheck::Right,
                    false => CodeCheck::Wrong,
                })
            }
            OneTimeCode::Recovery(letters) => {
                let digest = self.recovery_digest(letters);
                Ok(
                    match self.db.use_recovery_code(user.id, &digest, now()).await? {
                        RecoveryCodeUse::Used => CodeCheck::Right,
                        RecoveryCodeUse::UsedBefore => CodeCheck::UsedBefore,
                        RecoveryCodeUse::Unknown => CodeCheck::Wrong,
                    },
                )
            }
        }
    }

    /// `user`'s TOTP, from their sealed secret; `NoTotpEnrolment` without
    /// one.
    fn totp_of(&self, user: &User) -> Result<Totp, AuthError> {
        let sealed = user
            .totp_secret
            .as_deref()
            .ok_or(AuthError::NoTotpEnrolment)?;
        totp(user, self.open_totp_secret(user, sealed)?)
    }

    /// `user`'s TOTP secret (enabled or pending) sealed again for the
    /// address `normalized_email`, which it is bound to: for an address
    /// change. `None` without one.
    pub(super) fn totp_secret_for(
        &self,
        user: &User,
        normalized_email: &str,
    ) -> Result<Option<Vec<u8>>, AuthError> {
        let Some(sealed) = user.totp_secret.as_deref() else {
            return Ok(None);
        };
        let secret = self.open_totp_secret(user, sealed)?;
        Ok(Some(self.totp_sealer.seal(normalized_email, &secret)))
    }

    /// Opens `user`'s `sealed` TOTP secret.
    fn open_totp_secret(&self, user: &User, sealed: &[u8]) -> Result<Vec<u8>, AuthError> {
        self.totp_sealer
            .open(&user.normalized_email, sealed)
            .ok_or_else(|| AuthError::Internal("a TOTP secret does not open".to_owned()))
    }

    /// The digests to keep of `codes`.
    fn recovery_digests(&self, codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .map(|code| self.recovery_digest(&code.replace('-', "")))
            .collect()
    }

    /// HMAC-SHA-256 of a recovery code's `letters`, keyed with a key
    /// derived from the secret key, in hex.
    fn recovery_digest(&self, letters: &str) -> String {
        keyed_digest(&self.recovery_key, letters.as_bytes())
    }
}

/// The TOTP of `user` with `secret`: SHA-1, 6 digits, 30 s, one step of
/// drift either way.
fn totp(user: &User, secret: Vec<u8>) -> Result<Totp, AuthError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(user.email.as_str())
        .build()
        .map_err(|error| AuthError::Internal(format!("TOTP: {error}")))
}

/// What an authenticator app needs of `totp`.
fn enrolment(totp: &Totp) -> Result<TotpEnrolment, AuthError> {
    let otpauth_url = totp
        .to_url()
        .map_err(|error| AuthError::Internal(format!("TOTP: {error}")))?;
    Ok(TotpEnrolment {
        secret: totp.secret().to_base32(),
        otpauth_url,
    })
}

/// What the check of a second factor found.
enum CodeCheck {
    /// The code is right: used up now.
    Right,
    /// A recovery code of the user's, used before.
    UsedBefore,
    /// No code of the user's.
    Wrong,
}

/// Ten new recovery codes.
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect()
}

/// The current Unix time, as TOTP counts it.
fn unix_now() -> u64 {
    u64::try_from(now()).unwrap_or_default()
}

/// A TOTP time step as the database keeps it.
fn step_of(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}
