//! Sensitive changes from the account page that carry no password field
//! (a new address, two-factor setup, removing a passkey, ending the other
//! sessions): past `sessions.recent_login_ttl` of the login, they go on
//! (303) to a page that asks for the password (`GET /profile/confirm`),
//! which posts the same change again with it, so that the person lands
//! where they were going with the change made.
//! JSON clients send the password with the change ([`PasswordProof`]).

use rocket::response::Redirect;
use rocket::{get, Either, FromForm, State};
use rocket_dyn_templates::{context, Template};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::require_login;
use crate::auth::{Auth, Password};
use crate::flows::paths::PATHS;
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
#[derive(Debug, Serialize, Deserialize)]
pub struct Change {
    pub action: String,
    pub method: String,
    pub purpose: Text,
    pub fields: Vec<(String, String)>,
}

/// A change on its way to the page that asks for the password, with why
/// it was asked again (a wrong password, too many), if it was.
#[derive(Debug, Serialize, Deserialize)]
struct Asked {
    change: Change,
    error: Option<Text>,
}

/// The name of the page's form, as a change comes to it.
const ASKED: &str = "confirm";

impl Change {
    /// Whether `error` is about the proof of the owner: none given in
    /// time, a wrong one, or too many wrong ones.
    pub fn needs_password(error: &Error) -> bool {
        matches!(
            error,
            Error::ConfirmPassword | Error::WrongPassword { .. } | Error::Throttled(_)
        )
    }

    /// On (303) to the page that asks for the password before this change,
    /// after `error` (see [`needs_password`](Self::needs_password)): asked,
    /// wrong, or too many wrong ones.
    pub fn ask_password(self, error: &Error) -> PageError {
        let error = match error {
            Error::ConfirmPassword => None,
            other => Some(other.text()),
        };
        let asked = Asked {
            change: self,
            error,
        };
        PageError::carrying(PATHS.confirm, ASKED, &asked)
    }
}

/// The page that asks for the password before the change that led here,
/// and posts it again with it; without one, the account page. Where the
/// user has a passkey (and passkeys work here), the page's script offers
/// it instead.
#[get("/profile/confirm")]
pub async fn confirm_page(
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
    page: Page,
) -> Result<Either<Template, Redirect>, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let mut page = page;
    let asked = page.take_carried(ASKED);
    let asked = asked.and_then(|json| serde_json::from_str::<Asked>(&json).ok());
    let Some(Asked { change, error }) = asked else {
        return Ok(Either::Right(Redirect::to(PATHS.profile)));
    };
    let passkeys = match auth.passkeys_available() {
        true => !auth.passkeys(user.id).await?.is_empty(),
        false => false,
    };
    let language = page.language();
    let content = context! {
        action: change.action,
        method: change.method,
        purpose: language.say(&change.purpose),
        fields: change.fields,
        error: error.map(|error| language.say(&error)).unwrap_or_default(),
        window: language.duration(auth.settings().sessions.recent_login_ttl),
        passkeys,
    };
    Ok(Either::Left(page.render("confirm_password", content)))
}
