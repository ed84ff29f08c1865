//! Signing in to another application, in the browser: the application
//! sends the person to `GET /authorize`; they log in (the login flow, with
//! its second factor or a passkey, comes back to `/authorize/continue`),
//! say yes or no on the consent page (which asks for the password again
//! for `prompt=login` or a `max_age` passed), and go back to the
//! application with a code or an error. An unknown application or
//! redirect address gets the provider's own error page, never a redirect.
//! Applications log their users out through `/logout` (RP-initiated
//! logout), which asks the person first; the account page lists the
//! applications allowed, and disconnects them. The decisions are `Auth`'s
//! (`auth::provider`); the endpoints that applications' servers call are
//! [`super::openid`].

use rocket::form::{Form, FromForm};
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::{delete, get, post, Either, State};
use rocket_dyn_templates::{context, Template};

use crate::auth::provider::{AuthorizationParams, AuthorizeStep, Consent, OAuthError, RequestId};
use crate::auth::{Auth, AuthError, Device, Password};
use crate::flows::paths::PATHS;
use crate::language::Text;
use crate::web::form::PageError;
use crate::web::page::Notice;
use crate::web::security::NoReferrer;
use crate::web::session::remove_session_cookie;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// The parameters of an authorization request (OpenID Connect Core
/// §3.1.2.1); others (`ui_locales`, `login_hint`...) are ignored.
#[derive(Debug, Default, FromForm)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    prompt: Option<String>,
    max_age: Option<String>,
    response_mode: Option<String>,
    request: Option<String>,
    request_uri: Option<String>,
}

impl From<AuthorizeQuery> for AuthorizationParams {
    fn from(query: AuthorizeQuery) -> Self {
        AuthorizationParams {
            response_type: query.response_type,
            client_id: query.client_id,
            redirect_uri: query.redirect_uri,
            scope: query.scope,
            state: query.state,
            nonce: query.nonce,
            code_challenge: query.code_challenge,
            code_challenge_method: query.code_challenge_method,
            prompt: query.prompt,
            max_age: query.max_age,
            response_mode: query.response_mode,
            request: query.request,
            request_uri: query.request_uri,
        }
    }
}

/// Where a step of the flow leads: a page, or on to another address.
type StepAnswer = NoReferrer<Either<Template, Redirect>>;

/// The authorization endpoint.
#[get("/authorize?<query..>")]
pub async fn authorize(
    query: AuthorizeQuery,
    page: Page,
    auth: &State<Auth>,
) -> Result<StepAnswer, PageError> {
    let visitor = page.user().map(CurrentUser::requester);
    let step = auth.authorize(query.into(), visitor.as_ref()).await;
    answer(step, page, None, Leaving::Redirect)
}

/// The name under which the consent page's refusal (a wrong password)
/// comes back to it.
const CONSENT_REFUSED: &str = "consent";

/// Back from the login page (or from a refused consent) to the request
/// `request`.
#[get("/authorize/continue?<request>")]
pub async fn resume(
    request: &str,
    mut page: Page,
    auth: &State<Auth>,
) -> Result<StepAnswer, PageError> {
    let visitor = page.user().map(CurrentUser::requester);
    let id = RequestId::presented(request);
    let step = auth.continue_authorization(&id, visitor.as_ref()).await;
    let refused = page.take_carried(CONSENT_REFUSED);
    let error = refused.and_then(|json| serde_json::from_str::<Text>(&json).ok());
    // The login form's submission led here: its redirects must stay on
    // this site (the form-action of the Content-Security-Policy).
    answer(step, page, error, Leaving::Page)
}

/// The consent page's form.
#[derive(Debug, FromForm)]
pub struct ConsentForm {
    request: String,
    /// `allow` or anything else.
    decision: String,
    password: Option<String>,
}

/// The person's answer on the consent page.
#[post("/authorize/consent", data = "<form>")]
pub async fn consent(
    _origin: SameOrigin,
    form: Form<ConsentForm>,
    page: Page,
    device: Device,
    auth: &State<Auth>,
) -> Result<StepAnswer, PageError> {
    let ConsentForm {
        request,
        decision,
        password,
    } = form.into_inner();
    let id = RequestId::presented(&request);
    let Some(user) = page.user() else {
        let step = auth.continue_authorization(&id, None).await;
        return answer(step, page, None, Leaving::Page);
    };
    let password = password
        .filter(|password| !password.is_empty())
        .and_then(|password| Password::parse(&password).ok());
    let requester = user.requester();
    let allow = decision == "allow";
    let step = auth
        .answer_consent(&id, &requester, allow, password.as_ref(), &device)
        .await;
    match step {
        // Back (303) to the consent page, which says why beside the field.
        Err(OAuthError::Service(error @ (AuthError::WrongPassword | AuthError::Throttled(_)))) => {
            let here = format!("{}?request={}", PATHS.authorize_continue, id.expose());
            let refused = Error::from(error).text();
            Err(PageError::carrying(&here, CONSENT_REFUSED, &refused))
        }
        step => answer(step, page, None, Leaving::Page),
    }
}

