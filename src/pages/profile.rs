//! `GET /profile` for browsers.

use rocket::response::Redirect;
use rocket::Either;
use rocket_dyn_templates::{context, Template};

use crate::http::CurrentUser;

/// The user's email and a logout button; without a session, 303 to `/login`.
#[rocket::get("/profile", rank = 1)]
pub fn profile(user: Option<CurrentUser>) -> Either<Template, Redirect> {
    match user {
        Some(CurrentUser(user)) => Either::Left(Template::render(
            "profile",
            context! { user_email: user.email },
        )),
        None => Either::Right(Redirect::to("/login")),
    }
}
