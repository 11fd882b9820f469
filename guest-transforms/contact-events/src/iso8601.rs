//! A small, strict parser for the UTC timestamps Amazon Connect and EventBridge send.
//!
//! Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or `+00:00`, with 1 to 9
//! fraction digits (digits past the millisecond are truncated). Everything else — other
//! offsets, lowercase `t`/`z`, a missing seconds field, leap seconds, impossible dates — is
//! rejected, so a value either means exactly one instant or is not used as a time at all.
//! No date crate: the guest stays small and the rules stay visible here.

/// Milliseconds per day.
const MS_PER_DAY: i64 = 86_400_000;

/// Days in a 400-year Gregorian era.
const DAYS_PER_ERA: i64 = 146_097;

/// Days from 0000-03-01 (the first day of era 0) to 1970-01-01.
const EPOCH_FROM_ERA_ZERO: i64 = 719_468;

/// Parses a UTC timestamp into milliseconds since the Unix epoch, or `None` when `text` is not
/// in the accepted form (see the module documentation).
pub fn parse_utc_millis(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let (date_time, rest) = bytes.split_at_checked(19)?;

    let (days, ms_of_day) = parse_date_time(date_time)?;
    let (fraction_ms, offset) = parse_fraction(rest)?;

    if offset != b"Z" && offset != b"+00:00" {
        return None;
    }
    Some(days * MS_PER_DAY + ms_of_day + fraction_ms)
}

/// Parses `YYYY-MM-DDTHH:MM:SS` into days since the epoch and milliseconds into the day.
fn parse_date_time(bytes: &[u8]) -> Option<(i64, i64)> {
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(at, expected)| bytes[at] != expected)
    {
        return None;
    }

    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;

    let valid_date = (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
    if !valid_date || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let ms_of_day = ((hour * 60 + minute) * 60 + second) * 1000;
    Some((days_from_civil(year, month, day), ms_of_day))
}

/// Splits an optional `.fraction` off `rest`; returns its milliseconds and what follows it.
fn parse_fraction(rest: &[u8]) -> Option<(i64, &[u8])> {
    let Some(after_dot) = rest.strip_prefix(b".") else {
        return Some((0, rest));
    };
    let count = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=9).contains(&count) {
        return None;
    }

    let (fraction, offset) = after_dot.split_at(count);
    let mut ms = 0;
    for position in 0..3 {
        let digit = fraction.get(position).map_or(0, |b| i64::from(b - b'0'));
        ms = ms * 10 + digit;
    }
    Some((ms, offset))
}

/// Reads a run of ASCII digits as a number; `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
    })
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
///
/// Counts in 400-year eras that start on 1 March, so the leap day is the last day of its
/// year and the month lengths before it repeat every year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);

    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - EPOCH_FROM_ERA_ZERO
}

#[cfg(test)]
mod tests {
    use super::parse_utc_millis;

    #[test]
    fn epoch_is_zero() {
        assert_eq!(parse_utc_millis("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn whole_second_and_millisecond_forms_parse() {
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:40Z"),
            Some(1_741_079_680_000)
        );
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:51.208Z"),
            Some(1_741_079_691_208)
        );
    }

    #[test]
    fn zero_offset_equals_z() {
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:51.208+00:00"),
            Some(1_741_079_691_208)
        );
    }

    #[test]
    fn short_fractions_scale_and_long_fractions_truncate() {
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:51.2Z"),
            Some(1_741_079_691_200)
        );
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:51.20Z"),
            Some(1_741_079_691_200)
        );
        assert_eq!(
            parse_utc_millis("2025-03-04T09:14:51.208999999Z"),
            Some(1_741_079_691_208)
        );
    }

    #[test]
    fn leap_days_follow_the_gregorian_rules() {
        assert_eq!(
            parse_utc_millis("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(
            parse_utc_millis("2000-02-29T00:00:00Z"),
            Some(951_782_400_000)
        );
        assert_eq!(parse_utc_millis("2025-02-29T00:00:00Z"), None);
        assert_eq!(parse_utc_millis("1900-02-29T00:00:00Z"), None);
    }

    #[test]
    fn end_of_year_rolls_over() {
        assert_eq!(
            parse_utc_millis("2024-12-31T23:59:59.999Z"),
            Some(1_735_689_599_999)
        );
        assert_eq!(
            parse_utc_millis("2025-01-01T00:00:00Z"),
            Some(1_735_689_600_000)
        );
    }

    #[test]
    fn other_forms_are_rejected() {
        let rejected = [
            "",
            "2025-03-04",
            "2025-03-04T09:14Z",
            "2025-03-04T09:14:40",
            "2025-03-04 09:14:40Z",
            "2025-03-04t09:14:40z",
            "2025-03-04T09:14:40+01:00",
            "2025-03-04T09:14:40-00:00",
            "2025-03-04T09:14:40.Z",
            "2025-03-04T09:14:40.1234567890Z",
            "2025-03-04T09:14:40Z ",
            "2025-13-04T09:14:40Z",
            "2025-04-31T09:14:40Z",
            "2025-03-00T09:14:40Z",
            "2025-03-04T24:00:00Z",
            "2025-03-04T09:60:00Z",
            "2025-03-04T09:14:60Z",
            "+025-03-04T09:14:40Z",
            "2025-03-04T09:14:40.2a8Z",
            "2025-03-04T09:14:4éZ",
        ];
        for text in rejected {
            assert_eq!(parse_utc_millis(text), None, "{text:?} must be rejected");
        }
    }
}
