//! The routes of the original API. They talk only to `Auth`.

mod index;
mod profile;
mod reset_password;
mod sessions;
mod users;

/// Every route, to mount at `/`.
pub fn all() -> Vec<rocket::Route> {
    rocket::routes![
        index::index,
        users::register,
        sessions::login,
        sessions::logout,
        profile::profile,
        reset_password::get_reset_password_token,
        reset_password::update_password,
    ]
}
