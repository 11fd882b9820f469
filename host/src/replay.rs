//! Feeding captured events into the pipeline: Lambda Kinesis event files, EventBridge event
//! files, raw agent events (one per file, a JSON array, or JSON lines), or folders of them
//! (see [`read_paths`] for which files a folder contributes).
//!
//! Captured events are usually older than a store's write window (25 hours for the memory
//! store), so [`shift_times`] can move every timestamp in them by one offset that puts the
//! newest at the present, keeping their spacing.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::contract::{Event, KinesisMeta, SnapshotMeta, SourceMeta};
use crate::sources::{RecordId, SourceRecord, eventbridge, kinesis};

/// Stream name given to raw agent events read from files, which have no Kinesis metadata.
pub const REPLAY_STREAM: &str = "replay";

/// One input document read from disk, before decoding.
#[derive(Debug, Clone)]
pub struct Captured {
    /// `file` or `file#n` for the n-th event of a multi-event file.
    pub origin: String,
    pub doc: Document,
}

/// What a captured document is.
#[derive(Debug, Clone)]
pub enum Document {
    /// A Lambda Kinesis event.
    KinesisEvent(Value),
    /// An EventBridge event.
    EventBridge(Value),
    /// A raw agent event as a Kinesis record's data would hold it (any JSON, or bytes that
    /// are not JSON: the transform reports what is wrong with it).
    RawAgentEvent(Vec<u8>),
    /// A recorded metadata snapshot of one Amazon Connect instance
    /// (`docs/snapshot-format.md`).
    Snapshot(Value),
    /// Not an event: kept to be reported as skipped, with the reason.
    Skipped(String),
    /// A file or folder found while walking a folder that could not be read (permissions, a
    /// link to nothing): reported with the reason, and the replay counts as incomplete.
    Unreadable(String),
}

/// Why a file found in a folder was not read.
const NOT_A_REPLAY_FILE: &str = "not .json or .jsonl";

/// Why a link to a folder found in a folder was not read (a link may loop back).
const LINKED_FOLDER: &str = "a link to a folder, not followed";

/// Why a FIFO, socket or device found in a folder was not read (reading a FIFO would wait
/// forever for a writer).
const NOT_A_REGULAR_FILE: &str = "not a regular file";

/// Why the store's own dead-letter file, found in a replayed folder, was not read.
const OWN_DEAD_LETTERS: &str = "the store's own dead-letter file";

/// Why a file with nothing but whitespace was not read.
const EMPTY_FILE: &str = "no events (the file is empty)";

/// Why a JSON file holding `[]` was not read.
const EMPTY_ARRAY: &str = "no events (an empty JSON array)";

/// Why a Lambda Kinesis event with `"Records": []` was not read.
const EMPTY_RECORDS: &str = "no events (a Lambda Kinesis event whose `Records` is empty)";

/// Why a document with a `Records` field that is not an array was not read.
const RECORDS_NOT_ARRAY: &str = "malformed Lambda Kinesis event: `Records` is not an array";

/// The UTF-8 byte-order mark some editors (and PowerShell) write at the start of a file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a replay file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One JSON document: an event, or an array of events.
    Json,
    /// One event per line.
    JsonLines,
}

