//! `GET /`: the welcome message.

use crate::http::json::{FlaskJson, Message};

/// `{"message": "Bienvenue"}`.
#[rocket::get("/", rank = 2)]
pub fn index() -> FlaskJson<Message<'static>> {
    FlaskJson(Message {
        message: "Bienvenue",
    })
}
