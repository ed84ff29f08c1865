//! Removing a passkey from the account page: `DELETE /profile/passkeys/<id>`
//! for browsers. Adding one and signing in with one take the browser's
//! authenticator, so the pages' script does them through the JSON API
//! (`api::passkeys`).

use rocket::form::{Contextual, Form};
use rocket::response::{Flash, Redirect};
use rocket::{delete, uri, State};

use super::confirm::Change;
use super::{profile, require_login, PageError};
use crate::auth::{Auth, Device};
use crate::web::forms::PasswordProof;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// Removes the passkey `id`, then the account page with a notice; past
/// `recent_login_ttl` of the login, the password first.
#[delete("/profile/passkeys/<id>", data = "<form>")]
pub async fn remove(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    form: Form<Contextual<'_, PasswordProof>>,
    device: Device,
    auth: &State<Auth>,
    page: Page,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let account = Redirect::to(uri!(profile::profile));
    let passkeys = auth.passkeys(user.id).await?;
    let Some(passkey) = passkeys.into_iter().find(|passkey| passkey.public_id == id) else {
        return Ok(Flash::error(account, Error::UnknownPasskey.sentence()));
    };
    let password = form
        .value
        .as_ref()
        .and_then(|proof| proof.password.as_ref());
    let removed = auth
        .remove_passkey(&user.requester(), id, password, &device)
        .await;
    match removed.map_err(Error::from) {
        Ok(true) => Ok(Flash::success(
            account,
            format!(
                "Passkey “{}” removed. It no longer signs in to your account.",
                passkey.name
            ),
        )),
        Ok(false) => Ok(Flash::error(account, Error::UnknownPasskey.sentence())),
        Err(error) if Change::needs_password(&error) => {
            let change = Change {
                action: uri!(remove(id = id)).to_string(),
                method: "DELETE",
                purpose: format!("remove the passkey “{}”", passkey.name),
                fields: Vec::new(),
            };
            Err(change.ask_password(page, auth, &user, &error).await)
        }
        Err(error) => Err(PageError::Failure(error)),
    }
}