/// How the browser leaves for the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaving {
    /// By a redirect: nothing was submitted on the way.
    Redirect,
    /// By a page that goes on by itself: a form's submission led here, and
    /// the Content-Security-Policy keeps its redirects on this site.
    Page,
}

/// The answer of `step`, on `page`, with `error` on the consent page.
fn answer(
    step: Result<AuthorizeStep, OAuthError>,
    page: Page,
    error: Option<Text>,
    leaving: Leaving,
) -> Result<StepAnswer, PageError> {
    let answer = match step {
        Ok(AuthorizeStep::LogIn(id)) => {
            let here = format!("{}?request={}", PATHS.authorize_continue, id.expose());
            Either::Right(Redirect::to(PATHS.login_then(&here)))
        }
        Ok(AuthorizeStep::Consent(consent)) => Either::Left(consent_page(page, consent, error)),
        Ok(AuthorizeStep::Redirect(url)) => match leaving {
            Leaving::Redirect => Either::Right(Redirect::to(url)),
            Leaving::Page => Either::Left(page.render("authorize_return", context! { url })),
        },
        Err(OAuthError::Refused { code, description }) => {
            log::info!("authorization request refused: {code}: {description}");
            return Err(PageError::Failure(Error::BadAuthorization));
        }
        Err(OAuthError::Service(error)) => return Err(PageError::Failure(error.into())),
    };
    Ok(NoReferrer(answer))
}

/// The consent page of `consent`.
fn consent_page(page: Page, consent: Consent, error: Option<Text>) -> Template {
    let language = page.language();
    let scopes: Vec<String> = consent
        .scopes
        .iter()
        .filter(|scope| *scope != "openid")
        .map(|scope| language.say(&Text::new(scope_key(scope))))
        .collect();
    let error = error.map(|error| language.say(&error));
    page.render(
        "authorize",
        context! {
            app: consent.client_name,
            scopes,
            request: consent.request.expose(),
            password_needed: consent.password_needed,
            error,
        },
    )
}

/// The catalogue key that says what `scope` lets an application do.
fn scope_key(scope: &str) -> &'static str {
    match scope {
        "email" => "authorize-scope-email",
        "profile" => "authorize-scope-profile",
        "offline_access" => "authorize-scope-offline-access",
        _ => "authorize-scope-openid",
    }
}

/// The parameters of a logout an application asks for (OpenID Connect
/// RP-Initiated Logout 1.0 §2).
#[derive(Debug, Default, FromForm)]
pub struct LogoutQuery {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// The page that asks whether to log out, for an application; a
/// `post_logout_redirect_uri` the application did not register is refused.
#[get("/logout?<query..>")]
pub async fn logout_page(
    query: LogoutQuery,
    page: Page,
    auth: &State<Auth>,
) -> Result<NoReferrer<Template>, PageError> {
    let destination = logout_destination(&query, auth).await?;
    let content = context! {
        logged_in: page.user().is_some(),
        destination: destination.is_some(),
        id_token_hint: query.id_token_hint,
        client_id: query.client_id,
        post_logout_redirect_uri: query.post_logout_redirect_uri,
        state: query.state,
    };
    Ok(NoReferrer(page.render("authorize_logout", content)))
}

/// Logs out, then back to the application's registered address, if it
/// named one, or to the home page.
#[post("/logout", data = "<form>")]
pub async fn logout(
    _origin: SameOrigin,
    form: Form<LogoutQuery>,
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<NoReferrer<Either<Template, Redirect>>, PageError> {
    let query = form.into_inner();
    let destination = logout_destination(&query, auth).await?;
    if let Some(user) = page.user() {
        auth.end_session(user.id, &user.session.public_id).await?;
    }
    remove_session_cookie(cookies, auth);
    Ok(NoReferrer(match destination {
        Some(url) => Either::Left(page.render("authorize_return", context! { url })),
        None => Either::Right(Redirect::to(PATHS.home)),
    }))
}

/// Disconnects an application from the account ("Connected applications"
/// on the account page): it signs the person in no more and asks again
/// next time; then the account page with a notice.
#[delete("/profile/applications/<client_id>")]
pub async fn disconnect(
    _origin: SameOrigin,
    client_id: &str,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let user = user.map_err(PageError::Failure)?;
    let account = Redirect::to(PATHS.profile);
    Ok(
        match auth.disconnect_application(user.id, client_id).await? {
            Some(name) => {
                let notice = Text::new("notice-application-disconnected").with("name", name);
                Notice::success(account, notice)
            }
            None => Notice::error(account, Text::new("error-unknown-application")),
        },
    )
}

/// Where a logout goes back to, if the query names a registered address.
async fn logout_destination(query: &LogoutQuery, auth: &Auth) -> Result<Option<String>, PageError> {
    let destination = auth
        .logout_destination(
            query.client_id.as_deref(),
            query.id_token_hint.as_deref(),
            query.post_logout_redirect_uri.as_deref(),
            query.state.as_deref(),
        )
        .await;
    match destination {
        Ok(destination) => Ok(destination),
        Err(OAuthError::Refused { code, description }) => {
            log::info!("logout request refused: {code}: {description}");
            Err(PageError::Failure(Error::BadAuthorization))
        }
        Err(OAuthError::Service(error)) => Err(PageError::Failure(error.into())),
    }
}