/// A file found while walking a folder: read it, report it skipped for this reason, or
/// report that it could not be read.
enum Found {
    Read(PathBuf, Format),
    Skip(PathBuf, &'static str),
    Unreadable(PathBuf, String),
}

/// Reads every file under `paths` into documents.
///
/// A file named in `paths` is read whatever its name: as JSON lines when it ends in `.jsonl`,
/// else as JSON. A folder is walked with its subfolders (captures synced from S3 sit in date
/// folders), in path order; its `.json` and `.jsonl` files, in any letter case, are read, and
/// every other file becomes a [`Document::Skipped`] that names it and says why (FIFOs, sockets
/// and devices too). A file or subfolder inside a folder that cannot be read becomes a
/// [`Document::Unreadable`], so one bad entry in a synced capture does not stop the rest. A
/// leading UTF-8 byte-order mark is ignored.
///
/// # Errors
/// When a path given in `paths` cannot be read, naming it.
pub fn read_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<Captured>> {
    read_paths_except(paths, &[])
}

/// [`read_paths`], leaving out the files in `except` that a folder holds (the store's own
/// dead-letter file, which a replay appends to). A file named in `paths` must be a regular
/// file or a pipe (`<(zcat x.gz)`); a device such as `/dev/zero` is refused.
///
/// # Errors
/// When a path given in `paths` cannot be read or is a device, naming it.
pub fn read_paths_except(paths: &[PathBuf], except: &[&Path]) -> anyhow::Result<Vec<Captured>> {
    let except: Vec<PathBuf> = except
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut captured = Vec::new();
    for path in paths {
        if !path.is_dir() {
            refuse_device(path)?;
            let format = format_of(path).unwrap_or(Format::Json);
            let bytes = std::fs::read(path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            captured.extend(classify_file(path, format, &bytes));
            continue;
        }
        let excepted = |file: &Path| {
            !except.is_empty() && file.canonicalize().is_ok_and(|f| except.contains(&f))
        };
        for found in folder_files(path)? {
            match found {
                Found::Read(file, _) if excepted(&file) => {
                    captured.push(skipped(&file, OWN_DEAD_LETTERS));
                }
                Found::Read(file, format) => match std::fs::read(&file) {
                    Ok(bytes) => captured.extend(classify_file(&file, format, &bytes)),
                    Err(error) => captured.push(unreadable(&file, error.to_string())),
                },
                Found::Skip(file, reason) => captured.push(skipped(&file, reason)),
                Found::Unreadable(file, reason) => captured.push(unreadable(&file, reason)),
            }
        }
    }
    Ok(captured)
}

/// The format a file's extension names, in any letter case; `None` for any other file.
fn format_of(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?;
    if extension.eq_ignore_ascii_case("json") {
        Some(Format::Json)
    } else if extension.eq_ignore_ascii_case("jsonl") {
        Some(Format::JsonLines)
    } else {
        None
    }
}

/// Every file under `dir` and its subfolders, sorted by path.
fn folder_files(dir: &Path) -> anyhow::Result<Vec<Found>> {
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    found.sort_by(|a, b| found_path(a).cmp(found_path(b)));
    Ok(found)
}

/// Refuses a character or block device or a socket named on the command line (`/dev/zero`
/// would be read without end).
fn refuse_device(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::FileTypeExt as _;

    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(()); // reading it says why
    };
    let kind = metadata.file_type();
    if kind.is_char_device() || kind.is_block_device() || kind.is_socket() {
        anyhow::bail!(
            "{} is a device or socket, not a file of events",
            path.display()
        );
    }
    Ok(())
}

fn found_path(found: &Found) -> &Path {
    match found {
        Found::Read(path, _) | Found::Skip(path, _) | Found::Unreadable(path, _) => path,
    }
}

/// Collects what `dir` holds. The folder given on the command line must be readable; a
/// subfolder or entry that is not becomes [`Found::Unreadable`].
fn walk(dir: &Path, found: &mut Vec<Found>) -> anyhow::Result<()> {
    let failed = || format!("failed to read the folder {}", dir.display());
    for entry in std::fs::read_dir(dir).with_context(failed)? {
        let entry = entry.with_context(failed)?;
        found_entry(entry.path(), found);
    }
    Ok(())
}

fn found_entry(path: PathBuf, found: &mut Vec<Found>) {
    let is_link = match std::fs::symlink_metadata(&path) {
        Ok(metadata) => metadata.file_type().is_symlink(),
        Err(error) => return found.push(Found::Unreadable(path, error.to_string())),
    };
    // Follows a link, so that what it points at decides.
    let metadata = match std::fs::metadata(&path) {
        Ok(metadata) => metadata,
        Err(error) if is_link => {
            let reason = format!("a link whose target cannot be read: {error}");
            return found.push(Found::Unreadable(path, reason));
        }
        Err(error) => return found.push(Found::Unreadable(path, error.to_string())),
    };

    if metadata.is_dir() && is_link {
        found.push(Found::Skip(path, LINKED_FOLDER));
    } else if metadata.is_dir() {
        if let Err(error) = walk(&path, found) {
            let reason = error.root_cause().to_string();
            found.push(Found::Unreadable(path, reason));
        }
    } else if !metadata.is_file() {
        found.push(Found::Skip(path, NOT_A_REGULAR_FILE));
    } else if let Some(format) = format_of(&path) {
        found.push(Found::Read(path, format));
    } else {
        found.push(Found::Skip(path, NOT_A_REPLAY_FILE));
    }
}

fn unreadable(file: &Path, reason: String) -> Captured {
    Captured {
        origin: file.display().to_string(),
        doc: Document::Unreadable(reason),
    }
}

fn skipped(file: &Path, reason: &str) -> Captured {
    Captured {
        origin: file.display().to_string(),
        doc: Document::Skipped(reason.to_owned()),
    }
}

fn classify_file(file: &Path, format: Format, bytes: &[u8]) -> Vec<Captured> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.trim_ascii().is_empty() {
        return vec![skipped(file, EMPTY_FILE)];
    }
    let name = file.display().to_string();
    match format {
        Format::JsonLines => json_lines(&name, bytes),
        Format::Json => json_document(name, bytes),
    }
}

