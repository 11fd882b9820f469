//! The Timestream sink against a loopback stand-in that speaks Timestream Write's wire
//! protocol (awsJson1_0, `X-Amz-Target: Timestream_20181101.<Op>`), through the real SDK
//! client: endpoint discovery over TLS, request shape, retries, rejections and deadlines.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use connect_rt::contract::{Dimension, Measure, MeasureValue, TimeUnit, TimestreamRecord};
use connect_rt::pipeline::RecordSink;
use connect_rt::store::timestream::{SinkError, TimestreamSettings, TimestreamSink};
use connect_rt::store::{RejectReason, Rejection, WriteOutcome};
use serde_json::{Value, json};
use support::{Binding, Call, Reply, StandIn, closed_port_url, sdk_config};

const BASE_MS: i64 = 1_700_000_000_000;

/// An agent-event-like record: a dimension every record shares, one of its own, and one
/// measure of each type.
fn record(table: &str, i: i64, version: i64) -> TimestreamRecord {
    TimestreamRecord {
        table: table.to_owned(),
        dimensions: vec![
            Dimension {
                name: "instance_id".into(),
                value: "inst-1".into(),
            },
            Dimension {
                name: "agent_id".into(),
                value: format!("agent-{i}"),
            },
        ],
        measure_name: "agent_state".into(),
        measures: vec![
            Measure {
                name: "status".into(),
                value: MeasureValue::Varchar("Available".into()),
            },
            Measure {
                name: "contacts".into(),
                value: MeasureValue::Bigint(i),
            },
            Measure {
                name: "occupancy".into(),
                value: MeasureValue::Double(0.25),
            },
            Measure {
                name: "on_call".into(),
                value: MeasureValue::Boolean(true),
            },
            Measure {
                name: "state_since".into(),
                value: MeasureValue::Timestamp(BASE_MS - 500),
            },
        ],
        time: BASE_MS + i,
        time_unit: TimeUnit::Milliseconds,
        version,
    }
}

fn settings(endpoint_override: Option<String>) -> TimestreamSettings {
    TimestreamSettings {
        endpoint_override,
        retry_base: Duration::from_millis(10),
        ..TimestreamSettings::new("connect")
    }
}

fn accepted(call: &Call) -> Reply {
    let n = call.body["Records"].as_array().map_or(0, Vec::len);
    Reply::ok(json!({ "RecordsIngested": { "Total": n, "MemoryStore": n, "MagneticStore": 0 } }))
}

/// A sink on the plain client, pointed at `standin`.
async fn sink_for(standin: &StandIn) -> TimestreamSink {
    let sdk = sdk_config(&standin.url(), None).await;
    TimestreamSink::new(&sdk, settings(Some(standin.url())))
        .await
        .expect("a sink")
}

fn budget(seconds: f64) -> Instant {
    Instant::now() + Duration::from_secs_f64(seconds)
}

