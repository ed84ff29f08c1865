//! The `user_groups` table: the groups each account is in, which access
//! rules of forward auth may ask for.

use diesel::prelude::*;

use super::schema::user_groups;
use super::{on_backend, DbConnection, DbError, DB};
use crate::user::UserId;

impl DB {
    /// The groups of the user `user_id`, by name.
    pub async fn user_groups(&self, user_id: UserId) -> Result<Vec<String>, DbError> {
        let user_id = user_id.0;
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                user_groups::table
                    .filter(user_groups::user_id.eq(user_id))
                    .order(user_groups::name)
                    .select(user_groups::name)
                    .load(connection)
            })
        })
        .await
    }

    /// Puts the user `user_id` in the group `name`; whether they were not
    /// in it yet.
    pub async fn add_user_group(&self, user_id: UserId, name: &str) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let name = name.to_owned();
        let added = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::insert_into(user_groups::table)
                        .values((user_groups::user_id.eq(user_id), user_groups::name.eq(name)))
                        .on_conflict_do_nothing()
                        .execute(connection)
                })
            })
            .await?;
        Ok(added > 0)
    }

    /// Takes the user `user_id` out of the group `name`; whether they were
    /// in it.
    pub async fn remove_user_group(&self, user_id: UserId, name: &str) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let name = name.to_owned();
        let removed = self
            .run(move |connection| {
                on_backend!(connection, |connection| {
                    diesel::delete(user_groups::table.find((user_id, name))).execute(connection)
                })
            })
            .await?;
        Ok(removed > 0)
    }
}
