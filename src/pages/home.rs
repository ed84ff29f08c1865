//! `GET /` for browsers: the home page.

use rocket::request::FlashMessage;
use rocket_dyn_templates::{context, Template};

use super::Notice;
use crate::http::CurrentUser;

/// Links to log in and register, or the user's email and a logout button.
#[rocket::get("/", rank = 1)]
pub fn home(user: Option<CurrentUser>, flash: Option<FlashMessage<'_>>) -> Template {
    Template::render(
        "index",
        context! {
            user_email: user.map(|user| user.0.email),
            flash: flash.map(Notice::from),
        },
    )
}
