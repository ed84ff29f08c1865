//! Address verification for browsers: following the mailed link, and
//! asking for a new one.

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, uri, State};
use rocket_dyn_templates::context;

use super::{login, profile, PageError};
use crate::auth::{Auth, AuthError, Device};
use crate::web::forms::VerificationRequest;
use crate::web::{CurrentUser, Error, Page, SameOrigin};

/// Verifies the address of the link, then the profile (or the login page)
/// with a notice; a used or expired link gets a page saying so (400).
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
        Ok(_) => Ok(Flash::success(
            onward(&page),
            "Your email address is confirmed.",
        )),
        Err(AuthError::InvalidVerificationToken) => {
            let (action, action_label) = match page.user() {
                Some(_) => ("profile", "Go to your profile"),
                None => ("login", "Log in to ask for a new link"),
            };
            let content = context! {
                title: "This link no longer works",
                message: Error::InvalidVerificationToken.sentence(),
                action,
                action_label,
            };
            Err(PageError::page(
                Status::BadRequest,
                page.render("link_expired", content),
            ))
        }
        Err(AuthError::UserAlreadyExists(email)) => {
            let content = context! {
                title: "This address is taken",
                message: format!(
                    "{email} became the address of another account meanwhile, so your account \
                     keeps its address."
                ),
                action: "profile",
                action_label: "Go to your account",
            };
            Err(PageError::page(
                Status::BadRequest,
                page.render("link_expired", content),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Mails a new link if the address has an account waiting for one, and
/// says so the same way for every address.
#[post("/verify_email", data = "<form>")]
pub async fn request_link(
    _origin: SameOrigin,
    form: Form<Contextual<'_, VerificationRequest>>,
    device: Device,
    page: Page,
    auth: &State<Auth>,
) -> Result<Flash<Redirect>, PageError> {
    let Some(VerificationRequest { email }) = &form.value else {
        let notice = "Enter a valid email address to get a new link.";
        return Ok(Flash::error(onward(&page), notice));
    };
    match auth.request_verification_from(email, device.ip).await {
        Ok(()) => {}
        Err(AuthError::AddressThrottled(wait)) => {
            let notice = Error::AddressThrottled(wait).sentence();
            return Ok(Flash::error(onward(&page), notice));
        }
        Err(error) => return Err(error.into()),
    }
    let notice = format!(
        "If {email} has an account waiting for confirmation, we have sent a new link to it."
    );
    Ok(Flash::success(onward(&page), notice))
}

/// Where a verification leads: the profile when logged in, else the login
/// page.
fn onward(page: &Page) -> Redirect {
    match page.user() {
        Some(_) => Redirect::to(uri!(profile::profile)),
        None => Redirect::to(uri!(login::form(next = _))),
    }
}
