//! Passkeys (WebAuthn, through webauthn-rs): adding one to an account,
//! signing in with one (discoverable credentials: no email to type), and
//! removing one. User verification is required, so a passkey sign-in
//! counts as two factors. Ceremony state waits in the database, single
//! use, so that any instance can finish what another started.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{AuthenticationResult, WebauthnError};
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::credentials::PasskeyName;
use super::proof::require_proven_address;
use super::sessions::Factors;
use super::token::{self, CeremonyId};
use super::{Auth, AuthError, Device, Login, Password, Requester};
use crate::clock::{self, now};
use crate::config::Settings;
use crate::db::{DbError, NewCeremony, NewPasskey, StoredPasskey};
use crate::mail::Letter;
use crate::user::UserId;

/// How the service names itself to authenticators.
const RP_NAME: &str = "auth-service";

/// The relying party of `settings`: its id is `passkeys.rp_id`, or else the
/// host of `public_url`, and `public_url` is its origin. `None` (passkeys
/// off, with a warning) when `public_url` names an IP address, which
/// WebAuthn does not take, and no `passkeys.rp_id` is set. Why not, in words
/// for an operator, when `passkeys.rp_id` does not fit `public_url`.
pub fn relying_party(settings: &Settings) -> Result<Option<Webauthn>, String> {
    let origin = Url::parse(&settings.public_url)
        .map_err(|error| format!("public_url {:?}: {error}", settings.public_url))?;
    let host = origin.host_str().unwrap_or_default();
    let rp_id = match (&settings.passkeys.rp_id, origin.domain()) {
        (Some(rp_id), _) => rp_id.as_str(),
        (None, Some(domain)) => domain,
        (None, None) => {
            log::warn!(
                "passkeys are off: public_url ({}) names an IP address, and WebAuthn needs a \
                 domain name (localhost, auth.example.com). Set public_url to the address \
                 people use (see README, Passkeys).",
                settings.public_url
            );
            return Ok(None);
        }
    };
    let timeout = std::time::Duration::from_secs(settings.passkeys.timeout);
    WebauthnBuilder::new(rp_id, &origin)
        .and_then(|builder| builder.rp_name(RP_NAME).timeout(timeout).build())
        .map(Some)
        .map_err(|_| {
            format!(
                "passkeys.rp_id {rp_id:?} must be public_url's host ({host}) or a domain it \
                 belongs to"
            )
        })
}

/// A ceremony under way: its id, for the client to send back with the
/// authenticator's answer, and the options for `navigator.credentials`.
#[derive(Debug)]
pub struct PasskeyChallenge<T> {
    /// To send back with the answer; it works once.
    pub ceremony: CeremonyId,
    /// For `navigator.credentials.create()` or `.get()`.
    pub options: T,
}

/// A sign-in with a passkey: whose account (its address), and how it
/// ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyLogin {
    /// The account's address.
    pub email: String,
    /// A session, or why not.
    pub outcome: Login,
}

/// What waits in the database between the two halves of a ceremony.
#[derive(Serialize, Deserialize)]
enum CeremonyState {
    /// Adding a passkey named `name`, for the user handle `user_handle`.
    Registration {
        state: PasskeyRegistration,
        name: String,
        user_handle: Uuid,
    },
    /// Signing in with any passkey of this site.
    SignIn { state: DiscoverableAuthentication },
    /// Proving the owner of a session with one of their passkeys, before
    /// a sensitive change.
    Proof { state: PasskeyAuthentication },
}

impl Auth {
    /// Whether passkeys work here (see [`relying_party`]).
    pub fn passkeys_available(&self) -> bool {
        self.relying_party.is_some()
    }

    /// The relying party, or `PasskeysOff`.
    fn relying_party(&self) -> Result<&Webauthn, AuthError> {
        self.relying_party.as_ref().ok_or(AuthError::PasskeysOff)
    }

    /// The passkeys of the user `user_id`, newest first.
    pub async fn passkeys(&self, user_id: UserId) -> Result<Vec<StoredPasskey>, AuthError> {
        Ok(self.db.user_passkeys(user_id).await?)
    }