/// The `Time` values of a request's records, as numbers.
fn times(call: &Call) -> Vec<i64> {
    call.body["Records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["Time"].as_str().expect("time").parse().expect("a number"))
        .collect()
}

#[tokio::test]
async fn discovered_endpoint_receives_batches_of_at_most_100_per_table() {
    let binding = Binding::new(true).await;
    let ingest = binding.tls_addr().expect("a TLS listener");
    let standin = binding.serve(move |call, _| match call.operation.as_str() {
        "DescribeEndpoints" => Reply::ok(json!({
            "Endpoints": [{ "Address": ingest.to_string(), "CachePeriodInMinutes": 1440 }]
        })),
        "WriteRecords" => accepted(call),
        other => Reply::error(400, "UnknownOperationException", other, json!({})),
    });
    let sdk = sdk_config(&standin.url(), standin.ca_pem.as_deref()).await;
    let mut config = settings(None);
    config
        .tables
        .insert("ContactEvent".into(), "contact_events".into());
    let mut sink = TimestreamSink::new(&sdk, config)
        .await
        .expect("discovery works");

    // 150 AgentEvent and 100 ContactEvent records, interleaved.
    let records: Vec<TimestreamRecord> = (0..250)
        .map(|i| {
            record(
                if i % 5 < 3 {
                    "AgentEvent"
                } else {
                    "ContactEvent"
                },
                i,
                3,
            )
        })
        .collect();
    let outcomes = sink.write(records, BASE_MS, budget(3.0)).await;

    assert_eq!(outcomes, vec![WriteOutcome::Written; 250]);
    let discovery = standin.calls_of("DescribeEndpoints");
    assert_eq!(discovery.len(), 1);
    assert!(!discovery[0].tls);
    let mut writes = standin.calls_of("WriteRecords");
    assert_eq!(writes.len(), 3);
    assert_eq!(
        writes.iter().map(|c| c.tls).collect::<Vec<_>>(),
        vec![true; 3]
    );

    // Grouped by physical table, in input order within each table.
    writes.sort_by_key(|c| {
        (
            c.body["TableName"].as_str().unwrap().to_owned(),
            times(c)[0],
        )
    });
    let agent: Vec<i64> = (0..250)
        .filter(|i| i % 5 < 3)
        .map(|i| BASE_MS + i)
        .collect();
    let contact: Vec<i64> = (0..250)
        .filter(|i| i % 5 >= 3)
        .map(|i| BASE_MS + i)
        .collect();
    assert_eq!(writes[0].body["TableName"], "AgentEvent");
    assert_eq!(times(&writes[0]), agent[..100].to_vec());
    assert_eq!(writes[1].body["TableName"], "AgentEvent");
    assert_eq!(times(&writes[1]), agent[100..].to_vec());
    assert_eq!(writes[2].body["TableName"], "contact_events");
    assert_eq!(times(&writes[2]), contact);

    // What all records share goes once, as common attributes; each record keeps the rest.
    for call in &writes {
        assert_eq!(call.body["DatabaseName"], "connect");
        assert_eq!(
            call.body["CommonAttributes"],
            json!({ "Dimensions": [{ "Name": "instance_id", "Value": "inst-1" }],
                    "TimeUnit": "MILLISECONDS" })
        );
    }
    assert_eq!(
        writes[0].body["Records"][1],
        json!({
            "Dimensions": [{ "Name": "agent_id", "Value": "agent-1" }],
            "MeasureName": "agent_state",
            "MeasureValueType": "MULTI",
            "Time": (BASE_MS + 1).to_string(),
            "Version": 3,
            "MeasureValues": [
                { "Name": "status", "Value": "Available", "Type": "VARCHAR" },
                { "Name": "contacts", "Value": "1", "Type": "BIGINT" },
                { "Name": "occupancy", "Value": "0.25", "Type": "DOUBLE" },
                { "Name": "on_call", "Value": "true", "Type": "BOOLEAN" },
                { "Name": "state_since", "Value": (BASE_MS - 500).to_string(), "Type": "TIMESTAMP" }
            ]
        })
    );
}

#[tokio::test]
async fn only_truly_common_attributes_are_shared() {
    let standin = StandIn::start(|call, _| accepted(call)).await;
    let mut sink = sink_for(&standin).await;

    // Record 2 lacks the queue dimension and is in seconds (with a TIMESTAMP measure);
    // record 1 is in microseconds.
    let mut records = vec![record("T", 0, 1), record("T", 1, 1), record("T", 2, 1)];
    for r in &mut records[..2] {
        r.dimensions.push(Dimension {
            name: "queue".into(),
            value: "q-1".into(),
        });
    }
    records[1].time = BASE_MS * 1000;
    records[1].time_unit = TimeUnit::Microseconds;
    records[2].time = 1_700_000_123;
    records[2].time_unit = TimeUnit::Seconds;
    let outcomes = sink.write(records, BASE_MS, budget(2.0)).await;

    assert_eq!(outcomes, vec![WriteOutcome::Written; 3]);
    let calls = standin.calls_of("WriteRecords");
    assert_eq!(calls.len(), 1);
    let body = &calls[0].body;
    assert_eq!(
        body["CommonAttributes"],
        json!({ "Dimensions": [{ "Name": "instance_id", "Value": "inst-1" }] })
    );
    assert_eq!(
        body["Records"][0]["Dimensions"],
        json!([{ "Name": "agent_id", "Value": "agent-0" }, { "Name": "queue", "Value": "q-1" }])
    );
    assert_eq!(body["Records"][0]["TimeUnit"], "MILLISECONDS");
    assert_eq!(body["Records"][1]["TimeUnit"], "MICROSECONDS");
    // Seconds with a millisecond TIMESTAMP measure go as milliseconds: the same instant.
    assert_eq!(body["Records"][2]["TimeUnit"], "MILLISECONDS");
    assert_eq!(body["Records"][2]["Time"], "1700000123000");
    assert_eq!(
        body["Records"][2]["MeasureValues"][4]["Value"],
        (BASE_MS - 500).to_string()
    );
}

#[tokio::test]
async fn timestamp_measures_use_the_request_time_unit() {
    let standin = StandIn::start(|call, _| accepted(call)).await;
    let mut sink = sink_for(&standin).await;
    let mut micro = record("T", 0, 1);
    micro.time = (BASE_MS) * 1000;
    micro.time_unit = TimeUnit::Microseconds;

    let outcomes = sink.write(vec![micro], BASE_MS, budget(2.0)).await;

    assert_eq!(outcomes, vec![WriteOutcome::Written]);
    let body = &standin.calls_of("WriteRecords")[0].body;
    assert_eq!(body["CommonAttributes"]["TimeUnit"], "MICROSECONDS");
    assert_eq!(body["Records"][0]["Time"], "1700000000000000");
    assert_eq!(
        body["Records"][0]["MeasureValues"][4]["Value"],
        "1699999999500000"
    );
}

#[tokio::test]
async fn requests_run_concurrently_up_to_the_limit() {
    let standin = StandIn::start(|call, _| accepted(call).after(Duration::from_millis(200))).await;
    let sdk = sdk_config(&standin.url(), None).await;
    let config = TimestreamSettings {
        max_concurrent_writes: 2,
        ..settings(Some(standin.url()))
    };
    let mut sink = TimestreamSink::new(&sdk, config).await.expect("a sink");
    let records: Vec<TimestreamRecord> = (0..500).map(|i| record("AgentEvent", i, 1)).collect();

    let outcomes = sink.write(records, BASE_MS, budget(3.0)).await;

    assert_eq!(outcomes, vec![WriteOutcome::Written; 500]);
    assert_eq!(standin.calls_of("WriteRecords").len(), 5);
    assert_eq!(standin.max_in_flight(), 2);
}

#[tokio::test]
async fn throttled_twice_then_accepted_is_written_after_three_calls() {
    let standin = StandIn::start(|call, earlier| {
        if earlier < 2 {
            return Reply::error(400, "ThrottlingException", "Rate exceeded", json!({}));
        }
        accepted(call)
    })
    .await;
    let mut sink = sink_for(&standin).await;
    let records: Vec<TimestreamRecord> = (0..10).map(|i| record("AgentEvent", i, 1)).collect();

    let outcomes = sink.write(records, BASE_MS, budget(3.0)).await;

    assert_eq!(outcomes, vec![WriteOutcome::Written; 10]);
    let calls = standin.calls_of("WriteRecords");
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].body, calls[2].body);
}

