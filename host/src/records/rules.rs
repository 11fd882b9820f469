//! Timestream's write rules for a single record, checked on the host before any write.
//!
//! Timestream refuses a record that breaks one of its quotas, but only after a network round
//! trip, and it reports the refusal per record in words that do not always name the field.
//! [`check`] applies the same rules locally and says which field or column broke which limit,
//! so a faulty transform is visible in the host's own logs and the embedded store refuses
//! exactly what Timestream would.
//!
//! Every limit is a named constant below with the quota it mirrors. Sizes are counted in
//! UTF-8 bytes, as Timestream counts them, never in characters.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::contract::{Dimension, Measure, MeasureValue, TimeUnit, TimestreamRecord};
use crate::store::{RejectReason, Rejection};

/// Most records one `WriteRecords` request may carry (Timestream quota "Records per
/// WriteRecords API request"). Stores split a transform's output into chunks of this size, so
/// a guest that emits thousands of records per event costs many requests, not a failed one.
pub const MAX_RECORDS_PER_WRITE: usize = 100;

/// Longest table name, in bytes (Timestream quota "Table name length"). Defends against a
/// transform that derives the table name from event data.
pub const MAX_TABLE_NAME_BYTES: usize = 256;

/// Longest measure name, in bytes: the record's `measure_name` and each measure's own name
/// (Timestream quota "Measure name length"). Defends against names flattened from deeply
/// nested JSON paths.
pub const MAX_MEASURE_NAME_BYTES: usize = 256;

/// Most dimensions a record may carry (Timestream quota "Dimensions per table", also the
/// `WriteRecords` API's limit on `Dimensions`). Defends against a transform that turns every
/// field of an event into a dimension.
pub const MAX_DIMENSIONS: usize = 128;

/// Longest dimension name, in bytes (Timestream quota "Dimension name length"). Much shorter
/// than a measure name: a flattened path such as
/// `CurrentAgentSnapshot_Configuration_RoutingProfile_Name` (54 bytes) is close to it.
pub const MAX_DIMENSION_NAME_BYTES: usize = 60;

/// Longest dimension value, in bytes (the `WriteRecords` API's limit on a dimension value).
/// Defends against a whole JSON object or a free-text attribute used as a dimension.
pub const MAX_DIMENSION_VALUE_BYTES: usize = 2048;

/// Most bytes all dimension names and values of a record may add up to (Timestream quota
/// "Dimension name dimension value pair size per series"). The series key is built from
/// them; many medium-sized dimensions break this before any single one breaks its own limit.
pub const MAX_DIMENSIONS_TOTAL_BYTES: usize = 2048;

/// Most measures one multi-measure record may carry (Timestream quota "Measures per
/// multi-measure record"). Defends against a transform that flattens an unbounded list.
pub const MAX_MEASURES: usize = 256;

/// Longest VARCHAR measure value, in bytes (Timestream's limit on a measure value). Defends
/// against raw payloads or long free text (chat transcripts, attributes) stored as a measure.
pub const MAX_VARCHAR_BYTES: usize = 2048;

/// Largest record, in bytes as Timestream meters it (Timestream quota "Maximum record size";
/// see [`record_size`]). The limit that a record with many measures meets first.
pub const MAX_RECORD_BYTES: usize = 2048;

/// Bytes Timestream meters for a record's time.
const TIME_BYTES: usize = 8;

/// Bytes Timestream meters for a BIGINT, DOUBLE or TIMESTAMP value.
const FIXED_WIDTH_VALUE_BYTES: usize = 8;

/// Bytes Timestream meters for a BOOLEAN value.
const BOOLEAN_BYTES: usize = 1;

/// How far back a record's time may lie by default: 25 hours, the memory-store retention of
/// this product's tables. Timestream rejects older records unless magnetic-store writes are
/// enabled, which the product's tables do not enable. Defends against replays of old events
/// and transforms that take the wrong timestamp field.
pub const DEFAULT_MEMORY_RETENTION: Duration = Duration::from_secs(25 * 60 * 60);

/// How far ahead of the clock a record's time may lie: 15 minutes (Timestream quota "Future
/// ingestion period"). Defends against a time in the wrong unit (seconds read as
/// milliseconds lands in 1970, milliseconds read as seconds lands far in the future).
pub const DEFAULT_MAX_FUTURE: Duration = Duration::from_secs(15 * 60);

