//! What a person does with an account, one module per flow, as Ory Kratos
//! names its self-service flows: each holds its request bodies, its JSON
//! handlers (the original API's, byte for byte, and the additions) and its
//! browser pages side by side, and talks only to `Auth`. The transport
//! (content negotiation, bodies, refusals as JSON or pages, the browser
//! protections) is `web`'s, which knows no flow.
//!
//! - [`home`]: `GET /`;
//! - [`registration`]: `POST /users`, the registration page;
//! - [`login`]: logging in and out, with the password, the second factor
//!   of two-factor sign-in, or a passkey;
//! - [`recovery`]: a password reset by token or mailed link;
//! - [`verification`]: the mailed links that prove a mailbox;
//! - [`settings`]: the account page, a new password or address, deletion,
//!   and "Confirm it's you" before sensitive changes;
//! - [`sessions`]: the sessions on every device;
//! - [`two_factor`]: setting up and managing TOTP and recovery codes;
//! - [`passkeys`]: adding, listing and removing passkeys, and proving the
//!   owner with one;
//! - [`language`]: the language switch of every page;
//! - [`forward_auth`]: whether a session opens an application behind a
//!   reverse proxy;
//! - [`authorize`]: signing in to another application (OpenID Connect),
//!   in the browser, and logging out of it; [`openid`]: the endpoints
//!   that applications' servers call.
//!
//! No flow imports another's handlers: a link to another flow's page goes
//! through [`paths`], the typed table of where each is. A JSON route on a
//! path that pages share has rank 2, so that the page (see
//! `web::for_browsers`) answers first when the client prefers HTML.

pub mod authorize;
pub mod forward_auth;
pub mod home;
pub mod language;
pub mod login;
pub mod openid;
pub mod passkeys;
pub mod paths;
pub mod recovery;
pub mod registration;
pub mod sessions;
pub mod settings;
pub mod two_factor;
pub mod verification;

use rocket::fairing::Fairing;
use rocket_dyn_templates::tera::{self, Value};
use rocket_dyn_templates::Template;

use crate::language::Fluent;
use crate::mail::LinkPaths;
use crate::web::for_browsers;
use paths::{Paths, PATHS};

/// Declares `api_routes()` and `Operations` (for the OpenAPI document) from
/// one list of JSON handlers, so that every route is documented: utoipa's
/// `paths(...)` and Rocket's `routes!` each need the handlers' paths
/// written out, which a function cannot hand them.
macro_rules! api {
    ($($handler:path),* $(,)?) => {
        /// Every route of the JSON API.
        pub fn api_routes() -> Vec<rocket::Route> {
            rocket::routes![$($handler),*]
        }

        /// The JSON API's operations, for the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler),*))]
        pub struct Operations;
    };
}

api! {
    home::index,
    crate::health::alive,
    crate::health::ready,
    registration::register,
    login::login,
    login::logout,
    sessions::list,
    sessions::end_others,
    sessions::end,
    settings::profile,
    settings::password::change_password,
    settings::email::change_email,
    settings::email::cancel_email_change,
    settings::email::cancel_email_change_by_link,
    settings::deletion::delete_account,
    two_factor::start,
    two_factor::confirm,
    two_factor::disable,
    two_factor::new_codes,
    passkeys::start_registration,
    passkeys::finish_registration,
    passkeys::list,
    passkeys::remove,
    passkeys::start_proof,
    passkeys::finish_proof,
    login::passkey::start_sign_in,
    login::passkey::finish_sign_in,
    recovery::get_reset_password_token,
    recovery::update_password,
    verification::verify_email,
    verification::request_verification,
    forward_auth::auth_request,
    forward_auth::forward_auth,
}

/// Every route of every flow, to mount at `/`: the JSON API, the pages on
/// its paths (for browsers only), the pages of their own, and the OpenID
/// Connect provider's.
pub fn routes() -> Vec<rocket::Route> {
    api_routes()
        .into_iter()
        .chain(page_routes())
        .chain(provider_routes())
        .collect()
}

/// The routes of the OpenID Connect provider: the browser's pages and the
/// endpoints applications call, described by its discovery document
/// (`/.well-known/openid-configuration`) rather than the OpenAPI one.
pub fn provider_routes() -> Vec<rocket::Route> {
    rocket::routes![
        openid::discovery,
        openid::jwks,
        openid::token,
        openid::userinfo,
        openid::userinfo_by_post,
        openid::revoke,
        openid::introspect,
        authorize::authorize,
        authorize::resume,
        authorize::consent,
        authorize::logout_page,
        authorize::logout,
        authorize::disconnect,
    ]
}

/// Every page route: the pages on the JSON API's paths (for browsers
/// only), and the pages of their own.
pub fn page_routes() -> Vec<rocket::Route> {
    let on_api_paths = rocket::routes![
        home::home,
        registration::register_page,
        registration::address_bar,
        login::login_page,
        login::address_bar,
        login::logout_page,
        settings::profile_page,
        settings::password::change_password_page,
        settings::password::address_bar,
        settings::email::change_email_page,
        settings::email::address_bar,
        settings::email::cancel_email_change_page,
        settings::email::cancel_by_link,
        settings::deletion::delete_account_page,
        settings::confirm::confirm_page,
        sessions::end_page,
        passkeys::remove_page,
        two_factor::start_page,
        two_factor::setup,
        two_factor::confirm_page,
        two_factor::disable_page,
        two_factor::new_codes_page,
        two_factor::codes_shown_once,
        recovery::request_link,
        recovery::update_password_page,
        verification::verify,
        verification::verify_by_password,
        verification::request_link,
    ];
    let pages_only = rocket::routes![
        registration::form,
        login::form,
        recovery::request_form,
        recovery::link_sent,
        recovery::choose_password,
        settings::deletion::confirm_deletion,
        settings::email::cancel_by_link_form,
        login::second_factor::code_form,
        login::second_factor::finish,
        language::choose,
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
    registration::form,
    login::form,
    recovery::request_form,
    settings::email::cancel_by_link_form
))]
pub struct PageOperations;

/// The pages that mailed links lead to.
pub fn link_paths() -> LinkPaths {
    LinkPaths {
        reset_password: |token| Paths::with_token(PATHS.reset_password, token),
        verify_email: |token| Paths::with_token(PATHS.verify_email, token),
        cancel_email_change: |token| Paths::with_token(PATHS.cancel_email_change, token),
    }
}

/// The Tera templates of `template_dir`, with a function `uri(name=...)`
/// that gives the path `name` of [`PATHS`] (`uri(name="profile")`), and
/// `fluent(key=..., lang=lang)`, the words of the page's language.
pub fn templates() -> impl Fairing {
    Template::custom(|engines| {
        let paths = serde_json::to_value(PATHS).unwrap_or_default();
        engines.tera.register_function("uri", TemplatePaths(paths));
        engines.tera.register_function("fluent", Fluent);
    })
}

/// [`PATHS`], for templates, as a JSON object.
struct TemplatePaths(Value);

impl tera::Function for TemplatePaths {
    fn call(&self, arguments: &std::collections::HashMap<String, Value>) -> tera::Result<Value> {
        let name = arguments.get("name").and_then(Value::as_str);
        name.and_then(|name| self.0.get(name).cloned())
            .ok_or_else(|| format!("uri: no page is named {name:?}").into())
    }

    /// The paths are this site's own, written to be safe in attributes.
    fn is_safe(&self) -> bool {
        true
    }
}
