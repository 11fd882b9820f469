//! The WebAssembly component: binds `wit/transform.wit` and hands each event to the mapping.
//!
//! Only this module knows the WIT types. It checks the source kind, reads the
//! customer-endpoint opt-in once per batch, converts [`Record`]s, and logs every failed event
//! at debug level with its index in the batch.

use crate::mapping::{
    self, EnvelopeMeta, INCLUDE_CUSTOMER_ENDPOINT_KEY, MappingError, MeasureValue, Record, Settings,
};

wit_bindgen::generate!({ path: "../../wit", world: "transformer" });

use connect_rt::transform::host;
use connect_rt::transform::types::{
    Dimension, EventError, EventResult, EventbridgeMeta, LogLevel, Measure, SourceKind, SourceMeta,
    TimeUnit, TimestreamRecord, TransformInfo,
};
use exports::connect_rt::transform::transform::{Event, Guest};

/// The transform's name, as the host reports it in logs and dead-letter records.
const NAME: &str = "contact-events";

struct ContactEventsTransform;

export!(ContactEventsTransform);

impl Guest for ContactEventsTransform {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: NAME.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            sources: vec![SourceKind::EventbridgeEvent],
            tables: vec![mapping::TABLE.to_owned()],
        }
    }

    fn transform_batch(events: Vec<Event>) -> Vec<EventResult> {
        let setting = host::get_config(INCLUDE_CUSTOMER_ENDPOINT_KEY);
        let settings = Settings::from_config(setting.as_deref());

        let results = events.iter().map(|event| transform_event(event, &settings));
        let results: Vec<EventResult> = results.collect();

        for (index, result) in results.iter().enumerate() {
            if let Err(error) = result {
                let index = u32::try_from(index).ok();
                host::log(LogLevel::Debug, &error.message, index);
            }
        }
        results
    }
}

fn transform_event(event: &Event, settings: &Settings) -> EventResult {
    let meta = match &event.meta {
        SourceMeta::Eventbridge(meta) => meta,
        SourceMeta::Kinesis(_) => return Err(unsupported_source("kinesis-record")),
        SourceMeta::Scheduled(_) => return Err(unsupported_source("scheduled-snapshot")),
    };

    let records = mapping::map_contact_event(&envelope(meta), &event.payload, settings);
    records
        .map(|records| records.into_iter().map(to_wit_record).collect())
        .map_err(to_event_error)
}

fn envelope(meta: &EventbridgeMeta) -> EnvelopeMeta<'_> {
    EnvelopeMeta {
        id: &meta.id,
        detail_type: &meta.detail_type,
        time: &meta.time,
    }
}

fn unsupported_source(kind: &str) -> EventError {
    EventError {
        message: format!("{NAME} maps only EventBridge contact events, not a {kind} event"),
        retryable: false,
    }
}

fn to_event_error(error: MappingError) -> EventError {
    EventError {
        message: error.to_string(),
        retryable: error.is_retryable(),
    }
}

fn to_wit_record(record: Record) -> TimestreamRecord {
    let dimensions = record.dimensions.into_iter();
    let measures = record.measures.into_iter();
    TimestreamRecord {
        table: record.table,
        dimensions: dimensions
            .map(|d| Dimension {
                name: d.name,
                value: d.value,
            })
            .collect(),
        measure_name: record.measure_name,
        measures: measures
            .map(|m| Measure {
                name: m.name,
                value: to_wit_value(m.value),
            })
            .collect(),
        time: record.time,
        time_unit: to_wit_time_unit(record.time_unit),
        version: record.version,
    }
}

fn to_wit_value(value: MeasureValue) -> connect_rt::transform::types::MeasureValue {
    use connect_rt::transform::types::MeasureValue as Wit;
    match value {
        MeasureValue::Double(value) => Wit::Double(value),
        MeasureValue::Bigint(value) => Wit::Bigint(value),
        MeasureValue::Varchar(value) => Wit::Varchar(value),
        MeasureValue::Boolean(value) => Wit::Boolean(value),
        MeasureValue::Timestamp(value) => Wit::Timestamp(value),
    }
}

fn to_wit_time_unit(unit: mapping::TimeUnit) -> TimeUnit {
    match unit {
        mapping::TimeUnit::Milliseconds => TimeUnit::Milliseconds,
        mapping::TimeUnit::Seconds => TimeUnit::Seconds,
        mapping::TimeUnit::Microseconds => TimeUnit::Microseconds,
        mapping::TimeUnit::Nanoseconds => TimeUnit::Nanoseconds,
    }
}
