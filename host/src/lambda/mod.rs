//! The Lambda function: one binary for the Kinesis event source (agent events), the
//! EventBridge rule (contact events) and the schedule (metadata snapshots), told apart by the
//! payload's shape.
//!
//! [`App::from_config`] runs once per cold start; [`App::handle`] once per invocation.

pub mod config;
pub mod metrics;
mod raw_body;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::streams::KinesisEventResponse;
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::collect::{Collector, CollectorSettings, InstanceSnapshot};
use crate::contract::{Event, SnapshotMeta, SourceMeta, TimestreamRecord};
use crate::deadletter::{DeadLetter, DeadLetterQueue};
use crate::pipeline::{BatchReport, Disposition, Pipeline, RecordSink};
use crate::runtime::{Transform, TransformRuntime, TransformSpec};
use crate::sources::{PayloadError, RecordId, SourceRecord, eventbridge, kinesis};
use crate::store::WriteOutcome;
use crate::store::embedded::EmbeddedStore;
use crate::store::timestream::{TimestreamSettings, TimestreamSink};
use config::{Config, DeadLetterConfig, SinkConfig};
use raw_body::{RawBodies, RawBodyLayer};

/// What an invocation's payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// A Lambda Kinesis event (`Records[].kinesis`).
    Kinesis,
    /// An EventBridge event other than a scheduled one (contact events).
    EventBridge,
    /// A classic scheduled rule's event, or EventBridge Scheduler's configured input (which
    /// may be `{}`).
    Schedule,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "Records")]
    records: Option<IgnoredAny>,
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    #[serde(rename = "scheduleArn")]
    schedule_arn: Option<IgnoredAny>,
    #[serde(rename = "instanceIds")]
    instance_ids: Option<IgnoredAny>,
    #[serde(flatten)]
    other: serde_json::Map<String, Value>,
}

/// Tells the payload kinds apart by shape, without parsing the records themselves. A
/// schedule is a classic scheduled rule's event (`detail-type: Scheduled Event`) or what
/// EventBridge Scheduler sends: `{}`, or an input with `scheduleArn` or `instanceIds`.
///
/// # Errors
/// When the payload is not a JSON object of one of these shapes: nothing in it can be named,
/// so the invocation fails and Lambda's own retry and failure destination take it.
pub fn classify(payload: &[u8]) -> Result<PayloadKind, PayloadError> {
    let probe: Probe = serde_json::from_slice(payload).map_err(|e| PayloadError {
        what: "JSON object",
        reason: e.to_string(),
    })?;
    match probe {
        Probe {
            records: Some(_), ..
        } => Ok(PayloadKind::Kinesis),
        Probe {
            detail_type: Some(t),
            ..
        } if t == "Scheduled Event" => Ok(PayloadKind::Schedule),
        Probe {
            detail_type: Some(_),
            ..
        } => Ok(PayloadKind::EventBridge),
        Probe {
            schedule_arn: Some(_),
            ..
        }
        | Probe {
            instance_ids: Some(_),
            ..
        } => Ok(PayloadKind::Schedule),
        Probe { other, .. } if other.is_empty() => Ok(PayloadKind::Schedule),
        Probe { other, .. } => Err(PayloadError {
            what: "Kinesis, EventBridge or schedule payload",
            reason: format!(
                "unrecognised shape with keys {:?}",
                other.keys().take(8).collect::<Vec<_>>()
            ),
        }),
    }
}

/// The sink the configuration chose.
pub enum AnySink {
    Embedded(EmbeddedStore),
    Timestream(TimestreamSink),
}

impl RecordSink for AnySink {
    async fn write(
        &mut self,
        records: Vec<TimestreamRecord>,
        now_ms: i64,
        deadline: Instant,
    ) -> Vec<WriteOutcome> {
        match self {
            AnySink::Embedded(store) => RecordSink::write(store, records, now_ms, deadline).await,
            AnySink::Timestream(sink) => sink.write(records, now_ms, deadline).await,
        }
    }
}

/// Where dead letters go.
pub enum DeadLetterTarget {
    Sqs(DeadLetterQueue),
    /// JSON lines appended to a file (local runs with the embedded store).
    File(PathBuf),
}

