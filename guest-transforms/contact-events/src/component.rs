//! The WebAssembly component: binds `wit/transform.wit` and hands each event to the mapping.
//!
//! Only this module knows the WIT types. It checks the source kind, reads the
//! customer-endpoint opt-in once per batch, converts [`Record`](crate::mapping::Record)s, and logs every failed event
//! at debug level with its index in the batch.

use transform_kit::bindings::wit::{
    Event, EventError, EventResult, EventbridgeMeta, LogLevel, SourceKind, SourceMeta,
    TransformInfo,
};
use transform_kit::bindings::{Guest, host, source_name, to_wit_records};

use crate::mapping::{self, EnvelopeMeta, INCLUDE_CUSTOMER_ENDPOINT_KEY, MappingError, Settings};

/// The transform's name, as the host reports it in logs and dead-letter records.
const NAME: &str = "contact-events";

struct ContactEventsTransform;

transform_kit::export!(ContactEventsTransform with_types_in transform_kit::bindings);

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
    let SourceMeta::Eventbridge(meta) = &event.meta else {
        return Err(unsupported_source(source_name(&event.meta)));
    };

    let records = mapping::map_contact_event(&envelope(meta), &event.payload, settings);
    records.map(to_wit_records).map_err(to_event_error)
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