/// Column names Timestream uses for its own columns; compared case-insensitively.
const RESERVED_NAMES: [&str; 2] = ["time", "measure_name"];

/// Name prefixes Timestream reserves (`measure_value::double` and the like, `ts_...`);
/// compared case-insensitively.
const RESERVED_PREFIXES: [&str; 2] = ["measure_value", "ts_"];

/// How many characters of an offending name or value a message quotes.
const QUOTED_CHARS: usize = 48;

/// The table settings the record rules depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRules {
    /// The table's memory-store retention: records older than `now - memory_retention` are
    /// refused. Defaults to [`DEFAULT_MEMORY_RETENTION`].
    pub memory_retention: Duration,
    /// How far ahead of `now` a record may lie. Defaults to [`DEFAULT_MAX_FUTURE`].
    pub max_future: Duration,
}

impl Default for WriteRules {
    fn default() -> Self {
        Self {
            memory_retention: DEFAULT_MEMORY_RETENTION,
            max_future: DEFAULT_MAX_FUTURE,
        }
    }
}

impl WriteRules {
    /// The accepted record times at clock time `now_ms`, in nanoseconds since the Unix epoch,
    /// both ends included.
    pub fn window_nanos(&self, now_ms: i64) -> (i128, i128) {
        let now = i128::from(now_ms) * 1_000_000;
        let back = i128::try_from(self.memory_retention.as_nanos()).unwrap_or(i128::MAX);
        let ahead = i128::try_from(self.max_future.as_nanos()).unwrap_or(i128::MAX);
        (now.saturating_sub(back), now.saturating_add(ahead))
    }
}

/// Checks one record against Timestream's write rules at clock time `now_ms` (milliseconds
/// since the Unix epoch).
///
/// # Errors
///
/// The first rule the record breaks, as a [`Rejection`] whose message names the field or
/// column and the sizes involved: [`RejectReason::OutsideWriteWindow`] for a time outside
/// the window of `rules`, [`RejectReason::InvalidRecord`] for everything else.
pub fn check(record: &TimestreamRecord, now_ms: i64, rules: &WriteRules) -> Result<(), Rejection> {
    check_name("table name", &record.table, MAX_TABLE_NAME_BYTES)?;
    check_name("measure_name", &record.measure_name, MAX_MEASURE_NAME_BYTES)?;

    check_dimensions(&record.dimensions)?;
    check_measures(&record.measures)?;
    check_column_names(record)?;

    check_record_size(record)?;
    check_time(record, now_ms, rules)
}

/// The record's size as Timestream meters it against [`MAX_RECORD_BYTES`]: 8 bytes for the
/// time, the UTF-8 bytes of every dimension name and value, of `measure_name` and of every
/// measure name, plus each measure value (1 byte for BOOLEAN, 8 for BIGINT, DOUBLE and
/// TIMESTAMP, its UTF-8 bytes for VARCHAR).
pub fn record_size(record: &TimestreamRecord) -> usize {
    let dimensions: usize = record.dimensions.iter().map(dimension_bytes).sum();
    let measures: usize = record
        .measures
        .iter()
        .map(|measure| measure.name.len() + value_size(&measure.value))
        .sum();

    TIME_BYTES + dimensions + record.measure_name.len() + measures
}

/// The record's time in nanoseconds since the Unix epoch, exact for every time unit.
pub fn record_time_nanos(record: &TimestreamRecord) -> i128 {
    let nanos_per_unit: i128 = match record.time_unit {
        TimeUnit::Seconds => 1_000_000_000,
        TimeUnit::Milliseconds => 1_000_000,
        TimeUnit::Microseconds => 1_000,
        TimeUnit::Nanoseconds => 1,
    };
    i128::from(record.time) * nanos_per_unit
}

fn value_size(value: &MeasureValue) -> usize {
    match value {
        MeasureValue::Boolean(_) => BOOLEAN_BYTES,
        MeasureValue::Bigint(_) | MeasureValue::Double(_) | MeasureValue::Timestamp(_) => {
            FIXED_WIDTH_VALUE_BYTES
        }
        MeasureValue::Varchar(text) => text.len(),
    }
}

