//! Per-transform metrics as CloudWatch embedded-metric-format (EMF) lines: one JSON object
//! per transform per invocation on stdout, which CloudWatch Logs turns into metrics.
//!
//! The metric names live in [`METRICS`] only, so dashboards and alarms can be checked
//! against one list.

use serde_json::{Map, Value, json};

use crate::pipeline::TransformStats;

/// Every metric this host emits, with its unit.
pub const METRICS: &[(&str, &str)] = &[
    ("EventsIn", "Count"),
    ("RecordsOut", "Count"),
    ("EventsFailed", "Count"),
    ("RecordsRejected", "Count"),
    ("EventsDeadLettered", "Count"),
    ("EventsRetried", "Count"),
    ("TransformTime", "Milliseconds"),
];

/// The EMF line for one transform's stats in one invocation.
pub fn emf_line(
    namespace: &str,
    transform: &str,
    stats: &TransformStats,
    timestamp_ms: i64,
) -> String {
    let values = [
        stats.events_in as f64,
        stats.records_out as f64,
        stats.events_failed as f64,
        stats.records_rejected as f64,
        stats.events_dead_lettered as f64,
        stats.events_retried as f64,
        stats.transform_time.as_secs_f64() * 1000.0,
    ];
    let definitions: Vec<Value> = METRICS
        .iter()
        .map(|(name, unit)| json!({"Name": name, "Unit": unit}))
        .collect();

    let mut line = Map::new();
    line.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Transform"]],
                "Metrics": definitions,
            }],
        }),
    );
    line.insert("Transform".into(), Value::from(transform));
    for ((name, _), value) in METRICS.iter().zip(values) {
        line.insert((*name).into(), Value::from(value));
    }
    Value::Object(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_line_declares_and_carries_every_metric() {
        let stats = TransformStats {
            events_in: 5,
            records_out: 7,
            events_failed: 1,
            records_rejected: 2,
            events_dead_lettered: 1,
            events_retried: 0,
            transform_time: std::time::Duration::from_micros(1500),
        };
        let line: Value =
            serde_json::from_str(&emf_line("NS", "agent-events@0.1.0", &stats, 42)).unwrap();
        assert_eq!(line["_aws"]["Timestamp"], 42);
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "NS");
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Transform"]])
        );
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len(),
            7
        );
        assert_eq!(line["Transform"], "agent-events@0.1.0");
        assert_eq!(line["EventsIn"], 5.0);
        assert_eq!(line["RecordsOut"], 7.0);
        assert_eq!(line["RecordsRejected"], 2.0);
        assert_eq!(line["EventsDeadLettered"], 1.0);
        assert_eq!(line["TransformTime"], 1.5);
    }
}
