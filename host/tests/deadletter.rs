//! The dead-letter queue client against SQS's wire protocol (awsJson1_0, `X-Amz-Target:
//! AmazonSQS.SendMessageBatch`): a scripted loopback stand-in for batching, partial failures,
//! truncation and deadlines, and moto's SQS server for a round trip through an independent
//! implementation.

mod support;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use connect_rt::deadletter::{DeadLetter, DeadLetterQueue, DeadLetterReport, MAX_MESSAGE_BYTES};
use connect_rt::sources::RecordId;
use serde_json::{Value, json};
use support::{Call, Reply, StandIn, sdk_config};

const QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/connect-rt-dlq";

fn kinesis_letter(i: usize) -> DeadLetter {
    let id = RecordId::Kinesis {
        stream_arn: "arn:aws:kinesis:us-east-1:123456789012:stream/agent-events".into(),
        shard_id: "shardId-000000000000".into(),
        sequence_number: format!("4966000000000000000000000000000000000000000000{i:04}"),
    };
    let payload = format!("eyJBZ2VudEFSTiI6ImFnZW50LXtpfSJ9{i}");
    DeadLetter::for_record(
        &id,
        Some("agent-events@1.2.0"),
        format!("bad event {i}"),
        payload.as_bytes(),
    )
}

fn expected_body(i: usize) -> Value {
    json!({
        "id": format!("shardId-000000000000/4966000000000000000000000000000000000000000000{i:04}"),
        "source": "kinesis",
        "stream_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/agent-events",
        "shard_id": "shardId-000000000000",
        "sequence_number": format!("4966000000000000000000000000000000000000000000{i:04}"),
        "transform": "agent-events@1.2.0",
        "reason": format!("bad event {i}"),
        "payload": format!("eyJBZ2VudEFSTiI6ImFnZW50LXtpfSJ9{i}"),
    })
}

/// Accepts every entry except those `fail` names: (entry id, sender fault, code).
fn answer_batch(call: &Call, fail: &[(&str, bool, &str)]) -> Reply {
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for entry in call.body["Entries"].as_array().expect("entries") {
        let id = entry["Id"].as_str().expect("an id");
        match fail.iter().find(|(f, _, _)| *f == id) {
            Some((_, sender_fault, code)) => failed.push(json!({
                "Id": id, "SenderFault": sender_fault, "Code": code, "Message": "scripted failure"
            })),
            None => successful.push(json!({
                "Id": id, "MessageId": format!("msg-{id}"),
                "MD5OfMessageBody": "00000000000000000000000000000000"
            })),
        }
    }
    Reply::ok(json!({ "Successful": successful, "Failed": failed }))
}

fn entries(call: &Call) -> Vec<Value> {
    call.body["Entries"].as_array().expect("entries").clone()
}

fn body_of(entry: &Value) -> Value {
    serde_json::from_str(entry["MessageBody"].as_str().expect("a body")).expect("JSON body")
}

async fn queue_for(standin: &StandIn) -> DeadLetterQueue {
    let sdk = sdk_config(&standin.url(), None).await;
    DeadLetterQueue::new(&sdk, QUEUE_URL).with_retry_base(Duration::from_millis(10))
}

fn budget(seconds: f64) -> Instant {
    Instant::now() + Duration::from_secs_f64(seconds)
}

#[tokio::test]
async fn twenty_three_letters_go_in_three_batches_with_identity_reason_and_payload() {
    let standin = StandIn::start(|call, _| answer_batch(call, &[])).await;
    let queue = queue_for(&standin).await;

    let report = queue
        .send((0..23).map(kinesis_letter).collect(), budget(2.0))
        .await;

    assert_eq!(
        report,
        DeadLetterReport {
            sent: 23,
            failed: vec![]
        }
    );
    let calls = standin.calls_of("SendMessageBatch");
    assert_eq!(
        calls.iter().map(|c| entries(c).len()).collect::<Vec<_>>(),
        vec![10, 10, 3]
    );
    assert_eq!(calls[0].target, "AmazonSQS.SendMessageBatch");
    let bodies: Vec<Value> = calls
        .iter()
        .flat_map(entries)
        .map(|e| body_of(&e))
        .collect();
    assert_eq!(bodies, (0..23).map(expected_body).collect::<Vec<_>>());
    for call in &calls {
        assert_eq!(call.body["QueueUrl"], QUEUE_URL);
    }
}

#[tokio::test]
async fn entry_failing_in_a_batch_response_is_retried() {
    let standin = StandIn::start(|call, earlier| {
        let fail: &[(&str, bool, &str)] = if earlier == 0 {
            &[("3", false, "InternalError")]
        } else {
            &[]
        };
        answer_batch(call, fail)
    })
    .await;
    let queue = queue_for(&standin).await;

    let report = queue
        .send((0..5).map(kinesis_letter).collect(), budget(2.0))
        .await;

    assert_eq!(
        report,
        DeadLetterReport {
            sent: 5,
            failed: vec![]
        }
    );
    let calls = standin.calls_of("SendMessageBatch");
    assert_eq!(calls.len(), 2);
    let retried = entries(&calls[1]);
    assert_eq!(retried.len(), 1);
    assert_eq!(body_of(&retried[0]), expected_body(3));
}

#[tokio::test]
async fn sender_fault_entries_are_returned_without_retrying() {
    let standin =
        StandIn::start(|call, _| answer_batch(call, &[("1", true, "InvalidMessageContents")]))
            .await;
    let queue = queue_for(&standin).await;
    let letters: Vec<DeadLetter> = (0..3).map(kinesis_letter).collect();
    let id = letters[1].id.clone();

    let report = queue.send(letters, budget(2.0)).await;

    let reason = "SQS InvalidMessageContents: scripted failure".to_owned();
    assert_eq!(
        report,
        DeadLetterReport {
            sent: 2,
            failed: vec![(id, reason)]
        }
    );
    assert_eq!(standin.calls_of("SendMessageBatch").len(), 1);
}

