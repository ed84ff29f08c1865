//! `GET /verify_email?token=T` (follow a verification link) and
//! `POST /verify_email` (ask for a new one).

use rocket::{get, post, State};

use crate::auth::{Auth, Device};
use crate::web::forms::VerificationRequest;
use crate::web::input::InputError;
use crate::web::json::{EmailMessage, Message};
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

/// Verifies the address the link was mailed to: `{"email": E, "message":
/// "email verified"}`; the link of a change of address moves the account
/// to its new address, answering alike. 400 for an unknown, used, expired
/// or void token (the password or address changed since). The first proof
/// of an address never proven ends every session (but this client's) and
/// removes every second factor.
#[utoipa::path(
    tag = "users",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "The address is verified", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "email verified"})),
        (status = 400, description = "The token is missing, unknown, used, expired or void; \
                                      or a change's new address was taken meanwhile",
         body = Message, example = json!({"message": "invalid verification token"})),
    ),
)]
#[get("/verify_email?<token>", rank = 2)]
pub async fn verify_email(
    token: Option<&str>,
    user: Option<CurrentUser>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let token = token.ok_or_else(|| Error::Input(InputError::missing("token")))?;
    let follower = user.map(|user| user.requester());
    let email = auth.verify_email(token, follower.as_ref()).await?;
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
        (status = 429, description = "Too many requests for a link from this address \
                                      (reset_ip_attempts_per_hour)", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[post("/verify_email", data = "<input>", rank = 2)]
pub async fn request_verification(
    _origin: SameOrigin,
    input: Input<VerificationRequest>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let VerificationRequest { email } = input.into_inner();
    auth.request_verification_from(&email, device.ip).await?;
    Ok(FlaskJson(EmailMessage::new(
        &email,
        "verification link sent",
    )))
}
