//! The `User` model: one row of the `users` table.

use diesel::prelude::*;

use crate::db::schema::users;

/// A registered user, as stored.
///
/// `session_id` and `reset_token` hold SHA-256 digests of the values handed to
/// the client, so a copy of the database opens no session and resets no
/// password. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    /// The address as the user typed it, trimmed.
    pub email: String,
    /// The lowercase form that uniqueness and look-ups use.
    pub normalized_email: String,
    pub hashed_password: String,
    pub session_id: Option<String>,
    pub session_expires_at: Option<i64>,
    pub reset_token: Option<String>,
    pub reset_token_expires_at: Option<i64>,
    pub created_at: i64,
}
