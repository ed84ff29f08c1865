//! `GET /profile` (who the session belongs to), and what a logged-in user
//! changes: `PUT /profile/password`, `PUT /profile/email` (and cancelling
//! it: `DELETE /profile/email`, or `POST /profile/email/cancel` with the
//! mailed link's token), `DELETE /profile`.

use rocket::http::CookieJar;
use rocket::{delete, get, post, put, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{self, Auth, AuthError, Device};
use crate::web::forms::{
    AccountDeletion, EmailChange, EmailChangeCancel, PasswordChange, CHANGE_PASSWORDS,
};
use crate::web::json::{EmailMessage, Message};
use crate::web::session::{remove_session_cookie, set_session_cookie};
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
/// every session of the user ends, this one included, and a new session
/// cookie replaces its own. 403 `{"message": "wrong password"}` for a
/// wrong current password (counted like a failed login of the account,
/// 429 past the free attempts); 400 for a new password the policy refuses.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "The password is changed; every other session is ended, \
                                      and this one goes on under a new id",
         body = EmailMessage,
         headers(("Set-Cookie" = String, description = "`session_id`: the new session")),
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
    cookies: &CookieJar<'_>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let PasswordChange {
        current_password,
        new_password,
    } = input.into_inner();
    let session = auth
        .change_password(&user.requester(), &current_password, &new_password, &device)
        .await
        .map_err(|error| Error::about(error, CHANGE_PASSWORDS))?;
    set_session_cookie(cookies, session);
    Ok(FlaskJson(EmailMessage::new(
        &user.email,
        "Password updated",
    )))
}

/// Asks to change the address: `{"email": NEW, "message": "confirmation
/// link sent"}`. The account keeps its address until the link mailed to
/// the new one is followed (`GET /verify_email?token=T`); the old one gets
/// a notice with a link that cancels the change. A change of case only is
/// done at once: `{"email": NEW, "message": "email updated"}`. Needs the
/// password past `recent_login_ttl` of the login. 400 `{"message": "email
/// already registered"}` when another account has it; 403 for a wrong or
/// missing password.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    request_body = EmailChange,
    responses(
        (status = 200, description = "A link to confirm it went to the new address (or, for a \
                                      change of case, the address is changed)",
         body = EmailMessage,
         example = json!({"email": "bob@example.org", "message": "confirmation link sent"})),
        (status = 400, description = "The address is taken, or a field is missing or malformed",
         body = Message, example = json!({"message": "email already registered"})),
        (status = 403, description = "No live session, a wrong password, or no password past \
                                      recent_login_ttl of the login", body = Message,
         example = json!({"message": "password confirmation required"})),
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
    let change = auth
        .change_email(&user.requester(), password.as_ref(), &email, &device)
        .await?;
    Ok(FlaskJson(match change {
        auth::EmailChange::Pending { new } => EmailMessage::new(&new, "confirmation link sent"),
        auth::EmailChange::Done { email } => EmailMessage::new(&email, "email updated"),
    }))
}

/// Cancels the change of address under way: `{"message": "email change
/// cancelled"}`; 404 `{"message": "no email change under way"}`.
#[utoipa::path(
    tag = "account",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The change is cancelled: the account keeps its address",
         body = Message, example = json!({"message": "email change cancelled"})),
        (status = 403, description = "No live session", body = Message),
        (status = 404, description = "No change of address is under way", body = Message,
         example = json!({"message": "no email change under way"})),
    ),
)]
#[delete("/profile/email", rank = 2)]
pub async fn cancel_email_change(
    _origin: SameOrigin,
    user: CurrentUser,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    if !auth.cancel_pending_email(user.id).await? {
        return Err(Error::NoEmailChange);
    }
    Ok(FlaskJson(Message {
        message: "email change cancelled",
    }))
}

/// Cancels a change of address with the token of the link mailed to the
/// old address: `{"message": "email change cancelled"}`; 404 `{"message":
/// "no email change under way"}` when the token names none (confirmed,
/// cancelled or expired).
#[utoipa::path(
    tag = "account",
    request_body = EmailChangeCancel,
    responses(
        (status = 200, description = "The change is cancelled: the account keeps its address",
         body = Message, example = json!({"message": "email change cancelled"})),
        (status = 400, description = "A field is missing or malformed", body = Message),
        (status = 404, description = "The token names no change under way (confirmed, \
                                      cancelled or expired)", body = Message,
         example = json!({"message": "no email change under way"})),
    ),
)]
#[post("/profile/email/cancel", data = "<input>", rank = 2)]
pub async fn cancel_email_change_by_link(
    _origin: SameOrigin,
    input: Input<EmailChangeCancel>,
    auth: &State<Auth>,
) -> Result<FlaskJson<Message<'static>>, Error> {
    let EmailChangeCancel { token } = input.into_inner();
    auth.cancel_email_change(token.expose())
        .await
        .map_err(|error| match error {
            AuthError::InvalidVerificationToken => Error::NoEmailChange,
            other => other.into(),
        })?;
    Ok(FlaskJson(Message {
        message: "email change cancelled",
    }))
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
    auth.delete_account(&user.requester(), Some(&password), &device)
        .await?;
    remove_session_cookie(cookies);
    Ok(FlaskJson(Message {
        message: "account deleted",
    }))
}
