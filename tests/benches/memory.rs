//! Peak memory of a process with every shipped transform loaded, against the 64 MiB budget.
//!
//! Run with `cargo bench -p connect-rt-tests --bench memory`. Peak RSS is a process-wide
//! figure, so the measurement runs in a child process of this bench that does nothing else:
//! the parent precompiles the three shipped transforms (compiling takes far more memory than
//! running, and the Lambda never compiles), then starts itself again with `--measure DIR`.
//! The child creates the runtime, loads the artifacts, runs a batch through each transform
//! and prints `VmHWM` from `/proc/self/status` after every step.

mod workload;

use std::path::Path;
use std::process::Command;

use connect_rt::contract::{Event, SnapshotMeta, SourceMeta, TimestreamRecord};
use connect_rt::records::rules::{self, WriteRules};
use connect_rt::runtime::{RuntimeLimits, Transform, TransformRuntime, TransformSpec};
use connect_rt::sources::kinesis;
use connect_rt_tests::{guests, sample, support};
use workload::{AgentEvents, BATCH_SIZE, NOW_MS};

/// The memory budget for the whole process.
const BUDGET_MIB: f64 = 64.0;

/// The transforms a deployment ships, loaded together as the Lambda loads them.
const SHIPPED: [&str; 3] = [
    guests::AGENT_EVENTS,
    guests::CONTACT_EVENTS,
    guests::INSTANCE_DATA,
];

/// The contact event samples (EventBridge envelopes), cycled to fill a batch.
const CONTACT_SAMPLES: [&str; 6] = [
    "contact_event_01_initiated.json",
    "contact_event_02_queued.json",
    "contact_event_03_connected_to_agent.json",
    "contact_event_04_disconnected.json",
    "contact_event_05_disconnected_abandoned_in_queue.json",
    "contact_event_06_outbound_connected_to_system.json",
];

/// The instance whose snapshot fixture is used.
const INSTANCE_ID: &str = "5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|arg| arg == "--measure") {
        Some(at) => measure(Path::new(&args[at + 1])),
        None => precompile_and_measure(),
    }
}

/// The parent: precompiles the artifacts, then measures in a fresh child process.
fn precompile_and_measure() {
    let dir = tempfile::tempdir().expect("a temp dir");
    for wasm in SHIPPED {
        workload::precompile_into(wasm, dir.path());
    }

    let exe = std::env::current_exe().expect("the bench knows its own path");
    let status = Command::new(exe)
        .arg("--measure")
        .arg(dir.path())
        .status()
        .expect("the measuring child starts");
    assert!(status.success(), "the memory measurement failed: {status}");
}

/// The child: every step the Lambda takes at a cold start and for a batch, with the peak RSS
/// after each.
fn measure(artifacts: &Path) {
    println!("peak RSS (VmHWM) of a process with every transform loaded:");
    report("process start", None);

    let runtime = TransformRuntime::new(RuntimeLimits::default()).expect("the runtime starts");
    report("runtime created", None);

    let [agent, contact, instance] = SHIPPED.map(|wasm| load(&runtime, wasm, artifacts));
    report("3 transforms loaded from .cwasm", None);

    let agent_records = run_agent_batch(&agent);
    report(
        &format!("agent-events: {BATCH_SIZE} events"),
        Some(agent_records),
    );
    let contact_records = run(&contact, contact_events());
    report(
        &format!("contact-events: {BATCH_SIZE} events"),
        Some(contact_records),
    );
    let snapshot_records = run(&instance, vec![snapshot()]);
    report("instance-data: 1 snapshot", Some(snapshot_records));

    print_verdict();
}

fn load(runtime: &TransformRuntime, wasm: &str, artifacts: &Path) -> Transform {
    let stem = Path::new(wasm).file_stem().expect("a file name");
    let spec = TransformSpec {
        path: artifacts.join(stem).with_extension("cwasm"),
        config: Default::default(),
        allow_compile: false,
    };
    runtime
        .load(&spec)
        .unwrap_or_else(|e| panic!("{wasm} loads without compiling: {e}"))
}

/// One Lambda Kinesis event of [`BATCH_SIZE`] ~6 KB agent events, as the pipeline runs it.
fn run_agent_batch(transform: &Transform) -> usize {
    let events = AgentEvents::new(BATCH_SIZE);
    let batches = events.kinesis_batches();
    assert_eq!(batches.len(), 1, "one Lambda invocation");
    println!(
        "  (agent events of {:.0} bytes on average)",
        events.mean_bytes()
    );

    let sources = kinesis::decode(&batches[0]).expect("a valid Lambda Kinesis event");
    let decoded = sources
        .into_iter()
        .map(|source| source.decoded.expect("valid data"));
    run(transform, decoded.collect())
}

/// [`BATCH_SIZE`] contact events from the samples, as EventBridge delivers them.
fn contact_events() -> Vec<Event> {
    (0..BATCH_SIZE)
        .map(|index| support::eventbridge_event(&sample(CONTACT_SAMPLES[index % 6])))
        .collect()
}

/// The instance snapshot fixture, as the scheduled collector hands it to the transform.
fn snapshot() -> Event {
    let path = connect_rt_tests::fixture(format!("snapshots/instance_{}.json", &INSTANCE_ID[..8]));
    let payload = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));

    Event {
        meta: SourceMeta::Scheduled(SnapshotMeta {
            instance_id: INSTANCE_ID.into(),
            collected_at_ms: NOW_MS,
        }),
        payload,
    }
}

/// Runs `events` as one guest call and checks every record; returns the records made.
fn run(transform: &Transform, events: Vec<Event>) -> usize {
    let labels: Vec<String> = (0..events.len())
        .map(|index| format!("event {index}"))
        .collect();
    let outputs = transform.run_batch(&events, &labels, support::far_deadline());

    let records: Vec<TimestreamRecord> = outputs
        .into_iter()
        .flat_map(|output| output.unwrap_or_else(|e| panic!("the event maps: {}", e.message)))
        .collect();
    for record in &records {
        rules::check(record, NOW_MS, &WriteRules::default())
            .unwrap_or_else(|e| panic!("a {} record breaks the write rules: {e:?}", record.table));
    }
    records.len()
}

/// Prints the peak RSS after `step`, with the records it made.
fn report(step: &str, records: Option<usize>) {
    let made = records
        .map(|n| format!("({n} records)"))
        .unwrap_or_default();
    println!("  {step:<36} {:>7.1} MiB  {made}", peak_mib());
}

fn print_verdict() {
    let peak = peak_mib();
    let verdict = if peak < BUDGET_MIB { "PASS" } else { "OVER" };
    println!("peak {peak:.1} MiB of the {BUDGET_MIB:.0} MiB budget  {verdict}");
}

/// `VmHWM` (the process's peak resident set) in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status.lines().find_map(|line| line.strip_prefix("VmHWM:"));
    let kib = line
        .expect("VmHWM in /proc/self/status")
        .trim()
        .trim_end_matches("kB")
        .trim();
    kib.parse::<f64>().expect("a number of kB") / 1024.0
}