    /// Starts adding a passkey named `name` to the requester's account,
    /// who proves it with `password` (or a recent login) from `device` (a
    /// passkey outlives password changes, so a stolen session alone must
    /// not add one): the options for `navigator.credentials.create`, asking
    /// for a discoverable credential with user verification.
    /// `EmailNotVerified` while the address has never been proven.
    pub async fn start_passkey_registration(
        &self,
        requester: &Requester,
        password: Option<&Password>,
        name: &PasskeyName,
        device: &Device,
    ) -> Result<PasskeyChallenge<CreationChallengeResponse>, AuthError> {
        let relying_party = self.relying_party()?;
        let user = self.user(requester.user_id).await?;
        require_proven_address(&user)?;
        self.prove_owner(&user, requester, password, device).await?;
        let user_id = user.id;
        let existing = self.db.user_passkeys(user_id).await?;
        let user_handle = existing
            .first()
            .and_then(|passkey| Uuid::parse_str(&passkey.user_handle).ok())
            .unwrap_or_else(Uuid::new_v4);
        let exclude = existing
            .iter()
            .filter_map(|passkey| URL_SAFE_NO_PAD.decode(&passkey.credential_id).ok())
            .collect();
        let (mut options, state) = relying_party
            .start_passkey_registration(user_handle, &user.email, &user.email, Some(exclude))
            .map_err(|error| AuthError::Internal(format!("passkey registration: {error}")))?;
        // Discoverable, so that signing in needs no email typed.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let state = CeremonyState::Registration {
            state,
            name: name.as_str().to_owned(),
            user_handle,
        };
        let ceremony = self.start_ceremony(Some(user_id), &state).await?;
        Ok(PasskeyChallenge { ceremony, options })
    }

    /// Finishes adding a passkey to the account `user_id` with the
    /// authenticator's answer `credential` to the ceremony `ceremony`. A
    /// notice goes to the address. `PasskeyCeremonyExpired` when the
    /// ceremony is unknown, used, expired or another user's,
    /// `PasskeyRejected` when the answer does not verify, `PasskeyTaken`
    /// when the credential is already registered.
    pub async fn finish_passkey_registration(
        &self,
        user_id: UserId,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
    ) -> Result<StoredPasskey, AuthError> {
        let relying_party = self.relying_party()?;
        let CeremonyState::Registration {
            state,
            name,
            user_handle,
        } = self.take_ceremony(ceremony, Some(user_id)).await?
        else {
            return Err(AuthError::PasskeyCeremonyExpired);
        };
        let passkey = relying_party
            .finish_passkey_registration(credential, &state)
            .map_err(|error| {
                log::warn!("passkey registration refused for user {user_id}: {error}");
                AuthError::PasskeyRejected
            })?;
        // Sign-ins are discoverable only: a credential the browser says the
        // authenticator does not keep could never sign in (an unsigned
        // hint, but one that only spares the person a useless passkey).
        let kept = credential
            .extensions
            .cred_props
            .as_ref()
            .and_then(|props| props.rk);
        if kept == Some(false) {
            log::warn!("passkey registration refused for user {user_id}: not discoverable");
            return Err(AuthError::PasskeyRejected);
        }
        let user = self.user(user_id).await?;
        let stored = serde_json::to_string(&passkey)
            .map_err(|error| AuthError::Internal(format!("a passkey to JSON: {error}")))?;
        let now = now();
        let notice = Letter::PasskeyAdded { name: &name };
        let mail = self.mailer.letter(&user, &user.email, &notice, now);
        let posted = mail.is_some();
        let new = NewPasskey {
            public_id: token::handle(),
            user_id: user_id.0,
            user_handle: user_handle.to_string(),
            credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id()),
            name,
            credential: stored,
            created_at: now,
        };
        let added = self
            .db
            .add_passkey(new, mail)
            .await
            .map_err(|error| match error {
                DbError::Conflict => AuthError::PasskeyTaken,
                other => other.into(),
            })?;
        if posted {
            self.mailer.posted();
        }
        Ok(added)
    }

    /// Removes the passkey `public_id` of the requester, who proves it with
    /// `password` (or a recent login) from `device`; `false` when the user
    /// has no such passkey. A notice goes to the address. (The account
    /// keeps its password, so it keeps a way in.)
    pub async fn remove_passkey(
        &self,
        requester: &Requester,
        public_id: &str,
        password: Option<&Password>,
        device: &Device,
    ) -> Result<bool, AuthError> {
        let user = self.prove(requester, password, device).await?;
        let user_id = user.id;
        let passkeys = self.db.user_passkeys(user_id).await?;
        let Some(passkey) = passkeys
            .iter()
            .find(|passkey| passkey.public_id == public_id)
        else {
            return Ok(false);
        };
        let notice = Letter::PasskeyRemoved {
            name: &passkey.name,
        };
        let mail = self.mailer.letter(&user, &user.email, &notice, now());
        let posted = mail.is_some();
        let removed = self.db.remove_passkey(user_id, public_id, mail).await?;
        if removed && posted {
            self.mailer.posted();
        }
        Ok(removed)
    }

    /// Starts a sign-in with a passkey from `device`: the options for
    /// `navigator.credentials.get`, for any passkey of this site. An
    /// address may start four per login attempt it may make a minute.
    pub async fn start_passkey_sign_in(
        &self,
        device: &Device,
    ) -> Result<PasskeyChallenge<RequestChallengeResponse>, AuthError> {
        let relying_party = self.relying_party()?;
        if let Some(wait) = self.throttle.check_ceremony(&self.db, device.ip).await? {
            return Err(AuthError::Throttled(wait));
        }
        let (mut options, state) = relying_party
            .start_discoverable_authentication()
            .map_err(|error| AuthError::Internal(format!("passkey sign-in: {error}")))?;
        // The page chooses: autofill (conditional) or a dialog.
        options.mediation = None;
        let ceremony = self
            .start_ceremony(None, &CeremonyState::SignIn { state })
            .await?;
        Ok(PasskeyChallenge { ceremony, options })
    }

    /// Finishes a sign-in with the authenticator's answer `credential` to
    /// the ceremony `ceremony`, from `device`: a new session (`kept` or
    /// not), with no one-time code asked (the passkey verified its user),
    /// or `EmailNotVerified` where the address must be verified first.
    /// `PasskeyCeremonyExpired` when the ceremony is unknown, used or
    /// expired; `PasskeyRejected` when the answer does not verify (unknown
    /// or removed passkey, another ceremony's challenge, another account's
    /// user handle, a counter gone back, no user verification).
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        credential: &PublicKeyCredential,
        device: &Device,
        kept: bool,
    ) -> Result<PasskeyLogin, AuthError> {
        let address = device.address_in_words();
        let verified = self.verify_passkey(ceremony, credential).await;
        let user = match verified {
            Ok(user) => user,
            Err(error @ (AuthError::PasskeyRejected | AuthError::PasskeyCeremonyExpired)) => {
                log::warn!("passkey sign-in refused from {address}: {error}");
                self.count(Ok(Login::WrongCredentials))?;
                return Err(error);
            }
            Err(error) => return Err(error),
        };
        let login = async {
            let shown = user.email.as_str();
            if self.settings.sessions.require_verified_email && user.email_verified_at.is_none() {
                log::warn!("passkey sign-in refused for {shown:?} from {address}: not verified");
                return Ok(Login::EmailNotVerified);
            }
            match self
                .start_session(&user, device, kept, Factors::Two)
                .await?
            {
                Some(session) => {
                    log::info!("passkey sign-in succeeded for {shown:?} from {address}");
                    Ok(Login::Success(session))
                }
                None => Ok(Login::WrongCredentials),
            }
        }
        .await;
        Ok(PasskeyLogin {
            outcome: self.count(login)?,
            email: user.email,
        })
    }

    /// Starts a proof of the requester with one of their passkeys (for a
    /// sensitive change past `sessions.recent_login_ttl`): the options for
    /// `navigator.credentials.get`, allowing their passkeys only, with user
    /// verification. `PasskeyRejected` when they have none.
    pub async fn start_passkey_proof(
        &self,
        requester: &Requester,
    ) -> Result<PasskeyChallenge<RequestChallengeResponse>, AuthError> {
        let relying_party = self.relying_party()?;
        let passkeys: Vec<Passkey> = self
            .db
            .user_passkeys(requester.user_id)
            .await?
            .iter()
            .filter_map(|stored| serde_json::from_str(&stored.credential).ok())
            .collect();
        if passkeys.is_empty() {
            return Err(AuthError::PasskeyRejected);
        }
        let (options, state) = relying_party
            .start_passkey_authentication(&passkeys)
            .map_err(|error| AuthError::Internal(format!("passkey proof: {error}")))?;
        let ceremony = self
            .start_ceremony(Some(requester.user_id), &CeremonyState::Proof { state })
            .await?;
        Ok(PasskeyChallenge { ceremony, options })
    }

    /// Finishes the proof `ceremony` of the requester with the
    /// authenticator's answer `credential`: the session has proven its
    /// owner now (as a login or the password would), and a second factor
    /// with it (a passkey is one by itself). Errors as a sign-in's.
    pub async fn finish_passkey_proof(
        &self,
        requester: &Requester,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<(), AuthError> {
        let owner = Some(requester.user_id);
        let CeremonyState::Proof { state } = self.take_ceremony(ceremony, owner).await? else {
            return Err(AuthError::PasskeyCeremonyExpired);
        };
        let check = |relying_party: &Webauthn, _: &StoredPasskey, _: &Passkey| {
            relying_party.finish_passkey_authentication(credential, &state)
        };
        let user = self.checked_passkey(credential, check).await?;
        if user.id != requester.user_id {
            return Err(AuthError::PasskeyRejected);
        }
        let now = now();
        self.db.reauthenticated(requester.session, now).await?;
        self.db.second_factor_proven(requester.session, now).await?;
        Ok(())
    }

    /// The user whose passkey signed `credential` for the sign-in
    /// `ceremony`, with the passkey's use recorded (and its counter and
    /// backup state, where they changed).
    async fn verify_passkey(
        &self,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<crate::user::User, AuthError> {
        let CeremonyState::SignIn { state } = self.take_ceremony(ceremony, None).await? else {
            return Err(AuthError::PasskeyCeremonyExpired);
        };
        // A discoverable credential names its account: it must be this
        // passkey's.
        let handle = credential
            .get_user_unique_id()
            .and_then(|handle| Uuid::from_slice(handle).ok())
            .map(|handle| handle.to_string());
        let check = |relying_party: &Webauthn, stored: &StoredPasskey, passkey: &Passkey| {
            if handle.as_deref() != Some(stored.user_handle.as_str()) {
                return Err(WebauthnError::InvalidUserUniqueId);
            }
            relying_party.finish_discoverable_authentication_v2(credential, state, passkey)
        };
        self.checked_passkey(credential, check).await
    }

    /// The user whose stored passkey signed `credential`, as `check` (the
    /// ceremony's own verification of the stored passkey) finds, with the
    /// passkey's use recorded (and its counter and backup state, where
    /// they changed).
    async fn checked_passkey(
        &self,
        credential: &PublicKeyCredential,
        check: impl FnOnce(
            &Webauthn,
            &StoredPasskey,
            &Passkey,
        ) -> Result<AuthenticationResult, WebauthnError>,
    ) -> Result<crate::user::User, AuthError> {
        let relying_party = self.relying_party()?;
        let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
        let Some((stored, user)) = self.db.find_passkey(&credential_id).await? else {
            return Err(AuthError::PasskeyRejected);
        };
        let mut passkey: Passkey = serde_json::from_str(&stored.credential)
            .map_err(|error| AuthError::Internal(format!("a stored passkey: {error}")))?;
        let result = check(relying_party, &stored, &passkey).map_err(|error| {
            log::warn!("passkey {} refused: {error}", stored.public_id);
            AuthError::PasskeyRejected
        })?;
        let changed = match passkey.update_credential(&result) {
            Some(true) => Some(
                serde_json::to_string(&passkey)
                    .map_err(|error| AuthError::Internal(format!("a passkey to JSON: {error}")))?,
            ),
            _ => None,
        };
        // Only over the credential just checked: a passkey removed since,
        // or moved on by a concurrent sign-in, signs nobody in.
        let used = self.db.passkey_used(&stored, changed, now()).await?;
        if !used {
            log::warn!("passkey {} changed while it signed in", stored.public_id);
            return Err(AuthError::PasskeyRejected);
        }
        Ok(user)
    }

    /// Records a ceremony of `user_id` (or of nobody yet) in `state`,
    /// living `passkeys.timeout`; its id for the client.
    async fn start_ceremony(
        &self,
        user_id: Option<UserId>,
        state: &CeremonyState,
    ) -> Result<CeremonyId, AuthError> {
        let id = CeremonyId::generate();
        let state = serde_json::to_string(state)
            .map_err(|error| AuthError::Internal(format!("a ceremony to JSON: {error}")))?;
        let now = now();
        let ceremony = NewCeremony {
            digest: id.digest(),
            user_id: user_id.map(|id| id.0),
            state,
            expires_at: now.saturating_add(clock::seconds(self.settings.passkeys.timeout)),
        };
        self.db.start_ceremony(ceremony, now).await?;
        Ok(id)
    }

    /// Takes the live ceremony `id` of `owner` (a registration of that
    /// user; `None`: a sign-in), once: its state. A ceremony of another
    /// user or kind is left alone, and `PasskeyCeremonyExpired` returned.
    async fn take_ceremony(
        &self,
        id: &str,
        owner: Option<UserId>,
    ) -> Result<CeremonyState, AuthError> {
        let owner = owner.map(|id| id.0);
        let ceremony = self
            .db
            .take_ceremony(&token::digest(id), owner, now())
            .await?;
        let state = ceremony.ok_or(AuthError::PasskeyCeremonyExpired)?;
        // A state an older release wrote, that this one cannot read, is
        // as good as expired: the person starts again.
        serde_json::from_str(&state).map_err(|error| {
            log::warn!("a passkey ceremony that does not read: {error}");
            AuthError::PasskeyCeremonyExpired
        })
    }
}
