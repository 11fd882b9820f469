//! A strict parser for the ISO-8601 timestamps Amazon Connect, EventBridge and the host's
//! snapshot collector write, to milliseconds since the Unix epoch.
//!
//! Accepted form: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or a `±HH:MM` offset, with
//! upper-case `T` and `Z`, 1 to 9 fraction digits (digits past the millisecond are dropped,
//! not rounded) and seconds up to 59 (no leap seconds). [`parse_utc_epoch_ms`] accepts only
//! the UTC zones `Z` and `+00:00`. Anything else is an error: a lenient parser would turn a
//! malformed time into a silently wrong point in Timestream. No date crate: the guests stay
//! small and the rules stay visible here.

/// Why a timestamp was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The text does not have the expected shape at `position` (a byte offset).
    #[error("expected {expected} at byte {position}")]
    Syntax {
        expected: &'static str,
        position: usize,
    },

    /// A field has the right shape but an impossible value, such as month 13.
    #[error("{field} {value} is out of range")]
    OutOfRange { field: &'static str, value: u32 },

    /// [`parse_utc_epoch_ms`] only: the zone at `position` (a byte offset) is a valid offset
    /// other than `Z` or `+00:00`.
    #[error("expected 'Z' or '+00:00' at byte {position}")]
    NotUtc { position: usize },
}

/// Which zones a parse accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zones {
    /// `Z` or any `±HH:MM` offset.
    Any,
    /// `Z` or `+00:00` only.
    Utc,
}

/// The most fraction digits accepted (nanoseconds).
const MAX_FRACTION_DIGITS: usize = 9;

/// Parses `text` (e.g. `2025-03-04T09:00:01.902Z`) to milliseconds since the Unix epoch.
///
/// # Errors
///
/// [`TimestampError`] when the text is not in the accepted form or names an impossible date
/// or time.
pub fn parse_epoch_ms(text: &str) -> Result<i64, TimestampError> {
    parse(text, Zones::Any)
}

/// Parses `text` like [`parse_epoch_ms`], but accepts only the UTC zones `Z` and `+00:00`
/// (not `-00:00`, which RFC 3339 reserves for an unknown local offset).
///
/// # Errors
///
/// [`TimestampError`] as for [`parse_epoch_ms`], and [`TimestampError::NotUtc`] for any other
/// offset.
pub fn parse_utc_epoch_ms(text: &str) -> Result<i64, TimestampError> {
    parse(text, Zones::Utc)
}

fn parse(text: &str, zones: Zones) -> Result<i64, TimestampError> {
    let mut cursor = Cursor::new(text.as_bytes());

    let year = cursor.number(4, "a 4-digit year")?;
    cursor.literal(b'-', "'-'")?;
    let month = cursor.number(2, "a 2-digit month")?;
    cursor.literal(b'-', "'-'")?;
    let day = cursor.number(2, "a 2-digit day")?;
    cursor.literal(b'T', "'T'")?;
    let hour = cursor.number(2, "a 2-digit hour")?;
    cursor.literal(b':', "':'")?;
    let minute = cursor.number(2, "2-digit minutes")?;
    cursor.literal(b':', "':'")?;
    let second = cursor.number(2, "2-digit seconds")?;
    let millis = cursor.fraction_ms()?;
    let zone_start = cursor.position;
    let offset_minutes = cursor.offset_minutes()?;
    check_zone(text, zone_start, zones)?;
    cursor.end()?;

    check_date(year, month, day)?;
    check_range("hour", hour, 23)?;
    check_range("minute", minute, 59)?;
    check_range("second", second, 59)?;

    let days = days_from_civil(i64::from(year), month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Ok((seconds - offset_minutes * 60) * 1000 + i64::from(millis))
}

/// Reads the timestamp's bytes left to right.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn syntax(&self, expected: &'static str) -> TimestampError {
        TimestampError::Syntax {
            expected,
            position: self.position,
        }
    }

    /// Reads a single decimal digit.
    fn digit(&mut self, expected: &'static str) -> Result<u32, TimestampError> {
        match self.peek() {
            Some(byte @ b'0'..=b'9') => {
                self.position += 1;
                Ok(u32::from(byte - b'0'))
            }
            _ => Err(self.syntax(expected)),
        }
    }

    /// Reads exactly `width` decimal digits.
    fn number(&mut self, width: usize, expected: &'static str) -> Result<u32, TimestampError> {
        let mut value = 0;
        for _ in 0..width {
            value = value * 10 + self.digit(expected)?;
        }
        Ok(value)
    }

    fn literal(&mut self, byte: u8, expected: &'static str) -> Result<(), TimestampError> {
        if self.peek() != Some(byte) {
            return Err(self.syntax(expected));
        }
        self.position += 1;
        Ok(())
    }

    /// Reads an optional `.fraction` and returns it in whole milliseconds.
    fn fraction_ms(&mut self) -> Result<u32, TimestampError> {
        if self.peek() != Some(b'.') {
            return Ok(0);
        }
        self.position += 1;

        let mut millis = 0;
        let mut digits = 0;
        while matches!(self.peek(), Some(b'0'..=b'9')) && digits < MAX_FRACTION_DIGITS {
            let digit = self.digit("a fraction digit")?;
            if digits < 3 {
                millis = millis * 10 + digit;
            }
            digits += 1;
        }
        if digits == 0 {
            return Err(self.syntax("a fraction digit"));
        }

        Ok(millis * 10u32.pow(3usize.saturating_sub(digits) as u32))
    }

    /// Reads `Z` or `±HH:MM` and returns the offset from UTC in minutes.
    fn offset_minutes(&mut self) -> Result<i64, TimestampError> {
        let sign = match self.peek() {
            Some(b'Z') => {
                self.position += 1;
                return Ok(0);
            }
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(self.syntax("'Z' or a ±HH:MM offset")),
        };
        self.position += 1;

        let hours = self.number(2, "2-digit offset hours")?;
        self.literal(b':', "':'")?;
        let minutes = self.number(2, "2-digit offset minutes")?;
        check_range("offset hour", hours, 23)?;
        check_range("offset minute", minutes, 59)?;

        Ok(sign * i64::from(hours * 60 + minutes))
    }

    fn end(&self) -> Result<(), TimestampError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax("the end of the timestamp")),
        }
    }
}