/// One document per line that is not blank, named `file#line`.
fn json_lines(name: &str, bytes: &[u8]) -> Vec<Captured> {
    // Lines are split as bytes: a line that is not UTF-8 reaches the transform as it is, to
    // be refused there with its reason, never silently repaired.
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(n, line)| classify(format!("{name}#{}", n + 1), line.to_vec()))
        .collect()
}

/// One document, or one per element of a JSON array, named `file#n`.
fn json_document(name: String, bytes: &[u8]) -> Vec<Captured> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) if items.is_empty() => vec![Captured {
            origin: name,
            doc: Document::Skipped(EMPTY_ARRAY.into()),
        }],
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(n, item)| Captured {
                origin: format!("{name}#{}", n + 1),
                doc: classify_value(item),
            })
            .collect(),
        Ok(value) => vec![Captured {
            origin: name,
            doc: classify_value(value),
        }],
        Err(_) => vec![Captured {
            origin: name,
            doc: Document::RawAgentEvent(bytes.to_vec()),
        }],
    }
}

fn classify(origin: String, bytes: Vec<u8>) -> Captured {
    let doc = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => classify_value(value),
        Err(_) => Document::RawAgentEvent(bytes),
    };
    Captured { origin, doc }
}

fn classify_value(value: Value) -> Document {
    match value.get("Records").map(Value::as_array) {
        Some(None) => return Document::Skipped(RECORDS_NOT_ARRAY.into()),
        Some(Some(records)) if records.is_empty() => {
            return Document::Skipped(EMPTY_RECORDS.into());
        }
        Some(Some(_)) => return Document::KinesisEvent(value),
        None => {}
    }
    if value.get("batchItemFailures").is_some() {
        return Document::Skipped("a Lambda partial-batch response, not an event".into());
    }
    if is_schedule_trigger(&value) {
        return Document::Skipped(
            "a schedule trigger; collecting metadata needs the Amazon Connect API".into(),
        );
    }
    if eventbridge::is_eventbridge_event(&value) {
        return Document::EventBridge(value);
    }
    // `InstanceId` alone marks a snapshot (agent events carry `InstanceARN`), so one missing
    // `CollectedAt` is refused by the transform for that reason, not taken for an agent event.
    if value.get("InstanceId").is_some() {
        return Document::Snapshot(value);
    }
    Document::RawAgentEvent(serde_json::to_vec(&value).expect("a Value serializes"))
}

/// True for what a schedule delivers: a classic scheduled rule's envelope, or EventBridge
/// Scheduler's configured input (which may be `{}`).
pub fn is_schedule_trigger(value: &Value) -> bool {
    let detail_type = value.get("detail-type").and_then(Value::as_str);
    detail_type == Some("Scheduled Event")
        || value.get("scheduleArn").is_some()
        || value.as_object().is_some_and(|o| o.is_empty())
}

/// Decodes captured documents into source records for the pipeline.
pub fn decode(captured: Vec<Captured>) -> (Vec<SourceRecord>, Vec<(String, String)>) {
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for Captured { origin, doc } in captured {
        match doc {
            Document::KinesisEvent(value) => {
                let bytes = serde_json::to_vec(&value).expect("a Value serializes");
                match kinesis::decode(&bytes) {
                    Ok(decoded) => records.extend(decoded.into_iter().map(|r| in_file(&origin, r))),
                    Err(e) => skipped.push((origin, e.to_string())),
                }
            }
            Document::EventBridge(value) => {
                let bytes = serde_json::to_vec(&value).expect("a Value serializes");
                records.push(eventbridge::decode(&bytes, &origin));
            }
            Document::RawAgentEvent(bytes) => records.push(raw_agent_event(origin, bytes)),
            Document::Snapshot(value) => records.push(snapshot(origin, &value)),
            Document::Skipped(reason) => skipped.push((origin, reason)),
            Document::Unreadable(reason) => {
                skipped.push((origin, format!("could not be read: {reason}")));
            }
        }
    }
    (records, skipped)
}

