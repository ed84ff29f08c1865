//! Where each flow's pages and forms are, for the other flows, the mails
//! and the templates: one leaf of typed paths, so that a flow links to
//! another's page without importing it (which would close the flows into
//! one circle). A test (`tests/in_process/pages.rs`) checks that a mounted
//! route answers each, and that the templates name no other, so that they
//! cannot drift from the routes.

use rocket::http::RawStr;
use serde::Serialize;

/// The paths of the flows' pages and forms, by what they are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paths {
    /// The home page.
    pub home: &'static str,
    /// The registration form.
    pub register: &'static str,
    /// Registration (`POST`); from the address bar, the form.
    pub users: &'static str,
    /// The login form.
    pub login: &'static str,
    /// Login (`POST`), logout (`DELETE`), the sessions (`GET`).
    pub sessions: &'static str,
    /// The page that asks for the code of a sign-in.
    pub login_code: &'static str,
    /// The account page.
    pub profile: &'static str,
    /// A new verification link (`POST`); the mailed links (`GET`, with
    /// their token).
    pub verify_email: &'static str,
    /// A new password (`PUT`).
    pub change_password: &'static str,
    /// A new address (`PUT`); cancelling it (`DELETE`).
    pub change_email: &'static str,
    /// Cancelling a change of address with the mailed link's token: its
    /// button (`POST`) and its page (`GET`, with the token).
    pub cancel_email_change: &'static str,
    /// The page that asks before the account is deleted.
    pub delete_account: &'static str,
    /// The account itself (`DELETE`).
    pub account: &'static str,
    /// Every session but the current one (`DELETE`).
    pub other_sessions: &'static str,
    /// One session, followed by its id (`DELETE`).
    pub session: &'static str,
    /// Two-factor sign-in: its setup (`POST`, `PUT`), turning it off
    /// (`DELETE`).
    pub two_factor: &'static str,
    /// New recovery codes (`POST`).
    pub recovery_codes: &'static str,
    /// One passkey, followed by its id (`DELETE`).
    pub passkey: &'static str,
    /// Adding a passkey: its options (`POST`)...
    pub passkey_options: &'static str,
    /// ...and the authenticator's answer (`POST`); the passkeys (`GET`).
    pub passkeys: &'static str,
    /// Signing in with a passkey: its options (`POST`)...
    pub passkey_sign_in_options: &'static str,
    /// ...and the authenticator's answer (`POST`).
    pub passkey_sign_in: &'static str,
    /// Proving the owner with a passkey: its options (`POST`)...
    pub passkey_proof_options: &'static str,
    /// ...and the authenticator's answer (`POST`).
    pub passkey_proof: &'static str,
    /// The form that asks for a reset link; the mailed links (`GET`, with
    /// their token); the requests for a link (`POST`) and a new password
    /// (`PUT`).
    pub reset_password: &'static str,
    /// The form that chooses the new password of a followed reset link.
    pub new_password: &'static str,
    /// The language switch of every page (`POST`).
    pub language: &'static str,
    /// The page that asks for the password before a sensitive change.
    pub confirm: &'static str,
    /// Signing in to another application: back from the login page.
    pub authorize_continue: &'static str,
    /// Signing in to another application: the consent page's answer.
    pub authorize_consent: &'static str,
    /// Logging out, as an application asks (RP-initiated logout).
    pub end_session: &'static str,
    /// A connected application, by client id (`DELETE`: disconnect it).
    pub application: &'static str,
}

/// Where the flows are mounted.
pub const PATHS: Paths = Paths {
    home: "/",
    register: "/register",
    users: "/users",
    login: "/login",
    sessions: "/sessions",
    login_code: "/login/code",
    profile: "/profile",
    verify_email: "/verify_email",
    change_password: "/profile/password",
    change_email: "/profile/email",
    cancel_email_change: "/profile/email/cancel",
    delete_account: "/profile/delete",
    account: "/profile",
    other_sessions: "/sessions/others",
    session: "/sessions/",
    two_factor: "/profile/totp",
    recovery_codes: "/profile/recovery_codes",
    passkey: "/profile/passkeys/",
    passkey_options: "/profile/passkeys/options",
    passkeys: "/profile/passkeys",
    passkey_sign_in_options: "/sessions/passkey/options",
    passkey_sign_in: "/sessions/passkey",
    passkey_proof_options: "/profile/confirm/passkey/options",
    passkey_proof: "/profile/confirm/passkey",
    reset_password: "/reset_password",
    new_password: "/reset_password/new",
    language: "/language",
    confirm: "/profile/confirm",
    authorize_continue: "/authorize/continue",
    authorize_consent: "/authorize/consent",
    end_session: "/logout",
    application: "/profile/applications/",
};

impl Paths {
    /// The login page, which comes back to `next` (a path of this site)
    /// once logged in.
    pub fn login_then(&self, next: &str) -> String {
        format!("{}?next={}", self.login, RawStr::new(next).percent_encode())
    }

    /// `path` with the token of a mailed link.
    pub fn with_token(path: &str, token: &str) -> String {
        format!("{path}?token={}", RawStr::new(token).percent_encode())
    }
}
