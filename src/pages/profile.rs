//! `GET /profile` for browsers.

use rocket::{get, uri};
use rocket_dyn_templates::{context, Template};

use super::{require_login, PageError};
use crate::web::{CurrentUser, Error, Page};

/// The user's email and a logout button; without a session, the login
/// page, which comes back here.
#[get("/profile")]
pub fn profile(user: Result<CurrentUser, Error>, page: Page) -> Result<Template, PageError> {
    let user = require_login(user, uri!(profile))?;
    let content = context! { email: user.email, email_verified: user.email_verified };
    Ok(page.render("profile", content))
}
