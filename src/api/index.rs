//! `GET /`: the welcome message.

use rocket::get;

use crate::web::json::{FlaskJson, Message};

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
