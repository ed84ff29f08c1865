//! `GET /profile` (who the session belongs to), and what a logged-in user
//! changes: `PUT /profile/password`, `PUT /profile/email`, `DELETE
//! /profile`.

use rocket::http::CookieJar;
use rocket::{delete, get, put, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Auth, Device};
use crate::web::forms::{AccountDeletion, EmailChange, PasswordChange, CHANGE_PASSWORDS};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::remove_session_cookie;
use crate::web::{CurrentUser, Error, FlaskJson, Input, SameOrigin};

/// `{"email": E}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    #[schema(example = "bob@example.com")]
    email: String,
}

/// The logged-in user's email, or 403.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The session's user", body = Profile,
         example = json!({"email": "bob@example.com"})),
        (status = 403, description = "No live session", body = Message,
         example = json!({"message": "not logged in"})),
    ),
)]
#[get("/profile", rank = 2)]
pub fn profile(user: CurrentUser) -> FlaskJson<Profile> {
    FlaskJson(Profile { email: user.email })
}

/// Changes the password: `{"email": E, "message": "Password updated"}`;
/// every other session of the user ends. 403 `{"message": "wrong
/// password"}` for a wrong current password (counted like a failed login of
/// the account, 429 past the free attempts); 400 for a new password the
/// policy refuses.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "The password is changed; the other sessions are ended",
         body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "Password updated"})),
        (status = 400, description = "A field is missing or malformed, or the new password is \
                                      too short or too common", body = Message),
        (status = 403, description = "No live session, or a wrong current password",
         body = Message, example = json!({"message": "wrong password"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[put("/profile/password", data = "<input>", rank = 2)]
pub async fn change_password(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<PasswordChange>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordChange {
        current_password,
        new_password,
    } = input.into_inner();
    auth.change_password(
        user.id,
        user.session.id,
        &current_password,
        &new_password,
        &device,
    )
    .await
    .map_err(|error| Error::about(error, CHANGE_PASSWORDS))?;
    Ok(FlaskJson(EmailMessage::new(
        &user.email,
        "Password updated",
    )))
}

/// Changes the address: `{"email": NEW, "message": "email updated"}`. The
/// new address is unverified until its mailed link is followed; a notice
/// goes to the old one. 400 `{"message": "email already registered"}`
/// when another account has it; 403 for a wrong password.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = EmailChange,
    responses(
        (status = 200, description = "The address is changed", body = EmailMessage,
         example = json!({"email": "bob@example.org", "message": "email updated"})),
        (status = 400, description = "The address is taken, or a field is missing or malformed",
         body = Message, example = json!({"message": "email already registered"})),
        (status = 403, description = "No live session, or a wrong password", body = Message,
         example = json!({"message": "wrong password"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[put("/profile/email", data = "<input>", rank = 2)]
pub async fn change_email(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<EmailChange>,
    device: Device,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let EmailChange { password, email } = input.into_inner();
    let email = auth
        .change_email(user.id, &password, &email, &device)
        .await?;
    Ok(FlaskJson(EmailMessage::new(&email, "email updated")))
}

/// Deletes the account, with its sessions, tokens, failed logins and
/// waiting mails: `{"message": "account deleted"}`, and the session cookie
/// removed. The address may register again. 403 for a wrong password.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = AccountDeletion,
    responses(
        (status = 200, description = "The account is deleted", body = Message,
         example = json!({"message": "account deleted"})),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 403, description = "No live session, or a wrong password", body = Message,
         example = json!({"message": "wrong password"})),
        (status = 429, description = "Too many wrong passwords for this account", body = Message,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
#[delete("/profile", data = "<input>", rank = 2)]
pub async fn delete_account(
    _origin: SameOrigin,
    user: CurrentUser,
    input: Input<AccountDeletion>,
    device: Device,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let AccountDeletion { password } = input.into_inner();
    auth.delete_account(user.id, &password, &device).await?;
    remove_session_cookie(cookies);
    Ok(FlaskJson(Message {
        message: "account deleted",
    }))
}