/// A raw agent event as if read from Kinesis. It has no arrival time (0), so the agent
/// transform versions its records by the event's own timestamp.
fn raw_agent_event(origin: String, bytes: Vec<u8>) -> SourceRecord {
    let partition_key = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("AgentARN").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let event = Event {
        meta: SourceMeta::Kinesis(KinesisMeta {
            stream_arn: REPLAY_STREAM.into(),
            shard_id: REPLAY_STREAM.into(),
            partition_key,
            sequence_number: origin.clone(),
            approximate_arrival_ms: 0,
        }),
        payload: bytes.clone(),
    };
    SourceRecord {
        id: RecordId::Local { origin },
        decoded: Ok(event),
        original: bytes,
    }
}

/// A Kinesis record with no sequence number of its own (a malformed one) is named by the file
/// it came from too, since `Records[3]` alone does not say which file's.
fn in_file(file: &str, mut record: SourceRecord) -> SourceRecord {
    if let RecordId::Local { origin } = &record.id {
        record.id = RecordId::Local {
            origin: format!("{file} {origin}"),
        };
    }
    record
}

/// A recorded snapshot as if just collected at its `CollectedAt` time, named by the file it
/// came from and its instance.
fn snapshot(origin: String, value: &Value) -> SourceRecord {
    let instance_id = match &value["InstanceId"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    };
    let id = RecordId::Local {
        origin: format!("{origin} (snapshot of instance {instance_id})"),
    };
    let collected_at_ms = value["CollectedAt"]
        .as_str()
        .and_then(parse_timestamp)
        .map_or(0, |t| t.0);
    let payload = serde_json::to_vec(value).expect("a Value serializes");
    let event = Event {
        meta: SourceMeta::Scheduled(SnapshotMeta {
            instance_id: instance_id.clone(),
            collected_at_ms,
        }),
        payload: payload.clone(),
    };
    SourceRecord {
        id,
        decoded: Ok(event),
        original: payload,
    }
}

/// Moves every timestamp in `captured` by one offset, in whole hours, that puts the newest
/// one between `margin_ms` and an hour plus `margin_ms` before `now_ms`. Returns the offset
/// applied, in milliseconds.
///
/// Whole hours make a rerun within the same hour write the same points (so it is idempotent,
/// like any replay); timestamps in the future are ignored when finding the newest, so one
/// absurd value (year 9999) cannot push every other event out of range.
pub fn shift_times(captured: &mut [Captured], now_ms: i64, margin_ms: i64) -> i64 {
    let newest = captured
        .iter()
        .filter_map(|c| newest_in_doc(&c.doc, now_ms))
        .max();
    let Some(newest) = newest else { return 0 };
    let delta = (now_ms - margin_ms - newest).div_euclid(HOUR_MS) * HOUR_MS;
    if delta == 0 {
        return 0; // nothing moves, so nothing is rewritten
    }
    for c in captured.iter_mut() {
        shift_doc(&mut c.doc, delta);
    }
    delta
}

const HOUR_MS: i64 = 3_600_000;

fn newest_in_doc(doc: &Document, not_after: i64) -> Option<i64> {
    match doc {
        Document::KinesisEvent(v) => kinesis_payloads(v)
            .filter_map(|p| newest_in(&p, not_after))
            .max(),
        Document::EventBridge(v) | Document::Snapshot(v) => newest_in(v, not_after),
        Document::RawAgentEvent(bytes) => serde_json::from_slice::<Value>(bytes)
            .ok()
            .and_then(|v| newest_in(&v, not_after)),
        Document::Skipped(_) | Document::Unreadable(_) => None,
    }
}

fn kinesis_payloads(event: &Value) -> impl Iterator<Item = Value> + '_ {
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    records.filter_map(|r| {
        let data = r.pointer("/kinesis/data")?.as_str()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    })
}

fn shift_doc(doc: &mut Document, delta: i64) {
    match doc {
        Document::KinesisEvent(v) => shift_kinesis_event(v, delta),
        Document::EventBridge(v) | Document::Snapshot(v) => shift_value(v, delta),
        Document::RawAgentEvent(bytes) => {
            if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
                shift_value(&mut v, delta);
                *bytes = serde_json::to_vec(&v).expect("a Value serializes");
            }
        }
        Document::Skipped(_) | Document::Unreadable(_) => {}
    }
}

