//! The language switch in every page's footer: `POST /language` with the
//! language chosen and the page to come back to. The choice is kept in a
//! cookie for this browser and, for someone logged in, on the account, so
//! that mails and notices speak it too.

use rocket::form::Form;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{post, FromForm, State};

use super::paths::PATHS;
use crate::auth::Auth;
use crate::language::Language;
use crate::web::form::PageError;
use crate::web::security::local_path;
use crate::web::{language, Page, SameOrigin};

/// The switch's fields: the language's tag, and the page it was on.
#[derive(Debug, FromForm)]
pub struct LanguageChoice<'r> {
    lang: Option<&'r str>,
    back: Option<&'r str>,
}

/// Keeps the language chosen, then 303 back to the page it was chosen on
/// (a path of this site; else the home page). A language not spoken here
/// changes nothing.
#[post("/language", data = "<form>")]
pub async fn choose(
    _origin: SameOrigin,
    form: Form<LanguageChoice<'_>>,
    cookies: &CookieJar<'_>,
    page: Page,
    auth: &State<Auth>,
) -> Result<Redirect, PageError> {
    if let Some(chosen) = form.lang.and_then(Language::of) {
        language::choose(cookies, chosen);
        if let Some(user) = page.user() {
            auth.set_language(user.id, chosen).await?;
        }
    }
    let back = form.back.and_then(local_path);
    Ok(Redirect::to(back.map_or_else(
        || PATHS.home.to_owned(),
        |path| path.to_string(),
    )))
}
