//! Guests that misbehave on purpose, one per fault. In each case the host survives, only the
//! faulting event fails (with a reason, and the guest's last output where it has some), and
//! the other events of the batch are transformed.

use std::time::{Duration, Instant};

use connect_rt::runtime::{EventOutput, FailureKind, RuntimeLimits, Transform, TransformRuntime};
use connect_rt_tests::{guests, support};

const BATCH: usize = 6;
const FAULTY: usize = 3;

fn batch() -> (Vec<connect_rt::contract::Event>, Vec<String>) {
    let events = (0..BATCH)
        .map(|i| {
            let payload = if i == FAULTY {
                "FAULT please".to_owned()
            } else {
                format!("event {i}")
            };
            support::kinesis_event(payload.into_bytes(), 1_768_500_000_000 + i as i64)
        })
        .collect();
    let labels = (0..BATCH)
        .map(|i| format!("shardId-000000000000/{i}"))
        .collect();
    (events, labels)
}

fn run(transform: &Transform) -> Vec<EventOutput> {
    let (events, labels) = batch();
    transform.run_batch(&events, &labels, support::far_deadline())
}

/// Every event but the faulty one produced its one record; returns the faulty one's failure.
fn only_faulty_failed(outputs: Vec<EventOutput>) -> connect_rt::runtime::TransformFailure {
    assert_eq!(outputs.len(), BATCH);
    let mut failure = None;
    for (i, output) in outputs.into_iter().enumerate() {
        match output {
            Ok(records) if i != FAULTY => {
                assert_eq!(records.len(), 1, "event {i}");
                assert_eq!(records[0].dimensions[0].value, "test");
            }
            Err(f) if i == FAULTY => failure = Some(f),
            other => panic!("event {i}: unexpected {other:?}"),
        }
    }
    failure.expect("the faulty event failed")
}

fn short_runtime() -> TransformRuntime {
    support::runtime_with(RuntimeLimits {
        call_timeout: Duration::from_millis(200),
        memory_bytes: 16 << 20,
        ..RuntimeLimits::default()
    })
}

#[test]
fn a_trap_fails_only_its_event_and_reports_the_guests_last_log_lines() {
    let transform = support::load(guests::FAULT_TRAP);
    let failure = only_faulty_failed(run(&transform));

    assert_eq!(failure.kind, FailureKind::Trap);
    assert!(!failure.retryable);
    assert!(
        failure.message.contains("unreachable"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .guest_output
            .iter()
            .any(|l| l.contains("about to trap")),
        "{:?}",
        failure.guest_output
    );

    // The host survives: the same transform runs the next batch.
    let again = run(&transform);
    assert!(again[0].is_ok());
}

#[test]
fn an_endless_loop_is_stopped_at_the_deadline() {
    let runtime = short_runtime();
    let transform = support::load_with(&runtime, guests::FAULT_SPIN);
    let started = Instant::now();
    let failure = only_faulty_failed(run(&transform));

    assert_eq!(failure.kind, FailureKind::Timeout);
    assert!(failure.message.contains("deadline"), "{}", failure.message);
    // Isolation takes a few timed-out calls (log2 of the batch, plus one), not one per event.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn memory_beyond_the_cap_fails_only_its_event() {
    let runtime = short_runtime();
    let transform = support::load_with(&runtime, guests::FAULT_HOG);
    let failure = only_faulty_failed(run(&transform));

    assert_eq!(failure.kind, FailureKind::Trap);
    assert!(failure.message.contains("16 MiB"), "{}", failure.message);
}

#[test]
fn output_beyond_the_record_limit_fails_only_its_event() {
    let transform = support::load(guests::FAULT_FLOOD);
    let failure = only_faulty_failed(run(&transform));

    assert!(
        matches!(failure.kind, FailureKind::BadOutput | FailureKind::Trap),
        "{failure:?}"
    );
    assert!(!failure.retryable);
}

#[test]
fn a_deadline_already_passed_leaves_unisolated_events_for_retry() {
    let runtime = short_runtime();
    let transform = support::load_with(&runtime, guests::FAULT_SPIN);
    let (events, labels) = batch();
    let outputs = transform.run_batch(&events, &labels, Instant::now());

    assert!(
        outputs
            .iter()
            .all(|o| matches!(o, Err(f) if f.kind == FailureKind::OutOfTime && f.retryable))
    );
}

#[test]
fn a_component_that_is_not_a_transform_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wasm");
    // The smallest valid component: header only, no exports.
    std::fs::write(&path, [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]).unwrap();
    let spec = connect_rt::runtime::TransformSpec {
        path: path.clone(),
        config: Default::default(),
        allow_compile: true,
    };
    let error = support::runtime()
        .load(&spec)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("does not implement connect-rt:transform@0.1.0"),
        "{error}"
    );
}

