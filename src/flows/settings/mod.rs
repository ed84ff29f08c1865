//! What a logged-in person keeps and changes: the account page
//! (`GET /profile`, whose JSON is the original API's `{"email": E}`), and,
//! one module each, the password, the address and the account itself.
//! Sensitive changes stop at "Confirm it's you" past `sessions.recent_login_ttl`
//! (`confirm`). The flows of two-factor sign-in, passkeys and sessions
//! render into this page, through [`account_page`] and [`AccountForm`].

pub mod confirm;
pub mod deletion;
pub mod email;
pub mod password;

use rocket::form::Context;
use rocket::response::Redirect;
use rocket::{get, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use utoipa::ToSchema;

use super::paths::PATHS;
use crate::auth::{Auth, DeviceName};
use crate::clock;
use crate::language::Text;
use crate::web::fields::{CURRENT_PASSWORD, NEW_PASSWORD};
use crate::web::form::{FormState, PageError, SaidForm};
use crate::web::Notice;
use crate::web::{CurrentUser, Error, FlaskJson, Page};

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
    ),
)]
#[get("/profile", rank = 2)]
pub fn profile(user: CurrentUser) -> FlaskJson<Profile> {
    FlaskJson(Profile { email: user.email })
}

/// The fields of the password form, as the page names them.
pub const PASSWORD_FIELDS: &[&str] = &[CURRENT_PASSWORD, NEW_PASSWORD];

/// The field of the address form (its id on the page is `new-email`; the
/// password, when needed, is asked on a page of its own).
pub const EMAIL_FIELDS: &[&str] = &["email"];

/// The fields of the forms that turn two-factor sign-in off and renew the
/// recovery codes (ids `off-…` and `codes-…`).
pub const PROOF_FIELDS: &[&str] = &["password", "code"];

/// The account page; without a session, the login page, which comes back
/// here.
#[get("/profile")]
pub async fn profile_page(
    user: Result<CurrentUser, Error>,
    page: Page,
    auth: &State<Auth>,
) -> Result<Template, PageError> {
    let user = require_login(user, PATHS.profile)?;
    let mut page = page;
    let forms = AccountForms::new(auth).or_carried(&mut page);
    Ok(account_page(page, &user, auth, forms).await?)
}

/// The forms of the account page, as they are to show.
pub struct AccountForms {
    pub password: FormState,
    pub email: FormState,
    pub two_factor_off: FormState,
    pub recovery: FormState,
    /// The id of the field to focus: after a refusal, the first at fault.
    pub focus: &'static str,
}

impl AccountForms {
    /// Every form fresh.
    pub fn new(auth: &Auth) -> Self {
        AccountForms {
            password: FormState::default().choosing_password(auth.settings().passwords.min_length),
            email: FormState::default(),
            two_factor_off: FormState::default(),
            recovery: FormState::default(),
            focus: "",
        }
    }

    /// These forms, with the one that came back to `page` refused (if
    /// one did) in its state, focused on its first field at fault.
    fn or_carried(mut self, page: &mut Page) -> Self {
        for form in Submitted::ALL {
            let state = self.take(form).or_carried(page, form.name());
            *self.of(form) = state;
        }
        self.focus = focus(&self);
        self
    }

    /// The state of `form`, taken out.
    fn take(&mut self, form: Submitted) -> FormState {
        std::mem::take(self.of(form))
    }

    /// The state of `form`.
    fn of(&mut self, form: Submitted) -> &mut FormState {
        match form {
            Submitted::Password => &mut self.password,
            Submitted::Email => &mut self.email,
            Submitted::TwoFactorOff => &mut self.two_factor_off,
            Submitted::RecoveryCodes => &mut self.recovery,
        }
    }
}

/// A session as the page lists it.
#[derive(Serialize)]
struct SessionRow {
    id: String,
    /// The device, in the page's language.
    device: String,
    ip: Option<String>,
    /// When it was last used, in words.
    seen: String,
    current: bool,
}

/// A passkey as the page lists it.
#[derive(Serialize)]
struct PasskeyRow {
    id: String,
    name: String,
    /// When it was added, as a date.
    added: String,
    /// When it last signed in, in words.
    used: String,
}

/// An application the user allowed to sign them in, as the page lists it.
#[derive(Serialize)]
struct ApplicationRow {
    id: String,
    name: String,
    /// When it was allowed, in words.
    allowed: String,
}