#[tokio::test]
async fn internal_server_errors_are_retried() {
    let standin = StandIn::start(|call, earlier| {
        if earlier == 0 {
            return Reply::error(500, "InternalServerException", "try again", json!({}));
        }
        accepted(call)
    })
    .await;
    let mut sink = sink_for(&standin).await;

    let outcomes = sink
        .write(vec![record("T", 0, 1)], BASE_MS, budget(2.0))
        .await;

    assert_eq!(outcomes, vec![WriteOutcome::Written]);
    assert_eq!(standin.calls_of("WriteRecords").len(), 2);
}

fn rejecting(rejected: Value) -> impl Fn(&Call, usize) -> Reply + Send + Sync + 'static {
    move |_, _| {
        Reply::error(
            419,
            "RejectedRecordsException",
            "One or more records have been rejected.",
            json!({ "RejectedRecords": rejected.clone() }),
        )
    }
}

#[tokio::test]
async fn rejection_with_newer_existing_version_counts_as_already_current() {
    let window = "The record timestamp is outside the time range [2023-11-13T22:00:00Z, \
                  2023-11-15T22:15:00Z) of the data ingestion window.";
    let newer = "A record with a higher version exists.";
    let standin = StandIn::start(rejecting(json!([
        { "RecordIndex": 7, "Reason": newer, "ExistingVersion": 6 },
        { "RecordIndex": 42, "Reason": window }
    ])))
    .await;
    let mut sink = sink_for(&standin).await;
    let records: Vec<TimestreamRecord> = (0..100).map(|i| record("AgentEvent", i, 5)).collect();

    let outcomes = sink.write(records, BASE_MS, budget(2.0)).await;

    let mut expected = vec![WriteOutcome::Written; 100];
    expected[7] = WriteOutcome::AlreadyCurrent {
        existing_version: 6,
    };
    expected[42] = WriteOutcome::Rejected(Rejection::new(RejectReason::OutsideWriteWindow, window));
    assert_eq!(outcomes, expected);
    assert_eq!(standin.calls_of("WriteRecords").len(), 1);
}

