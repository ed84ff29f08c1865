//! Proving a mailbox: `GET /verify_email?token=T`, the mailed link that
//! verifies an address (or confirms a change of address) for the account's
//! owner, logged in, and `POST /verify_email`, which mails a new one; for
//! JSON clients and for browsers.

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::{Flash, Redirect};
use rocket::time::Duration;
use rocket::FromForm;
use rocket::{get, post, put, Responder, State};
use rocket_dyn_templates::Template;
use utoipa::ToSchema;

use super::paths::PATHS;
use crate::auth::{Auth, AuthError, Device, Email, LinkFollower, Mailed, Password};
use crate::language::Text;
use crate::web::fields::InputError;
use crate::web::form::{FormState, PageError, PageForm};
use crate::web::json::{EmailMessage, Message};
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Input, Page, SameOrigin};

/// The field of a request for a new verification link.
#[derive(Debug, FromForm, ToSchema)]
pub struct VerificationRequest {
    #[schema(value_type = String, format = Email, example = "bob@example.com")]
    pub email: Email,
}

/// Verifies the address the link was mailed to, for its account's session:
/// `{"email": E, "message": "email verified"}`; the link of a change of
/// address moves the account to its new address, answering alike. 403
/// without a session; 400 for an unknown, used, expired or void token (the
/// password or address changed since) or another account's. The first
/// proof of an address never proven ends every session (but this client's)
/// and removes every second factor.
#[utoipa::path(
    tag = "users",
    params(("token" = String, Query, description = "The token of the mailed link")),
    responses(
        (status = 200, description = "The address is verified", body = EmailMessage,
         example = json!({"email": "bob@example.com", "message": "email verified"})),
        (status = 400, description = "The token is missing, unknown, used, expired, void or \
                                      another account's; or a change's new address was taken \
                                      meanwhile",
         body = Message, example = json!({"message": "invalid verification token"})),
    ),
    security(("session_cookie" = [])),
)]
#[get("/verify_email?<token>", rank = 2)]
pub async fn verify_email(
    token: Option<&str>,
    user: Result<CurrentUser, Error>,
    auth: &State<Auth>,
) -> Result<FlaskJson<EmailMessage>, Error> {
    let token = token.ok_or_else(|| Error::Input(InputError::missing("token")))?;
    let follower = user?.requester();
    let email = auth
        .verify_email(token, LinkFollower::Session(&follower))
        .await?;
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

/// The private cookie that holds the token of a followed verification
/// link until its follower proves to be the account's owner: the address
/// bar never keeps it.
const VERIFICATION_LINK_COOKIE: &str = "verification_link";

/// The form that proves the owner of a followed link without a session.
const OWNER_PASSWORD: PageForm = PageForm {
    template: "verify_email",
    fields: &["password"],
    page: PATHS.verify_email,
};

/// The password that proves the owner of a followed link.
#[derive(Debug, FromForm)]
pub struct OwnerPassword {
    password: Password,
}

/// A followed link (`token`): its token goes into a private cookie and the
/// browser on to the same address without it. There, the address of the
/// link is proven for the account logged in, then the profile with a
/// notice; without a session, the page asks for the account's password.
/// A mail scanner that fetches the link proves nothing. A used, expired or
/// another account's link: the profile (or the login page) with a notice
/// saying so.
#[get("/verify_email?<token>")]
pub async fn verify(
    token: Option<&str>,
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Followed, PageError> {
    if let Some(token) = token {
        let cookie = Cookie::build((VERIFICATION_LINK_COOKIE, token.to_owned()))
            .path(PATHS.verify_email)
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Duration::hours(1));
        cookies.add_private(cookie);
        return Ok(Followed::Onward(Redirect::to(PATHS.verify_email)));
    }
    let Some(token) = cookies.get_private(VERIFICATION_LINK_COOKIE) else {
        let notice = Text::new("notice-verification-link-expired");
        return Ok(Followed::Told(Notice::error(onward(&page), notice)));
    };
    let Some(user) = page.user() else {
        if !auth.mailed_link_is_live(token.value()).await? {
            let expired = Err(AuthError::InvalidVerificationToken);
            return verified_page(expired, page, cookies).map(Followed::Told);
        }
        return Ok(Followed::Form(
            FormState::default().show(page, &OWNER_PASSWORD),
        ));
    };
    let follower = user.requester();
    let verified = auth.verify_email(token.value(), LinkFollower::Session(&follower));
    verified_page(verified.await, page, cookies).map(Followed::Told)
}

/// What a followed link answers: the password form, the way on, or where
/// it led with a notice.
#[derive(Responder)]
pub enum Followed {
    Form(Template),
    Onward(Redirect),
    Told(Flash<Redirect>),
}

/// Proves the address of the followed link by the account's password (the
/// form's first field is `_method=PUT`), then the login page with a
/// notice; a wrong password comes back to the form.
#[put("/verify_email", data = "<form>")]
pub async fn verify_by_password(
    _origin: SameOrigin,
    form: Form<Contextual<'_, OwnerPassword>>,
    device: Device,
    page: Page,
    auth: &State<Auth>,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    let state = FormState::submitted(&form.context, &[]);
    let Some(token) = cookies.get_private(VERIFICATION_LINK_COOKIE) else {
        let notice = Text::new("notice-verification-link-expired");
        return Ok(Notice::error(onward(&page), notice));
    };
    let Some(OwnerPassword { password }) = &form.value else {
        return Err(state.again(&OWNER_PASSWORD));
    };
    let follower = LinkFollower::Password(password, &device);
    match auth.verify_email(token.value(), follower).await {
        Err(error @ (AuthError::WrongPassword | AuthError::Throttled(_))) => {
            Err(state.refused(&OWNER_PASSWORD, error.into()))
        }
        verified => verified_page(verified, page, cookies),
    }
}

/// Where the proof of a followed link leads, with a notice saying how it
/// went; the link's cookie is spent.
fn verified_page(
    verified: Result<String, AuthError>,
    page: Page,
    cookies: &CookieJar<'_>,
) -> Result<Flash<Redirect>, PageError> {
    cookies.remove_private(Cookie::build(VERIFICATION_LINK_COOKIE).path(PATHS.verify_email));
    let notice = match verified {
        Ok(_) => {
            let confirmed = Text::new("notice-address-confirmed");
            return Ok(Notice::success(onward(&page), confirmed));
        }
        Err(AuthError::InvalidVerificationToken) => match page.user() {
            Some(_) => Error::InvalidVerificationToken.text(),
            None => Text::new("notice-verification-link-expired"),
        },
        Err(AuthError::LinkOfAnotherAccount) => Text::new("notice-link-of-another-account"),
        Err(AuthError::UserAlreadyExists(email)) => {
            Text::new("notice-address-taken").with("email", email)
        }
        Err(error) => return Err(error.into()),
    };
    Ok(Notice::error(onward(&page), notice))
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
