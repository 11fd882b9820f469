//! The WebAssembly component: binds [`crate::mapping`] to the `transformer` world of
//! `wit/transform.wit`.
//!
//! Each event is mapped on its own, so one bad event fails alone; its error is logged at
//! debug through the host (the host reports and dead-letters it) and returned as
//! non-retryable, since mapping errors never heal on retry.

use crate::mapping::{self, Dimension, Measure, MeasureValue, Record, TimeUnit};

wit_bindgen::generate!({
    path: "../../wit",
    world: "transformer",
});

use connect_rt::transform::host;
use connect_rt::transform::types as wit;
use exports::connect_rt::transform::transform::Guest;

/// The name the transform reports to the host.
const NAME: &str = "agent-events";

/// The tables this transform writes to.
const TABLES: [&str; 2] = [mapping::AGENT_TABLE, mapping::CONTACT_TABLE];

struct AgentEvents;

impl Guest for AgentEvents {
    fn describe() -> wit::TransformInfo {
        wit::TransformInfo {
            name: NAME.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            sources: vec![wit::SourceKind::KinesisRecord],
            tables: TABLES.map(str::to_owned).to_vec(),
        }
    }

    fn transform_batch(events: Vec<wit::Event>) -> Vec<wit::EventResult> {
        events
            .iter()
            .enumerate()
            .map(|(index, event)| transform_event(index, event))
            .collect()
    }
}

export!(AgentEvents);

/// Maps one event, logging its error, if any, with its position in the batch.
fn transform_event(index: usize, event: &wit::Event) -> wit::EventResult {
    let result = map(event);

    if let Err(error) = &result {
        let index = u32::try_from(index).ok();
        host::log(wit::LogLevel::Debug, &error.message, index);
    }
    result
}

fn map(event: &wit::Event) -> wit::EventResult {
    let wit::SourceMeta::Kinesis(meta) = &event.meta else {
        return Err(permanent(format!(
            "{NAME} accepts only kinesis-record events, got {}",
            source_name(&event.meta)
        )));
    };

    match mapping::map_event(&event.payload, Some(meta.approximate_arrival_ms)) {
        Ok(records) => Ok(records.into_iter().map(to_wit_record).collect()),
        Err(error) => Err(permanent(error.to_string())),
    }
}

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

/// Converts a mapping record, moving its value strings.
fn to_wit_record(record: Record) -> wit::TimestreamRecord {
    wit::TimestreamRecord {
        table: record.table.to_owned(),
        dimensions: record
            .dimensions
            .into_iter()
            .map(to_wit_dimension)
            .collect(),
        measure_name: record.measure_name.to_owned(),
        measures: record.measures.into_iter().map(to_wit_measure).collect(),
        time: record.time,
        time_unit: to_wit_time_unit(record.time_unit),
        version: record.version,
    }
}

fn to_wit_dimension(dimension: Dimension) -> wit::Dimension {
    wit::Dimension {
        name: dimension.name.to_owned(),
        value: dimension.value,
    }
}

fn to_wit_measure(measure: Measure) -> wit::Measure {
    let value = match measure.value {
        MeasureValue::Double(value) => wit::MeasureValue::Double(value),
        MeasureValue::Bigint(value) => wit::MeasureValue::Bigint(value),
        MeasureValue::Varchar(value) => wit::MeasureValue::Varchar(value),
        MeasureValue::Boolean(value) => wit::MeasureValue::Boolean(value),
        MeasureValue::Timestamp(value) => wit::MeasureValue::Timestamp(value),
    };
    wit::Measure {
        name: measure.name.to_owned(),
        value,
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