#[tokio::test]
async fn real_rejections_are_permanent_and_classified() {
    let too_long = "Dimension value exceeds the maximum length of 2048 bytes.";
    let schema = "Measure value type conflict: column occupancy already exists as BIGINT.";
    let older = "A record with the same time and dimensions exists at version 4.";
    let standin = StandIn::start(rejecting(json!([
        { "RecordIndex": 3, "Reason": too_long },
        { "RecordIndex": 99, "Reason": schema },
        { "RecordIndex": 50, "Reason": older, "ExistingVersion": 4 }
    ])))
    .await;
    let mut sink = sink_for(&standin).await;
    let records: Vec<TimestreamRecord> = (0..100).map(|i| record("AgentEvent", i, 5)).collect();

    let outcomes = sink.write(records, BASE_MS, budget(2.0)).await;

    let mut expected = vec![WriteOutcome::Written; 100];
    expected[3] = WriteOutcome::Rejected(Rejection::new(RejectReason::InvalidRecord, too_long));
    expected[99] = WriteOutcome::Rejected(Rejection::new(RejectReason::SchemaConflict, schema));
    expected[50] = WriteOutcome::Rejected(Rejection::new(RejectReason::Other, older));
    assert_eq!(outcomes, expected);
    assert_eq!(standin.calls_of("WriteRecords").len(), 1);
}

/// Emulates Timestream's versioning: a point (table, dimensions, measure name, time) is
/// stored with its version; writing it again at the same or a lower version is rejected
/// with `ExistingVersion`.
fn versioned_store() -> impl Fn(&Call, usize) -> Reply + Send + Sync + 'static {
    let stored: Mutex<HashMap<String, i64>> = Mutex::new(HashMap::new());
    move |call, _| {
        let body = &call.body;
        let common = body["CommonAttributes"]["Dimensions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut stored = stored.lock().unwrap();
        let mut rejected = Vec::new();
        for (index, record) in body["Records"].as_array().unwrap().iter().enumerate() {
            let mut dims: BTreeMap<String, String> = BTreeMap::new();
            for d in common
                .iter()
                .chain(record["Dimensions"].as_array().unwrap_or(&Vec::new()))
            {
                dims.insert(
                    d["Name"].as_str().unwrap().into(),
                    d["Value"].as_str().unwrap().into(),
                );
            }
            let key = format!(
                "{}|{dims:?}|{}|{}",
                body["TableName"], record["MeasureName"], record["Time"]
            );
            let version = record["Version"].as_i64().unwrap();
            match stored.get(&key) {
                Some(&existing) if existing >= version => rejected.push(json!({
                    "RecordIndex": index,
                    "Reason": "A record with the same time, dimensions and measure name exists \
                               with an equal or higher version.",
                    "ExistingVersion": existing
                })),
                _ => {
                    stored.insert(key, version);
                }
            }
        }
        if rejected.is_empty() {
            return accepted(call);
        }
        Reply::error(
            419,
            "RejectedRecordsException",
            "rejected",
            json!({ "RejectedRecords": rejected }),
        )
    }
}

