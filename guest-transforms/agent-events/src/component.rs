//! The WebAssembly component: binds [`crate::mapping`] to the `transformer` world of
//! `wit/transform.wit`.
//!
//! Each event is mapped on its own, so one bad event fails alone; its error is logged at
//! debug through the host (the host reports and dead-letters it) and returned as
//! non-retryable, since mapping errors never heal on retry.

use transform_kit::bindings::{Guest, host, permanent, source_name, to_wit_records, wit};

use crate::mapping;

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

transform_kit::export!(AgentEvents with_types_in transform_kit::bindings);

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
        Ok(records) => Ok(to_wit_records(records)),
        Err(error) => Err(permanent(error.to_string())),
    }
}