#[tokio::test]
async fn oversized_payload_is_truncated_and_flagged() {
    let standin = StandIn::start(|call, _| answer_batch(call, &[])).await;
    let queue = queue_for(&standin).await;
    let id = RecordId::EventBridge {
        id: "5f7e-big".into(),
    };
    let original = format!("{{\"detail\":\"{}\"}}", "x".repeat(300 * 1024));
    let big = DeadLetter::for_record(&id, None, "too big to transform", original.as_bytes());
    let letters = vec![big, kinesis_letter(0), kinesis_letter(1)];

    let report = queue.send(letters, budget(2.0)).await;

    assert_eq!(
        report,
        DeadLetterReport {
            sent: 3,
            failed: vec![]
        }
    );
    let calls = standin.calls_of("SendMessageBatch");
    assert_eq!(
        calls.iter().map(|c| entries(c).len()).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let raw = entries(&calls[0])[0]["MessageBody"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(raw.len() <= MAX_MESSAGE_BYTES, "{} bytes", raw.len());
    assert!(raw.len() > MAX_MESSAGE_BYTES - 16, "{} bytes", raw.len());
    let body: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(body["payload_truncated"], true);
    assert_eq!(body["id"], "event 5f7e-big");
    assert_eq!(body["source"], "eventbridge");
    assert_eq!(body["event_id"], "5f7e-big");
    assert_eq!(body["reason"], "too big to transform");
    assert!(original.starts_with(body["payload"].as_str().unwrap()));
    assert_eq!(
        body_of(&entries(&calls[1])[0]).get("payload_truncated"),
        None
    );
}

#[tokio::test]
async fn throttled_queue_returns_every_letter_by_the_deadline() {
    let standin =
        StandIn::start(|_, _| Reply::error(400, "RequestThrottled", "slow down", json!({}))).await;
    let queue = queue_for(&standin).await;
    let letters: Vec<DeadLetter> = (0..3).map(kinesis_letter).collect();
    let ids: Vec<String> = letters.iter().map(|l| l.id.clone()).collect();

    let started = Instant::now();
    let report = queue.send(letters, budget(1.0)).await;

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let reason = "SQS RequestThrottled: slow down".to_owned();
    let failed: Vec<(String, String)> = ids.into_iter().map(|id| (id, reason.clone())).collect();
    assert_eq!(report, DeadLetterReport { sent: 0, failed });
    assert!(standin.calls_of("SendMessageBatch").len() > 1);
}

#[tokio::test]
async fn missing_queue_fails_without_retrying() {
    let standin = StandIn::start(|_, _| {
        Reply::error(
            400,
            "QueueDoesNotExist",
            "The specified queue does not exist.",
            json!({}),
        )
    })
    .await;
    let queue = queue_for(&standin).await;

    let report = queue.send(vec![kinesis_letter(0)], budget(2.0)).await;

    let reason = "SQS QueueDoesNotExist: The specified queue does not exist.".to_owned();
    assert_eq!(
        report,
        DeadLetterReport {
            sent: 0,
            failed: vec![(kinesis_letter(0).id, reason)]
        }
    );
    assert_eq!(standin.calls_of("SendMessageBatch").len(), 1);
}

/// moto's server on a free loopback port; killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 must be on PATH to run moto's server");
        let mut moto = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };

        let give_up = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto's server exited ({status}); install it with: \
                     python3 -m pip install 'moto[server]'"
                );
            }
            assert!(
                Instant::now() < give_up,
                "moto's server did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
}

#[tokio::test]
async fn letters_arrive_in_moto_sqs_intact() {
    let moto = Moto::start();
    let sdk = sdk_config(&moto.url, None).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let created = sqs
        .create_queue()
        .queue_name("connect-rt-dlq")
        .attributes(
            QueueAttributeName::MaximumMessageSize,
            MAX_MESSAGE_BYTES.to_string(),
        )
        .send()
        .await
        .expect("a queue");
    let url = created.queue_url().expect("a queue url").to_owned();

    // 23 letters and one oversized one, which must fit the queue's 256 KiB message limit.
    let id = RecordId::EventBridge {
        id: "5f7e-big".into(),
    };
    let big = DeadLetter::for_record(&id, None, "too big", "é".repeat(200_000).as_bytes());
    let mut letters: Vec<DeadLetter> = (0..23).map(kinesis_letter).collect();
    letters.push(big);
    let report = DeadLetterQueue::new(&sdk, &url)
        .send(letters, budget(10.0))
        .await;
    assert_eq!(
        report,
        DeadLetterReport {
            sent: 24,
            failed: vec![]
        }
    );

    let mut received: Vec<Value> = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(10);
    while received.len() < 24 && Instant::now() < give_up {
        let batch = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .send()
            .await;
        for message in batch.expect("receive").messages() {
            received.push(serde_json::from_str(message.body().expect("a body")).expect("JSON"));
        }
    }
    received.sort_by_key(|b| b["id"].as_str().unwrap_or_default().to_owned());
    assert_eq!(received.len(), 24);
    let big = received.remove(0); // "event …" sorts before "shardId-…"
    assert_eq!(received, (0..23).map(expected_body).collect::<Vec<_>>());
    assert_eq!(big["id"], "event 5f7e-big");
    assert_eq!(big["payload_truncated"], true);
    assert!(big["payload"].as_str().unwrap().chars().all(|c| c == 'é'));
}
