//! The `transformer` world of `wit/transform.wit`, generated once for every guest (wasm32
//! only), and what the guests' components share on top of it.
//!
//! A guest implements [`Guest`] and exports it from its own crate, where the component's
//! exports must be emitted:
//!
//! ```ignore
//! transform_kit::export!(MyGuest with_types_in transform_kit::bindings);
//! ```

wit_bindgen::generate!({
    path: "../../wit",
    world: "transformer",
    pub_export_macro: true,
    default_bindings_module: "transform_kit::bindings",
});

pub use connect_rt::transform::host;
pub use connect_rt::transform::types as wit;
pub use exports::connect_rt::transform::transform::Guest;

use crate::record::{Dimension, Measure, MeasureValue, Record, TimeUnit};

impl<N: Into<String>> From<Record<N>> for wit::TimestreamRecord {
    /// Converts a mapping record, moving its value strings (and its names, when owned).
    fn from(record: Record<N>) -> Self {
        Self {
            table: record.table.into(),
            dimensions: record.dimensions.into_iter().map(Into::into).collect(),
            measure_name: record.measure_name.into(),
            measures: record.measures.into_iter().map(Into::into).collect(),
            time: record.time,
            time_unit: record.time_unit.into(),
            version: record.version,
        }
    }
}

impl<N: Into<String>> From<Dimension<N>> for wit::Dimension {
    fn from(dimension: Dimension<N>) -> Self {
        Self {
            name: dimension.name.into(),
            value: dimension.value,
        }
    }
}

impl<N: Into<String>> From<Measure<N>> for wit::Measure {
    fn from(measure: Measure<N>) -> Self {
        Self {
            name: measure.name.into(),
            value: measure.value.into(),
        }
    }
}

impl From<MeasureValue> for wit::MeasureValue {
    fn from(value: MeasureValue) -> Self {
        match value {
            MeasureValue::Double(value) => Self::Double(value),
            MeasureValue::Bigint(value) => Self::Bigint(value),
            MeasureValue::Varchar(value) => Self::Varchar(value),
            MeasureValue::Boolean(value) => Self::Boolean(value),
            MeasureValue::Timestamp(value) => Self::Timestamp(value),
        }
    }
}

impl From<TimeUnit> for wit::TimeUnit {
    fn from(unit: TimeUnit) -> Self {
        match unit {
            TimeUnit::Milliseconds => Self::Milliseconds,
            TimeUnit::Seconds => Self::Seconds,
            TimeUnit::Microseconds => Self::Microseconds,
            TimeUnit::Nanoseconds => Self::Nanoseconds,
        }
    }
}

/// Converts a mapping's records to the WIT records an event succeeds with.
pub fn to_wit_records<N: Into<String>>(records: Vec<Record<N>>) -> Vec<wit::TimestreamRecord> {
    records.into_iter().map(Into::into).collect()
}

/// A non-retryable error: the guests' mapping errors are about the event's own content, so
/// the same event fails the same way on every retry.
pub fn permanent(message: String) -> wit::EventError {
    wit::EventError {
        message,
        retryable: false,
    }
}

/// The WIT name of the event's source kind, as the guests' error messages spell it.
pub fn source_name(meta: &wit::SourceMeta) -> &'static str {
    match meta {
        wit::SourceMeta::Kinesis(_) => "kinesis-record",
        wit::SourceMeta::Eventbridge(_) => "eventbridge-event",
        wit::SourceMeta::Scheduled(_) => "scheduled-snapshot",
    }
}
