//! `GET /profile`: who the session belongs to.

use rocket::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::json::Message;
use crate::web::{CurrentUser, FlaskJson};

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
        (status = 403, description = "No live session", body = Message,
         example = json!({"message": "not logged in"})),
    ),
)]
#[get("/profile", rank = 2)]
pub fn profile(user: CurrentUser) -> FlaskJson<Profile> {
    FlaskJson(Profile { email: user.email })
}