#[derive(Serialize)]
struct AccountPage<'a> {
    email: &'a str,
    email_verified: bool,
    /// The address a change waits to move to, if any.
    pending_email: Option<String>,
    sessions: Vec<SessionRow>,
    passkeys: Vec<PasskeyRow>,
    applications: Vec<ApplicationRow>,
    two_factor: bool,
    recovery_codes_left: i64,
    password_form: SaidForm<'a>,
    email_form: SaidForm<'a>,
    two_factor_off_form: SaidForm<'a>,
    recovery_form: SaidForm<'a>,
    focus: &'static str,
}

/// The account page of `user`, showing `forms`.
pub async fn account_page(
    page: Page,
    user: &CurrentUser,
    auth: &Auth,
    forms: AccountForms,
) -> Result<Template, crate::auth::AuthError> {
    let now = clock::now();
    let language = page.language();
    let mut sessions = auth.sessions(user.id).await?;
    // This device first, then the others, newest first.
    sessions.sort_by_key(|session| session.id != user.session.id);
    let sessions = sessions
        .into_iter()
        .map(|session| SessionRow {
            current: session.id == user.session.id,
            seen: language.say(&ago(now, session.last_seen_at).map_or_else(
                || Text::new("session-active-now"),
                |ago| Text::new("session-last-active").duration("ago", ago),
            )),
            id: session.public_id,
            device: language.say(&DeviceName::read(&session.device).text()),
            ip: session.ip,
        })
        .collect();
    let passkeys = auth.passkeys(user.id).await?;
    let passkeys = passkeys
        .into_iter()
        .map(|passkey| PasskeyRow {
            added: language.say(&date(passkey.created_at)),
            used: language.say(&match passkey.last_used_at {
                None => Text::new("passkey-unused"),
                Some(used) => ago(now, used).map_or_else(
                    || Text::new("passkey-used-now"),
                    |ago| Text::new("passkey-last-used").duration("ago", ago),
                ),
            }),
            id: passkey.public_id,
            name: passkey.name,
        })
        .collect();
    let applications = auth.connected_applications(user.id).await?;
    let applications = applications
        .into_iter()
        .map(|application| ApplicationRow {
            allowed: language.say(&ago(now, application.granted_at).map_or_else(
                || Text::new("application-allowed-now"),
                |ago| Text::new("application-allowed").duration("ago", ago),
            )),
            id: application.client_id,
            name: application.name,
        })
        .collect();
    let two_factor = auth.two_factor_status(user.id).await?;
    let content = AccountPage {
        email: &user.email,
        email_verified: user.email_verified,
        pending_email: auth.pending_email(user.id).await?,
        sessions,
        passkeys,
        applications,
        two_factor: two_factor.enabled,
        recovery_codes_left: two_factor.recovery_codes_left,
        password_form: forms.password.said(language),
        email_form: forms.email.said(language),
        two_factor_off_form: forms.two_factor_off.said(language),
        recovery_form: forms.recovery.said(language),
        focus: forms.focus,
    };
    Ok(page.render("profile", content))
}

/// One form of the account page, submitted: what to show when the change
/// it asks for is refused (the account page again, with that form's values
/// and errors), whichever flow handles it.
pub struct AccountForm {
    state: FormState,
    /// Which of the page's forms it is.
    form: Submitted,
}

/// The forms of the account page that are submitted to it.
#[derive(Debug, Clone, Copy)]
pub enum Submitted {
    Password,
    Email,
    TwoFactorOff,
    RecoveryCodes,
}

impl Submitted {
    /// Every form of the account page.
    const ALL: [Submitted; 4] = [
        Submitted::Password,
        Submitted::Email,
        Submitted::TwoFactorOff,
        Submitted::RecoveryCodes,
    ];

    /// Its name, as the state it comes back with is carried.
    fn name(self) -> &'static str {
        match self {
            Submitted::Password => "profile/password",
            Submitted::Email => "profile/email",
            Submitted::TwoFactorOff => "profile/two_factor_off",
            Submitted::RecoveryCodes => "profile/recovery_codes",
        }
    }

    /// The fields whose values the form shows again after a refusal (never
    /// a password or a code).
    fn kept(self) -> &'static [&'static str] {
        match self {
            Submitted::Email => EMAIL_FIELDS,
            _ => &[],
        }
    }
}

impl AccountForm {
    /// The form `form` of the account page, as `context` submitted it.
    pub fn submitted(form: Submitted, context: &Context<'_>) -> Self {
        let state = FormState::submitted(context, form.kept());
        AccountForm { state, form }
    }

    /// Makes `change` with the form's `value`: what it gives; or, when the
    /// form could not be read or the change is refused, back to the
    /// account page with the form's errors.
    pub async fn make<T, R>(
        self,
        value: Option<&T>,
        change: impl AsyncFnOnce(&T) -> Result<R, Error>,
    ) -> Result<R, PageError> {
        let Some(value) = value else {
            return Err(self.unread());
        };
        match change(value).await {
            Ok(made) => Ok(made),
            Err(error) => Err(self.refused(error)),
        }
    }

