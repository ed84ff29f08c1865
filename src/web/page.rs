//! What every page shows around its content: who is logged in, and the
//! notice the previous page left.

use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket_dyn_templates::Template;
use serde::Serialize;

use super::session::CurrentUser;
use crate::auth::Auth;

/// A request guard that every page (and error page) is rendered through, so
/// that the header always knows who is logged in. It never fails.
#[derive(Debug)]
pub struct Page {
    user: Option<CurrentUser>,
    notice: Option<Notice>,
    /// Whether passkeys work on this server.
    passkeys_available: bool,
}

/// A one-time notice, as templates show it.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    kind: String,
    message: String,
}

impl From<FlashMessage<'_>> for Notice {
    fn from(flash: FlashMessage<'_>) -> Self {
        Notice {
            kind: flash.kind().to_owned(),
            message: flash.message().to_owned(),
        }
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
/// header), `notice`, and whether passkeys work here (`passkeys_available`).
#[derive(Serialize)]
struct Context<C> {
    user_email: Option<String>,
    notice: Option<Notice>,
    passkeys_available: bool,
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
        Page {
            user: user.flatten(),
            notice: notice.flatten().map(Notice::from),
            passkeys_available: auth.is_some_and(Auth::passkeys_available),
        }
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
                content,
            },
        )
    }
}