#[test]
fn without_an_artifact_and_with_compiling_off_loading_is_refused() {
    let spec = connect_rt::runtime::TransformSpec {
        path: guests::AGENT_EVENTS.into(),
        config: Default::default(),
        allow_compile: false,
    };
    let error = support::runtime()
        .load(&spec)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("compiling at load is off"), "{error}");
}

#[test]
fn a_precompiled_artifact_loads_without_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("agent.wasm");
    std::fs::copy(guests::AGENT_EVENTS, &wasm).unwrap();
    let artifact = connect_rt::runtime::precompile(&std::fs::read(&wasm).unwrap(), None).unwrap();
    std::fs::write(dir.path().join("agent.cwasm"), artifact).unwrap();

    let spec = connect_rt::runtime::TransformSpec {
        path: wasm,
        config: Default::default(),
        allow_compile: false,
    };
    let transform = support::runtime()
        .load(&spec)
        .expect("loads from the artifact");
    assert_eq!(transform.info().name, "agent-events");
}

#[test]
fn an_artifact_for_another_engine_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("agent.wasm");
    std::fs::copy(guests::AGENT_EVENTS, &wasm).unwrap();
    std::fs::write(dir.path().join("agent.cwasm"), b"\x7fELF not really").unwrap();

    let spec = connect_rt::runtime::TransformSpec {
        path: wasm,
        config: Default::default(),
        allow_compile: false,
    };
    let error = support::runtime()
        .load(&spec)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("no valid precompiled artifact"), "{error}");
}

/// A fresh-user trial was told "compiling at load is off" by the CLI, which compiles.
#[test]
fn an_unusable_artifact_named_directly_says_to_pass_the_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let artifact = dir.path().join("agent.cwasm");
    std::fs::write(&artifact, b"\x7fELF not really").unwrap();

    let spec = connect_rt::runtime::TransformSpec {
        path: artifact,
        config: Default::default(),
        allow_compile: true,
    };
    let error = support::runtime()
        .load(&spec)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        error.contains("cannot be used here") && error.contains("pass the `.wasm`"),
        "{error}"
    );
}

#[test]
fn a_call_finding_the_instance_pool_full_fails_as_retryable_without_isolating() {
    let runtime = support::runtime_with(RuntimeLimits {
        call_timeout: Duration::from_secs(3),
        concurrent_instances: 1,
        ..RuntimeLimits::default()
    });
    let spinner = support::load_with(&runtime, guests::FAULT_SPIN);
    let plain = support::load_with(&runtime, guests::FAULT_TRAP);
    let (events, labels) = batch();

    // The spinning call holds the pool's only slot until its deadline.
    std::thread::scope(|scope| {
        let spinning =
            scope.spawn(|| spinner.run_batch(&events[FAULTY..=FAULTY], &labels, Instant::now()));
        std::thread::sleep(Duration::from_millis(300));
        let outputs = plain.run_batch(
            &events[..FAULTY],
            &labels[..FAULTY],
            support::far_deadline(),
        );

        assert_eq!(outputs.len(), FAULTY);
        for output in outputs {
            let failure = output.expect_err("no free instance");
            assert_eq!(failure.kind, FailureKind::Busy);
            assert!(failure.retryable);
            assert!(
                failure.message.starts_with("no free guest instance"),
                "{}",
                failure.message
            );
        }
        let spun = spinning.join().unwrap();
        assert!(matches!(&spun[0], Err(f) if f.kind == FailureKind::Timeout));
    });

    // Once the slot is free again, calls go through.
    let outputs = plain.run_batch(
        &events[..FAULTY],
        &labels[..FAULTY],
        support::far_deadline(),
    );
    assert!(outputs.iter().all(Result::is_ok), "{outputs:?}");
}