    /// The same form, telling `error` beside its field too, whatever the
    /// change then says: a form says every problem at once.
    pub fn telling(self, error: &Error) -> Self {
        let state = self.state.told(error);
        AccountForm { state, ..self }
    }

    /// Back to the account page when the form could not be read: its
    /// field errors are in it.
    pub fn unread(self) -> PageError {
        self.state.back(PATHS.profile, self.form.name())
    }

    /// Back to the account page, telling why `error` refused the change
    /// beside its field; the error page for a failure of the service
    /// itself.
    pub fn refused(self, error: Error) -> PageError {
        let (state, name) = (self.state, self.form.name());
        PageError::refusal(error, |error| state.told(error).back(PATHS.profile, name))
    }
}

/// The id, on the account page, of the first field at fault.
fn focus(forms: &AccountForms) -> &'static str {
    if let Some(field) = forms.password.first_error(PASSWORD_FIELDS) {
        return field;
    }
    let proofs: [(_, _, &[&str]); 3] = [
        (&forms.email, EMAIL_FIELDS, &["new-email"]),
        (
            &forms.two_factor_off,
            PROOF_FIELDS,
            &["off-password", "off-code"],
        ),
        (
            &forms.recovery,
            PROOF_FIELDS,
            &["codes-password", "codes-code"],
        ),
    ];
    for (form, fields, ids) in proofs {
        if let Some(field) = form.first_error(fields) {
            let index = fields.iter().position(|name| *name == field);
            return index
                .and_then(|index| ids.get(index))
                .copied()
                .unwrap_or("");
        }
    }
    ""
}

/// The logged-in user of a page that needs one; without one, the login
/// page, with a notice saying why, that comes back to `here` (a path of
/// this site) after login.
pub fn require_login(
    user: Result<CurrentUser, Error>,
    here: &str,
) -> Result<CurrentUser, PageError> {
    match user {
        Ok(user) => Ok(user),
        Err(error @ (Error::NotLoggedIn | Error::SessionEnded)) => {
            let login = Redirect::to(PATHS.login_then(here));
            let notice = Notice::warning(login, error.text());
            Err(PageError::Elsewhere(Box::new(notice)))
        }
        Err(other) => Err(PageError::Failure(other)),
    }
}

/// How long before `now` the Unix time `then` was, in words ("5 minutes
/// ago"), in seconds rounded down to whole minutes, hours or days; `None`
/// within the last two minutes.
pub fn ago(now: i64, then: i64) -> Option<u64> {
    let minutes = u64::try_from(now.saturating_sub(then)).unwrap_or_default() / 60;
    match minutes {
        0..=1 => None,
        2..=59 => Some(minutes * 60),
        60..=1439 => Some(minutes / 60 * 3600),
        _ => Some(minutes / 1440 * 86_400),
    }
}

/// The day of the Unix time `unix`, in UTC: "26 November 2026".
fn date(unix: i64) -> Text {
    let day =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let number = |value: i64| u64::try_from(value).unwrap_or_default();
    Text::new("passkey-added-on")
        .number("day", day.day().into())
        .number("month", u8::from(day.month()).into())
        .number("year", number(day.year().into()))
}

#[cfg(test)]
mod tests {
    use super::{ago, date};
    use crate::language::{Language, Text};

    #[test]
    fn last_use_reads_as_words() {
        let last_active = |seconds: Option<u64>| {
            let ago = Text::new("session-last-active").duration("ago", seconds.unwrap());
            (Language::En.say(&ago), Language::Fr.say(&ago))
        };
        assert_eq!(ago(1000, 1000), None);
        assert_eq!(ago(1000, 1000 - 119), None);
        assert_eq!(
            last_active(ago(10_000, 10_000 - 5 * 60 - 10)).0,
            "Last active 5 minutes ago"
        );
        assert_eq!(
            last_active(ago(10_000, 10_000 - 3700)).0,
            "Last active 1 hour ago"
        );
        let three_days = last_active(ago(1_000_000, 1_000_000 - 3 * 86_400 - 5));
        assert_eq!(
            three_days,
            (
                "Last active 3 days ago".to_owned(),
                "Actif il y a 3 jours".to_owned()
            )
        );
    }

    #[test]
    fn a_day_reads_as_a_date() {
        assert_eq!(
            Language::En.say(&date(1_795_700_000)),
            "Added 26 November 2026"
        );
        assert_eq!(
            Language::Fr.say(&date(1_795_700_000)),
            "Ajoutée le 26 novembre 2026"
        );
    }
}
