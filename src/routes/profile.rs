//! `GET /profile`: who the session belongs to.

use serde::Serialize;

use crate::http::{CurrentUser, FlaskJson};

/// `{"email": E}`.
#[derive(Debug, Serialize)]
pub struct Profile {
    email: String,
}

/// The logged-in user's email, or 403.
#[rocket::get("/profile", rank = 2)]
pub fn profile(user: CurrentUser) -> FlaskJson<Profile> {
    FlaskJson(Profile {
        email: user.0.email,
    })
}
