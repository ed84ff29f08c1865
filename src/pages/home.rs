//! `GET /` for browsers: the home page.

use rocket::get;
use rocket_dyn_templates::{context, Template};

use crate::web::Page;

/// Links to log in and register, or the user's email and a logout button.
#[get("/")]
pub fn home(page: Page) -> Template {
    page.render("index", context! {})
}
