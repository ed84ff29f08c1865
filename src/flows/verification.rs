//! Proving a mailbox: `GET /verify_email?token=T`, the mailed link that
//! verifies an address (or confirms a change of address), and
//! `POST /verify_email`, which mails a new one; for JSON clients and for
//! browsers.

use rocket::form::{Contextual, Form};
use rocket::response::{Flash, Redirect};
use rocket::FromForm;
use rocket::{get, post, State};
use utoipa::ToSchema;

use super::paths::PATHS;
use crate::auth::{Auth, AuthError, Device, Email, Mailed};
use crate::language::Text;
use crate::web::fields::InputError;
use crate::web::form::PageError;
use crate::web::json::{EmailMessage, Message};
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};

/// The field of a request for a new verification link.
#[derive(Debug, FromForm, ToSchema)]
pub struct VerificationRequest {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
}

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
                                      mail.link_interval", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "verification link sent"})),
        (status = 429, description = "Too many requests for a link from this address \
                                      (login_limits.mailed_links_per_hour)", body = Message,
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

/// Verifies the address of the link, then the profile (or the login page)
/// with a notice; or, for a used or expired link, the same pages with a
/// notice saying so.
#[get("/verify_email?<token>")]
pub async fn verify(
    token: Option<&str>,
    page: Page,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let follower = page.user().map(CurrentUser::requester);
    let verified = match token {
        Some(token) => auth.verify_email(token, follower.as_ref()).await,
        None => Err(AuthError::InvalidVerificationToken),
    };
    match verified {
        Ok(_) => {
            let notice = Text::new("notice-address-confirmed");
            Ok(Notice::success(onward(&page), notice))
        }
        // Away from the link's address (its token leaves the address bar),
        // with a notice saying why.
        Err(AuthError::InvalidVerificationToken) => {
            let notice = match page.user() {
                Some(_) => Error::InvalidVerificationToken.text(),
                None => Text::new("notice-verification-link-expired"),
            };
            Ok(Notice::error(onward(&page), notice))
        }
        Err(AuthError::UserAlreadyExists(email)) => {
            let notice = Text::new("notice-address-taken").with("email", email);
            Ok(Notice::error(onward(&page), notice))
        }
        Err(error) => Err(error.into()),
    }
}

/// Mails a new link if the address has an account waiting for one, and
/// says so the same way for every address; its owner, logged in, is told
/// when none could go out yet.
#[post("/verify_email", data = "<form>")]
pub async fn request_link(
    _origin: SameOrigin,
    form: Form<Contextual<'_, VerificationRequest>>,
    device: Device,
    page: Page,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let Some(VerificationRequest { email }) = &form.value else {
        let notice = Text::new("notice-enter-valid-address");
        return Ok(Notice::error(onward(&page), notice));
    };
    // The owner, logged in, may be told whether a link went out.
    let own = page
        .user()
        .filter(|user| user.email.eq_ignore_ascii_case(email.as_str()));
    let (asked, sent) = match own {
        Some(user) => (
            auth.resend_verification(&user.requester(), device.ip).await,
            "notice-verification-link-sent-to-you",
        ),
        None => (
            auth.request_verification_from(email, device.ip)
                .await
                .map(|()| Mailed::Sent),
            "notice-verification-link-sent",
        ),
    };
    let notice = match asked {
        Ok(Mailed::Sent) => {
            let sent = Text::new(sent).with("email", email.as_str());
            return Ok(Notice::success(onward(&page), sent));
        }
        Ok(Mailed::HeldBack { wait }) => {
            let minutes = wait.div_ceil(60).max(1);
            Text::new("notice-link-held-back").duration("wait", minutes * 60)
        }
        Err(AuthError::AddressThrottled(wait)) => Error::AddressThrottled(wait).text(),
        Err(error) => return Err(error.into()),
    };
    Ok(Notice::error(onward(&page), notice))
}

/// Where a verification leads: the profile when logged in, else the login
/// page.
fn onward(page: &Page) -> Redirect {
    match page.user() {
        Some(_) => Redirect::to(PATHS.profile),
        None => Redirect::to(PATHS.login),
    }
}
