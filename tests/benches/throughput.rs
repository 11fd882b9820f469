//! Agent event throughput on one thread, as ratios against baselines measured in the same run.
//!
//! Run with `cargo bench -p connect-rt-tests --bench throughput`. Four paths go over the same
//! ~6 KB agent events (see `workload`):
//!
//! - **python**: `python_mapping.py`, the same mapping in plain Python, as a child process;
//! - **parse**: base64 decode and a validating `serde_json` parse that builds nothing;
//! - **native**: the wasm path with the transform compiled natively: the same Lambda Kinesis
//!   events through `sources::kinesis::decode`, `agent_events_transform::map_event` on each
//!   payload, the records converted to the host's type and checked with `records::rules::check`;
//! - **wasm**: the real path: Lambda Kinesis events of 100 records through
//!   `sources::kinesis::decode`, one `Transform::run_batch` guest call per batch (loaded from a
//!   precompiled artifact) and `records::rules::check` on every record.
//!
//! The paths must agree on the records they make (Python's are compared value by value with
//! the native ones) or the bench fails. It then prints events/s per path, the ratios with
//! their targets, where the wasm path spends its time, and cold-start load times.

mod workload;

/// The Lambda binary's allocator, so that the host's share is measured as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use connect_rt::contract::{self, Event, SourceMeta, TimestreamRecord};
use connect_rt::records::rules::{self, WriteRules};
use connect_rt::runtime::{RuntimeLimits, Transform, TransformRuntime, TransformSpec};
use connect_rt::sources::kinesis;
use connect_rt_tests::{guests, support};
use serde::de::IgnoredAny;
use workload::{AgentEvents, BATCH_SIZE, NOW_MS};

/// Events per timed pass; a multiple of [`BATCH_SIZE`].
const EVENTS: usize = 20_000;

/// Timed passes per path after one warm-up pass; the median is reported.
const ROUNDS: usize = 5;

/// Events the Python and wasm outputs are compared on, record by record, with native.
const COMPARED_EVENTS: usize = 100;

/// Events in the file Python reads and cycles through: a multiple of the 7 samples, so that
/// cycling keeps the sample order and Python maps the same events as the Rust paths.
const PYTHON_FILE_EVENTS: usize = 7 * 140;

/// Target: the wasm path at least this many times the Python mapping.
const TARGET_WASM_OVER_PYTHON: f64 = 5.0;

/// Target: the wasm path at least this fraction of the natively compiled mapping.
const TARGET_WASM_OVER_NATIVE: f64 = 0.6;

/// The product brief's reference figures (one core), printed for comparison.
const BRIEF_PYTHON_EVENTS_PER_SEC: f64 = 13_500.0;
const BRIEF_PARSE_EVENTS_PER_SEC: f64 = 200_000.0;

/// The Python baseline, beside this file.
const PYTHON_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_mapping.py");

/// Set to `parse`, `native` or `wasm` to run only that path, [`PROFILE_PASSES`] times, under
/// a profiler (`perf record`), instead of measuring.
const PROFILE_VAR: &str = "THROUGHPUT_PROFILE";

/// Passes a profiling run makes.
const PROFILE_PASSES: usize = 20;

/// The transforms a deployment ships, for the cold-start measurement.
const SHIPPED: [&str; 3] = [
    guests::AGENT_EVENTS,
    guests::CONTACT_EVENTS,
    guests::INSTANCE_DATA,
];

/// A path's measured speed.
struct Rate {
    events_per_sec: f64,
    /// Timestream records one pass made.
    records: usize,
}

/// The inputs of the Rust paths, prepared before any timing.
struct Inputs {
    /// Each Kinesis record's base64 `data` and arrival time, for the parse and native paths.
    records: Vec<(String, i64)>,
    /// The same records as Lambda Kinesis events of [`BATCH_SIZE`] records, for wasm.
    batches: Vec<Vec<u8>>,
}

fn main() {
    let events = AgentEvents::new(EVENTS);
    let inputs = prepare(&events);
    let artifacts = tempfile::tempdir().expect("a temp dir");
    let agent = workload::precompile_into(guests::AGENT_EVENTS, artifacts.path());
    let transform = load(&new_runtime(), &agent, false);
    print_workload(&events, &inputs);
    check_paths_agree(&events, &transform);

    if let Ok(path) = std::env::var(PROFILE_VAR) {
        profile(&path, &inputs, &transform);
        let kept = artifacts.keep();
        println!(
            "guest artifact kept for the profiler's symbols: {}",
            kept.display()
        );
        return;
    }

    let python = python_rate(&events);
    let parse = rate(|| parse_pass(&inputs.records));
    let native = rate(|| native_pass(&inputs.batches));
    let wasm = rate(|| wasm_pass(&transform, &inputs.batches));
    assert_same_records(&[&python, &native, &wasm]);

    print_rates(&python, &parse, &native, &wasm);
    print_ratios(&python, &parse, &native, &wasm);
    print_wasm_phases(&transform, &inputs);
    print_cold_start();
}