fn shift_kinesis_event(event: &mut Value, delta: i64) {
    let Some(records) = event.get_mut("Records").and_then(Value::as_array_mut) else {
        return;
    };
    for record in records {
        let Some(kinesis) = record.get_mut("kinesis") else {
            continue;
        };
        if let Some(arrival) = kinesis
            .get("approximateArrivalTimestamp")
            .and_then(Value::as_f64)
        {
            let shifted = arrival + delta as f64 / 1000.0;
            kinesis["approximateArrivalTimestamp"] =
                Value::from((shifted * 1000.0).round() / 1000.0);
        }
        let Some(data) = kinesis.get("data").and_then(Value::as_str) else {
            continue;
        };
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
            continue;
        };
        let Ok(mut payload) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        shift_value(&mut payload, delta);
        let encoded = serde_json::to_vec(&payload).expect("a Value serializes");
        kinesis["data"] = Value::from(base64::engine::general_purpose::STANDARD.encode(encoded));
    }
}

/// The newest RFC 3339 timestamp anywhere in `value` that is not after `not_after`, in ms.
fn newest_in(value: &Value, not_after: i64) -> Option<i64> {
    match value {
        Value::String(s) => parse_timestamp(s)
            .map(|(ms, _)| ms)
            .filter(|ms| *ms <= not_after),
        Value::Array(items) => items.iter().filter_map(|v| newest_in(v, not_after)).max(),
        Value::Object(map) => map.values().filter_map(|v| newest_in(v, not_after)).max(),
        _ => None,
    }
}

