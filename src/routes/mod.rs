//! The JSON API of the original design. They talk only to `Auth`.
//!
//! Each route has rank 2: the browser page of the same path (rank 1, in
//! `pages`) answers first when the client prefers HTML.

pub(crate) mod index;
pub(crate) mod profile;
pub(crate) mod reset_password;
pub(crate) mod sessions;
pub(crate) mod users;

pub use reset_password::{PasswordUpdate, ResetRequest};
pub use sessions::Credentials;
pub use users::Registration;

/// Every route of the JSON API and its OpenAPI document, to mount at `/`.
pub fn all() -> Vec<rocket::Route> {
    rocket::routes![
        index::index,
        users::register,
        sessions::login,
        sessions::logout,
        profile::profile,
        reset_password::get_reset_password_token,
        reset_password::update_password,
        crate::openapi::openapi_json,
    ]
}
