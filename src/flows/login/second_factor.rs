//! The second half of a login with two-factor sign-in on: the page that
//! asks for the code (`GET`/`POST /login/code`). The sign-in waits on the
//! server; its browser keeps only its id, in a private cookie.

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::time::Duration;
use rocket::FromForm;
use rocket::{get, post, uri, Either, State};
use rocket_dyn_templates::Template;
use serde::{Deserialize, Serialize};

use super::outcome::{destination, refusal};
use crate::auth::{Auth, Device, Login, OneTimeCode, PendingSignInId, PENDING_SIGN_IN_TTL};
use crate::flows::paths::PATHS;
use crate::language::Text;
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::session::set_session_cookie;
use crate::web::Notice;
use crate::web::{Page, SameOrigin};

/// The private cookie of a sign-in waiting for its second factor.
const PENDING_COOKIE: &str = "pending_sign_in";

/// The page that asks for the code of a sign-in.
const CODE: PageForm = PageForm {
    template: "login_code",
    fields: &["code"],
    page: PATHS.login_code,
};

/// The field of a sign-in's second step, on the page that asks for it.
#[derive(Debug, FromForm)]
pub struct SecondFactor {
    pub code: OneTimeCode,
}

/// A sign-in waiting for its second factor, as its browser keeps it: in a
/// private (encrypted, authenticated) cookie, for five minutes, the id of
/// the sign-in that waits on the server (which ends it when its code is
/// used or the password changes), and where to go once logged in. It is
/// not a session: it opens nothing but the page that asks for the code.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingCookie {
    id: String,
    /// Where to go once logged in.
    next: Option<String>,
}

impl PendingCookie {
    /// Hands the browser the sign-in `id`, which goes on to `next`.
    pub fn keep(cookies: &CookieJar<'_>, id: &PendingSignInId, next: Option<String>) {
        let cookie = PendingCookie {
            id: id.expose().to_owned(),
            next,
        };
        let value = serde_json::to_string(&cookie).unwrap_or_default();
        let cookie = Cookie::build((PENDING_COOKIE, value))
            .path(uri!(code_form).path().to_string())
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Duration::seconds(PENDING_SIGN_IN_TTL));
        cookies.add_private(cookie);
    }

    /// The browser's, if it has one.
    fn of(cookies: &CookieJar<'_>) -> Option<Self> {
        let cookie = cookies.get_private(PENDING_COOKIE)?;
        serde_json::from_str(cookie.value()).ok()
    }

    fn forget(cookies: &CookieJar<'_>) {
        cookies
            .remove_private(Cookie::build(PENDING_COOKIE).path(uri!(code_form).path().to_string()));
    }
}

/// The page that asks for the code of a sign-in; without one waiting, the
/// login page.
#[get("/login/code")]
pub fn code_form(page: Page, cookies: &CookieJar<'_>) -> Either<Template, Redirect> {
    if PendingCookie::of(cookies).is_none() {
        return Either::Right(Redirect::to(PATHS.login));
    }
    Either::Left(FormState::default().show(page, &CODE))
}

/// Finishes the sign-in with its code: the session, and on to `next` or
/// the account page; or the page again with why not. A sign-in that ended
/// (expired, its code used, too many wrong codes) goes back to the login
/// page with a notice.
#[post("/login/code", data = "<form>")]
pub async fn finish(
    _origin: SameOrigin,
    form: Form<Contextual<'_, SecondFactor>>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let Some(pending) = PendingCookie::of(cookies) else {
        return Ok(Redirect::to(PATHS.login));
    };
    let state = FormState::submitted(&form.context, &[]);
    let Some(SecondFactor { code }) = &form.value else {
        return Err(state.again(&CODE));
    };
    let id = PendingSignInId::presented(&pending.id);
    let ended = match auth.finish_sign_in(&id, code, &device).await? {
        Login::Success(session) => {
            PendingCookie::forget(cookies);
            set_session_cookie(cookies, session);
            return Ok(Redirect::to(destination(pending.next.as_deref())));
        }
        // The sign-in is over: the password again, from the login page.
        Login::TooManyWrongCodes => Text::new("notice-too-many-wrong-codes"),
        Login::SignInExpired => refusal(Login::SignInExpired, "code").text(),
        // Asked again, with why.
        other => return Err(state.refused(&CODE, refusal(other, "code"))),
    };
    PendingCookie::forget(cookies);
    let login = Redirect::to(PATHS.login);
    Err(PageError::Elsewhere(Box::new(Notice::warning(
        login, ended,
    ))))
}
