//! What every page shows around its content: who is logged in, the
//! notice the previous page left, and the language it is written in.

use rocket::http::Cookie;
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::session::CurrentUser;
use crate::auth::Auth;
use crate::language::{Language, Text};

/// The private cookie that carries a refused form's state to its page:
/// the form's name, a newline, the state as JSON (see `web::form`).
pub const CARRIED_FORM: &str = "form";

/// A request guard that every page (and error page) is rendered through, so
/// that the header always knows who is logged in. It never fails.
#[derive(Debug)]
pub struct Page {
    user: Option<CurrentUser>,
    notice: Option<Notice>,
    /// Whether passkeys work on this server.
    passkeys_available: bool,
    language: Language,
    /// The page's path and query, where the language switch comes back to.
    path: String,
    /// The refused form that came back to this page: its name and state.
    carried: Option<(String, String)>,
}

/// A one-time notice, as templates show it.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    kind: String,
    message: String,
}

impl Notice {
    /// The notice the previous page left in `flash`, said in `language`.
    fn of(flash: &FlashMessage<'_>, language: Language) -> Self {
        // A notice left by the release before is words already.
        let message = serde_json::from_str::<Text>(flash.message())
            .map_or_else(|_| flash.message().to_owned(), |text| language.say(&text));
        Notice {
            kind: flash.kind().to_owned(),
            message,
        }
    }

    /// A redirect to `to`, whose page tells of a success: `text`, in its
    /// own language.
    pub fn success(to: Redirect, text: Text) -> Flash<Redirect> {
        Notice::after(to, text)
    }

    /// `answer`, after which the next page tells of a success: `text`.
    pub fn after<R>(answer: R, text: Text) -> Flash<R> {
        Flash::success(answer, Notice::carried(&text))
    }

    /// A redirect to `to`, whose page tells why something was not done.
    pub fn error(to: Redirect, text: Text) -> Flash<Redirect> {
        Flash::error(to, Notice::carried(&text))
    }

    /// A redirect to `to`, whose page warns of `text`.
    pub fn warning(to: Redirect, text: Text) -> Flash<Redirect> {
        Flash::warning(to, Notice::carried(&text))
    }

    /// `text` as the flash cookie carries it, to be said on the next page.
    fn carried(text: &Text) -> String {
        serde_json::to_string(text).unwrap_or_else(|_| text.key().to_owned())
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Page {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Page::of(request).await)
    }
}

/// The context of a page's template: its own, plus `user_email` (for the
/// header), `notice`, whether passkeys work here (`passkeys_available`),
/// `lang` (for `fluent(key=..., lang=lang)` and `<html lang>`) and
/// `current_path` (for the language switch).
#[derive(Serialize)]
struct Context<C> {
    user_email: Option<String>,
    notice: Option<Notice>,
    passkeys_available: bool,
    lang: Language,
    current_path: String,
    #[serde(flatten)]
    content: C,
}

impl Page {
    /// The page context of `request`.
    pub async fn of(request: &Request<'_>) -> Page {
        let user = request.guard::<Option<CurrentUser>>().await.succeeded();
        let notice = request
            .guard::<Option<FlashMessage<'_>>>()
            .await
            .succeeded();
        let auth = request.rocket().state::<Auth>();
        let language = super::language::of(request);
        // A refused form's state shows once, on the page it came back to.
        let cookies = request.cookies();
        let carried = cookies.get_private(CARRIED_FORM).and_then(|cookie| {
            cookies.remove_private(Cookie::build(CARRIED_FORM).path("/"));
            let (name, state) = cookie.value().split_once('\n')?;
            Some((name.to_owned(), state.to_owned()))
        });
        Page {
            user: user.flatten(),
            notice: notice.flatten().map(|flash| Notice::of(&flash, language)),
            passkeys_available: auth.is_some_and(Auth::passkeys_available),
            language,
            path: request.uri().to_string(),
            carried,
        }
    }

    /// The state (JSON) that the form `name` came back to this page with.
    pub fn take_carried(&mut self, name: &str) -> Option<String> {
        match self.carried.take() {
            Some((carried, state)) if carried == name => Some(state),
            other => {
                self.carried = other;
                None
            }
        }
    }

    /// The language the page is written in.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The logged-in user, if any.
    pub fn user(&self) -> Option<&CurrentUser> {
        self.user.as_ref()
    }

    /// The page `template`, showing `content` (a serializable map or struct).
    pub fn render(self, template: &'static str, content: impl Serialize) -> Template {
        Template::render(
            template,
            Context {
                user_email: self.user.map(|user| user.email),
                notice: self.notice,
                passkeys_available: self.passkeys_available,
                lang: self.language,
                current_path: self.path,
                content,
            },
        )
    }
}
