//! The WebAssembly component: binds [`crate::mapping`] to the `transformer` world of
//! `wit/transform.wit`.
//!
//! Only this module knows the WIT types. It checks the source kind, converts
//! [`Record`](crate::mapping::Record)s, logs each snapshot's warnings at warn and each failed
//! event at debug (the host reports and dead-letters it), both with the event's index in the
//! batch.

use transform_kit::bindings::{Guest, host, permanent, source_name, to_wit_records, wit};

use crate::mapping::{self, SnapshotMeta};

/// The transform's name, as the host reports it in logs and dead-letter records.
const NAME: &str = "instance-data";

/// The tables this transform writes to.
const TABLES: [&str; 3] = [
    mapping::INSTANCE_TABLE,
    mapping::QUEUE_TABLE,
    mapping::USER_TABLE,
];

struct InstanceData;

transform_kit::export!(InstanceData with_types_in transform_kit::bindings);

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
            Ok(to_wit_records(mapped.records))
        }
        Err(error) => {
            let message = error.to_string();
            host::log(wit::LogLevel::Debug, &message, index);
            Err(permanent(message))
        }
    }
}
