//! A small, strict parser for the snapshot's `CollectedAt` timestamp.
//!
//! Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or a `±HH:MM` offset, with 1 to
//! 9 fraction digits (digits past the millisecond are dropped). Lower-case `t`/`z`, a space
//! separator, leap seconds and impossible dates are rejected: a time read leniently would
//! become a silently wrong point in Timestream.

/// Milliseconds per day.
const MS_PER_DAY: i64 = 86_400_000;

/// Parses `text` to milliseconds since the Unix epoch, or `None` when it is not in the
/// accepted form (see the module documentation).
pub fn parse_epoch_ms(text: &str) -> Option<i64> {
    let (date_time, rest) = text.as_bytes().split_at_checked(19)?;

    let (days, ms_of_day) = date_time_ms(date_time)?;
    let (fraction_ms, zone) = fraction(rest)?;
    let offset_ms = offset_ms(zone)?;

    Some(days * MS_PER_DAY + ms_of_day + fraction_ms - offset_ms)
}

/// Reads `YYYY-MM-DDTHH:MM:SS` as days since the epoch and milliseconds into the day.
fn date_time_ms(bytes: &[u8]) -> Option<(i64, i64)> {
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }

    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;

    let date_ok = (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
    if !date_ok || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let ms_of_day = ((hour * 60 + minute) * 60 + second) * 1000;
    Some((days_from_civil(year, month, day), ms_of_day))
}

/// Splits an optional `.fraction` off `rest`: its whole milliseconds and what follows.
fn fraction(rest: &[u8]) -> Option<(i64, &[u8])> {
    let Some(after_dot) = rest.strip_prefix(b".") else {
        return Some((0, rest));
    };
    let count = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=9).contains(&count) {
        return None;
    }

    let (fraction, zone) = after_dot.split_at(count);
    let ms = (0..3).fold(0, |ms, at| {
        ms * 10 + fraction.get(at).map_or(0, |b| i64::from(b - b'0'))
    });
    Some((ms, zone))
}

/// Reads `Z` or `±HH:MM` as the zone's offset from UTC in milliseconds.
fn offset_ms(zone: &[u8]) -> Option<i64> {
    if zone == b"Z" {
        return Some(0);
    }
    let [sign, h1, h2, b':', m1, m2] = *zone else {
        return None;
    };

    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = digits(&[h1, h2])?;
    let minutes = digits(&[m1, m2])?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes) * 60_000)
}

/// Reads a run of ASCII digits as a number; `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
///
/// Counts 400-year eras (146 097 days) of years that start on 1 March, so the leap day is
/// the last day of its year; 719 468 days separate 0000-03-01 from the epoch.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);

    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_epoch_ms;

    #[test]
    fn reads_the_epoch_and_a_collection_time() {
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:05:00.000Z"),
            Some(1_741_079_100_000)
        );
    }

    #[test]
    fn applies_offsets() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T10:35:00+01:30"),
            Some(1_741_079_100_000)
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T04:05:00-05:00"),
            Some(1_741_079_100_000)
        );
    }

    #[test]
    fn scales_short_fractions_and_truncates_long_ones() {
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00.123999999Z"), Some(123));
    }

    #[test]
    fn follows_the_gregorian_leap_rules() {
        assert_eq!(
            parse_epoch_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(
            parse_epoch_ms("2000-02-29T00:00:00Z"),
            Some(951_782_400_000)
        );
        assert_eq!(parse_epoch_ms("2025-02-29T00:00:00Z"), None);
        assert_eq!(parse_epoch_ms("1900-02-29T00:00:00Z"), None);
    }

    #[test]
    fn reads_times_before_the_epoch() {
        assert_eq!(parse_epoch_ms("1969-12-31T23:59:59.999Z"), Some(-1));
    }

    #[test]
    fn rejects_other_forms() {
        let rejected = [
            "",
            "2025-03-04",
            "2025-03-04T09:05Z",
            "2025-03-04T09:05:00",
            "2025-03-04 09:05:00Z",
            "2025-03-04t09:05:00z",
            "2025-03-04T09:05:00+0100",
            "2025-03-04T09:05:00+24:00",
            "2025-03-04T09:05:00.Z",
            "2025-03-04T09:05:00.1234567890Z",
            "2025-03-04T09:05:00Z ",
            "2025-13-04T09:05:00Z",
            "2025-04-31T09:05:00Z",
            "2025-03-04T24:00:00Z",
            "2025-03-04T09:05:60Z",
            "+025-03-04T09:05:00Z",
            "2025-03-04T09:05:0éZ",
            "1741079100000",
        ];
        for text in rejected {
            assert_eq!(parse_epoch_ms(text), None, "{text:?} must be rejected");
        }
    }
}