/// Checks the zone that starts at `zone_start` against `zones`.
fn check_zone(text: &str, zone_start: usize, zones: Zones) -> Result<(), TimestampError> {
    let zone = &text.as_bytes()[zone_start..];
    let allowed = match zones {
        Zones::Any => true,
        Zones::Utc => zone.starts_with(b"Z") || zone.starts_with(b"+00:00"),
    };
    if allowed {
        return Ok(());
    }
    Err(TimestampError::NotUtc {
        position: zone_start,
    })
}

fn check_range(field: &'static str, value: u32, max: u32) -> Result<(), TimestampError> {
    if value > max {
        return Err(TimestampError::OutOfRange { field, value });
    }
    Ok(())
}

fn check_date(year: u32, month: u32, day: u32) -> Result<(), TimestampError> {
    if !(1..=12).contains(&month) {
        return Err(TimestampError::OutOfRange {
            field: "month",
            value: month,
        });
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(TimestampError::OutOfRange {
            field: "day",
            value: day,
        });
    }
    Ok(())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
///
/// Counts whole 400-year cycles (146 097 days each) in a calendar whose year starts on
/// 1 March, so that the leap day is the last day of its year.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let march_year = if month <= 2 { year - 1 } else { year };
    let cycle = march_year.div_euclid(400);
    let year_of_cycle = march_year - cycle * 400;

    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;

    // 719 468 days separate 0000-03-01 from 1970-01-01.
    cycle * 146_097 + day_of_cycle - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_connect_timestamp_with_milliseconds() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01.902Z"),
            Ok(1_741_078_801_902)
        );
    }

    #[test]
    fn parses_epoch_and_whole_seconds() {
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_epoch_ms("2000-03-01T00:00:00Z"), Ok(951_868_800_000));
    }

    #[test]
    fn treats_zero_offset_like_z() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01.902+00:00"),
            Ok(1_741_078_801_902)
        );
    }

    #[test]
    fn applies_non_zero_offsets() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T10:30:01.902+01:30"),
            Ok(1_741_078_801_902)
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T04:00:01.902-05:00"),
            Ok(1_741_078_801_902)
        );
    }

    #[test]
    fn keeps_milliseconds_of_short_and_long_fractions() {
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00.5Z"), Ok(500));
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00.12Z"), Ok(120));
        assert_eq!(parse_epoch_ms("1970-01-01T00:00:00.123999999Z"), Ok(123));
    }

    #[test]
    fn accepts_leap_day_only_in_leap_years() {
        assert_eq!(
            parse_epoch_ms("2024-02-29T00:00:00Z"),
            Ok(1_709_164_800_000)
        );
        assert_eq!(
            parse_epoch_ms("2025-02-29T00:00:00Z"),
            Err(TimestampError::OutOfRange {
                field: "day",
                value: 29
            })
        );
        assert_eq!(
            parse_epoch_ms("1900-02-29T00:00:00Z"),
            Err(TimestampError::OutOfRange {
                field: "day",
                value: 29
            })
        );
    }

    #[test]
    fn parses_dates_before_the_epoch() {
        assert_eq!(parse_epoch_ms("1969-12-31T23:59:59.999Z"), Ok(-1));
    }

    #[test]
    fn rejects_missing_zone() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01.902"),
            Err(TimestampError::Syntax {
                expected: "'Z' or a ±HH:MM offset",
                position: 23
            })
        );
    }

    #[test]
    fn rejects_space_separator_and_lower_case() {
        assert_eq!(
            parse_epoch_ms("2025-03-04 09:00:01Z"),
            Err(TimestampError::Syntax {
                expected: "'T'",
                position: 10
            })
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01z"),
            Err(TimestampError::Syntax {
                expected: "'Z' or a ±HH:MM offset",
                position: 19
            })
        );
    }

    #[test]
    fn rejects_empty_fraction_and_overlong_fraction() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01.Z"),
            Err(TimestampError::Syntax {
                expected: "a fraction digit",
                position: 20
            })
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01.1234567890Z"),
            Err(TimestampError::Syntax {
                expected: "'Z' or a ±HH:MM offset",
                position: 29
            })
        );
    }

    #[test]
    fn rejects_out_of_range_fields() {
        assert_eq!(
            parse_epoch_ms("2025-13-04T09:00:01Z"),
            Err(TimestampError::OutOfRange {
                field: "month",
                value: 13
            })
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T24:00:00Z"),
            Err(TimestampError::OutOfRange {
                field: "hour",
                value: 24
            })
        );
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:60Z"),
            Err(TimestampError::OutOfRange {
                field: "second",
                value: 60
            })
        );
    }

    #[test]
    fn rejects_trailing_text_and_short_input() {
        assert_eq!(
            parse_epoch_ms("2025-03-04T09:00:01Zx"),
            Err(TimestampError::Syntax {
                expected: "the end of the timestamp",
                position: 20
            })
        );
        assert_eq!(
            parse_epoch_ms("2025-03"),
            Err(TimestampError::Syntax {
                expected: "'-'",
                position: 7
            })
        );
        assert_eq!(
            parse_epoch_ms("1741078801902"),
            Err(TimestampError::Syntax {
                expected: "'-'",
                position: 4
            })
        );
    }

    #[test]
    fn utc_only_accepts_z_and_zero_offset() {
        assert_eq!(
            parse_utc_epoch_ms("2025-03-04T09:14:51.208Z"),
            Ok(1_741_079_691_208)
        );
        assert_eq!(
            parse_utc_epoch_ms("2025-03-04T09:14:51.208+00:00"),
            Ok(1_741_079_691_208)
        );
        assert_eq!(
            parse_utc_epoch_ms("2024-12-31T23:59:59.999Z"),
            Ok(1_735_689_599_999)
        );
    }

    #[test]
    fn utc_only_rejects_other_offsets() {
        for text in ["2025-03-04T09:14:40+01:00", "2025-03-04T09:14:40-00:00"] {
            assert_eq!(
                parse_utc_epoch_ms(text),
                Err(TimestampError::NotUtc { position: 19 }),
                "{text:?}"
            );
        }
    }

    /// The forms `contact-events` and `instance-data` rejected before they shared this parser.
    #[test]
    fn both_entry_points_reject_other_forms() {
        let rejected = [
            "",
            "2025-03-04",
            "2025-03-04T09:14Z",
            "2025-03-04T09:14:40",
            "2025-03-04 09:14:40Z",
            "2025-03-04t09:14:40z",
            "2025-03-04T09:05:00+0100",
            "2025-03-04T09:05:00+24:00",
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
            "1741079100000",
        ];
        for text in rejected {
            assert!(parse_epoch_ms(text).is_err(), "{text:?} must be rejected");
            assert!(
                parse_utc_epoch_ms(text).is_err(),
                "{text:?} must be rejected"
            );
        }
    }
}