fn dimension_bytes(dimension: &Dimension) -> usize {
    dimension.name.len() + dimension.value.len()
}

/// A name must be 1 to `max` bytes long.
fn check_name(what: &str, name: &str, max: usize) -> Result<(), Rejection> {
    if name.is_empty() {
        return Err(invalid(format!("the {what} is empty")));
    }
    if name.len() > max {
        let len = name.len();
        let shown = quote(name);
        return Err(invalid(format!(
            "{what} `{shown}` is {len} bytes; the limit is {max}"
        )));
    }
    Ok(())
}

/// A list must hold 1 to `max` items.
fn check_count(what: &str, count: usize, max: usize) -> Result<(), Rejection> {
    if count == 0 {
        return Err(invalid(format!(
            "the record has no {what}; it needs at least one"
        )));
    }
    if count > max {
        return Err(invalid(format!(
            "the record has {count} {what}; the limit is {max}"
        )));
    }
    Ok(())
}

fn check_dimensions(dimensions: &[Dimension]) -> Result<(), Rejection> {
    check_count("dimensions", dimensions.len(), MAX_DIMENSIONS)?;
    for dimension in dimensions {
        check_dimension(dimension)?;
    }

    let total: usize = dimensions.iter().map(dimension_bytes).sum();
    if total > MAX_DIMENSIONS_TOTAL_BYTES {
        return Err(invalid(format!(
            "dimension names and values add up to {total} bytes; the limit is \
             {MAX_DIMENSIONS_TOTAL_BYTES}"
        )));
    }
    Ok(())
}

/// Names are quoted only once a rule is broken: this runs for every record of every batch.
fn check_dimension(dimension: &Dimension) -> Result<(), Rejection> {
    check_name("dimension name", &dimension.name, MAX_DIMENSION_NAME_BYTES)?;
    let name = || quote(&dimension.name);
    if dimension.name.contains(':') {
        return Err(invalid(format!(
            "dimension name `{}` contains `:`, which Timestream does not allow in dimension \
             names",
            name()
        )));
    }

    let len = dimension.value.len();
    if len == 0 {
        return Err(invalid(format!(
            "dimension `{}` has an empty value",
            name()
        )));
    }
    if len > MAX_DIMENSION_VALUE_BYTES {
        return Err(invalid(format!(
            "dimension `{}` value is {len} bytes; the limit is {MAX_DIMENSION_VALUE_BYTES}",
            name()
        )));
    }
    Ok(())
}

fn check_measures(measures: &[Measure]) -> Result<(), Rejection> {
    check_count("measures", measures.len(), MAX_MEASURES)?;
    measures.iter().try_for_each(check_measure)
}

fn check_measure(measure: &Measure) -> Result<(), Rejection> {
    check_name("measure name", &measure.name, MAX_MEASURE_NAME_BYTES)?;
    let name = || quote(&measure.name);

    match &measure.value {
        MeasureValue::Varchar(text) if text.is_empty() => Err(invalid(format!(
            "measure `{}` is an empty VARCHAR; Timestream has no empty value, leave the \
             measure out instead",
            name()
        ))),
        MeasureValue::Varchar(text) if text.len() > MAX_VARCHAR_BYTES => {
            let len = text.len();
            Err(invalid(format!(
                "measure `{}` VARCHAR value is {len} bytes; the limit is {MAX_VARCHAR_BYTES}",
                name()
            )))
        }
        MeasureValue::Double(value) if !value.is_finite() => Err(invalid(format!(
            "measure `{}` is DOUBLE {value}; Timestream stores only finite numbers",
            name()
        ))),
        _ => Ok(()),
    }
}

/// Every column name is used once (dimensions and measures share one namespace, compared
/// exactly, as Timestream's names are case-sensitive) and none is a reserved system column.
///
/// A record has a few dozen columns, so duplicates are found by sorting their names in a
/// small vector rather than hashing them.
fn check_column_names(record: &TimestreamRecord) -> Result<(), Rejection> {
    for (name, kind) in columns(record) {
        check_not_reserved(name, kind)?;
    }

    let mut names: Vec<&str> = columns(record).map(|(name, _)| name).collect();
    names.sort_unstable();
    match names.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(used_twice(pair[0], record)),
        None => Ok(()),
    }
}

