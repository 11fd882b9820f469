//! The Lambda binary itself, run as a process against a local Lambda Runtime API on loopback:
//! it answers the sample Kinesis envelope with a partial-batch response, the sample contact
//! event and the scheduler's input without error, and refuses a bad configuration at cold
//! start naming the setting.

#[path = "../../host/tests/support/connect_standin.rs"]
mod connect_standin;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use connect_rt::store::embedded::EmbeddedStore;
use connect_rt_tests::runtime_api::{Answer, RuntimeApi};
use connect_rt_tests::{guests, sample};
use serde_json::json;

/// The samples are from March 2025; this retention puts them inside the write window.
const RETENTION_HOURS: &str = "100000";

/// Runs another build of the Lambda binary instead of this crate's own, e.g. a launcher script
/// that starts the arm64 `bootstrap` from `cargo lambda build --arm64` under `qemu-aarch64`
/// (see `infra/check-package.sh`).
const BOOTSTRAP_VAR: &str = "CONNECT_RT_TEST_BOOTSTRAP";

/// The target the transforms are precompiled for when [`BOOTSTRAP_VAR`] names another
/// architecture's binary (`aarch64-unknown-linux-gnu`); the host's own by default.
const TRANSFORMS_TARGET_VAR: &str = "CONNECT_RT_TEST_TRANSFORMS_TARGET";

/// Precompiles the shipped transforms into `dir`, as the transforms layer holds them.
fn transforms_layer(dir: &Path) {
    let target = std::env::var(TRANSFORMS_TARGET_VAR).ok();
    for (name, wasm) in [
        ("agent_events_transform", guests::AGENT_EVENTS),
        ("contact_events_transform", guests::CONTACT_EVENTS),
        ("instance_data_transform", guests::INSTANCE_DATA),
    ] {
        let artifact =
            connect_rt::runtime::precompile(&std::fs::read(wasm).unwrap(), target.as_deref())
                .unwrap();
        std::fs::write(dir.join(format!("{name}.cwasm")), artifact).unwrap();
    }
}

