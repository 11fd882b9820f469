//! The WebAssembly component: binds [`crate::mapping`] to the `transformer` world of
//! `wit/transform.wit`.
//!
//! Only this module knows the WIT types. It checks the source kind, converts [`Record`]s,
//! logs each snapshot's warnings at warn and each failed event at debug (the host reports
//! and dead-letters it), both with the event's index in the batch.

use crate::mapping::{self, MeasureValue, Record, SnapshotMeta, TimeUnit};

wit_bindgen::generate!({ path: "../../wit", world: "transformer" });

use connect_rt::transform::host;
use connect_rt::transform::types as wit;
use exports::connect_rt::transform::transform::Guest;

/// The transform's name, as the host reports it in logs and dead-letter records.
const NAME: &str = "instance-data";

/// The tables this transform writes to.
const TABLES: [&str; 3] = [
    mapping::INSTANCE_TABLE,
    mapping::QUEUE_TABLE,
    mapping::USER_TABLE,
];

struct InstanceData;

export!(InstanceData);

impl Guest for InstanceData {
    fn describe() -> wit::TransformInfo {
        wit::TransformInfo {
            name: NAME.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            sources: vec![wit::SourceKind::ScheduledSnapshot],
            tables: TABLES.map(str::to_owned).to_vec(),
        }
    }

    fn transform_batch(events: Vec<wit::Event>) -> Vec<wit::EventResult> {
        let events = events.iter().enumerate();
        events
            .map(|(index, event)| transform_event(u32::try_from(index).ok(), event))
            .collect()
    }
}

/// Maps one event, logging its warnings or its error with its position in the batch.
fn transform_event(index: Option<u32>, event: &wit::Event) -> wit::EventResult {
    let wit::SourceMeta::Scheduled(meta) = &event.meta else {
        let kind = source_name(&event.meta);
        let message = format!("{NAME} maps only scheduled-snapshot events, not a {kind} event");
        host::log(wit::LogLevel::Debug, &message, index);
        return Err(permanent(message));
    };
    let meta = SnapshotMeta {
        instance_id: &meta.instance_id,
        collected_at_ms: meta.collected_at_ms,
    };

    match mapping::map_snapshot(&meta, &event.payload) {
        Ok(mapped) => {
            for warning in &mapped.warnings {
                host::log(wit::LogLevel::Warn, warning, index);
            }
            Ok(mapped.records.into_iter().map(to_wit_record).collect())
        }
        Err(error) => {
            let message = error.to_string();
            host::log(wit::LogLevel::Debug, &message, index);
            Err(permanent(message))
        }
    }
}

/// A non-retryable error: a snapshot that fails once fails the same way every time.
fn permanent(message: String) -> wit::EventError {
    wit::EventError {
        message,
        retryable: false,
    }
}

fn source_name(meta: &wit::SourceMeta) -> &'static str {
    match meta {
        wit::SourceMeta::Kinesis(_) => "kinesis-record",
        wit::SourceMeta::Eventbridge(_) => "eventbridge-event",
        wit::SourceMeta::Scheduled(_) => "scheduled-snapshot",
    }
}

/// Converts a mapping record, moving its strings.
fn to_wit_record(record: Record) -> wit::TimestreamRecord {
    let dimensions = record.dimensions.into_iter();
    let measures = record.measures.into_iter();

    wit::TimestreamRecord {
        table: record.table,
        dimensions: dimensions
            .map(|d| wit::Dimension {
                name: d.name,
                value: d.value,
            })
            .collect(),
        measure_name: record.measure_name,
        measures: measures
            .map(|m| wit::Measure {
                name: m.name,
                value: to_wit_value(m.value),
            })
            .collect(),
        time: record.time,
        time_unit: to_wit_time_unit(record.time_unit),
        version: record.version,
    }
}

fn to_wit_value(value: MeasureValue) -> wit::MeasureValue {
    match value {
        MeasureValue::Double(value) => wit::MeasureValue::Double(value),
        MeasureValue::Bigint(value) => wit::MeasureValue::Bigint(value),
        MeasureValue::Varchar(value) => wit::MeasureValue::Varchar(value),
        MeasureValue::Boolean(value) => wit::MeasureValue::Boolean(value),
        MeasureValue::Timestamp(value) => wit::MeasureValue::Timestamp(value),
    }
}

fn to_wit_time_unit(unit: TimeUnit) -> wit::TimeUnit {
    match unit {
        TimeUnit::Milliseconds => wit::TimeUnit::Milliseconds,
        TimeUnit::Seconds => wit::TimeUnit::Seconds,
        TimeUnit::Microseconds => wit::TimeUnit::Microseconds,
        TimeUnit::Nanoseconds => wit::TimeUnit::Nanoseconds,
    }
}