/// The record's column names with their kind: dimensions first, then measures.
fn columns(record: &TimestreamRecord) -> impl Iterator<Item = (&str, &'static str)> {
    let dimensions = record
        .dimensions
        .iter()
        .map(|d| (d.name.as_str(), "dimension"));
    let measures = record.measures.iter().map(|m| (m.name.as_str(), "measure"));
    dimensions.chain(measures)
}

/// The rejection for `name`, which appears more than once among the record's columns.
fn used_twice(name: &str, record: &TimestreamRecord) -> Rejection {
    let mut kinds = columns(record)
        .filter(|&(column, _)| column == name)
        .map(|(_, kind)| kind);
    let first = kinds.next().unwrap_or("column");
    let second = kinds.next().unwrap_or("column");
    let name = quote(name);
    invalid(format!(
        "`{name}` is used twice in the record, as a {first} and as a {second}; each column \
         name may appear once"
    ))
}

fn check_not_reserved(name: &str, kind: &str) -> Result<(), Rejection> {
    let reserved = RESERVED_NAMES
        .iter()
        .any(|reserved| name.eq_ignore_ascii_case(reserved))
        || RESERVED_PREFIXES.iter().any(|prefix| {
            name.as_bytes()
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
        });
    if reserved {
        let name = quote(name);
        return Err(invalid(format!(
            "{kind} name `{name}` is reserved for Timestream's system columns (`time`, \
             `measure_name`, `measure_value...`, `ts_...`)"
        )));
    }
    Ok(())
}

fn check_record_size(record: &TimestreamRecord) -> Result<(), Rejection> {
    let size = record_size(record);
    if size > MAX_RECORD_BYTES {
        return Err(invalid(format!(
            "the record is {size} bytes as Timestream meters it; the limit is {MAX_RECORD_BYTES}"
        )));
    }
    Ok(())
}

fn check_time(record: &TimestreamRecord, now_ms: i64, rules: &WriteRules) -> Result<(), Rejection> {
    let time = record_time_nanos(record);
    let (earliest, latest) = rules.window_nanos(now_ms);
    if (earliest..=latest).contains(&time) {
        return Ok(());
    }

    let why = if time < earliest {
        format!(
            "older than the {} memory-store retention",
            span(rules.memory_retention)
        )
    } else {
        format!("more than {} ahead of the clock", span(rules.max_future))
    };
    let message = format!(
        "record time {} is outside the write window {} to {}: {why}",
        rfc3339(time),
        rfc3339(earliest),
        rfc3339(latest),
    );
    Err(Rejection::new(RejectReason::OutsideWriteWindow, message))
}

fn invalid(message: String) -> Rejection {
    Rejection::new(RejectReason::InvalidRecord, message)
}

/// Quotes at most [`QUOTED_CHARS`] characters of `text`, so one oversized name cannot flood
/// a log line.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Formats nanoseconds since the Unix epoch as RFC 3339 (UTC), or as the raw number when the
/// instant is beyond what a calendar date can show.
fn rfc3339(nanos: i128) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|instant| instant.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{nanos} ns since the Unix epoch"))
}

