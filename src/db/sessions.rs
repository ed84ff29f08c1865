//! The `sessions` table (a session per logged-in device) and the
//! `user_devices` table (the devices each account has logged in from).

use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::schema::{device_cookies, pending_sign_ins, sessions, user_devices, users};
use super::users::UserRow;
use super::DeviceCookieStart;
use super::{on_backend, Change, DbConnection, DbError, DB};
use crate::user::{User, UserId};

/// A session as stored, without the digest of its id.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// The row's key, for this service only.
    pub id: i64,
    /// The handle shown to the user (`GET /sessions`, the account page).
    pub public_id: String,
    pub user_id: i32,
    pub created_at: i64,
    /// Written at most once a minute.
    pub last_seen_at: i64,
    /// When it ends, whatever happens.
    pub expires_at: i64,
    /// Whether it outlives the browser and ignores the idle limit.
    pub persistent: bool,
    /// The device, in words ("Firefox on Linux").
    pub device: String,
    /// The client address it was started from.
    pub ip: Option<String>,
    /// When its owner last proved themselves in it: the login, or the
    /// password (or a passkey) given again since.
    pub authenticated_at: i64,
    /// When it proved a second factor (a one-time code or a passkey), if
    /// it did.
    pub second_factor_at: Option<i64>,
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct SessionStart {
    pub public_id: String,
    /// The digest of the id handed to the client.
    pub digest: String,
    pub now: i64,
    pub expires_at: i64,
    pub persistent: bool,
    pub device: String,
    pub ip: Option<String>,
    /// When the login proved a second factor, if it did.
    pub second_factor_at: Option<i64>,
    /// The device cookie the login leaves the client.
    pub device_cookie: DeviceCookieStart,
}

/// How many sessions a user keeps, and which ones are over.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Past this many, the least recently used end.
    pub max_per_user: i64,
    /// Sessions that are not persistent and were last seen at this time
    /// or before are over.
    pub idle_since: i64,
}

/// A session just started, and what came with it.
#[derive(Debug, Clone)]
pub struct SessionStarted {
    pub session: Session,
    /// The account's address, as typed.
    pub email: String,
    /// Whether the account has logged in from other devices, but never
    /// from this one.
    pub new_device: bool,
}

/// Deletes, on the concrete `$connection`, every session over at `$now`
/// (past its expiry, or, unless kept, idle since `$idle_since`), every
/// device cookie expired and every sign-in that waited too long for its
/// code; the number of sessions deleted. A macro, like every query written
/// for both backends (see `on_backend!`).
macro_rules! delete_over {
    ($connection:ident, $now:expr, $idle_since:expr) => {{
        let expired = diesel::delete(sessions::table.filter(sessions::expires_at.le($now)))
            .execute($connection)?;
        let idle = diesel::delete(
            sessions::table
                .filter(sessions::persistent.eq(false))
                .filter(sessions::last_seen_at.le($idle_since)),
        )
        .execute($connection)?;
        diesel::delete(device_cookies::table.filter(device_cookies::expires_at.le($now)))
            .execute($connection)?;
        diesel::delete(pending_sign_ins::table.filter(pending_sign_ins::expires_at.le($now)))
            .execute($connection)?;
        expired + idle
    }};
}

