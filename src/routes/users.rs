//! `POST /users`: registration.

use rocket::{post, FromForm, State};
use utoipa::ToSchema;

use crate::auth::{Auth, Email, Password};
use crate::http::json::{EmailMessage, Message};
use crate::http::{ApiError, FlaskJson, Input, SameOrigin};

/// The fields of a registration.
#[derive(Debug, FromForm, ToSchema)]
pub struct Registration {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
    /// At least `password_min_length` (8) characters, and not a common
    /// password.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 1024,
             example = "correct horse battery")]
    pub password: Password,
}

/// Registers a user: `{"email": E, "message": "user created"}`, or 400
/// `{"message": "email already registered"}` (or a password refused by the
/// policy).
#[utoipa::path(
    tag = "users",
    request_body = Registration,
    responses(
        (status = 200, description = "Registered", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "user created"})),
        (status = 400, description = "The email is taken, a field is missing or malformed, \
                                      or the password is too short or too common",
         body = Message, example = json!({"message": "email already registered"})),
    ),
)]
#[post("/users", data = "<input>", rank = 2)]
pub async fn register(
    _origin: SameOrigin,
    input: Input<Registration>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, ApiError> {
    let Registration { email, password } = input.into_inner();
    auth.register_user(&email, &password).await?;
    Ok(FlaskJson(EmailMessage::new(&email, "user created")))
}