fn print_workload(events: &AgentEvents, inputs: &Inputs) {
    let batches = inputs.batches.len();
    println!(
        "agent events: {EVENTS}, mean size {:.0} bytes",
        events.mean_bytes()
    );
    println!("batches: {batches} Lambda Kinesis events of {BATCH_SIZE} records");
}

/// Runs one path over and over for a profiler.
fn profile(path: &str, inputs: &Inputs, transform: &Transform) {
    let mut pass: Box<dyn FnMut() -> usize> = match path {
        "parse" => Box::new(|| parse_pass(&inputs.records)),
        "native" => Box::new(|| native_pass(&inputs.batches)),
        "wasm" => Box::new(|| wasm_pass(transform, &inputs.batches)),
        other => panic!("{PROFILE_VAR}={other}: expected parse, native or wasm"),
    };
    let started = Instant::now();
    let records: usize = (0..PROFILE_PASSES).map(|_| pass()).sum();
    let seconds = started.elapsed().as_secs_f64();
    println!("{path}: {PROFILE_PASSES} passes, {records} records in {seconds:.1} s");
}

fn prepare(events: &AgentEvents) -> Inputs {
    let encode = |payload| base64::engine::general_purpose::STANDARD.encode(payload);
    let records = events
        .payloads
        .iter()
        .map(encode)
        .zip(events.arrivals_ms.iter().copied())
        .collect();

    Inputs {
        records,
        batches: events.kinesis_batches(),
    }
}

