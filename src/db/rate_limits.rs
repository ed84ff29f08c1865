//! The `rate_limits` table: per-key rate limits shared by every instance,
//! kept as GCRA's "theoretical arrival time" (one row and one number per
//! key: no log of requests to count).

use diesel::prelude::*;

use super::schema::rate_limits;
use super::{on_backend, DbConnection, DbError, DB};

/// A rate: `limit` requests per `period_ms` milliseconds, as a burst or
/// spread out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub period_ms: i64,
}

impl Rate {
    /// The time one request takes up.
    fn interval_ms(self) -> i64 {
        self.period_ms / i64::from(self.limit.max(1))
    }

    /// What a request at `now_ms` makes of `key`'s arrival time
    /// `arrival_ms`: the new arrival time if it is allowed, else how long
    /// to wait (milliseconds).
    fn take(self, arrival_ms: i64, now_ms: i64) -> Result<i64, i64> {
        let next = arrival_ms.max(now_ms).saturating_add(self.interval_ms());
        let ahead = next.saturating_sub(now_ms);
        if ahead <= self.period_ms {
            Ok(next)
        } else {
            Err(ahead - self.period_ms)
        }
    }
}

/// How often a concurrent instance may win the race for one key before a
/// request gives up (and is refused, to be tried again).
const RETRIES: usize = 8;

impl DB {
    /// Counts one request of `key` at `now_ms` against `rate`: `None` when
    /// it is allowed, else how many milliseconds to wait. Atomic across
    /// instances: the arrival time only moves from the value read.
    pub async fn take_rate(
        &self,
        key: &str,
        rate: Rate,
        now_ms: i64,
    ) -> Result<Option<i64>, DbError> {
        let key = key.to_owned();
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                connection.transaction(|connection| {
                    diesel::insert_into(rate_limits::table)
                        .values((
                            rate_limits::key.eq(&key),
                            rate_limits::arrival_ms.eq(now_ms),
                        ))
                        .on_conflict_do_nothing()
                        .execute(connection)?;
                    let row = rate_limits::table.find(&key);
                    for _ in 0..RETRIES {
                        let arrival: i64 = row.select(rate_limits::arrival_ms).first(connection)?;
                        let next = match rate.take(arrival, now_ms) {
                            Ok(next) => next,
                            Err(wait) => return Ok(Some(wait)),
                        };
                        let moved = diesel::update(row.filter(rate_limits::arrival_ms.eq(arrival)))
                            .set(rate_limits::arrival_ms.eq(next))
                            .execute(connection)?;
                        if moved > 0 {
                            return Ok(None);
                        }
                    }
                    Ok(Some(rate.interval_ms()))
                })
            })
        })
        .await
    }

    /// Deletes the keys whose arrival time is past at `now_ms`: they
    /// count as new.
    pub async fn forget_rates_before(&self, now_ms: i64) -> Result<usize, DbError> {
        self.run(move |connection| {
            on_backend!(connection, |connection| {
                diesel::delete(rate_limits::table.filter(rate_limits::arrival_ms.lt(now_ms)))
                    .execute(connection)
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_allows_its_burst_then_one_per_interval() {
        let rate = Rate {
            limit: 3,
            period_ms: 3_000,
        };
        let mut arrival = 0;
        for _ in 0..3 {
            arrival = rate.take(arrival, 10_000).expect("within the burst");
        }
        assert_eq!(arrival, 13_000);
        assert_eq!(rate.take(arrival, 10_000), Err(1_000));
        assert_eq!(rate.take(arrival, 10_999), Err(1));
        assert_eq!(rate.take(arrival, 11_000), Ok(14_000));
        // Idle long enough, the whole burst is back.
        assert_eq!(rate.take(14_000, 20_000), Ok(21_000));
    }
}