/// Shifts every RFC 3339 timestamp string in `value` by `delta` ms, keeping its precision.
fn shift_value(value: &mut Value, delta: i64) {
    match value {
        Value::String(s) => {
            // A time that would leave the calendar's range stays as it was; the write rules
            // reject it with its reason.
            if let Some(shifted) = shift_timestamp(s, delta) {
                *s = shifted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift_value(v, delta)),
        Value::Object(map) => map.values_mut().for_each(|v| shift_value(v, delta)),
        _ => {}
    }
}

/// Parses an RFC 3339 timestamp such as `2025-03-04T09:00:01.902Z`: (epoch ms, digits of
/// fraction). Other strings (ARNs, names, dates without a time) are not timestamps.
fn parse_timestamp(s: &str) -> Option<(i64, usize)> {
    if s.len() < 20 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let parsed = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    let fraction_digits = s[19..].strip_prefix('.').map_or(0, |rest| {
        rest.bytes().take_while(u8::is_ascii_digit).count()
    });
    Some((
        (parsed.unix_timestamp_nanos() / 1_000_000) as i64,
        fraction_digits,
    ))
}

/// `s` moved by `delta_ms`, a whole number of hours: only its date and hour change, so its
/// minutes, seconds, fraction (whatever its number of digits) and offset stay exactly as
/// written. `None` for a string that is not an RFC 3339 timestamp, or one the shift would
/// take outside years 0 to 9999.
fn shift_timestamp(s: &str, delta_ms: i64) -> Option<String> {
    debug_assert_eq!(delta_ms % HOUR_MS, 0, "shifts are in whole hours");
    if s.len() < 20 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let parsed = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    let shifted = parsed.checked_add(time::Duration::hours(delta_ms / HOUR_MS))?;
    if !(0..=9999).contains(&shifted.year()) {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}{}",
        shifted.year(),
        u8::from(shifted.month()),
        shifted.day(),
        shifted.hour(),
        &s[13..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_shift_keeping_precision() {
        let mut v = serde_json::json!({
            "EventTimestamp": "2025-03-04T09:00:01.902Z",
            "time": "2025-03-04T09:05:00Z",
            "AgentARN": "arn:aws:connect:eu-west-2:111122223333:instance/x",
            "Nested": [{"At": "2025-03-04T09:00:00.000Z"}],
        });
        shift_value(&mut v, 25 * HOUR_MS);
        assert_eq!(v["EventTimestamp"], "2025-03-05T10:00:01.902Z");
        assert_eq!(v["time"], "2025-03-05T10:05:00Z");
        assert_eq!(
            v["AgentARN"],
            "arn:aws:connect:eu-west-2:111122223333:instance/x"
        );
        assert_eq!(v["Nested"][0]["At"], "2025-03-05T10:00:00.000Z");
    }

    /// A second trial saw "shifted event times by 0 h 0 min" rewrite the events all the same.
    #[test]
    fn a_shift_of_nothing_leaves_the_events_as_written() {
        let bytes = br#"{ "b": 1, "EventTimestamp": "2025-06-01T11:30:00.123456789Z" }"#.to_vec();
        let mut captured = [Captured {
            origin: "e.json".into(),
            doc: Document::RawAgentEvent(bytes.clone()),
        }];
        let now = 1_748_779_200_000; // 2025-06-01T12:00:00Z

        assert_eq!(shift_times(&mut captured, now, 60_000), 0);

        let Document::RawAgentEvent(after) = &captured[0].doc else {
            panic!()
        };
        assert_eq!(after, &bytes);
    }

    /// A second trial found sub-millisecond digits replaced by zeros (12 digits then failed
    /// the transform's parser) and offsets turned into `Z`.
    #[test]
    fn a_shift_keeps_every_fraction_digit_and_the_offset() {
        let mut v = serde_json::json!([
            "2025-12-31T23:00:00.123456789123Z",
            "2025-03-04T09:00:01.123456789+01:00",
            "9999-12-31T23:00:00Z",
        ]);

        shift_value(&mut v, 2 * HOUR_MS);

        assert_eq!(
            v,
            serde_json::json!([
                "2026-01-01T01:00:00.123456789123Z",
                "2025-03-04T11:00:01.123456789+01:00",
                "9999-12-31T23:00:00Z",
            ])
        );
    }

    #[test]
    fn shift_puts_newest_event_within_the_last_hour_in_whole_hours() {
        let event =
            br#"{"EventTimestamp":"2025-03-04T09:00:00.000Z","Other":"2025-03-04T08:00:00.000Z"}"#;
        let mut captured = vec![classify("a.json".into(), event.to_vec())];
        let now = 1_800_000_000_000 + 1_800_000;
        let delta = shift_times(&mut captured, now, 60_000);
        let Document::RawAgentEvent(bytes) = &captured[0].doc else {
            panic!("raw event")
        };
        let v: Value = serde_json::from_slice(bytes).unwrap();
        let newest = parse_timestamp(v["EventTimestamp"].as_str().unwrap())
            .unwrap()
            .0;
        let other = parse_timestamp(v["Other"].as_str().unwrap()).unwrap().0;

        assert_eq!(delta % 3_600_000, 0, "whole hours");
        assert_eq!(newest, 1_741_078_800_000 + delta);
        assert!(
            now - 3_660_000 <= newest && newest <= now - 60_000,
            "{newest}"
        );
        assert_eq!(newest - other, 3_600_000, "spacing kept");

        // A rerun ten minutes later in the same hour applies the same shift.
        let mut again = vec![classify("a.json".into(), event.to_vec())];
        assert_eq!(shift_times(&mut again, now + 600_000, 60_000), delta);
    }

    #[test]
    fn a_timestamp_in_the_future_does_not_set_the_shift() {
        let absurd = br#"{"EventTimestamp":"9999-12-31T23:59:59.999Z"}"#;
        let real = br#"{"EventTimestamp":"2025-03-04T09:00:00.000Z"}"#;
        let mut captured = vec![
            classify("a".into(), absurd.to_vec()),
            classify("b".into(), real.to_vec()),
        ];
        let now = 1_800_000_000_000;
        let delta = shift_times(&mut captured, now, 0);
        assert!(
            delta > 0 && now - (1_741_078_800_000 + delta) < 3_600_000,
            "{delta}"
        );
    }

    #[test]
    fn documents_are_classified_by_shape() {
        let kinds = |json: &str| match classify("f".into(), json.as_bytes().to_vec()).doc {
            Document::KinesisEvent(_) => "kinesis",
            Document::EventBridge(_) => "eventbridge",
            Document::RawAgentEvent(_) => "raw",
            Document::Snapshot(_) => "snapshot",
            Document::Skipped(_) => "skipped",
            Document::Unreadable(_) => "unreadable",
        };
        assert_eq!(kinds(r#"{"Records":[{"kinesis":{}}]}"#), "kinesis");
        assert_eq!(
            kinds(r#"{"source":"aws.connect","detail-type":"x","detail":{}}"#),
            "eventbridge"
        );
        assert_eq!(
            kinds(r#"{"detail-type":"Scheduled Event","source":"aws.events"}"#),
            "skipped"
        );
        assert_eq!(kinds(r#"{"batchItemFailures":[]}"#), "skipped");
        assert_eq!(kinds("{}"), "skipped");
        assert_eq!(kinds(r#"{"EventType":"LOGIN"}"#), "raw");
        assert_eq!(kinds("not json"), "raw");
        assert_eq!(
            kinds(r#"{"InstanceId":"i","CollectedAt":"2025-03-04T09:05:00Z"}"#),
            "snapshot"
        );
        // A fourth trial saw a snapshot without `CollectedAt` refused as an agent event.
        assert_eq!(kinds(r#"{"InstanceId":"i","QueueMetrics":[]}"#), "snapshot");
    }

    /// Each document as (origin relative to `dir`, what it is: `raw <payload>`, `kinesis`,
    /// `skipped: <reason>`, ...).
    fn outline(dir: &Path, captured: &[Captured]) -> Vec<(String, String)> {
        let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
        let relative = |origin: &str| origin.strip_prefix(&prefix).unwrap_or(origin).to_owned();
        let kind = |doc: &Document| match doc {
            Document::KinesisEvent(_) => "kinesis".to_owned(),
            Document::EventBridge(_) => "eventbridge".to_owned(),
            Document::RawAgentEvent(bytes) => format!("raw {}", String::from_utf8_lossy(bytes)),
            Document::Snapshot(_) => "snapshot".to_owned(),
            Document::Skipped(reason) => format!("skipped: {reason}"),
            Document::Unreadable(reason) => format!("unreadable: {reason}"),
        };
        let outline = captured.iter().map(|c| (relative(&c.origin), kind(&c.doc)));
        outline.collect()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        let owned = expected
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()));
        owned.collect()
    }

    #[test]
    fn a_folder_is_read_with_subfolders_in_path_order_and_every_other_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let sep = std::path::MAIN_SEPARATOR;
        write(dir.path(), "a.JSON", br#"{"EventType":"LOGIN"}"#);
        write(dir.path(), "b.txt", br#"{"EventType":"LOGOUT"}"#);
        write(dir.path(), "sub/c.json", br#"{"EventType":"HEART_BEAT"}"#);
        write(dir.path(), "sub/d.Jsonl", b"{\"n\":1}\n\n{\"n\":2}\n");
        write(dir.path(), "sub/e.md", b"notes");

        let captured = read_paths(&[dir.path().to_owned()]).unwrap();
        let (records, skipped) = decode(captured.clone());

        let expected = [
            ("a.JSON", r#"raw {"EventType":"LOGIN"}"#),
            ("b.txt", "skipped: not .json or .jsonl"),
            (
                &format!("sub{sep}c.json"),
                r#"raw {"EventType":"HEART_BEAT"}"#,
            ),
            (&format!("sub{sep}d.Jsonl#1"), r#"raw {"n":1}"#),
            (&format!("sub{sep}d.Jsonl#3"), r#"raw {"n":2}"#),
            (&format!("sub{sep}e.md"), "skipped: not .json or .jsonl"),
        ];
        assert_eq!(outline(dir.path(), &captured), pairs(&expected));
        assert_eq!(records.len(), 4);
        let skipped_files: Vec<String> = skipped.iter().map(|(origin, _)| origin.clone()).collect();
        let root = dir.path();
        let expected_skipped = [root.join("b.txt"), root.join("sub").join("e.md")];
        let expected_skipped: Vec<String> = expected_skipped
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(skipped_files, expected_skipped);
    }

    #[test]
    fn a_file_named_explicitly_is_read_whatever_its_extension() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "event.txt", br#"{"EventType":"LOGIN"}"#);
        write(dir.path(), "lines.JSONL", b"{\"n\":1}\n{\"n\":2}");

        let paths = [dir.path().join("event.txt"), dir.path().join("lines.JSONL")];
        let captured = read_paths(&paths).unwrap();

        let expected = [
            ("event.txt", r#"raw {"EventType":"LOGIN"}"#),
            ("lines.JSONL#1", r#"raw {"n":1}"#),
            ("lines.JSONL#2", r#"raw {"n":2}"#),
        ];
        assert_eq!(outline(dir.path(), &captured), pairs(&expected));
    }

    #[test]
    fn a_leading_byte_order_mark_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "one.json",
            b"\xEF\xBB\xBF{\"EventType\":\"LOGIN\"}",
        );
        write(
            dir.path(),
            "many.json",
            b"\xEF\xBB\xBF[{\"n\":1},{\"n\":2}]",
        );
        write(
            dir.path(),
            "lines.jsonl",
            b"\xEF\xBB\xBF{\"n\":1}\n{\"n\":2}\n",
        );

        let captured = read_paths(&[dir.path().to_owned()]).unwrap();

        let expected = [
            ("lines.jsonl#1", r#"raw {"n":1}"#),
            ("lines.jsonl#2", r#"raw {"n":2}"#),
            ("many.json#1", r#"raw {"n":1}"#),
            ("many.json#2", r#"raw {"n":2}"#),
            ("one.json", r#"raw {"EventType":"LOGIN"}"#),
        ];
        assert_eq!(outline(dir.path(), &captured), pairs(&expected));
    }

    #[test]
    fn records_that_is_not_an_array_is_a_malformed_kinesis_event_named_by_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "bad.json", br#"{"Records":{"a":1}}"#);

        let captured = read_paths(&[dir.path().join("bad.json")]).unwrap();
        let (records, skipped) = decode(captured);

        assert_eq!(records.len(), 0);
        let origin = dir.path().join("bad.json").display().to_string();
        let reason = "malformed Lambda Kinesis event: `Records` is not an array".to_owned();
        assert_eq!(skipped, vec![(origin, reason)]);
    }

    #[test]
    fn empty_inputs_are_reported_as_skipped_with_no_events() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "array.json", b"[]");
        write(dir.path(), "blank.json", b" \n");
        write(dir.path(), "kinesis.json", br#"{"Records":[]}"#);
        write(dir.path(), "lines.jsonl", b"");

        let captured = read_paths(&[dir.path().to_owned()]).unwrap();
        let (records, skipped) = decode(captured);

        assert_eq!(records.len(), 0);
        let file = |name: &str| dir.path().join(name).display().to_string();
        let expected = vec![
            (
                file("array.json"),
                "no events (an empty JSON array)".to_owned(),
            ),
            (
                file("blank.json"),
                "no events (the file is empty)".to_owned(),
            ),
            (
                file("kinesis.json"),
                "no events (a Lambda Kinesis event whose `Records` is empty)".to_owned(),
            ),
            (
                file("lines.jsonl"),
                "no events (the file is empty)".to_owned(),
            ),
        ];
        assert_eq!(skipped, expected);
    }

    /// A fresh-user trial found a FIFO named `x.json` hanging the replay forever, and one
    /// dangling link stopping it: both are named, and the rest is read.
    #[cfg(unix)]
    #[test]
    fn fifos_are_skipped_and_dangling_links_reported_without_stopping_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.json", br#"{"EventType":"LOGIN"}"#);
        let fifo = dir.path().join("b.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink(dir.path().join("gone.json"), dir.path().join("c.json"))
            .unwrap();
        write(dir.path(), "d.json", br#"{"EventType":"LOGOUT"}"#);

        let captured = read_paths(&[dir.path().to_owned()]).unwrap();

        let expected = [
            ("a.json", r#"raw {"EventType":"LOGIN"}"#),
            ("b.json", "skipped: not a regular file"),
            (
                "c.json",
                "unreadable: a link whose target cannot be read: No such file or directory \
                 (os error 2)",
            ),
            ("d.json", r#"raw {"EventType":"LOGOUT"}"#),
        ];
        assert_eq!(outline(dir.path(), &captured), pairs(&expected));
        let (_, skipped) = decode(captured);
        assert_eq!(
            skipped[1].1,
            "could not be read: a link whose target cannot be read: No such file or directory \
             (os error 2)"
        );
    }

    /// A fresh-user trial found a malformed Kinesis record named `Records[1] (no sequence
    /// number)` whichever file it was in, and snapshots named only by their instance.
    #[test]
    fn records_without_an_identity_of_their_own_are_named_by_their_file() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "k.json",
            br#"{"Records":[{"kinesis":{"data":"e30="}}, 7]}"#,
        );
        let snapshot = br#"{"InstanceId":42,"CollectedAt":"2025-06-01T12:00:00Z"}"#;
        write(dir.path(), "s.json", snapshot);

        let captured = read_paths(&[dir.path().to_owned()]).unwrap();
        let (records, _) = decode(captured);

        let root = dir.path().display();
        let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(
            ids,
            [
                format!("{root}{sep}k.json Records[0] (no sequence number)"),
                format!("{root}{sep}k.json Records[1] (no sequence number)"),
                format!("{root}{sep}s.json (snapshot of instance 42)"),
            ]
        );
    }
}