#[tokio::test]
async fn replaying_a_batch_with_the_same_versions_counts_as_written() {
    let standin = StandIn::start(versioned_store()).await;
    let mut sink = sink_for(&standin).await;
    let batch: Vec<TimestreamRecord> = (0..120).map(|i| record("AgentEvent", i, 5)).collect();

    let first = sink.write(batch.clone(), BASE_MS, budget(2.0)).await;
    let replay = sink.write(batch.clone(), BASE_MS, budget(2.0)).await;
    let newer: Vec<TimestreamRecord> = batch
        .into_iter()
        .map(|mut r| {
            r.version = 6;
            r
        })
        .collect();
    let update = sink.write(newer, BASE_MS, budget(2.0)).await;

    assert_eq!(first, vec![WriteOutcome::Written; 120]);
    assert_eq!(
        replay,
        vec![
            WriteOutcome::AlreadyCurrent {
                existing_version: 5
            };
            120
        ]
    );
    assert!(replay.iter().all(WriteOutcome::is_written));
    assert_eq!(update, vec![WriteOutcome::Written; 120]);
    assert_eq!(standin.calls_of("WriteRecords").len(), 6);
}

#[tokio::test]
async fn unreachable_timestream_leaves_every_record_retryable_by_the_deadline() {
    let url = closed_port_url();
    let sdk = sdk_config(&url, None).await;
    let mut sink = TimestreamSink::new(&sdk, settings(Some(url)))
        .await
        .expect("a sink");
    let records: Vec<TimestreamRecord> = (0..150).map(|i| record("AgentEvent", i, 1)).collect();
    let budget_s = 1.5;

    let started = Instant::now();
    let outcomes = sink.write(records, BASE_MS, budget(budget_s)).await;
    let elapsed = started.elapsed();

    assert!(
        elapsed < Duration::from_secs_f64(budget_s + 1.0),
        "took {elapsed:?}"
    );
    assert_eq!(outcomes.len(), 150);
    for outcome in &outcomes {
        let WriteOutcome::Retryable { reason } = outcome else {
            panic!("expected retryable, got {outcome:?}");
        };
        assert!(
            reason.starts_with("Timestream: gave up at the deadline: "),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn deadline_cuts_a_hanging_request() {
    let standin = StandIn::start(|call, _| accepted(call).after(Duration::from_millis(1500))).await;
    let mut sink = sink_for(&standin).await;

    let started = Instant::now();
    let outcomes = sink
        .write(vec![record("T", 0, 1)], BASE_MS, budget(0.5))
        .await;

    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        outcomes,
        vec![WriteOutcome::Retryable {
            reason: "Timestream: gave up at the deadline: the invocation's deadline passed \
                     mid-request"
                .into()
        }]
    );
}

#[tokio::test]
async fn access_denied_is_retryable_without_retrying_now() {
    let standin = StandIn::start(|_, _| {
        Reply::error(
            400,
            "AccessDeniedException",
            "not authorized to WriteRecords",
            json!({}),
        )
    })
    .await;
    let mut sink = sink_for(&standin).await;

    let outcomes = sink
        .write(
            vec![record("T", 0, 1), record("U", 1, 1)],
            BASE_MS,
            budget(2.0),
        )
        .await;

    let reason = "Timestream: AccessDeniedException: not authorized to WriteRecords".to_owned();
    assert_eq!(outcomes, vec![WriteOutcome::Retryable { reason }; 2]);
    assert_eq!(standin.calls_of("WriteRecords").len(), 2);
}

#[tokio::test]
async fn validation_error_rejects_the_request_records() {
    let message = "1 validation error detected: Value at 'records.1.member.version' failed";
    let standin =
        StandIn::start(move |_, _| Reply::error(400, "ValidationException", message, json!({})))
            .await;
    let mut sink = sink_for(&standin).await;

    let outcomes = sink
        .write(vec![record("T", 0, 1)], BASE_MS, budget(2.0))
        .await;

    let rejection = Rejection::new(RejectReason::InvalidRecord, message);
    assert_eq!(outcomes, vec![WriteOutcome::Rejected(rejection)]);
    assert_eq!(standin.calls_of("WriteRecords").len(), 1);
}

#[tokio::test]
async fn failed_discovery_is_reported_at_construction() {
    let standin = StandIn::start(|_, _| {
        Reply::error(
            400,
            "AccessDeniedException",
            "no DescribeEndpoints",
            json!({}),
        )
    })
    .await;
    let sdk = sdk_config(&standin.url(), None).await;

    let result = TimestreamSink::new(&sdk, settings(None)).await;

    let Err(SinkError::Discovery(message)) = result else {
        panic!("expected a discovery error");
    };
    assert!(message.contains("no DescribeEndpoints"), "{message}");
}
