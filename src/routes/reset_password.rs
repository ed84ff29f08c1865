//! `POST /reset_password` (ask for a token) and `PUT /reset_password` (use it).

use rocket::http::Status;
use rocket::{FromForm, State};
use serde::Serialize;

use crate::auth::{Auth, AuthError, Email, Password, ResetToken};
use crate::http::json::EmailMessage;
use crate::http::{ApiError, FlaskJson, Input, SameOrigin};

/// The field of a reset request.
#[derive(Debug, FromForm)]
pub struct ResetRequest {
    pub email: Email,
}

/// `{"email": E, "reset_token": T}`.
#[derive(Debug, Serialize)]
pub struct ResetTokenIssued {
    email: String,
    reset_token: String,
}

/// The fields of a password update.
#[derive(Debug, FromForm)]
pub struct PasswordUpdate {
    pub email: Email,
    pub reset_token: ResetToken,
    pub new_password: Password,
}

/// Issues a reset token: `{"email": E, "reset_token": T}`, or 403 for an
/// unknown email.
#[rocket::post("/reset_password", data = "<input>", rank = 2)]
pub async fn get_reset_password_token(
    _origin: SameOrigin,
    input: Input<ResetRequest>,
    auth: &State<Auth>,
) -> Result<FlaskJson<ResetTokenIssued>, ApiError> {
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
#[rocket::put("/reset_password", data = "<input>", rank = 2)]
pub async fn update_password(
    _origin: SameOrigin,
    input: Input<PasswordUpdate>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, ApiError> {
    let PasswordUpdate {
        email,
        reset_token,
        new_password,
    } = input.into_inner();
    auth.update_password(&email, &reset_token, &new_password)
        .await
        .map_err(|error| match error {
            AuthError::WeakPassword(reason) => {
                ApiError::new(Status::BadRequest, format!("new_password {reason}"))
            }
            other => other.into(),
        })?;
    Ok(FlaskJson(EmailMessage::new(&email, "Password updated")))
}