impl DB {
    /// Deletes every session over at `now` (past its expiry, or, unless
    /// kept, last seen at `idle_since` or before), every expired device
    /// cookie and waiting sign-in, in one transaction; the number of
    /// sessions deleted.
    pub async fn delete_over_sessions(&self, now: i64, idle_since: i64) -> Result<usize, DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| Ok(delete_over!(connection, now, idle_since)))
            })
        })
        .await
    }

    /// In one transaction: starts `start` for the user `user_id` (an
    /// insert of what a select of the user gives, so a user deleted
    /// meanwhile starts nothing), ends that user's least recently used sessions past
    /// `limits.max_per_user`, deletes every session that is over, records
    /// the device, and records its new device cookie in place of those of
    /// the user it presented (expired device cookies are deleted on the
    /// way).
    pub async fn start_session(
        &self,
        user_id: UserId,
        start: SessionStart,
        limits: SessionLimits,
    ) -> Result<Option<SessionStarted>, DbError> {
        let user_id = user_id.0;
        self.run_changing(Change::User(user_id), move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    let now = start.now;
                    // No row, and so no session, for an account disabled
                    // meanwhile (or deleted).
                    let account = users::id.eq(user_id).and(users::disabled_at.is_null());
                    let row = users::table.filter(account).select((
                        start.public_id.into_sql::<Text>(),
                        start.digest.into_sql::<Text>(),
                        users::id,
                        now.into_sql::<BigInt>(),
                        now.into_sql::<BigInt>(),
                        start.expires_at.into_sql::<BigInt>(),
                        start.persistent.into_sql::<Bool>(),
                        start.device.clone().into_sql::<Text>(),
                        start.ip.into_sql::<Nullable<Text>>(),
                        now.into_sql::<BigInt>(),
                        start.second_factor_at.into_sql::<Nullable<BigInt>>(),
                    ));
                    let session: Option<Session> = diesel::insert_into(sessions::table)
                        .values(row)
                        .into_columns((
                            sessions::public_id,
                            sessions::digest,
                            sessions::user_id,
                            sessions::created_at,
                            sessions::last_seen_at,
                            sessions::expires_at,
                            sessions::persistent,
                            sessions::device,
                            sessions::ip,
                            sessions::authenticated_at,
                            sessions::second_factor_at,
                        ))
                        .returning(Session::as_returning())
                        .get_result(connection)
                        .optional()?;
                    let Some(session) = session else {
                        return Ok(None);
                    };
                    let user_id = session.user_id;
                    let beyond_limit: Vec<i64> = sessions::table
                        .filter(sessions::user_id.eq(user_id))
                        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
                        .select(sessions::id)
                        .limit(i64::MAX)
                        .offset(limits.max_per_user)
                        .load(connection)?;
                    diesel::delete(sessions::table.filter(sessions::id.eq_any(beyond_limit)))
                        .execute(connection)?;
                    let _ended = delete_over!(connection, now, limits.idle_since);

                    let issued = start.device_cookie;
                    let user_cookies =
                        device_cookies::table.filter(device_cookies::user_id.eq(user_id));
                    if !issued.replacing.is_empty() {
                        let replaced = device_cookies::digest.eq_any(&issued.replacing);
                        diesel::delete(user_cookies.filter(replaced)).execute(connection)?;
                    }
                    diesel::insert_into(device_cookies::table)
                        .values((
                            device_cookies::digest.eq(&issued.digest),
                            device_cookies::user_id.eq(user_id),
                            device_cookies::created_at.eq(now),
                            device_cookies::expires_at.eq(issued.expires_at),
                        ))
                        .execute(connection)?;

                    let devices = user_devices::table.filter(user_devices::user_id.eq(user_id));
                    let known: i64 = devices
                        .filter(user_devices::device.eq(&start.device))
                        .select(count_star())
                        .first(connection)?;
                    let any: i64 = devices.select(count_star()).first(connection)?;
                    diesel::insert_into(user_devices::table)
                        .values((
                            user_devices::user_id.eq(user_id),
                            user_devices::device.eq(&start.device),
                            user_devices::last_login_at.eq(now),
                        ))
                        .on_conflict((user_devices::user_id, user_devices::device))
                        .do_update()
                        .set(user_devices::last_login_at.eq(now))
                        .execute(connection)?;
                    let email = users::table
                        .find(user_id)
                        .select(users::email)
                        .first(connection)?;
                    Ok(Some(SessionStarted {
                        session,
                        email,
                        new_device: known == 0 && any > 0,
                    }))
                })
            })
        })
        .await
    }

    /// The session whose id has the digest `digest`, with its user, live or
    /// not: from the session cache where there is one, which keeps what is
    /// read here.
    pub async fn find_session(&self, digest: &str) -> Result<Option<(Session, User)>, DbError> {
        let cache = self.sessions_cache.as_ref();
        if let Some(found) = cache.and_then(|cache| cache.get(digest)) {
            return Ok(Some(found));
        }
        let generation = cache.and_then(|cache| cache.generation());
        let key = digest.to_owned();
        let found = self
            .read(move |connection| {
                on_backend!(connection, |connection| {
                    sessions::table
                        .inner_join(users::table)
                        .filter(sessions::digest.eq(key))
                        .select((Session::as_select(), UserRow::as_select()))
                        .first::<(Session, UserRow)>(connection)
                        .optional()
                        .map(|found| found.map(|(session, row)| (session, User::from(row))))
                })
            })
            .await?;
        if let (Some(cache), Some(generation), Some(found)) = (cache, generation, &found) {
            cache.keep(digest, found.clone(), generation);
        }
        Ok(found)
    }

    /// Records that the owner of the session `id` proved themselves at
    /// `now` (the password given again).
    pub async fn reauthenticated(&self, id: i64, now: i64) -> Result<(), DbError> {
        self.run_changing(Change::SessionRow(id), move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(sessions::table.find(id))
                    .set((
                        sessions::authenticated_at.eq(now),
                        sessions::last_seen_at.eq(now),
                    ))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Records that the session `id` proved a second factor at `now` (a
    /// one-time code or a passkey).
    pub async fn second_factor_proven(&self, id: i64, now: i64) -> Result<(), DbError> {
        self.run_changing(Change::SessionRow(id), move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(sessions::table.find(id))
                    .set((
                        sessions::second_factor_at.eq(now),
                        sessions::last_seen_at.eq(now),
                    ))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// Records that the session `id` was seen at `now`. Cached copies keep
    /// the older time (which can only end a session sooner) until the
    /// trigger's announcement replaces them, a moment later, on every
    /// instance alike.
    pub async fn touch_session(&self, id: i64, now: i64) -> Result<(), DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::update(sessions::table.find(id))
                    .set(sessions::last_seen_at.eq(now))
                    .execute(connection)
                    .map(drop)
            })
        })
        .await
    }

    /// The sessions of the user `user_id`, newest first.
    pub async fn user_sessions(&self, user_id: UserId) -> Result<Vec<Session>, DbError> {
        let user_id = user_id.0;
        self.read(move |connection| {
            on_backend!(connection, |connection| {
                sessions::table
                    .filter(sessions::user_id.eq(user_id))
                    .order((sessions::created_at.desc(), sessions::id.desc()))
                    .select(Session::as_select())
                    .load(connection)
            })
        })
        .await
    }

    /// Ends the session `public_id` of the user `user_id`; whether there
    /// was one (another user's session is not found).
    pub async fn end_session(&self, user_id: UserId, public_id: &str) -> Result<bool, DbError> {
        let user_id = user_id.0;
        let public_id = public_id.to_owned();
        let ended = self
            .run_changing(Change::User(user_id), move |connection| {
                on_backend!(connection, |connection| {
                    diesel::delete(
                        sessions::table
                            .filter(sessions::user_id.eq(user_id))
                            .filter(sessions::public_id.eq(public_id)),
                    )
                    .execute(connection)
                })
            })
            .await?;
        Ok(ended > 0)
    }

    /// Ends every session of the user `user_id` but `keep`, if given; how
    /// many ended.
    pub async fn end_sessions(&self, user_id: UserId, keep: Option<i64>) -> Result<usize, DbError> {
        let user_id = user_id.0;
        self.run_changing(Change::User(user_id), move |connection| {
            on_backend!(connection, |connection| {
                let of_user = sessions::table.filter(sessions::user_id.eq(user_id));
                match keep {
                    Some(keep) => {
                        diesel::delete(of_user.filter(sessions::id.ne(keep))).execute(connection)
                    }
                    None => diesel::delete(of_user).execute(connection),
                }
            })
        })
        .await
    }
}
