//! Host bindings for the transform contract in `wit/transform.wit`.
//!
//! `wasmtime::component::bindgen!` turns the WIT package into Rust types and a typed handle
//! for the `transformer` world. The generated record types are used throughout the host as
//! they are (validation, stores, sinks), so a guest's output is never copied into a second
//! representation.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "transformer",
});

pub use connect_rt::transform::types::{
    Dimension, Event, EventError, EventbridgeMeta, KinesisMeta, LogLevel, Measure, MeasureValue,
    SnapshotMeta, SourceKind, SourceMeta, TimeUnit, TimestreamRecord, TransformInfo,
};

/// The WIT package this host implements, as `namespace:name@version`.
pub const CONTRACT: &str = "connect-rt:transform@0.1.0";

impl TimeUnit {
    /// How many of this unit make one millisecond's worth, as a divisor to milliseconds.
    ///
    /// Returns `(numerator, denominator)` such that `time * numerator / denominator` is in
    /// milliseconds.
    pub fn to_millis_ratio(self) -> (i64, i64) {
        match self {
            TimeUnit::Seconds => (1000, 1),
            TimeUnit::Milliseconds => (1, 1),
            TimeUnit::Microseconds => (1, 1000),
            TimeUnit::Nanoseconds => (1, 1_000_000),
        }
    }

    /// The name Timestream's API uses for this unit.
    pub fn as_timestream_str(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "SECONDS",
            TimeUnit::Milliseconds => "MILLISECONDS",
            TimeUnit::Microseconds => "MICROSECONDS",
            TimeUnit::Nanoseconds => "NANOSECONDS",
        }
    }
}

impl TimestreamRecord {
    /// The record's time in milliseconds since the Unix epoch (truncated toward zero).
    pub fn time_millis(&self) -> i64 {
        let (num, den) = self.time_unit.to_millis_ratio();
        self.time.saturating_mul(num) / den
    }
}

impl MeasureValue {
    /// The Timestream type name of this value (`DOUBLE`, `BIGINT`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            MeasureValue::Double(_) => "DOUBLE",
            MeasureValue::Bigint(_) => "BIGINT",
            MeasureValue::Varchar(_) => "VARCHAR",
            MeasureValue::Boolean(_) => "BOOLEAN",
            MeasureValue::Timestamp(_) => "TIMESTAMP",
        }
    }
}