fn function(api: &RuntimeApi, dir: &Path, extra: &[(&str, &str)]) -> tokio::process::Command {
    let program = std::env::var(BOOTSTRAP_VAR)
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_lambda-bootstrap").to_owned());
    let mut cmd = tokio::process::Command::new(program);
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "connect-rt")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "test")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
        .env("TRANSFORMS_DIR", dir)
        .env("EMBEDDED_STORE_PATH", dir.join("store.db"))
        .env("MEMORY_STORE_RETENTION_HOURS", RETENTION_HOURS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

fn response(answer: Option<Answer>, id: &str) -> serde_json::Value {
    match answer {
        Some(Answer::Response { request_id, body }) if request_id == id => body,
        other => panic!("expected a response to {id}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_answers_kinesis_eventbridge_and_schedule_invocations() {
    let dir = tempfile::tempdir().unwrap();
    transforms_layer(dir.path());
    let mut api = RuntimeApi::start().await;
    let mut child = function(&api, dir.path(), &[]).spawn().unwrap();
    let wait = Duration::from_secs(60);

    api.invoke("kinesis-1", sample("envelope_kinesis_lambda_event.json"));
    assert_eq!(
        response(api.answer(wait).await, "kinesis-1"),
        json!({ "batchItemFailures": [] })
    );

    api.invoke(
        "contact-1",
        sample("envelope_eventbridge_contact_event.json"),
    );
    let contact = response(api.answer(wait).await, "contact-1");
    assert_eq!(contact, json!({ "written": 1, "deadLettered": 0 }));

    api.invoke(
        "schedule-1",
        sample("envelope_eventbridge_scheduler_input.json"),
    );
    assert_eq!(
        response(api.answer(wait).await, "schedule-1")["deadLettered"],
        0
    );
    api.invoke("schedule-2", b"{}".to_vec());
    assert_eq!(
        response(api.answer(wait).await, "schedule-2")["deadLettered"],
        0
    );

    // A payload of no known shape fails the invocation with a readable error type.
    api.invoke("unknown-1", br#"{"foo": 1}"#.to_vec());
    match api.answer(wait).await {
        Some(Answer::Error { request_id, body }) => {
            assert_eq!(request_id, "unknown-1");
            assert_eq!(body["errorType"], "UnreadablePayload");
            let message = body["errorMessage"].as_str().unwrap_or_default();
            assert!(message.contains("foo"), "{body}");
        }
        other => panic!("expected an invocation error, got {other:?}"),
    }

    child.kill().await.unwrap();
    let output = child.wait_with_output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let emf: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect();
    assert!(
        emf.iter()
            .any(|m| m["Transform"] == "agent-events@0.1.0" && m["EventsIn"] == 2.0),
        "an EMF line for the agent transform: {stdout}"
    );
    let logs = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let done = logs
        .lines()
        .find(|l| l.contains("invocation done") && l.contains("\"requestId\":\"kinesis-1\""));
    assert!(
        done.is_some(),
        "one JSON summary line per invocation, with the request id: {logs}"
    );

    let store = EmbeddedStore::open(dir.path().join("store.db")).unwrap();
    assert_eq!(store.row_count("AgentEvent").unwrap(), 2);
    assert_eq!(store.row_count("AgentEvent_Contact").unwrap(), 1);
    assert_eq!(store.row_count("ContactEvent").unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_cannot_be_dead_lettered_is_reported_for_retry() {
    let dir = tempfile::tempdir().unwrap();
    transforms_layer(dir.path());
    let mut api = RuntimeApi::start().await;
    // The dead-letter file's folder does not exist, so a dead letter cannot be written.
    let unwritable = dir.path().join("missing").join("dead-letters.jsonl");
    let extra = [("DEAD_LETTER_FILE", unwritable.to_str().unwrap())];
    let mut child = function(&api, dir.path(), &extra).spawn().unwrap();

    let mut envelope: serde_json::Value =
        serde_json::from_slice(&sample("envelope_kinesis_lambda_event.json")).unwrap();
    envelope["Records"][1]["kinesis"]["data"] = json!("not base64!!");
    api.invoke("kinesis-2", serde_json::to_vec(&envelope).unwrap());

    let expected: serde_json::Value =
        serde_json::from_slice(&sample("envelope_kinesis_partial_batch_response.json")).unwrap();
    assert_eq!(
        response(api.answer(Duration::from_secs(60)).await, "kinesis-2"),
        expected
    );
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_setting_stops_the_cold_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let api = RuntimeApi::start().await;
    let child = function(&api, dir.path(), &[("TRANSFORM_TIMEOUT_MS", "soon")])
        .spawn()
        .unwrap();

    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the cold start ends")
        .unwrap();
    assert!(!output.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with(
            "Error: configuration TRANSFORM_TIMEOUT_MS: expected a whole number, got 'soon'\n"
        ),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_invocation_collects_metadata_and_fills_instance_queue_and_user() {
    let dir = tempfile::tempdir().unwrap();
    transforms_layer(dir.path());
    let connect =
        connect_standin::ConnectStandIn::start(connect_standin::Directory::generate(3, 2, 1)).await;
    let endpoint = connect.endpoint();
    let mut api = RuntimeApi::start().await;
    let env = [
        ("CONNECT_INSTANCE_IDS", connect_standin::INSTANCE_ID),
        ("CONNECT_ENDPOINT", endpoint.as_str()),
        ("CONNECT_REQUESTS_PER_SECOND", "100"),
        ("AWS_REGION", "eu-west-2"),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("MEMORY_STORE_RETENTION_HOURS", "25"),
    ];
    let mut child = function(&api, dir.path(), &env).spawn().unwrap();

    api.invoke("schedule-1", b"{}".to_vec());
    let answer = response(api.answer(Duration::from_secs(60)).await, "schedule-1");
    assert_eq!(answer, json!({ "written": 1, "deadLettered": 0 }));
    let first_calls = connect.total_calls();

    api.invoke(
        "schedule-2",
        sample("envelope_eventbridge_scheduled_rule.json"),
    );
    response(api.answer(Duration::from_secs(60)).await, "schedule-2");
    let second_calls = connect.total_calls() - first_calls;
    child.kill().await.unwrap();

    assert!(
        second_calls < first_calls,
        "the cache spares describes: {second_calls} vs {first_calls}"
    );
    let store = EmbeddedStore::open(dir.path().join("store.db")).unwrap();
    assert_eq!(
        store.row_count("Instance").unwrap(),
        2,
        "one point per collection"
    );
    assert_eq!(store.row_count("Queue").unwrap(), 4);
    assert_eq!(store.row_count("User").unwrap(), 6);
}
