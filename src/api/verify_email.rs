//! `GET /verify_email?token=T` (follow a verification link) and
//! `POST /verify_email` (ask for a new one).

use rocket::{get, post, State};

use crate::auth::Auth;
use crate::web::forms::VerificationRequest;
use crate::web::input::InputError;
use crate::web::json::{EmailMessage, Message};
use crate::web::{Error, FlaskJson, Input, SameOrigin};

/// Verifies the address the link was mailed to: `{"email": E, "message":
/// "email verified"}`; 400 for an unknown, used or expired token.
#[utoipa::path(
    tag = "users",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "The address is verified", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "email verified"})),
        (status = 400, description = "The token is missing, unknown, used or expired",
         body = Message, example = json!({"message": "invalid verification token"})),
    ),
)]
#[get("/verify_email?<token>", rank = 2)]
pub async fn verify_email(
    token: Option<&str>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let token = token.ok_or_else(|| Error::Input(InputError::missing("token")))?;
    let email = auth.verify_email(token).await?;
    Ok(FlaskJson(EmailMessage::new(&email, "email verified")))
}

/// Mails a new verification link: `{"email": E, "message": "verification
/// link sent"}` whether or not the address has an account waiting for one.
#[utoipa::path(
    tag = "users",
    request_body = VerificationRequest,
    responses(
        (status = 200, description = "A link was mailed, if the address has an account that \
                                      is not verified yet and none was mailed in the last \
                                      reset_mail_interval", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "verification link sent"})),
        (status = 400, description = "A field is missing or malformed", body = Message),
    ),
)]
#[post("/verify_email", data = "<input>", rank = 2)]
pub async fn request_verification(
    _origin: SameOrigin,
    input: Input<VerificationRequest>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let VerificationRequest { email } = input.into_inner();
    auth.request_verification(&email).await?;
    Ok(FlaskJson(EmailMessage::new(
        &email,
        "verification link sent",
    )))
}
