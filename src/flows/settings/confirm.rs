//! Sensitive changes from the account page that carry no password field
//! (a new address, two-factor setup, removing a passkey, ending the other
//! sessions): past `sessions.recent_login_ttl` of the login, they stop at a page
//! that asks for the password, which posts the same change again with it,
//! so that the person lands where they were going with the change made.
//! JSON clients send the password with the change ([`PasswordProof`]).

use rocket::http::Status;
use rocket::FromForm;
use rocket_dyn_templates::context;
use utoipa::ToSchema;

use crate::auth::{Auth, Password};
use crate::language::Text;
use crate::web::form::PageError;
use crate::web::values::Optional;
use crate::web::{CurrentUser, Error, Page};

/// The field that proves the owner for a sensitive change that takes
/// nothing else: the current password, which may be left out within
/// `sessions.recent_login_ttl` of a login.
#[derive(Debug, FromForm, ToSchema)]
pub struct PasswordProof {
    /// The current password; needed when the session's login (or the
    /// last password given) is older than `sessions.recent_login_ttl` (10 minutes).
    #[schema(value_type = String, format = Password, required = false, min_length = 1,
             max_length = 1024)]
    pub password: Optional<Password>,
}

/// A change that may need the password first: where it posts, with which
/// method, what it does (in words, after "To ..."), and its fields.
pub struct Change {
    pub action: String,
    pub method: &'static str,
    pub purpose: Text,
    pub fields: Vec<(&'static str, String)>,
}

impl Change {
    /// Whether `error` is about the proof of the owner: none given in
    /// time, a wrong one, or too many wrong ones.
    pub fn needs_password(error: &Error) -> bool {
        matches!(
            error,
            Error::ConfirmPassword | Error::WrongPassword { .. } | Error::Throttled(_)
        )
    }

    /// The page that asks `user` for the password before this change, after
    /// `error` (see [`needs_password`](Self::needs_password)): asked (200),
    /// wrong (403), or too many wrong ones (429, with `Retry-After`). Where
    /// the user has a passkey (and passkeys work here), the page's script
    /// offers it instead.
    pub async fn ask_password(
        self,
        page: Page,
        auth: &Auth,
        user: &CurrentUser,
        error: &Error,
    ) -> PageError {
        let language = page.language();
        let shown = match error {
            Error::ConfirmPassword => String::new(),
            other => language.say(&other.text()),
        };
        let passkeys = match auth.passkeys_available() {
            true => auth
                .passkeys(user.id)
                .await
                .map(|passkeys| !passkeys.is_empty()),
            false => Ok(false),
        };
        let passkeys = match passkeys {
            Ok(passkeys) => passkeys,
            Err(failure) => return PageError::from(failure),
        };
        let content = context! {
            action: self.action,
            method: self.method,
            purpose: language.say(&self.purpose),
            fields: self.fields,
            error: shown,
            window: language.duration(auth.settings().sessions.recent_login_ttl),
            passkeys,
        };
        let asked = page.render("confirm_password", content);
        match error {
            Error::ConfirmPassword => PageError::page(Status::Ok, asked),
            other => PageError::shown(other, asked),
        }
    }
}
