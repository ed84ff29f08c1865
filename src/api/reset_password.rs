//! `POST /reset_password` (ask for a token) and `PUT /reset_password` (use it).

use rocket::{post, put, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::web::forms::{PasswordUpdate, ResetRequest, NEW_PASSWORD};
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

/// Issues a reset token: `{"email": E, "reset_token": T}`, or 403 for an
/// unknown email.
#[utoipa::path(
    tag = "passwords",
    request_body = ResetRequest,
    responses(
        (status = 200, description = "A reset token, valid once, for a limited time",
         body = ResetTokenIssued),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 403, description = "No user has this email", body = Message,
         example = json!({"message": "email not registered"})),
    ),
)]
#[post("/reset_password", data = "<input>", rank = 2)]
pub async fn get_reset_password_token(
    _origin: SameOrigin,
    input: Input<ResetRequest>,
    auth: &State<Auth>,
) -> Result<FlaskJson<ResetTokenIssued>, Error> {
    let ResetRequest { email } = input.into_inner();
    let reset_token = auth.get_reset_password_token(&email).await?;
    Ok(FlaskJson(ResetTokenIssued {
        email: email.to_string(),
        reset_token,
    }))
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
        (status = 403, description = "The token is unknown, expired, used, or not this email's",
         body = Message, example = json!({"message": "invalid reset token"})),
    ),
)]
#[put("/reset_password", data = "<input>", rank = 2)]
pub async fn update_password(
    _origin: SameOrigin,
    input: Input<PasswordUpdate>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordUpdate {
        email,
        reset_token,
        new_password,
    } = input.into_inner();
    auth.update_password(&email, &reset_token, &new_password)
        .await
        .map_err(|error| Error::from(error).on_field(NEW_PASSWORD))?;
    Ok(FlaskJson(EmailMessage::new(&email, "Password updated")))
}
