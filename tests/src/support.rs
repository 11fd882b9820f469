//! Helpers for driving the real host: loading guests, building events, running a pipeline
//! into an in-memory embedded store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use connect_rt::contract::{Event, EventbridgeMeta, KinesisMeta, SourceMeta};
use connect_rt::pipeline::{BatchReport, Pipeline};
use connect_rt::records::rules::WriteRules;
use connect_rt::runtime::{RuntimeLimits, Transform, TransformRuntime, TransformSpec};
use connect_rt::sources::{SourceRecord, kinesis};
use connect_rt::store::embedded::EmbeddedStore;

/// The stream ARN test Kinesis events carry.
pub const STREAM_ARN: &str = "arn:aws:kinesis:eu-west-2:111122223333:stream/connect-agent-events";

/// One runtime per test binary: the engine and its epoch ticker are shared, as in the Lambda.
pub fn runtime() -> &'static TransformRuntime {
    static RUNTIME: OnceLock<TransformRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| runtime_with(RuntimeLimits::default()))
}

/// A runtime with other limits.
pub fn runtime_with(limits: RuntimeLimits) -> TransformRuntime {
    TransformRuntime::new(limits).expect("the runtime starts")
}

/// Loads a guest component into the shared runtime.
pub fn load(path: &str) -> Transform {
    load_with(runtime(), path)
}

/// Loads a guest component into `runtime`, from an artifact precompiled once per test
/// binary (as the Lambda does), so tests do not pay for compiling it again and again.
pub fn load_with(runtime: &TransformRuntime, path: &str) -> Transform {
    let spec = TransformSpec {
        path: artifact(path),
        config: Default::default(),
        allow_compile: false,
    };
    runtime
        .load(&spec)
        .unwrap_or_else(|e| panic!("{path} loads: {e}"))
}

/// The precompiled artifact of a guest, made on first use in a folder that lives as long as
/// the test process.
fn artifact(path: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static MADE: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"));
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    made.entry(path.to_owned())
        .or_insert_with(|| {
            let wasm = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let artifact = connect_rt::runtime::precompile(&wasm, None).expect("guest precompiles");
            let name = Path::new(path).file_stem().expect("a file name");
            let out = dir.path().join(name).with_extension("cwasm");
            std::fs::write(&out, artifact).expect("artifact written");
            out
        })
        .clone()
}

/// A deadline no test reaches.
pub fn far_deadline() -> Instant {
    Instant::now() + Duration::from_secs(600)
}

/// A Kinesis event carrying `payload`, arrived at `arrival_ms`.
pub fn kinesis_event(payload: Vec<u8>, arrival_ms: i64) -> Event {
    Event {
        meta: SourceMeta::Kinesis(KinesisMeta {
            stream_arn: STREAM_ARN.into(),
            shard_id: "shardId-000000000000".into(),
            partition_key: "test".into(),
            sequence_number: arrival_ms.to_string(),
            approximate_arrival_ms: arrival_ms,
        }),
        payload,
    }
}

/// The `detail` and metadata of an EventBridge envelope, as the host would decode it.
pub fn eventbridge_event(envelope: &[u8]) -> Event {
    let v: serde_json::Value = serde_json::from_slice(envelope).expect("envelope is JSON");
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    Event {
        meta: SourceMeta::Eventbridge(EventbridgeMeta {
            id: text("id"),
            source: text("source"),
            detail_type: text("detail-type"),
            time: text("time"),
            account: text("account"),
            region: text("region"),
            resources: v["resources"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }),
        payload: serde_json::to_vec(&v["detail"]).expect("detail renders"),
    }
}

/// A Lambda Kinesis event whose records carry `payloads` (raw bytes, base64-encoded here
/// unless given as `Data::Raw`), sequence numbers `base_seq + i`, arrival `arrival_ms[i]`.
pub fn lambda_kinesis_event(records: &[KinesisInput]) -> Vec<u8> {
    let records: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let data = match &r.data {
                Data::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
                Data::Raw(s) => s.clone(),
            };
            serde_json::json!({
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "agent",
                    "sequenceNumber": r.sequence_number,
                    "data": data,
                    "approximateArrivalTimestamp": r.arrival_ms as f64 / 1000.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": format!("shardId-000000000000:{}", r.sequence_number),
                "eventName": "aws:kinesis:record",
                "awsRegion": "eu-west-2",
                "eventSourceARN": STREAM_ARN,
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Records": records })).expect("event renders")
}

/// One record of a test Kinesis event.
pub struct KinesisInput {
    pub sequence_number: String,
    pub data: Data,
    pub arrival_ms: i64,
}

/// A record's data: bytes to encode, or a raw (possibly invalid) base64 string.
pub enum Data {
    Bytes(Vec<u8>),
    Raw(String),
}

/// Decodes a Lambda Kinesis event into source records.
pub fn decode_kinesis(event: &[u8]) -> Vec<SourceRecord> {
    kinesis::decode(event).expect("a valid Lambda Kinesis event")
}

/// A pipeline over `transforms` with default write rules.
pub fn pipeline(transforms: Vec<Transform>) -> Pipeline {
    Pipeline::new(
        transforms.into_iter().map(Arc::new).collect(),
        WriteRules::default(),
    )
}

/// Runs `records` through `pipeline` into `store` at `now_ms`.
pub fn run(
    pipeline: &Pipeline,
    store: &mut EmbeddedStore,
    records: Vec<SourceRecord>,
    now_ms: i64,
) -> BatchReport {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio starts");
    tokio.block_on(pipeline.run(records, store, now_ms, far_deadline()))
}

/// Replaces every `2025-03-04` timestamp in a sample with the same time on `day`
/// (`YYYY-MM-DD`), so samples fall inside a store's write window around a fixed "now".
pub fn on_day(sample: &[u8], day: &str) -> Vec<u8> {
    String::from_utf8_lossy(sample)
        .replace("2025-03-04", day)
        .into_bytes()
}
