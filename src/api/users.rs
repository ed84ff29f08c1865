//! `POST /users`: registration.

use rocket::{post, State};

use crate::auth::{Auth, Device};
use crate::web::forms::Registration;
use crate::web::json::{EmailMessage, Message};
use crate::web::{Error, FlaskJson, Input, SameOrigin};

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
        (status = 429, description = "Too many registrations from this address \
                                      (registration_ip_attempts_per_hour)", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/users", data = "<input>", rank = 2)]
pub async fn register(
    _origin: SameOrigin,
    input: Input<Registration>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let Registration { email, password } = input.into_inner();
    auth.register_from(&email, &password, device.ip).await?;
    Ok(FlaskJson(EmailMessage::new(&email, "user created")))
}
