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

// `self::`: the WIT package's module is named like this crate, so a bare `connect_rt`
// would be ambiguous wherever the crate is also an extern (doctests).
pub use self::connect_rt::transform::types::{
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

impl TimestreamRecord {
    /// The record as JSON, for golden files, dead letters and debugging output. Dimensions
    /// and measures keep their order; each measure carries its Timestream type.
    pub fn to_json(&self) -> serde_json::Value {
        let dimensions: serde_json::Map<String, serde_json::Value> = self
            .dimensions
            .iter()
            .map(|d| (d.name.clone(), serde_json::Value::from(d.value.as_str())))
            .collect();
        let measures: Vec<serde_json::Value> = self
            .measures
            .iter()
            .map(|m| serde_json::json!({ "name": m.name, "type": m.value.type_name(), "value": m.value.to_json() }))
            .collect();
        serde_json::json!({
            "table": self.table,
            "dimensions": dimensions,
            "measure_name": self.measure_name,
            "measures": measures,
            "time": self.time,
            "time_unit": self.time_unit.as_timestream_str(),
            "version": self.version,
        })
    }
}

impl MeasureValue {
    /// The value as JSON (a TIMESTAMP as its epoch milliseconds).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            MeasureValue::Double(v) => serde_json::Value::from(*v),
            MeasureValue::Bigint(v) | MeasureValue::Timestamp(v) => serde_json::Value::from(*v),
            MeasureValue::Varchar(v) => serde_json::Value::from(v.as_str()),
            MeasureValue::Boolean(v) => serde_json::Value::from(*v),
        }
    }
}
