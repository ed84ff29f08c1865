//! Browser pages, rendered with Tera, on the routes of the JSON API and on
//! a few of their own. Pages talk only to `Auth`, like the API.
//!
//! A page on a path of the API answers only requests that prefer HTML
//! ([`for_browsers`]); the others go on to the JSON route of the same path.

mod account;
mod confirm;
mod form;
mod home;
mod login;
mod passkeys;
mod profile;
mod register;
mod reset_password;
mod sessions;
mod two_factor;
mod verify_email;

use std::collections::HashMap;

use rocket::fairing::Fairing;
use rocket::http::uri::Origin;
use rocket::response::{Flash, Redirect};
use rocket::uri;
use rocket_dyn_templates::tera::{self, Value};
use rocket_dyn_templates::Template;

pub use form::{FormState, PageError, PageForm, TokenPage};

use crate::mail::LinkPaths;
use crate::web::{for_browsers, CurrentUser, Error};

/// Every page route, to mount at `/`.
pub fn routes() -> Vec<rocket::Route> {
    let on_api_paths = rocket::routes![
        home::home,
        register::register,
        register::address_bar,
        login::login,
        login::address_bar,
        login::logout,
        profile::profile,
        account::change_password,
        account::change_email,
        account::cancel_email_change,
        account::cancel_by_link,
        account::delete_account,
        sessions::end,
        passkeys::remove,
        two_factor::start,
        two_factor::confirm,
        two_factor::disable,
        two_factor::new_codes,
        reset_password::request_link,
        reset_password::update_password,
        verify_email::verify,
        verify_email::request_link,
    ];
    let pages_only = rocket::routes![
        register::form,
        login::form,
        reset_password::request_form,
        reset_password::choose_password,
        account::confirm_deletion,
        account::cancel_by_link_form,
        two_factor::code_form,
        two_factor::finish,
    ];
    on_api_paths
        .into_iter()
        .map(for_browsers)
        .chain(pages_only)
        .collect()
}

/// The pages that share paths with the JSON API and answer any client, for
/// the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    register::form,
    login::form,
    reset_password::request_form,
    account::cancel_by_link_form
))]
pub struct Operations;

/// The pages that mailed links lead to.
pub fn link_paths() -> LinkPaths {
    LinkPaths {
        reset_password: |token| uri!(reset_password::request_form(token = Some(token))).to_string(),
        verify_email: |token| uri!(verify_email::verify(token = Some(token))).to_string(),
        cancel_email_change: |token| {
            uri!(account::cancel_by_link_form(token = Some(token))).to_string()
        },
    }
}

/// The Tera templates of `template_dir`, with a function `uri(name=...)`
/// that gives the path of a page as `uri!` builds it from its route.
pub fn templates() -> impl Fairing {
    Template::custom(|engines| {
        let paths = PagePaths(HashMap::from([
            ("home", uri!(home::home).to_string()),
            ("register", uri!(register::form).to_string()),
            ("users", uri!(register::register).to_string()),
            ("login", uri!(login::form(next = _)).to_string()),
            ("sessions", uri!(login::login).to_string()),
            ("profile", uri!(profile::profile).to_string()),
            ("verify_email", uri!(verify_email::request_link).to_string()),
            (
                "change_password",
                uri!(account::change_password).to_string(),
            ),
            ("change_email", uri!(account::change_email).to_string()),
            (
                "cancel_email_change",
                uri!(account::cancel_by_link).to_string(),
            ),
            (
                "delete_account",
                uri!(account::confirm_deletion).to_string(),
            ),
            ("account", uri!(account::delete_account).to_string()),
            (
                "other_sessions",
                uri!(sessions::end(id = "others")).to_string(),
            ),
            ("two_factor", uri!(two_factor::start).to_string()),
            ("recovery_codes", uri!(two_factor::new_codes).to_string()),
            ("login_code", uri!(two_factor::code_form).to_string()),
            // Followed by a passkey's id.
            ("passkey", uri!(passkeys::remove(id = "")).to_string()),
            (
                "passkey_options",
                uri!(crate::api::passkeys::start_registration).to_string(),
            ),
            (
                "passkeys",
                uri!(crate::api::passkeys::finish_registration).to_string(),
            ),
            (
                "passkey_proof_options",
                uri!(crate::api::passkeys::start_proof).to_string(),
            ),
            (
                "passkey_proof",
                uri!(crate::api::passkeys::finish_proof).to_string(),
            ),
            (
                "passkey_sign_in_options",
                uri!(crate::api::passkeys::start_sign_in).to_string(),
            ),
            (
                "passkey_sign_in",
                uri!(crate::api::passkeys::finish_sign_in).to_string(),
            ),
            // Followed by a session's id.
            ("session", uri!(sessions::end(id = "")).to_string()),
            (
                "reset_password",
                uri!(reset_password::request_form(token = _)).to_string(),
            ),
        ]));
        engines.tera.register_function("uri", paths);
    })
}

/// The paths of the pages, by name, for templates.
struct PagePaths(HashMap<&'static str, String>);

impl tera::Function for PagePaths {
    fn call(&self, arguments: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = arguments.get("name").and_then(Value::as_str);
        let path = name.and_then(|name| self.0.get(name));
        path.map(|path| Value::from(path.as_str()))
            .ok_or_else(|| format!("uri: no page is named {name:?}").into())
    }

    /// Paths built by `uri!` are already encoded for HTML attributes.
    fn is_safe(&self) -> bool {
        true
    }
}

/// The logged-in user of a page that needs one; without one, the login
/// page, with a notice saying why, that comes back to `here` after login.
fn require_login(
    user: Result<CurrentUser, Error>,
    here: Origin<'static>,
) -> Result<CurrentUser, PageError> {
    match user {
        Ok(user) => Ok(user),
        Err(error @ (Error::NotLoggedIn | Error::SessionEnded)) => {
            let login = uri!(login::form(next = Some(here.to_string())));
            let notice = Flash::warning(Redirect::to(login), error.sentence());
            Err(PageError::Elsewhere(Box::new(notice)))
        }
        Err(other) => Err(PageError::Failure(other)),
    }
}

/// Where to go after logging in: `next` when it is a path of this site,
/// else the profile. A `next` that could lead elsewhere (`//host`,
/// `https://...`, a backslash that browsers read as a slash, control
/// characters) is ignored, so that no link can turn the login page into an
/// open redirect.
fn destination(next: Option<&str>) -> Origin<'static> {
    next.and_then(local_path)
        .unwrap_or_else(|| uri!(profile::profile))
}

/// `next` as a path of this site, if it is one.
fn local_path(next: &str) -> Option<Origin<'static>> {
    let suspicious = !next.starts_with('/')
        || next.starts_with("//")
        || next.contains('\\')
        || next.chars().any(|c| c.is_control() || c.is_whitespace());
    if suspicious {
        return None;
    }
    Origin::parse_owned(next.to_owned()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_destinations() {
        for local in ["/profile", "/profile?tab=sessions", "/a/b"] {
            assert_eq!(destination(Some(local)).to_string(), local);
        }
        for foreign in [
            "//evil.example",
            "//evil.example/profile",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(
                destination(Some(foreign)).to_string(),
                "/profile",
                "{foreign:?}"
            );
        }
        assert_eq!(destination(None).to_string(), "/profile");
    }
}
