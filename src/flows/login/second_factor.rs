//! The second half of a login with two-factor sign-in on: the page that
//! asks for the code (`GET`/`POST /login/code`). The sign-in waits on the
//! server; its browser keeps only its id, in a private cookie.

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::time::Duration;
use rocket::FromForm;
use rocket::{get, post, Either, State};
use rocket_dyn_templates::Template;
use serde::{Deserialize, Serialize};

use super::outcome::{destination, refusal, return_address};
use crate::auth::{
    Auth, AuthError, Device, Login, OneTimeCode, PendingSignInId, PENDING_SIGN_IN_TTL,
};
use crate::flows::paths::PATHS;
use crate::language::{Language, Text};
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::session::set_session_cookie;
use crate::web::Notice;
use crate::web::{CurrentUser, Page, SameOrigin};

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
            .path(PATHS.login_code)
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
        cookies.remove_private(Cookie::build(PENDING_COOKIE).path(PATHS.login_code));
    }
}

/// The page that asks for the code of a sign-in. Without one waiting, for
/// someone logged in whose session has not proved a second factor (an
/// application behind forward auth asks for one, and sends `rd`, where to
/// go back to): the code again, for this session; or, for an account with
/// no code to give, the account page, which says to set one up. Else the
/// login page.
#[get("/login/code?<rd>")]
pub async fn code_form(
    rd: Option<&str>,
    page: Page,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Either<Template, Redirect>, PageError> {
    if PendingCookie::of(cookies).is_some() {
        return Ok(Either::Left(FormState::default().show(page, &CODE)));
    }
    let rd = rd.and_then(|rd| return_address(rd, auth.settings()));
    let Some(user) = page.user() else {
        let login = match &rd {
            Some(rd) => PATHS.login_then(rd),
            None => PATHS.login.to_owned(),
        };
        return Ok(Either::Right(Redirect::to(login)));
    };
    if user.session.second_factor {
        return Ok(Either::Right(Redirect::to(destination(
            rd.as_deref(),
            auth.settings(),
        ))));
    }
    if !auth.two_factor_status(user.id).await?.enabled {
        return Err(no_code_to_give());
    }
    let mut state = FormState::default().value(STEP_UP, "on");
    if let Some(rd) = rd {
        state = state.value("next", &rd);
    }
    Ok(Either::Left(state.show(page, &CODE)))
}

/// Marks a form of the code page as one for the session of someone logged
/// in, not for a sign-in waiting.
const STEP_UP: &str = "step_up";

/// To the account page, which says to set up two-factor sign-in: an
/// application asks for a second factor that the account does not have.
fn no_code_to_give() -> PageError {
    let profile = Redirect::to(PATHS.profile);
    let text = Text::new("notice-second-factor-needed");
    PageError::Elsewhere(Box::new(Notice::warning(profile, text)))
}

/// Finishes the sign-in with its code: the session (the account's mails
/// speak the page's language from then on), and on to `next` or the
/// account page; or the page again with why not. A sign-in that ended
/// (expired, its code used, too many wrong codes) goes back to the login
/// page with a notice. Without a sign-in waiting, the code proves a second
/// factor in the session of the person logged in (see [`code_form`]).
#[post("/login/code", data = "<form>")]
pub async fn finish(
    _origin: SameOrigin,
    form: Form<Contextual<'_, SecondFactor>>,
    user: Option<CurrentUser>,
    device: Device,
    language: Language,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Redirect, PageError> {
    let Some(pending) = PendingCookie::of(cookies) else {
        let Some(user) = user else {
            return Ok(Redirect::to(PATHS.login));
        };
        let next = form.context.field_value("next");
        let next = next.and_then(|next| return_address(next, auth.settings()));
        let mut state = FormState::submitted(&form.context, &[]).value(STEP_UP, "on");
        if let Some(next) = &next {
            state = state.value("next", next);
        }
        let code = form.value.as_ref().map(|second| &second.code);
        return step_up(state, next, code, &user, &device, auth).await;
    };
    let state = FormState::submitted(&form.context, &[]);
    let Some(SecondFactor { code }) = &form.value else {
        return Err(state.again(&CODE));
    };
    let id = PendingSignInId::presented(&pending.id);
    let ended = match auth.finish_sign_in(&id, code, &device, language).await? {
        Login::Success(session) => {
            PendingCookie::forget(cookies);
            set_session_cookie(cookies, auth, session);
            let next = pending.next.as_deref();
            return Ok(Redirect::to(destination(next, auth.settings())));
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

/// `code` (`None`: not one) proves a second factor in `user`'s session:
/// on to `next`; or the page again, in `state`, with why not.
async fn step_up(
    state: FormState,
    next: Option<String>,
    code: Option<&OneTimeCode>,
    user: &CurrentUser,
    device: &Device,
    auth: &Auth,
) -> Result<Redirect, PageError> {
    let Some(code) = code else {
        return Err(state.again(&CODE));
    };
    match auth
        .prove_second_factor(&user.requester(), code, device)
        .await
    {
        Ok(None) => Ok(Redirect::to(destination(next.as_deref(), auth.settings()))),
        Ok(Some(other)) => Err(state.refused(&CODE, refusal(other, "code"))),
        Err(AuthError::TwoFactorOff) => Err(no_code_to_give()),
        Err(error) => Err(state.refused(&CODE, error.into())),
    }
}