/// Runs one warm-up pass and [`ROUNDS`] timed passes of `pass` over [`EVENTS`] events.
fn rate(mut pass: impl FnMut() -> usize) -> Rate {
    let records = pass();
    let mut rates = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let made = pass();
        rates.push(EVENTS as f64 / started.elapsed().as_secs_f64());
        assert_eq!(made, records, "every pass makes the same records");
    }

    Rate {
        events_per_sec: median(rates),
        records,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The parse baseline: base64 and a validating JSON parse that builds nothing (the brief's
/// "base64 plus a validating serde_json parse"). Returns the payloads parsed.
fn parse_pass(records: &[(String, i64)]) -> usize {
    let mut parsed = 0;
    for (data, _) in records {
        let payload = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("valid base64");
        serde_json::from_slice::<IgnoredAny>(&payload).expect("valid JSON");
        parsed += 1;
    }
    parsed
}

/// The native mapping, on the same path as wasm but for the transform: the Lambda Kinesis
/// event decoded by `kinesis::decode`, each event mapped by the guest crate compiled natively,
/// converted to the host's record type and checked. Returns the records made.
fn native_pass(batches: &[Vec<u8>]) -> usize {
    let rules = WriteRules::default();
    let mut made = 0;
    for batch in batches {
        let (events, _) = decode_batch(batch);
        for event in &events {
            for record in native_records(event) {
                rules::check(&record, NOW_MS, &rules).expect("the record meets the write rules");
                made += 1;
            }
        }
    }
    made
}

fn native_records(event: &Event) -> Vec<TimestreamRecord> {
    let SourceMeta::Kinesis(meta) = &event.meta else {
        panic!("the workload is agent events from Kinesis");
    };
    let arrival_ms = Some(meta.approximate_arrival_ms);
    let records = agent_events_transform::map_event(&event.payload, arrival_ms).expect("maps");
    records.into_iter().map(to_host_record).collect()
}

/// The wasm path, as the Lambda runs a Kinesis batch. Returns the records made.
fn wasm_pass(transform: &Transform, batches: &[Vec<u8>]) -> usize {
    let rules = WriteRules::default();
    let deadline = support::far_deadline();
    let mut made = 0;
    for batch in batches {
        let (events, labels) = decode_batch(batch);
        for output in transform.run_batch(&events, &labels, deadline) {
            let records = output.expect("the guest maps every event");
            for record in &records {
                rules::check(record, NOW_MS, &rules).expect("the record meets the write rules");
            }
            made += records.len();
        }
    }
    made
}

/// A Lambda Kinesis event's events and their labels, as the pipeline hands them to a
/// transform.
fn decode_batch(batch: &[u8]) -> (Vec<Event>, Vec<String>) {
    let sources = kinesis::decode(batch).expect("a valid Lambda Kinesis event");
    let labels = sources.iter().map(|source| source.id.to_string()).collect();
    let events = sources
        .into_iter()
        .map(|source| source.decoded.expect("valid record data"))
        .collect();
    (events, labels)
}

/// The guest crate's record as the host's WIT record type, which the write rules take.
fn to_host_record(record: agent_events_transform::Record) -> TimestreamRecord {
    use agent_events_transform::mapping::{MeasureValue, TimeUnit};

    let measure = |m: agent_events_transform::mapping::Measure| contract::Measure {
        name: m.name.to_owned(),
        value: match m.value {
            MeasureValue::Double(v) => contract::MeasureValue::Double(v),
            MeasureValue::Bigint(v) => contract::MeasureValue::Bigint(v),
            MeasureValue::Varchar(v) => contract::MeasureValue::Varchar(v),
            MeasureValue::Boolean(v) => contract::MeasureValue::Boolean(v),
            MeasureValue::Timestamp(v) => contract::MeasureValue::Timestamp(v),
        },
    };
    let dimension = |d: agent_events_transform::mapping::Dimension| contract::Dimension {
        name: d.name.to_owned(),
        value: d.value,
    };
    TimestreamRecord {
        table: record.table.to_owned(),
        dimensions: record.dimensions.into_iter().map(dimension).collect(),
        measure_name: record.measure_name.to_owned(),
        measures: record.measures.into_iter().map(measure).collect(),
        time: record.time,
        time_unit: match record.time_unit {
            TimeUnit::Milliseconds => contract::TimeUnit::Milliseconds,
            TimeUnit::Seconds => contract::TimeUnit::Seconds,
            TimeUnit::Microseconds => contract::TimeUnit::Microseconds,
            TimeUnit::Nanoseconds => contract::TimeUnit::Nanoseconds,
        },
        version: record.version,
    }
}

/// Fails the bench unless Python, native and wasm make the same records for the first
/// [`COMPARED_EVENTS`] events (which cover every sample).
fn check_paths_agree(events: &AgentEvents, transform: &Transform) {
    let (compared, _) = decode_batch(&events.kinesis_event(0..COMPARED_EVENTS));
    let native: Vec<serde_json::Value> = compared
        .iter()
        .flat_map(native_records)
        .map(|record| record.to_json())
        .collect();
    let wasm = wasm_records_json(transform, &events.kinesis_event(0..COMPARED_EVENTS));
    let python = python_records_json(events);

    assert_eq!(
        wasm, native,
        "the wasm guest and the native mapping disagree"
    );
    assert_eq!(
        python.len(),
        native.len(),
        "Python makes another number of records"
    );
    for (index, (python, native)) in python.iter().zip(&native).enumerate() {
        assert_eq!(python, native, "record {index}: Python and native disagree");
    }
    println!(
        "outputs agree: python = native = wasm on {} records",
        native.len()
    );
}

fn wasm_records_json(transform: &Transform, batch: &[u8]) -> Vec<serde_json::Value> {
    let (events, labels) = decode_batch(batch);
    let outputs = transform.run_batch(&events, &labels, support::far_deadline());
    let records = outputs
        .into_iter()
        .flat_map(|output| output.expect("the event maps"));
    records.map(|record| record.to_json()).collect()
}

/// The records Python makes for the first [`COMPARED_EVENTS`] events, as JSON.
fn python_records_json(events: &AgentEvents) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("events.json");
    std::fs::write(&file, events.kinesis_event(0..COMPARED_EVENTS)).expect("events written");

    let stdout = run_python(&file, &["--dump"]);
    serde_json::from_str(&stdout).expect("the Python dump is JSON")
}

/// Measures the Python mapping on [`EVENTS`] events in a child process.
fn python_rate(events: &AgentEvents) -> Rate {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("events.json");
    let written = events.kinesis_event(0..PYTHON_FILE_EVENTS);
    std::fs::write(&file, written).expect("events written");

    let (count, rounds) = (EVENTS.to_string(), ROUNDS.to_string());
    let stdout = run_python(&file, &["--events", &count, "--rounds", &rounds]);
    let field = |name: &str| -> f64 {
        let line = stdout.lines().find_map(|line| line.strip_prefix(name));
        let value = line.unwrap_or_else(|| panic!("no `{name}` in Python's output: {stdout}"));
        value.trim().parse().expect("a number")
    };
    assert_eq!(
        field("events ") as usize,
        EVENTS,
        "Python mapped every event"
    );

    Rate {
        events_per_sec: field("events_per_sec "),
        records: field("records ") as usize,
    }
}

fn run_python(events_file: &Path, args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg(PYTHON_SCRIPT)
        .arg(events_file)
        .args(args)
        .output()
        .expect("python3 runs (the Python baseline needs it on PATH)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{PYTHON_SCRIPT} failed: {stderr}");

    String::from_utf8(output.stdout).expect("Python prints UTF-8")
}

/// Python, native and wasm made the same number of records per pass.
fn assert_same_records(rates: &[&Rate]) {
    let expected = rates[0].records;
    for rate in rates {
        assert_eq!(rate.records, expected, "every path makes the same records");
    }
}

fn print_rates(python: &Rate, parse: &Rate, native: &Rate, wasm: &Rate) {
    println!();
    println!(
        "{:<48} {:>10} {:>9}",
        "path (one thread)", "events/s", "us/event"
    );
    let row = |name: &str, rate: &Rate, note: String| {
        let micros = 1e6 / rate.events_per_sec;
        println!(
            "{name:<48} {:>10.0} {micros:>9.2}  {note}",
            rate.events_per_sec
        );
    };
    let brief = |figure: f64| format!("(brief: ~{figure:.0})");
    row(
        "python: base64 + json + dict mapping",
        python,
        brief(BRIEF_PYTHON_EVENTS_PER_SEC),
    );
    row(
        "parse: base64 + validating serde_json parse",
        parse,
        brief(BRIEF_PARSE_EVENTS_PER_SEC),
    );
    row(
        "native: kinesis::decode + map_event + check",
        native,
        String::new(),
    );
    row(
        "wasm: kinesis::decode + run_batch + check",
        wasm,
        String::new(),
    );
    println!(
        "records per pass: {} (all pass the write rules)",
        wasm.records
    );
}

fn print_ratios(python: &Rate, parse: &Rate, native: &Rate, wasm: &Rate) {
    println!();
    println!("{:<16} {:>9} {:>9}", "ratio", "measured", "target");
    let ratio = |a: &Rate, b: &Rate| a.events_per_sec / b.events_per_sec;
    let targeted = |name: &str, value: f64, target: f64| {
        let verdict = if value >= target { "PASS" } else { "BELOW" };
        println!(
            "{name:<16} {value:>8.2}x {:>8}x  {verdict}",
            format!(">= {target}")
        );
    };
    targeted(
        "wasm / python",
        ratio(wasm, python),
        TARGET_WASM_OVER_PYTHON,
    );
    targeted(
        "wasm / native",
        ratio(wasm, native),
        TARGET_WASM_OVER_NATIVE,
    );
    println!("{:<16} {:>8.2}x", "native / python", ratio(native, python));
    println!("{:<16} {:>8.2}x", "parse / python", ratio(parse, python));
}

/// Where the wasm path's time goes: its phases over one pass, and the fixed cost of a guest
/// call (a fresh store and instance) estimated from batches of 1 and of [`BATCH_SIZE`].
fn print_wasm_phases(transform: &Transform, inputs: &Inputs) {
    let rules = WriteRules::default();
    let deadline = support::far_deadline();
    let (mut decode, mut guest, mut check) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for batch in &inputs.batches {
        let started = Instant::now();
        let (events, labels) = decode_batch(batch);
        decode += started.elapsed();

        let started = Instant::now();
        let outputs = transform.run_batch(&events, &labels, deadline);
        guest += started.elapsed();

        let started = Instant::now();
        for record in outputs
            .iter()
            .flat_map(|output| output.as_ref().expect("maps"))
        {
            rules::check(record, NOW_MS, &rules).expect("the record meets the write rules");
        }
        check += started.elapsed();
    }

    println!();
    println!("wasm path phases (us/event, one pass):");
    let per_event = |phase: Duration| phase.as_secs_f64() * 1e6 / EVENTS as f64;
    println!(
        "  kinesis::decode (envelope JSON + base64)   {:>7.2}",
        per_event(decode)
    );
    println!(
        "  run_batch (store, instantiate, guest call) {:>7.2}",
        per_event(guest)
    );
    println!(
        "  rules::check                               {:>7.2}",
        per_event(check)
    );
    println!(
        "  (Lambda only: lambda_runtime reads the body as a RawValue first: {:.2})",
        per_event(raw_value_read(&inputs.batches))
    );
    print_call_overhead(transform, inputs);
}

/// Time lambda_runtime spends before the handler runs: it deserializes the invocation body
/// into the handler's payload type, a `Box<RawValue>` (a validating pass and a copy).
fn raw_value_read(batches: &[Vec<u8>]) -> Duration {
    let started = Instant::now();
    for batch in batches {
        let raw: Box<serde_json::value::RawValue> =
            serde_json::from_slice(batch).expect("a valid Lambda event");
        std::hint::black_box(raw);
    }
    started.elapsed()
}

/// Estimates the fixed cost per guest call by timing `run_batch` on the same events in
/// batches of 1 and of [`BATCH_SIZE`]: `t(n) = fixed + n * per_event`.
fn print_call_overhead(transform: &Transform, inputs: &Inputs) {
    let events: Vec<(Vec<Event>, Vec<String>)> = inputs
        .batches
        .iter()
        .take(10)
        .map(|batch| decode_batch(batch))
        .collect();
    let count: usize = events.iter().map(|(events, _)| events.len()).sum();

    let batched = time_guest(|| {
        for (batch, labels) in &events {
            transform.run_batch(batch, labels, support::far_deadline());
        }
    });
    let single = time_guest(|| {
        for (batch, labels) in &events {
            for (event, label) in batch.iter().zip(labels) {
                let one = std::slice::from_ref(event);
                transform.run_batch(one, std::slice::from_ref(label), support::far_deadline());
            }
        }
    });

    let per_call_1 = single / count as f64;
    let per_call_n = batched / events.len() as f64;
    let per_event = (per_call_n - per_call_1) / (BATCH_SIZE - 1) as f64;
    let fixed = per_call_1 - per_event;
    println!(
        "  guest call fixed cost ~{fixed:.1} us (= {:.2} us/event at batch {BATCH_SIZE}); \
              per event in the guest ~{per_event:.2} us",
        fixed / BATCH_SIZE as f64
    );
}

/// The median time of `work` over [`ROUNDS`] runs after a warm-up, in microseconds.
fn time_guest(mut work: impl FnMut()) -> f64 {
    work();
    let times = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    median(times)
}

/// Cold start: creating the runtime, then loading the three shipped transforms from their
/// precompiled artifacts (what the Lambda does) versus compiling them from `.wasm`.
fn print_cold_start() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let artifacts: Vec<_> = SHIPPED
        .iter()
        .map(|wasm| workload::precompile_into(wasm, dir.path()))
        .collect();
    let sources = copy_components(dir.path());

    let runtime_ms = median((0..ROUNDS).map(|_| millis(new_runtime)).collect());
    let from_artifacts = median((0..10).map(|_| load_all(&artifacts, false)).collect());
    let compiling = median((0..3).map(|_| load_all(&sources, true)).collect());

    println!();
    println!("cold start, 3 shipped transforms (agent-events, contact-events, instance-data):");
    println!("  TransformRuntime::new                        {runtime_ms:>8.1} ms");
    println!("  load from precompiled .cwasm (no compiling)  {from_artifacts:>8.1} ms");
    println!("  load compiling .wasm                         {compiling:>8.1} ms");
    println!(
        "  compiling / precompiled                      {:>8.1}x",
        compiling / from_artifacts
    );
}

