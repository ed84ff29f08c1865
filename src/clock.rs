//! The time as the database keeps it: Unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current Unix time in seconds.
pub fn now() -> i64 {
    i64::try_from(since_epoch().as_secs()).unwrap_or(i64::MAX)
}

/// The current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
}

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970")
}

/// `seconds` as an offset to Unix times.
pub fn seconds(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// The Unix time `ttl` seconds from now.
pub fn after(ttl: u64) -> i64 {
    now().saturating_add(seconds(ttl))
}

/// The Unix time `unix` as RFC 3339, in UTC: `2026-11-26T16:28:53Z`.
pub fn timestamp(unix: i64) -> String {
    let time =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    time.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
