//! Timestamps as the seed's records had them (JavaScript's `toISOString()`):
//! UTC, always three fractional digits, `2026-11-26T02:45:56.120Z`.

use std::time::{SystemTime, UNIX_EPOCH};

/// `2026-11-26T02:45:56.120Z`.
pub fn iso8601_millis(t: SystemTime) -> String {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (secs, millis) = (ms_of_day / 1000, ms_of_day % 1000);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Milliseconds since the epoch (the EMF `Timestamp`).
pub fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(ms: u64) -> String {
        iso8601_millis(UNIX_EPOCH + Duration::from_millis(ms))
    }

    #[test]
    fn always_three_fractional_digits() {
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(1_795_660_000_000), "2026-11-26T02:26:40.000Z");
        assert_eq!(at(1_795_660_000_120), "2026-11-26T02:26:40.120Z");
        assert_eq!(at(1_795_660_000_007), "2026-11-26T02:26:40.007Z");
    }

    #[test]
    fn leap_days_and_year_ends() {
        assert_eq!(at(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_704_067_199_999), "2023-12-31T23:59:59.999Z");
        assert_eq!(at(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    }
}