/// Copies the shipped components into `dir/wasm`, where no artifact lies beside them.
fn copy_components(dir: &Path) -> Vec<PathBuf> {
    let wasm_dir = dir.join("wasm");
    std::fs::create_dir(&wasm_dir).expect("a folder for components");
    SHIPPED
        .iter()
        .map(|wasm| {
            let copy = wasm_dir.join(Path::new(wasm).file_name().expect("a file name"));
            std::fs::copy(wasm, &copy).expect("the component is copied");
            copy
        })
        .collect()
}

fn new_runtime() -> TransformRuntime {
    TransformRuntime::new(RuntimeLimits::default()).expect("the runtime starts")
}

/// Milliseconds to load every transform in `paths` into a fresh runtime.
fn load_all(paths: &[PathBuf], allow_compile: bool) -> f64 {
    let runtime = new_runtime();
    millis(|| {
        for path in paths {
            load(&runtime, path, allow_compile);
        }
    })
}

/// Loads the transform at `path` (an artifact, or a component to compile if allowed).
fn load(runtime: &TransformRuntime, path: &Path, allow_compile: bool) -> Transform {
    let spec = TransformSpec {
        path: path.to_owned(),
        config: Default::default(),
        allow_compile,
    };
    runtime
        .load(&spec)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn millis<T>(work: impl FnOnce() -> T) -> f64 {
    let started = Instant::now();
    let result = work();
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    drop(result);
    elapsed
}
