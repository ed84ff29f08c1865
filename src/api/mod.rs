//! The JSON API of the original design, one module per path. Its routes
//! talk only to `Auth`.
//!
//! Each route on a path that pages share has rank 2: the browser page of
//! the same path (see `web::for_browsers`) answers first when the client
//! prefers HTML.

pub mod health;
mod index;
pub mod passkeys;
mod profile;
mod reset_password;
mod sessions;
mod two_factor;
mod users;
mod verify_email;

/// Declares `routes()`, to mount, and `Operations`, for the OpenAPI
/// document, from one list: every route is documented.
macro_rules! api {
    ($($module:ident :: $handler:ident),* $(,)?) => {
        /// Every route of the JSON API, to mount at `/`.
        pub fn routes() -> Vec<rocket::Route> {
            rocket::routes![$($module::$handler),*]
        }

        /// The API's operations, for the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($module::$handler),*))]
        pub struct Operations;
    };
}

api! {
    index::index,
    health::alive,
    health::ready,
    users::register,
    sessions::login,
    sessions::logout,
    sessions::list,
    sessions::end_others,
    sessions::end,
    profile::profile,
    profile::change_password,
    profile::change_email,
    profile::cancel_email_change,
    profile::cancel_email_change_by_link,
    profile::delete_account,
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
    passkeys::start_sign_in,
    passkeys::finish_sign_in,
    reset_password::get_reset_password_token,
    reset_password::update_password,
    verify_email::verify_email,
    verify_email::request_verification,
}