impl DeadLetterTarget {
    /// Sends `letters`; returns the ids of those that could not be sent, with the reason.
    async fn send(&self, letters: Vec<DeadLetter>, deadline: Instant) -> Vec<(String, String)> {
        match self {
            DeadLetterTarget::Sqs(queue) => queue.send(letters, deadline).await.failed,
            DeadLetterTarget::File(path) => crate::deadletter::append_to_file(path, &letters)
                .err()
                .map(|e| {
                    letters
                        .iter()
                        .map(|l| (l.id.clone(), e.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// An invocation that must fail so Lambda delivers it again (EventBridge and schedule
/// invocations, which have no partial-batch response).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("{0}")]
    Payload(#[from] PayloadError),
    #[error("{count} event(s) must be retried: {reasons}")]
    Retry { count: usize, reasons: String },
}

impl HandlerError {
    /// The `errorType` Lambda reports (in the invocation's failure record, the async failure
    /// destination and the logs), so operators can filter failed invocations by cause.
    pub fn error_type(&self) -> &'static str {
        match self {
            HandlerError::Payload(_) => "UnreadablePayload",
            HandlerError::Retry { .. } => "RetryNeeded",
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(error: HandlerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// The function's state across invocations.
pub struct App {
    pipeline: Pipeline,
    sink: Mutex<AnySink>,
    dead_letters: DeadLetterTarget,
    /// Present when instances to collect are configured; it keeps its cache across warm
    /// invocations.
    collector: Option<Mutex<Collector>>,
    config: Config,
}

impl App {
    /// Builds the function from its configuration: loads every transform, creates the sink
    /// and the dead-letter target.
    ///
    /// # Errors
    /// When a transform does not load (named by path) or a client cannot be built.
    pub async fn from_config(config: Config) -> anyhow::Result<Self> {
        let transforms = load_transforms(&config)?;
        let pipeline = Pipeline::new(transforms, config.rules);

        let aws = match (&config.sink, &config.dead_letters) {
            (SinkConfig::Embedded { .. }, DeadLetterConfig::File { .. }) => None,
            _ => Some(aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await),
        };
        let sink = match &config.sink {
            SinkConfig::Embedded { path } => {
                AnySink::Embedded(EmbeddedStore::open(path)?.with_rules(config.rules))
            }
            SinkConfig::Timestream {
                database,
                tables,
                endpoint,
                max_concurrent_writes,
            } => {
                let settings = TimestreamSettings {
                    database: database.clone(),
                    tables: tables.clone(),
                    endpoint_override: endpoint.clone(),
                    max_concurrent_writes: *max_concurrent_writes,
                    ..TimestreamSettings::default()
                };
                let aws = aws.as_ref().expect("AWS config is loaded for Timestream");
                AnySink::Timestream(TimestreamSink::new(aws, settings).await?)
            }
        };
        let dead_letters = match &config.dead_letters {
            DeadLetterConfig::File { path } => DeadLetterTarget::File(path.clone()),
            DeadLetterConfig::Sqs { queue_url } => {
                let aws = aws.as_ref().expect("AWS config is loaded for SQS");
                DeadLetterTarget::Sqs(DeadLetterQueue::new(aws, queue_url.clone()))
            }
        };
        let collector = match (&config.connect_instances[..], &aws) {
            ([], _) => None,
            (_, Some(aws)) => Some(Mutex::new(connect_collector(aws, &config)?)),
            (_, None) => {
                let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                Some(Mutex::new(connect_collector(&aws, &config)?))
            }
        };
        Ok(Self {
            pipeline,
            sink: Mutex::new(sink),
            dead_letters,
            collector,
            config,
        })
    }

    /// Handles one invocation. `deadline` is the invocation's own deadline.
    ///
    /// # Errors
    /// [`HandlerError`] when the payload is unreadable, or when EventBridge or schedule
    /// events must be retried.
    pub async fn handle(&self, payload: &[u8], deadline: Instant) -> Result<Value, HandlerError> {
        let work_deadline = deadline
            .checked_sub(self.config.reserved_time)
            .unwrap_or_else(Instant::now);
        let (kind, records) = match kinesis::decode(payload) {
            // Most invocations are Kinesis batches of ~1 MB: reading them as such straight away
            // saves a pass over the payload. What decodes as a Kinesis event also classifies as
            // one, so this changes no outcome.
            Ok(records) => (PayloadKind::Kinesis, records),
            Err(_) => {
                let kind = classify(payload)?;
                let records = match kind {
                    PayloadKind::Kinesis => kinesis::decode(payload)?,
                    PayloadKind::EventBridge => {
                        vec![eventbridge::decode(payload, "invocation payload")]
                    }
                    PayloadKind::Schedule => self.collect(payload, work_deadline).await,
                };
                (kind, records)
            }
        };

        let now = now_ms();
        let mut report = {
            let mut sink = self.sink.lock().await;
            self.pipeline
                .run(records, &mut *sink, now, work_deadline)
                .await
        };
        let unsent = self.settle_dead_letters(&mut report, deadline).await;
        self.log_and_measure(&report, kind, unsent, now);
        respond(kind, &report)
    }

    /// Collects a metadata snapshot of each instance for the snapshot transform. Collection
    /// stops early enough to leave time for transforming and writing what was collected.
    async fn collect(&self, payload: &[u8], deadline: Instant) -> Vec<SourceRecord> {
        let Some(collector) = &self.collector else {
            tracing::warn!(
                "schedule invocation, but CONNECT_INSTANCE_IDS is not set: nothing to collect"
            );
            return Vec::new();
        };
        let instances =
            scheduled_instances(payload).unwrap_or_else(|| self.config.connect_instances.clone());
        let until = deadline
            .checked_sub(WRITE_TIME_AFTER_COLLECTING)
            .unwrap_or_else(Instant::now);
        let snapshots = collector.lock().await.collect(&instances, until).await;

        snapshots
            .into_iter()
            .map(|s| snapshot_record(s, payload))
            .collect()
    }

    /// Sends dead letters; those that cannot be sent become retries (nothing is lost).
    async fn settle_dead_letters(&self, report: &mut BatchReport, deadline: Instant) -> usize {
        let letters: Vec<DeadLetter> = report
            .dead_letters()
            .filter_map(DeadLetter::from_report)
            .collect();
        if letters.is_empty() {
            return 0;
        }
        let failed = self.dead_letters.send(letters, deadline).await;
        for (id, reason) in &failed {
            if let Some(event) = report.events.iter_mut().find(|e| &e.id.to_string() == id) {
                let why = format!("dead-letter queue unavailable ({reason})");
                event.disposition = Disposition::Retry { reason: why };
            }
        }
        failed.len()
    }

    fn log_and_measure(&self, report: &BatchReport, kind: PayloadKind, unsent: usize, now: i64) {
        let (written, retried, dead_lettered) = report.disposition_counts();
        let records_written: usize = report.written.values().sum();
        let records_unchanged: usize = report.unchanged.values().sum();
        tracing::info!(
            kind = ?kind,
            events = report.events.len(),
            written,
            retried,
            dead_lettered,
            records_written,
            records_unchanged,
            records_rejected = report.rejected.len(),
            dead_letters_unsent = unsent,
            "invocation done",
        );
        if dead_lettered > 0 {
            tracing::warn!(
                dead_lettered,
                "events dead-lettered; see the dead-letter queue for reasons"
            );
        }
        if unsent > 0 {
            tracing::error!(
                unsent,
                "dead letters could not be sent; those events are retried"
            );
        }
        for (transform, stats) in &report.transforms {
            println!(
                "{}",
                metrics::emf_line(&self.config.metrics_namespace, transform, stats, now)
            );
        }
    }
}

/// Time kept after collecting for the transform and the writes.
const WRITE_TIME_AFTER_COLLECTING: Duration = Duration::from_secs(5);

/// `instanceIds` from an EventBridge Scheduler input, when it names them.
fn scheduled_instances(payload: &[u8]) -> Option<Vec<String>> {
    #[derive(Deserialize)]
    struct Input {
        #[serde(rename = "instanceIds")]
        instance_ids: Option<Vec<String>>,
    }
    let input: Input = serde_json::from_slice(payload).ok()?;
    input.instance_ids.filter(|ids| !ids.is_empty())
}

/// One snapshot as an event for the snapshot transform. What could not be collected is
/// logged by resource here (and listed in the snapshot's `Errors`); the next run catches up.
fn snapshot_record(snapshot: InstanceSnapshot, trigger: &[u8]) -> SourceRecord {
    for error in &snapshot.errors {
        tracing::warn!(
            instance = %snapshot.instance_id,
            resource = %error.resource,
            error = %error.message,
            "not collected; the next scheduled run tries again",
        );
    }
    let meta = SnapshotMeta {
        instance_id: snapshot.instance_id.clone(),
        collected_at_ms: snapshot.collected_at_ms,
    };
    let event = Event {
        meta: SourceMeta::Scheduled(meta),
        payload: snapshot.snapshot.to_json_bytes(),
    };
    SourceRecord {
        id: RecordId::Snapshot {
            instance_id: snapshot.instance_id,
        },
        decoded: Ok(event),
        original: trigger.to_vec(),
    }
}

fn respond(kind: PayloadKind, report: &BatchReport) -> Result<Value, HandlerError> {
    if kind == PayloadKind::Kinesis {
        let mut response = KinesisEventResponse::default();
        response.set_failures(report.batch_item_failures());
        return Ok(serde_json::to_value(response).expect("the response serializes"));
    }

    let retries: Vec<String> = report
        .events
        .iter()
        .filter_map(|e| match &e.disposition {
            Disposition::Retry { reason } => Some(format!("{}: {reason}", e.id)),
            _ => None,
        })
        .collect();
    if !retries.is_empty() {
        return Err(HandlerError::Retry {
            count: retries.len(),
            reasons: retries.join("; "),
        });
    }
    let (written, _, dead_lettered) = report.disposition_counts();
    Ok(serde_json::json!({ "written": written, "deadLettered": dead_lettered }))
}

fn connect_collector(aws: &aws_config::SdkConfig, config: &Config) -> anyhow::Result<Collector> {
    let mut builder = aws_sdk_connect::config::Builder::from(aws);
    if let Some(endpoint) = &config.connect_endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    let client = aws_sdk_connect::Client::from_conf(builder.build());
    let settings = CollectorSettings {
        requests_per_second: config.connect_requests_per_second,
        ..CollectorSettings::default()
    };
    Ok(Collector::new(client, settings)?)
}

fn load_transforms(config: &Config) -> anyhow::Result<Vec<Arc<Transform>>> {
    let runtime = TransformRuntime::new(config.limits.clone())?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&config.transforms_dir)
        .map_err(|e| anyhow::anyhow!("TRANSFORMS_DIR {}: {e}", config.transforms_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "cwasm" || (config.allow_compile && x == "wasm"))
        })
        .collect();
    paths.sort();
    // A `.wasm` with a `.cwasm` beside it is loaded once, through the artifact.
    paths.dedup_by(|a, b| a.with_extension("") == b.with_extension(""));
    anyhow::ensure!(
        !paths.is_empty(),
        "TRANSFORMS_DIR {} holds no transform",
        config.transforms_dir.display()
    );

    let mut transforms = Vec::new();
    for path in paths {
        let spec = TransformSpec {
            path,
            config: Default::default(),
            allow_compile: config.allow_compile,
        };
        let transform = runtime.load(&spec)?;
        let settings = config
            .transform_config
            .get(&transform.info().name)
            .cloned()
            .unwrap_or_default();
        transforms.push(Arc::new(transform.with_config(settings)));
    }
    Ok(transforms)
}

/// The Lambda binary's `main`: [`run`], and when it stops with an error (a bad setting at
/// cold start, a transform that cannot be loaded), that error's message on standard error as
/// `Error: ...` (the function's log), and a failing exit status.
pub async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // Twice on purpose: as a structured log line (JSON in Lambda, for log queries and
            // alarms on ERROR) and as the plain last line a person reads in the log stream.
            tracing::error!(error = %error, "the function stopped");
            eprintln!("Error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the Lambda: reads the configuration, loads everything, then serves invocations.
///
/// # Errors
/// A configuration or load failure at cold start (the message names the setting or file).
pub async fn run() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let app = Arc::new(App::from_config(config).await?);

    let bodies = RawBodies::default();
    let handler = {
        let bodies = bodies.clone();
        lambda_runtime::service_fn(move |event: LambdaEvent<IgnoredAny>| {
            let app = app.clone();
            let body = bodies.take(&event.context.request_id);
            async move {
                let deadline = invocation_deadline(event.context.deadline);
                let body = body.ok_or_else(|| HandlerError::Payload(missing_body()))?;
                // Boxed: the handler's future is large (pipeline, sink and SQS calls inlined).
                Box::pin(app.handle(&body, deadline)).await
            }
        })
    };

    // Layers run last-added first: the tracing span (with the request id) wraps everything,
    // and the body is taken out before lambda_runtime deserializes it.
    lambda_runtime::Runtime::new(handler)
        .layer(RawBodyLayer::new(bodies))
        .layer(lambda_runtime::layers::TracingLayer::new())
        .run()
        .await
}

/// The handler found no body for its request id: a bug in how [`RawBodyLayer`] is wired.
fn missing_body() -> PayloadError {
    PayloadError {
        what: "invocation",
        reason: "the invocation body was not handed to the handler".to_owned(),
    }
}

/// The invocation's deadline (epoch ms) as an `Instant`.
fn invocation_deadline(deadline_ms: u64) -> Instant {
    let remaining = (deadline_ms as i64 - now_ms()).max(0) as u64;
    Instant::now() + Duration::from_millis(remaining)
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_told_apart_by_shape() {
        let kind = |json: &str| classify(json.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(kind(r#"{"Records":[]}"#), Ok(PayloadKind::Kinesis));
        assert_eq!(
            kind(r#"{"detail-type":"Amazon Connect Contact Event","detail":{}}"#),
            Ok(PayloadKind::EventBridge)
        );
        assert_eq!(
            kind(r#"{"detail-type":"Scheduled Event","source":"aws.events"}"#),
            Ok(PayloadKind::Schedule)
        );
        assert_eq!(
            kind(r#"{"scheduleArn":"arn","source":"x"}"#),
            Ok(PayloadKind::Schedule)
        );
        assert_eq!(kind(r#"{"instanceIds":["i"]}"#), Ok(PayloadKind::Schedule));
        assert_eq!(kind("{}"), Ok(PayloadKind::Schedule));
        let unknown = kind(r#"{"foo":1}"#).unwrap_err();
        assert!(
            unknown.contains("unrecognised shape") && unknown.contains("foo"),
            "{unknown}"
        );
        assert!(kind("[1]").is_err());
    }
}
