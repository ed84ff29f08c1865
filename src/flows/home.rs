//! The home page: `GET /` answers JSON clients with the original API's
//! welcome, and browsers with links to log in and register (or, logged in,
//! the account and a logout button).

use rocket::get;
use rocket_dyn_templates::{context, Template};

use crate::web::json::{FlaskJson, Message};
use crate::web::Page;

/// `{"message": "Bienvenue"}`.
#[utoipa::path(
    tag = "service",
    responses((status = 200, description = "The welcome message", body = Message,
               example = json!({"message": "Bienvenue"}))),
)]
#[get("/", rank = 2)]
pub fn index() -> FlaskJson<Message<'static>> {
    FlaskJson(Message {
        message: "Bienvenue",
    })
}

/// Links to log in and register, or the user's email and a logout button.
#[get("/")]
pub fn home(page: Page) -> Template {
    page.render("index", context! {})
}
