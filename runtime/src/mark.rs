//! The mark of a soft delete: the operation's time, the same for every row the operation marks,
//! so a restore can bring back exactly those rows.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The last mark this process handed out, in microseconds since the epoch.
static LAST: AtomicU64 = AtomicU64::new(0);

/// A UTC timestamp, `YYYY-MM-DD HH:MM:SS.ffffff`, strictly later than any earlier mark of this
/// process, so two operations never share one.
pub fn operation_timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_micros() as u64);
    let mut previous = LAST.load(Ordering::Relaxed);
    let micros = loop {
        let next = now.max(previous + 1);
        match LAST.compare_exchange_weak(previous, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break next,
            Err(actual) => previous = actual,
        }
    };
    format_micros(i64::try_from(micros).unwrap_or(i64::MAX))
}

/// A caller's mark ([`DeleteOptions::mark`](crate::DeleteOptions::mark)) in the same form, to
/// the microsecond (truncated), before 1970 too.
pub(crate) fn timestamp_of(instant: SystemTime) -> String {
    let micros = match instant.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_micros()).unwrap_or(i64::MAX),
        // Truncated toward the past, as after the epoch.
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_micros()).unwrap_or(i64::MAX);
            let rest = u128::from(before.subsec_nanos() % 1_000 != 0);
            -whole - i64::try_from(rest).unwrap_or(0)
        }
    };
    format_micros(micros)
}

fn format_micros(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06}",
        of_day / 3_600,
        of_day / 60 % 60,
        of_day % 60,
        micros.rem_euclid(1_000_000)
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::format_micros;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_micros(0), "1970-01-01 00:00:00.000000");
        // 2000-02-29 12:34:56.789012 UTC
        assert_eq!(
            format_micros(951_827_696_789_012),
            "2000-02-29 12:34:56.789012"
        );
        // 2026-11-23 00:00:00 UTC
        assert_eq!(
            format_micros(1_795_392_000_000_000),
            "2026-11-23 00:00:00.000000"
        );
    }

    #[test]
    fn formats_a_callers_instant_before_and_after_the_epoch() {
        use std::time::{Duration, UNIX_EPOCH};
        let after = UNIX_EPOCH + Duration::from_nanos(951_827_696_789_012_345);
        assert_eq!(super::timestamp_of(after), "2000-02-29 12:34:56.789012");
        let before = UNIX_EPOCH - Duration::from_micros(1);
        assert_eq!(super::timestamp_of(before), "1969-12-31 23:59:59.999999");
        let before = UNIX_EPOCH - Duration::from_nanos(1_500);
        assert_eq!(super::timestamp_of(before), "1969-12-31 23:59:59.999998");
        let before = UNIX_EPOCH - Duration::from_secs(86_400 * 365);
        assert_eq!(super::timestamp_of(before), "1969-01-01 00:00:00.000000");
    }

    #[test]
    fn marks_strictly_increase() {
        let first = super::operation_timestamp();
        let second = super::operation_timestamp();
        assert!(second > first);
    }
}
