//! Removing a passkey from the account page: `DELETE /profile/passkeys/<id>`
//! for browsers. Adding one and signing in with one take the browser's
//! authenticator, so the pages' script does them through the JSON API
//! (`api::passkeys`).

use rocket::response::{Flash, Redirect};
use rocket::{delete, uri, State};

use super::{profile, require_login, PageError};
use crate::auth::Auth;
use crate::web::{CurrentUser, Error, SameOrigin};

/// Removes the passkey `id`, then the account page with a notice.
#[delete("/profile/passkeys/<id>")]
pub async fn remove(
    _origin: SameOrigin,
    id: &str,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = require_login(user, uri!(profile::profile))?;
    let account = Redirect::to(uri!(profile::profile));
    if !auth.remove_passkey(user.id, id).await? {
        return Ok(Flash::error(account, Error::UnknownPasskey.sentence()));
    }
    Ok(Flash::success(
        account,
        "Passkey removed. It no longer signs in to your account.",
    ))
}
