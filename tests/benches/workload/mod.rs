//! The benchmark workload shared by the bench binaries: agent events built from the seven
//! samples, padded to about 6 KB the way large contact centres make them large, and wrapped in
//! Lambda Kinesis events as the event source mapping delivers them.

use std::path::{Path, PathBuf};

use connect_rt_tests::sample;
use connect_rt_tests::support::{self, Data, KinesisInput};
use serde_json::{Value, json};

/// "Now" for the write rules: 2025-03-04T17:10:00Z, after the latest sample event (17:01)
/// and within 25 hours of the earliest (09:00), so every record is inside the write window.
pub const NOW_MS: i64 = 1_741_108_200_000;

/// Kinesis records per Lambda invocation: the event source mapping's batch size.
pub const BATCH_SIZE: usize = 100;

/// A payload is padded until one more queue would take it past this many bytes.
const TARGET_EVENT_BYTES: usize = 6 * 1024;

/// The agent event samples, in stream order.
const SAMPLES: [&str; 7] = [
    "agent_event_01_login.json",
    "agent_event_02_state_change_available.json",
    "agent_event_03_state_change_contact_connected.json",
    "agent_event_04_state_change_acw_contact_ended.json",
    "agent_event_05_heart_beat_no_hierarchy.json",
    "agent_event_06_state_change_missed.json",
    "agent_event_07_logout.json",
];

/// Names given to the queues added as padding.
const QUEUE_NAMES: [&str; 8] = [
    "Billing",
    "Returns",
    "Claims",
    "Renewals",
    "Onboarding",
    "Escalations",
    "Retention",
    "Payments",
];

/// The instance every sample belongs to, as a queue ARN prefix.
const QUEUE_ARN_PREFIX: &str =
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11/queue/";

/// Agent events as Kinesis records: compact JSON payloads and their arrival times.
pub struct AgentEvents {
    pub payloads: Vec<Vec<u8>>,
    pub arrivals_ms: Vec<i64>,
}

impl AgentEvents {
    /// `count` events cycling through the padded samples, each with its own `EventId` and
    /// arrival time (the record version).
    pub fn new(count: usize) -> Self {
        let padded: Vec<Value> = SAMPLES.iter().map(|name| pad(&sample(name))).collect();
        let payloads = (0..count)
            .map(|index| with_event_id(&padded[index % padded.len()], index))
            .collect();
        let arrivals_ms = (0..count)
            .map(|index| NOW_MS - 60_000 + index as i64)
            .collect();

        Self {
            payloads,
            arrivals_ms,
        }
    }

    /// The mean payload size in bytes.
    pub fn mean_bytes(&self) -> f64 {
        let total: usize = self.payloads.iter().map(Vec::len).sum();
        total as f64 / self.payloads.len() as f64
    }

    /// One Lambda Kinesis event holding the events in `range`, base64-encoded as Lambda
    /// delivers them.
    pub fn kinesis_event(&self, range: std::ops::Range<usize>) -> Vec<u8> {
        let records: Vec<KinesisInput> = range
            .map(|index| KinesisInput {
                sequence_number: format!(
                    "4959033827149025660855969253836157109592157598913{index:07}"
                ),
                data: Data::Bytes(self.payloads[index].clone()),
                arrival_ms: self.arrivals_ms[index],
            })
            .collect();
        support::lambda_kinesis_event(&records)
    }

    /// The events as Lambda Kinesis events of [`BATCH_SIZE`] records each.
    pub fn kinesis_batches(&self) -> Vec<Vec<u8>> {
        let count = self.payloads.len();
        (0..count)
            .step_by(BATCH_SIZE)
            .map(|start| self.kinesis_event(start..count.min(start + BATCH_SIZE)))
            .collect()
    }
}

/// The sample as a value, with queues added to the routing profile of each snapshot it has
/// until the compact JSON is close to [`TARGET_EVENT_BYTES`].
fn pad(sample: &[u8]) -> Value {
    let mut event: Value = serde_json::from_slice(sample).expect("a sample is JSON");
    for number in 0.. {
        let mut bigger = event.clone();
        add_queue(&mut bigger, number);
        if compact_len(&bigger) > TARGET_EVENT_BYTES {
            break;
        }
        event = bigger;
    }
    event
}

/// Adds one inbound queue to the routing profile of the current and the previous snapshot
/// (an agent's routing profile lists every queue it takes contacts from).
fn add_queue(event: &mut Value, number: usize) {
    let name = QUEUE_NAMES[number % QUEUE_NAMES.len()];
    let channels = if number % 3 == 2 {
        json!(["TASK"])
    } else {
        json!(["VOICE", "CHAT"])
    };
    let queue = json!({
        "ARN": format!("{QUEUE_ARN_PREFIX}6d1e2f3a-4b5c-4d6e-8f7a-{number:012x}"),
        "Name": format!("{name} {}", number / QUEUE_NAMES.len() + 1),
        "Channels": channels,
    });

    for snapshot in ["CurrentAgentSnapshot", "PreviousAgentSnapshot"] {
        let queues = &mut event[snapshot]["Configuration"]["RoutingProfile"]["InboundQueues"];
        if let Some(queues) = queues.as_array_mut() {
            queues.push(queue.clone());
        }
    }
}

/// The event rendered with an `EventId` whose last 12 hex digits are `index`.
fn with_event_id(event: &Value, index: usize) -> Vec<u8> {
    let mut event = event.clone();
    let id = event["EventId"].as_str().expect("samples have an EventId");
    event["EventId"] = Value::from(format!("{}{index:012x}", &id[..24]));
    serde_json::to_vec(&event).expect("an event renders")
}

fn compact_len(value: &Value) -> usize {
    serde_json::to_vec(value).expect("an event renders").len()
}

/// Precompiles the component at `wasm` into `dir` as `<stem>.cwasm`, as `connect-rt
/// precompile` does for a deployment, and returns the artifact's path.
pub fn precompile_into(wasm: &str, dir: &Path) -> PathBuf {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("{wasm}: {e}"));
    let artifact = connect_rt::runtime::precompile(&bytes, None).expect("the guest precompiles");
    let stem = Path::new(wasm).file_stem().expect("a file name");
    let path = dir.join(stem).with_extension("cwasm");

    std::fs::write(&path, artifact).expect("the artifact is written");
    path
}
