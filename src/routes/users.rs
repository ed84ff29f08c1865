//! `POST /users`: registration.

use rocket::{FromForm, State};

use crate::auth::{Auth, Email, Password};
use crate::http::json::EmailMessage;
use crate::http::{ApiError, FlaskJson, Input, SameOrigin};

/// The fields of a registration or a login.
#[derive(Debug, FromForm)]
pub struct Credentials {
    pub email: Email,
    pub password: Password,
}

/// Registers a user: `{"email": E, "message": "user created"}`, or 400
/// `{"message": "email already registered"}` (or a password refused by the
/// policy).
#[rocket::post("/users", data = "<input>", rank = 2)]
pub async fn register(
    _origin: SameOrigin,
    input: Input<Credentials>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, ApiError> {
    let Credentials { email, password } = input.into_inner();
    auth.register_user(&email, &password).await?;
    Ok(FlaskJson(EmailMessage::new(&email, "user created")))
}
