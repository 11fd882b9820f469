//! What every fault guest shares: the marker that triggers a fault, its `describe` answer, and
//! the one record it writes for a well-behaved event.
//!
//! Each fault crate includes this file with `#[path]` as a child of the module that expanded
//! `wit_bindgen::generate!`, so `super::` below names that crate's own bindings.

use super::connect_rt::transform::types::{
    Dimension, Event, EventResult, Measure, MeasureValue, SourceKind, SourceMeta, TimeUnit,
    TimestreamRecord, TransformInfo,
};

/// The bytes whose presence anywhere in a payload makes a fault guest misbehave.
pub const FAULT_MARKER: &[u8] = b"FAULT";

/// The table and measure name of every record a fault guest writes.
pub const TABLE: &str = "AgentEvent";

/// The `AgentARN` value for events that carry no Kinesis partition key.
const NO_PARTITION_KEY: &str = "test";

/// Says which fault guest this is; `kind` is e.g. `trap`, giving the name `fault-trap`.
pub fn describe(kind: &str) -> TransformInfo {
    TransformInfo {
        name: format!("fault-{kind}"),
        version: "0.1.0".to_string(),
        sources: vec![SourceKind::KinesisRecord],
        tables: vec![TABLE.to_string()],
    }
}

/// Transforms a batch: one ordinary record per event, except that an event whose payload holds
/// [`FAULT_MARKER`] gets `fault(index, event)` instead.
pub fn transform_batch(
    events: Vec<Event>,
    fault: impl Fn(u32, &Event) -> EventResult,
) -> Vec<EventResult> {
    let indexed = (0u32..).zip(events.iter());

    indexed
        .map(|(index, event)| {
            if is_fault(event) {
                fault(index, event)
            } else {
                Ok(vec![normal_record(index, event)])
            }
        })
        .collect()
}

/// True when the event's payload contains [`FAULT_MARKER`].
pub fn is_fault(event: &Event) -> bool {
    event
        .payload
        .windows(FAULT_MARKER.len())
        .any(|window| window == FAULT_MARKER)
}

/// The record a fault guest writes for a well-behaved event.
///
/// `AgentARN` is the Kinesis partition key, the `Payload` measure is the payload as lossy UTF-8,
/// `_X_Index` is the event's position in the batch, and the time is the source's own time in
/// milliseconds (zero for EventBridge, whose time is a string this guest does not parse).
pub fn normal_record(index: u32, event: &Event) -> TimestreamRecord {
    let payload = String::from_utf8_lossy(&event.payload).into_owned();

    TimestreamRecord {
        table: TABLE.to_string(),
        dimensions: vec![Dimension {
            name: "AgentARN".to_string(),
            value: agent_arn(event),
        }],
        measure_name: TABLE.to_string(),
        measures: vec![
            Measure {
                name: "Payload".to_string(),
                value: MeasureValue::Varchar(payload),
            },
            Measure {
                name: "_X_Index".to_string(),
                value: MeasureValue::Bigint(index.into()),
            },
        ],
        time: event_time_ms(event),
        time_unit: TimeUnit::Milliseconds,
        version: 1,
    }
}

/// The Kinesis partition key, or `test` for events from other sources.
fn agent_arn(event: &Event) -> String {
    match &event.meta {
        SourceMeta::Kinesis(kinesis) => kinesis.partition_key.clone(),
        SourceMeta::Eventbridge(_) | SourceMeta::Scheduled(_) => NO_PARTITION_KEY.to_string(),
    }
}

/// The event's time in milliseconds since the Unix epoch, or zero for EventBridge events.
fn event_time_ms(event: &Event) -> i64 {
    match &event.meta {
        SourceMeta::Kinesis(kinesis) => kinesis.approximate_arrival_ms,
        SourceMeta::Scheduled(snapshot) => snapshot.collected_at_ms,
        SourceMeta::Eventbridge(_) => 0,
    }
}
