//! `POST /reset_password` (ask for a token) and `PUT /reset_password` (use it).

use rocket::{post, put, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Auth, Device, ResetIssued};
use crate::web::forms::{PasswordUpdate, ResetRequest, RESET_PASSWORDS};
use crate::web::json::{EmailMessage, Message};
use crate::web::{Error, FlaskJson, Input, SameOrigin};

/// `{"email": E, "reset_token": T}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetTokenIssued {
    #[schema(example = "bob@example.com")]
    email: String,
    #[schema(format = "uuid", example = "5ba5b0b0-6b4c-4f31-9d0e-8a2f6e1b7c3d")]
    reset_token: String,
}

/// The answer to a reset request, as `reset_delivery` says.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ResetAnswer {
    /// `reset_delivery = "response"` (the default, the original API): the
    /// token itself.
    Token(ResetTokenIssued),
    /// `reset_delivery = "email"`: `{"email": E, "message": "reset link
    /// sent"}` for any address, registered or not; the token is in the
    /// mailed link (`/reset_password?token=T`).
    Mailed(EmailMessage),
}

/// Asks for a reset. With `reset_delivery = "response"`: `{"email": E,
/// "reset_token": T}`, or 403 for an unknown email. With `"email"`: the
/// token goes out by mail, and the answer is the same for every address.
#[utoipa::path(
    tag = "passwords",
    request_body = ResetRequest,
    responses(
        (status = 200, description = "A reset token, valid once, for a limited time; or, with \
                                      reset_delivery = \"email\", word that a link was mailed \
                                      if the address has an account", body = ResetAnswer),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 403, description = "No user has this email (reset_delivery = \"response\" \
                                      only)", body = Message,
         example = json!({"message": "email not registered"})),
        (status = 429, description = "Too many requests for a link from this address \
                                      (reset_ip_attempts_per_hour)", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/reset_password", data = "<input>", rank = 2)]
pub async fn get_reset_password_token(
    _origin: SameOrigin,
    input: Input<ResetRequest>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<ResetAnswer>, Error> {
    let ResetRequest { email } = input.into_inner();
    let answer = match auth.issue_reset(&email, device.ip).await? {
        ResetIssued::Token(reset_token) => ResetAnswer::Token(ResetTokenIssued {
            email: email.to_string(),
            reset_token,
        }),
        ResetIssued::Mailed => ResetAnswer::Mailed(EmailMessage::new(&email, "reset link sent")),
    };
    Ok(FlaskJson(answer))
}

/// Sets a new password: `{"email": E, "message": "Password updated"}`; 403
/// for a token that is not valid for this email; 400 for a new password
/// refused by the policy.
#[utoipa::path(
    tag = "passwords",
    request_body = PasswordUpdate,
    responses(
        (status = 200, description = "The password is changed and the user's session ended",
         body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "Password updated"})),
        (status = 400, description = "A field is missing or malformed, or the new password is \
                                      too short or too common", body = Message),
        (status = 403, description = "The token is unknown, expired, used, not this email's, \
                                      or void (the password or address changed since)",
         body = Message, example = json!({"message": "invalid reset token"})),
    ),
)]
#[put("/reset_password", data = "<input>", rank = 2)]
pub async fn update_password(
    _origin: SameOrigin,
    input: Input<PasswordUpdate>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordUpdate {
        email,
        reset_token,
        new_password,
    } = input.into_inner();
    auth.update_password(&email, &reset_token, &new_password, &device)
        .await
        .map_err(|error| Error::about(error, RESET_PASSWORDS))?;
    Ok(FlaskJson(EmailMessage::new(&email, "Password updated")))
}
