//! The `transformer` world's bindings and the export of [`FaultFlood`].

wit_bindgen::generate!({ path: "../../../wit", world: "transformer" });

#[path = "../../common.rs"]
mod common;

use connect_rt::transform::types::{Event, EventResult, TimestreamRecord, TransformInfo};
use exports::connect_rt::transform::transform::Guest;

/// Records returned for a marked event: 100 times Timestream's 100 records per write.
const FLOOD_RECORDS: u16 = 10_000;

/// Bytes in each flood record's `AgentARN` value: over Timestream's 2 KiB dimension value limit.
const FLOOD_DIMENSION_BYTES: usize = 3_000;

/// The guest that floods the host with records on a marked event.
struct FaultFlood;

impl Guest for FaultFlood {
    fn describe() -> TransformInfo {
        common::describe("flood")
    }

    fn transform_batch(events: Vec<Event>) -> Vec<EventResult> {
        common::transform_batch(events, |index, event| Ok(flood(index, event)))
    }
}

/// The event's ordinary record, repeated [`FLOOD_RECORDS`] times with an oversized `AgentARN`
/// and times one millisecond apart, so no two records are the same point.
fn flood(index: u32, event: &Event) -> Vec<TimestreamRecord> {
    let template = common::normal_record(index, event);
    let oversized = "F".repeat(FLOOD_DIMENSION_BYTES);

    (0..FLOOD_RECORDS)
        .map(|offset| {
            let mut record = template.clone();
            record.dimensions[0].value = oversized.clone();
            record.time += i64::from(offset);
            record
        })
        .collect()
}

export!(FaultFlood);