/// Shows a duration in the largest whole unit: `25 h`, `15 min` or `90 s`.
fn span(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs > 0 && secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs > 0 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-06-01T12:00:00Z.
    const NOW_MS: i64 = 1_748_779_200_000;
    const HOUR_MS: i64 = 3_600_000;

    fn dimension(name: &str, value: &str) -> Dimension {
        Dimension {
            name: name.to_owned(),
            value: value.to_owned(),
        }
    }

    fn measure(name: &str, value: MeasureValue) -> Measure {
        Measure {
            name: name.to_owned(),
            value,
        }
    }

    fn varchar(name: &str, value: &str) -> Measure {
        measure(name, MeasureValue::Varchar(value.to_owned()))
    }

    /// A valid AgentEvent record at `NOW_MS`.
    fn record() -> TimestreamRecord {
        TimestreamRecord {
            table: "AgentEvent".to_owned(),
            dimensions: vec![dimension("AgentARN", "arn:aws:connect:eu-west-2:agent/a1")],
            measure_name: "AgentEvent".to_owned(),
            measures: vec![varchar("EventType", "LOGIN")],
            time: NOW_MS,
            time_unit: TimeUnit::Milliseconds,
            version: 1,
        }
    }

    fn with_dimensions(dimensions: Vec<Dimension>) -> TimestreamRecord {
        TimestreamRecord {
            dimensions,
            ..record()
        }
    }

    fn with_measures(measures: Vec<Measure>) -> TimestreamRecord {
        TimestreamRecord {
            measures,
            ..record()
        }
    }

    fn at_ms(time: i64) -> TimestreamRecord {
        TimestreamRecord { time, ..record() }
    }

    fn run(record: &TimestreamRecord) -> Result<(), Rejection> {
        check(record, NOW_MS, &WriteRules::default())
    }

    fn invalid_with(message: &str) -> Result<(), Rejection> {
        Err(Rejection::new(RejectReason::InvalidRecord, message))
    }

    fn outside_with(message: &str) -> Result<(), Rejection> {
        Err(Rejection::new(RejectReason::OutsideWriteWindow, message))
    }

    #[test]
    fn a_plain_agent_event_record_is_accepted() {
        assert_eq!(run(&record()), Ok(()));
    }

    #[test]
    fn dimension_value_of_2048_bytes_passes_the_value_limit() {
        assert_eq!(check_dimension(&dimension("D", &"v".repeat(2048))), Ok(()));
    }

    #[test]
    fn dimension_value_of_2049_bytes_breaks_the_value_limit() {
        assert_eq!(
            check_dimension(&dimension("D", &"v".repeat(2049))),
            invalid_with("dimension `D` value is 2049 bytes; the limit is 2048"),
        );
    }

    #[test]
    fn dimension_value_of_2048_bytes_still_breaks_the_total_with_its_name() {
        let record = with_dimensions(vec![dimension("D", &"v".repeat(2048))]);
        assert_eq!(
            run(&record),
            invalid_with("dimension names and values add up to 2049 bytes; the limit is 2048"),
        );
    }

    #[test]
    fn dimension_value_of_3_kb_is_rejected_naming_the_dimension() {
        let record = with_dimensions(vec![
            dimension("AgentARN", "arn:aws:connect:eu-west-2:agent/a1"),
            dimension("Attributes", &"x".repeat(3 * 1024)),
        ]);
        assert_eq!(
            run(&record),
            invalid_with("dimension `Attributes` value is 3072 bytes; the limit is 2048"),
        );
    }

    #[test]
    fn dimension_value_counts_utf8_bytes_not_characters() {
        // 683 three-byte characters: 2049 bytes, 683 characters.
        let value = "€".repeat(683);
        assert_eq!(
            check_dimension(&dimension("Queue", &value)),
            invalid_with("dimension `Queue` value is 2049 bytes; the limit is 2048"),
        );
    }

    #[test]
    fn empty_dimension_value_is_rejected() {
        assert_eq!(
            run(&with_dimensions(vec![dimension("AgentARN", "")])),
            invalid_with("dimension `AgentARN` has an empty value"),
        );
    }

    #[test]
    fn dimension_name_of_60_bytes_is_accepted() {
        let record = with_dimensions(vec![dimension(&"n".repeat(60), "v")]);
        assert_eq!(run(&record), Ok(()));
    }

    #[test]
    fn dimension_name_of_61_bytes_is_rejected() {
        let name = "n".repeat(61);
        let record = with_dimensions(vec![dimension(&name, "v")]);
        let shown = format!("{}...", "n".repeat(48));
        assert_eq!(
            run(&record),
            invalid_with(&format!(
                "dimension name `{shown}` is 61 bytes; the limit is 60"
            )),
        );
    }

    #[test]
    fn dimension_name_with_a_colon_is_rejected() {
        assert_eq!(
            run(&with_dimensions(vec![dimension("Queue:Name", "Sales")])),
            invalid_with(
                "dimension name `Queue:Name` contains `:`, which Timestream does not allow in \
                 dimension names"
            ),
        );
    }

    fn numbered_dimensions(count: usize) -> Vec<Dimension> {
        (0..count)
            .map(|i| dimension(&format!("d{i:03}"), "v"))
            .collect()
    }

    #[test]
    fn record_with_128_dimensions_is_accepted() {
        assert_eq!(run(&with_dimensions(numbered_dimensions(128))), Ok(()));
    }

    #[test]
    fn record_with_129_dimensions_is_rejected() {
        assert_eq!(
            run(&with_dimensions(numbered_dimensions(129))),
            invalid_with("the record has 129 dimensions; the limit is 128"),
        );
    }

    #[test]
    fn record_without_dimensions_is_rejected() {
        assert_eq!(
            run(&with_dimensions(Vec::new())),
            invalid_with("the record has no dimensions; it needs at least one"),
        );
    }

    #[test]
    fn dimensions_adding_up_to_2048_bytes_pass_the_total_limit() {
        let dimensions = [
            dimension("a", &"v".repeat(1500)),
            dimension("b", &"v".repeat(546)),
        ];
        assert_eq!(check_dimensions(&dimensions), Ok(()));
    }

    #[test]
    fn dimensions_adding_up_to_2049_bytes_break_the_total_limit() {
        let dimensions = [
            dimension("a", &"v".repeat(1500)),
            dimension("b", &"v".repeat(547)),
        ];
        assert_eq!(
            check_dimensions(&dimensions),
            invalid_with("dimension names and values add up to 2049 bytes; the limit is 2048"),
        );
    }

    /// 8 (time) + 8 + 100 (dimension) + 10 (measure_name) + 4 (measure name) + the note.
    fn record_with_note_bytes(note_bytes: usize) -> TimestreamRecord {
        TimestreamRecord {
            dimensions: vec![dimension("AgentARN", &"a".repeat(100))],
            measures: vec![varchar("Note", &"n".repeat(note_bytes))],
            ..record()
        }
    }

    #[test]
    fn record_of_2048_bytes_is_accepted() {
        let record = record_with_note_bytes(1918);
        assert_eq!(record_size(&record), 2048);
        assert_eq!(run(&record), Ok(()));
    }

    #[test]
    fn record_of_2049_bytes_is_rejected() {
        assert_eq!(
            run(&record_with_note_bytes(1919)),
            invalid_with("the record is 2049 bytes as Timestream meters it; the limit is 2048"),
        );
    }

    #[test]
    fn record_size_meters_each_measure_type_as_timestream_does() {
        let record = with_measures(vec![
            measure("OnContact", MeasureValue::Boolean(true)),
            measure("Slots", MeasureValue::Bigint(3)),
            measure("Score", MeasureValue::Double(0.5)),
            measure("StartedAt", MeasureValue::Timestamp(NOW_MS)),
            varchar("Status", "Available"),
        ]);
        // time 8; "AgentARN" 8 + value 34; "AgentEvent" 10; "OnContact" 9 + 1; "Slots" 5 + 8;
        // "Score" 5 + 8; "StartedAt" 9 + 8; "Status" 6 + "Available" 9.
        assert_eq!(record_size(&record), 8 + 42 + 10 + 10 + 13 + 13 + 17 + 15);
    }

    #[test]
    fn varchar_of_2048_bytes_passes_the_value_limit() {
        assert_eq!(check_measure(&varchar("Note", &"n".repeat(2048))), Ok(()));
    }

    #[test]
    fn varchar_of_2049_bytes_breaks_the_value_limit() {
        assert_eq!(
            check_measure(&varchar("Note", &"n".repeat(2049))),
            invalid_with("measure `Note` VARCHAR value is 2049 bytes; the limit is 2048"),
        );
    }

    #[test]
    fn empty_varchar_is_rejected() {
        assert_eq!(
            run(&with_measures(vec![varchar("EventType", "")])),
            invalid_with(
                "measure `EventType` is an empty VARCHAR; Timestream has no empty value, leave \
                 the measure out instead"
            ),
        );
    }

    #[test]
    fn nan_double_is_rejected() {
        let record = with_measures(vec![measure("Score", MeasureValue::Double(f64::NAN))]);
        assert_eq!(
            run(&record),
            invalid_with("measure `Score` is DOUBLE NaN; Timestream stores only finite numbers"),
        );
    }

    #[test]
    fn infinite_double_is_rejected_and_finite_extremes_are_accepted() {
        let infinite = with_measures(vec![measure("Score", MeasureValue::Double(f64::INFINITY))]);
        let largest = with_measures(vec![measure("Score", MeasureValue::Double(f64::MAX))]);
        assert_eq!(
            run(&infinite),
            invalid_with("measure `Score` is DOUBLE inf; Timestream stores only finite numbers"),
        );
        assert_eq!(run(&largest), Ok(()));
    }

    fn numbered_measures(count: usize) -> Vec<Measure> {
        let flag = |i| measure(&format!("m{i:03}"), MeasureValue::Boolean(true));
        (0..count).map(flag).collect()
    }

    #[test]
    fn record_with_256_measures_is_accepted() {
        assert_eq!(run(&with_measures(numbered_measures(256))), Ok(()));
    }

    #[test]
    fn record_with_257_measures_is_rejected() {
        assert_eq!(
            run(&with_measures(numbered_measures(257))),
            invalid_with("the record has 257 measures; the limit is 256"),
        );
    }

    #[test]
    fn record_without_measures_is_rejected() {
        assert_eq!(
            run(&with_measures(Vec::new())),
            invalid_with("the record has no measures; it needs at least one"),
        );
    }

    #[test]
    fn measure_name_of_256_bytes_is_accepted_and_257_rejected() {
        let within = with_measures(vec![varchar(&"m".repeat(256), "x")]);
        let beyond = with_measures(vec![varchar(&"m".repeat(257), "x")]);
        let shown = format!("{}...", "m".repeat(48));
        assert_eq!(run(&within), Ok(()));
        assert_eq!(
            run(&beyond),
            invalid_with(&format!(
                "measure name `{shown}` is 257 bytes; the limit is 256"
            )),
        );
    }

    #[test]
    fn table_name_of_256_bytes_is_accepted_and_257_or_empty_rejected() {
        let named = |table: String| TimestreamRecord { table, ..record() };
        let shown = format!("{}...", "t".repeat(48));
        assert_eq!(run(&named("t".repeat(256))), Ok(()));
        assert_eq!(
            run(&named("t".repeat(257))),
            invalid_with(&format!(
                "table name `{shown}` is 257 bytes; the limit is 256"
            )),
        );
        assert_eq!(
            run(&named(String::new())),
            invalid_with("the table name is empty")
        );
    }

    #[test]
    fn empty_record_measure_name_is_rejected() {
        let record = TimestreamRecord {
            measure_name: String::new(),
            ..record()
        };
        assert_eq!(run(&record), invalid_with("the measure_name is empty"));
    }

    #[test]
    fn reserved_names_are_rejected_in_any_case() {
        let cases = [
            ("time", "dimension"),
            ("Time", "dimension"),
            ("MEASURE_NAME", "dimension"),
            ("measure_value::double", "measure"),
            ("Measure_Value", "measure"),
            ("ts_id", "measure"),
            ("TS_Shard", "measure"),
        ];
        for (name, kind) in cases {
            let record = if kind == "dimension" {
                with_dimensions(vec![dimension(name, "v")])
            } else {
                with_measures(vec![varchar(name, "v")])
            };
            let expected = format!(
                "{kind} name `{name}` is reserved for Timestream's system columns (`time`, \
                 `measure_name`, `measure_value...`, `ts_...`)"
            );
            assert_eq!(run(&record), invalid_with(&expected), "name {name}");
        }
    }

    #[test]
    fn names_that_only_resemble_reserved_ones_are_accepted() {
        let record = with_measures(vec![
            varchar("timestamp", "x"),
            varchar("EventTimestamp", "x"),
            varchar("tsx", "x"),
            varchar("measure", "x"),
        ]);
        assert_eq!(run(&record), Ok(()));
    }

    #[test]
    fn name_used_as_dimension_and_measure_is_rejected() {
        let record = with_measures(vec![varchar("AgentARN", "x")]);
        assert_eq!(
            run(&record),
            invalid_with(
                "`AgentARN` is used twice in the record, as a dimension and as a measure; each \
                 column name may appear once"
            ),
        );
    }

    #[test]
    fn measure_name_used_twice_is_rejected() {
        let record = with_measures(vec![varchar("State", "x"), varchar("State", "y")]);
        assert_eq!(
            run(&record),
            invalid_with(
                "`State` is used twice in the record, as a measure and as a measure; each column \
                 name may appear once"
            ),
        );
    }

    #[test]
    fn names_differing_only_in_case_are_distinct_columns() {
        let record = with_measures(vec![varchar("State", "x"), varchar("state", "y")]);
        assert_eq!(run(&record), Ok(()));
    }

    #[test]
    fn time_just_inside_the_retention_is_accepted() {
        assert_eq!(run(&at_ms(NOW_MS - 25 * HOUR_MS + 1000)), Ok(()));
        assert_eq!(run(&at_ms(NOW_MS - 25 * HOUR_MS)), Ok(()));
    }

    #[test]
    fn time_just_beyond_the_retention_is_outside_the_window() {
        assert_eq!(
            run(&at_ms(NOW_MS - 25 * HOUR_MS - 1000)),
            outside_with(
                "record time 2025-05-31T10:59:59Z is outside the write window \
                 2025-05-31T11:00:00Z to 2025-06-01T12:15:00Z: older than the 25 h memory-store \
                 retention"
            ),
        );
    }

    #[test]
    fn time_just_inside_the_future_limit_is_accepted() {
        assert_eq!(run(&at_ms(NOW_MS + 15 * 60 * 1000)), Ok(()));
    }

    #[test]
    fn time_just_beyond_the_future_limit_is_outside_the_window() {
        assert_eq!(
            run(&at_ms(NOW_MS + 15 * 60 * 1000 + 1000)),
            outside_with(
                "record time 2025-06-01T12:15:01Z is outside the write window \
                 2025-05-31T11:00:00Z to 2025-06-01T12:15:00Z: more than 15 min ahead of the \
                 clock"
            ),
        );
    }

    #[test]
    fn time_window_edge_is_exact_to_the_nanosecond() {
        let edge_ns = i64::try_from(WriteRules::default().window_nanos(NOW_MS).1).unwrap();
        let at_ns = |time| TimestreamRecord {
            time,
            time_unit: TimeUnit::Nanoseconds,
            ..record()
        };
        assert_eq!(run(&at_ns(edge_ns)), Ok(()));
        assert_eq!(
            run(&at_ns(edge_ns + 1)).map_err(|rejection| rejection.reason),
            Err(RejectReason::OutsideWriteWindow),
        );
    }

    #[test]
    fn time_in_seconds_mistaken_for_milliseconds_is_outside_the_window() {
        let record = at_ms(NOW_MS / 1000);
        assert_eq!(
            run(&record),
            outside_with(
                "record time 1970-01-21T05:46:19.2Z is outside the write window \
                 2025-05-31T11:00:00Z to 2025-06-01T12:15:00Z: older than the 25 h memory-store \
                 retention"
            ),
        );
    }

    #[test]
    fn configured_rules_move_the_window() {
        let rules = WriteRules {
            memory_retention: Duration::from_secs(2 * 60 * 60),
            max_future: Duration::from_secs(90),
        };
        assert_eq!(check(&at_ms(NOW_MS - 2 * HOUR_MS), NOW_MS, &rules), Ok(()));
        assert_eq!(
            check(&at_ms(NOW_MS + 91_000), NOW_MS, &rules),
            outside_with(
                "record time 2025-06-01T12:01:31Z is outside the write window \
                 2025-06-01T10:00:00Z to 2025-06-01T12:01:30Z: more than 90 s ahead of the clock"
            ),
        );
    }

    #[test]
    fn record_time_nanos_is_exact_for_every_unit() {
        let in_unit = |time, time_unit| TimestreamRecord {
            time,
            time_unit,
            ..record()
        };
        assert_eq!(
            record_time_nanos(&in_unit(2, TimeUnit::Seconds)),
            2_000_000_000
        );
        assert_eq!(
            record_time_nanos(&in_unit(2, TimeUnit::Milliseconds)),
            2_000_000
        );
        assert_eq!(
            record_time_nanos(&in_unit(2, TimeUnit::Microseconds)),
            2_000
        );
        assert_eq!(record_time_nanos(&in_unit(2, TimeUnit::Nanoseconds)), 2);
    }
}
