//! One batch end to end: decoded source records → transform → write rules → sink, with an
//! account of every input record.
//!
//! Every input record ends in exactly one [`Disposition`]: written, retry (reported to
//! Lambda in `batchItemFailures`), or dead-lettered with its reason. [`BatchReport`] holds the
//! dispositions and the counts the summary, logs and metrics show.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use crate::contract::{Event, SourceKind, SourceMeta, TimestreamRecord};
use crate::records::rules::{self, WriteRules};
use crate::runtime::{EventOutput, Transform};
use crate::sources::{RecordId, SourceRecord};
use crate::store::{RejectReason, Rejection, WriteOutcome};

/// A destination for validated records: one outcome per record, in order.
pub trait RecordSink {
    /// Writes `records`, giving up on what is not written by `deadline` (as retryable).
    fn write(
        &mut self,
        records: Vec<TimestreamRecord>,
        now_ms: i64,
        deadline: Instant,
    ) -> impl Future<Output = Vec<WriteOutcome>> + Send;
}

/// The loaded transforms and the rules records must meet.
pub struct Pipeline {
    transforms: Vec<Arc<Transform>>,
    rules: WriteRules,
}

/// Where an input record ended up.
#[derive(Debug, Clone, PartialEq)]
pub enum Disposition {
    /// Every record it produced is stored (or it produced none).
    Written,
    /// Something a retry can fix failed; Lambda should deliver it again.
    Retry { reason: String },
    /// It can never be written as it is; it goes to the dead-letter queue with the reason.
    DeadLetter { reason: String },
}

/// The fate of one input record.
#[derive(Debug)]
pub struct EventReport {
    pub id: RecordId,
    pub disposition: Disposition,
    /// `name@version` of the transform that handled it, if one did.
    pub transform: Option<String>,
    /// The record as received, for the dead-letter queue.
    pub original: Vec<u8>,
    /// Records it produced, by table.
    pub records: usize,
}

/// A record refused by the write rules or by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRecord {
    pub id: RecordId,
    pub table: String,
    pub reason: RejectReason,
    pub message: String,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// One entry per input record, in input order.
    pub events: Vec<EventReport>,
    /// Records stored (new or replacing an older version), by table.
    pub written: BTreeMap<String, usize>,
    /// Records the store already held at the same or a newer version, by table.
    pub unchanged: BTreeMap<String, usize>,
    pub rejected: Vec<RejectedRecord>,
    /// Per transform (`name@version`): what went in and out, for logs and metrics.
    pub transforms: BTreeMap<String, TransformStats>,
}

/// What one transform did in a batch.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TransformStats {
    /// Input events it was given.
    pub events_in: usize,
    /// Records it produced.
    pub records_out: usize,
    /// Events it failed to transform.
    pub events_failed: usize,
    /// Records refused by the write rules or the store.
    pub records_rejected: usize,
    /// Input events dead-lettered.
    pub events_dead_lettered: usize,
    /// Input events to be retried.
    pub events_retried: usize,
    /// Time spent in the transform call, including isolating faults.
    pub transform_time: std::time::Duration,
}

impl BatchReport {
    /// Sequence numbers of Kinesis records Lambda should retry, for `batchItemFailures`.
    pub fn batch_item_failures(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| matches!(e.disposition, Disposition::Retry { .. }))
            .filter_map(|e| e.id.sequence_number().map(str::to_owned))
            .collect()
    }

    /// Input records to dead-letter.
    pub fn dead_letters(&self) -> impl Iterator<Item = &EventReport> {
        self.events
            .iter()
            .filter(|e| matches!(e.disposition, Disposition::DeadLetter { .. }))
    }

    /// Counts of input records by disposition: (written, retry, dead-lettered).
    pub fn disposition_counts(&self) -> (usize, usize, usize) {
        self.events
            .iter()
            .fold((0, 0, 0), |(w, r, d), e| match e.disposition {
                Disposition::Written => (w + 1, r, d),
                Disposition::Retry { .. } => (w, r + 1, d),
                Disposition::DeadLetter { .. } => (w, r, d + 1),
            })
    }

    /// Adds another batch's report to this one (the replay command sums its batches).
    pub fn merge(&mut self, other: BatchReport) {
        self.events.extend(other.events);
        for (table, n) in other.written {
            *self.written.entry(table).or_default() += n;
        }
        for (table, n) in other.unchanged {
            *self.unchanged.entry(table).or_default() += n;
        }
        self.rejected.extend(other.rejected);
        for (name, stats) in other.transforms {
            let mine = self.transforms.entry(name).or_default();
            mine.events_in += stats.events_in;
            mine.records_out += stats.records_out;
            mine.events_failed += stats.events_failed;
            mine.records_rejected += stats.records_rejected;
            mine.events_dead_lettered += stats.events_dead_lettered;
            mine.events_retried += stats.events_retried;
            mine.transform_time += stats.transform_time;
        }
    }
}

/// Per-event state while a batch runs.
struct Pending {
    report: EventReport,
    retry: Vec<String>,
    dead: Vec<String>,
}

impl Pending {
    fn finish(self) -> EventReport {
        let mut report = self.report;
        report.disposition = if !self.retry.is_empty() {
            Disposition::Retry {
                reason: self.retry.join("; "),
            }
        } else if !self.dead.is_empty() {
            Disposition::DeadLetter {
                reason: self.dead.join("; "),
            }
        } else {
            Disposition::Written
        };
        report
    }
}

impl Pipeline {
    /// A pipeline over `transforms`; each event goes to the first one that handles its
    /// source kind.
    pub fn new(transforms: Vec<Arc<Transform>>, rules: WriteRules) -> Self {
        Self { transforms, rules }
    }

    /// The loaded transforms.
    pub fn transforms(&self) -> &[Arc<Transform>] {
        &self.transforms
    }

    /// Runs one batch through transforms, rules and `sink`.
    pub async fn run<S: RecordSink>(
        &self,
        inputs: Vec<SourceRecord>,
        sink: &mut S,
        now_ms: i64,
        deadline: Instant,
    ) -> BatchReport {
        let mut pending = Vec::with_capacity(inputs.len());
        let mut by_transform: BTreeMap<usize, (Vec<Event>, Vec<usize>)> = BTreeMap::new();

        // Decode failures are final; decoded events are grouped by the transform that takes them.
        for (index, input) in inputs.into_iter().enumerate() {
            let mut entry = Pending {
                report: EventReport {
                    id: input.id,
                    disposition: Disposition::Written,
                    transform: None,
                    original: input.original,
                    records: 0,
                },
                retry: Vec::new(),
                dead: Vec::new(),
            };
            match input.decoded {
                Err(error) => entry.dead.push(error.to_string()),
                Ok(event) => match self.route(&event) {
                    Some(t) => {
                        let group = by_transform.entry(t).or_default();
                        group.0.push(event);
                        group.1.push(index);
                    }
                    None => entry.dead.push(format!(
                        "no loaded transform handles {} events",
                        kind_name(source_kind(&event))
                    )),
                },
            }
            pending.push(entry);
        }

        // Transform, then check each record against the write rules.
        let mut to_write: Vec<TimestreamRecord> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        let mut report = BatchReport::default();
        for (t, (events, indices)) in by_transform {
            let transform = self.transforms[t].clone();
            let labels: Vec<String> = indices
                .iter()
                .map(|&i| pending[i].report.id.to_string())
                .collect();
            let tag = format!("{}@{}", transform.info().name, transform.info().version);
            let started = Instant::now();
            let outputs = run_blocking(transform.clone(), events, labels, deadline).await;
            let stats = report.transforms.entry(tag.clone()).or_default();
            stats.events_in += indices.len();
            stats.transform_time += started.elapsed();

            for (&i, output) in indices.iter().zip(outputs) {
                pending[i].report.transform = Some(tag.clone());
                let records = match output {
                    Ok(records) => records,
                    Err(failure) => {
                        stats.events_failed += 1;
                        let reason = describe_failure(&failure);
                        if failure.retryable {
                            pending[i].retry.push(reason);
                        } else {
                            pending[i].dead.push(reason);
                        }
                        continue;
                    }
                };
                pending[i].report.records = records.len();
                stats.records_out += records.len();
                for record in records {
                    match rules::check(&record, now_ms, &self.rules) {
                        Ok(()) => {
                            to_write.push(record);
                            owners.push(i);
                        }
                        Err(rejection) => reject(
                            &mut pending[i],
                            &mut report.rejected,
                            &record.table,
                            rejection,
                        ),
                    }
                }
            }
        }

        // Write, and fold each record's outcome into its event's disposition.
        let tables: Vec<String> = to_write.iter().map(|r| r.table.clone()).collect();
        let outcomes = sink.write(to_write, now_ms, deadline).await;
        for ((outcome, table), i) in outcomes.into_iter().zip(tables).zip(owners) {
            match outcome {
                WriteOutcome::Written => *report.written.entry(table).or_default() += 1,
                WriteOutcome::AlreadyCurrent { .. } => {
                    *report.unchanged.entry(table).or_default() += 1
                }
                WriteOutcome::Rejected(rejection) => {
                    reject(&mut pending[i], &mut report.rejected, &table, rejection)
                }
                WriteOutcome::Retryable { reason } => {
                    pending[i].retry.push(format!("{table}: {reason}"))
                }
            }
        }

        report.events = pending.into_iter().map(Pending::finish).collect();
        count_outcomes(&mut report);
        report
    }

    fn route(&self, event: &Event) -> Option<usize> {
        let kind = source_kind(event);
        self.transforms
            .iter()
            .position(|t| t.info().sources.contains(&kind))
    }
}

/// Adds each event's final disposition and rejected records to its transform's stats.
fn count_outcomes(report: &mut BatchReport) {
    for event in &report.events {
        let Some(stats) = event
            .transform
            .as_ref()
            .and_then(|t| report.transforms.get_mut(t))
        else {
            continue;
        };
        match event.disposition {
            Disposition::Retry { .. } => stats.events_retried += 1,
            Disposition::DeadLetter { .. } => stats.events_dead_lettered += 1,
            Disposition::Written => {}
        }
        stats.records_rejected += report.rejected.iter().filter(|r| r.id == event.id).count();
    }
}

fn reject(
    entry: &mut Pending,
    rejected: &mut Vec<RejectedRecord>,
    table: &str,
    rejection: Rejection,
) {
    let reason = rejection.reason.as_str();
    entry.dead.push(format!(
        "{table} record rejected ({reason}): {}",
        rejection.message
    ));
    rejected.push(RejectedRecord {
        id: entry.report.id.clone(),
        table: table.to_owned(),
        reason: rejection.reason,
        message: rejection.message,
    });
}

/// Runs a transform on the blocking pool: guest calls are CPU work, and wasmtime-wasi's
/// synchronous bindings must not run on an async worker thread.
async fn run_blocking(
    transform: Arc<Transform>,
    events: Vec<Event>,
    labels: Vec<String>,
    deadline: Instant,
) -> Vec<EventOutput> {
    let count = events.len();
    let joined =
        tokio::task::spawn_blocking(move || transform.run_batch(&events, &labels, deadline));
    match joined.await {
        Ok(outputs) => outputs,
        Err(error) => {
            let failure = crate::runtime::TransformFailure {
                kind: crate::runtime::FailureKind::Trap,
                message: format!("transform call panicked in the host: {error}"),
                retryable: true,
                guest_output: Vec::new(),
            };
            vec![Err(failure); count]
        }
    }
}

fn describe_failure(failure: &crate::runtime::TransformFailure) -> String {
    if failure.guest_output.is_empty() {
        return format!("{}: {}", failure.kind.as_str(), failure.message);
    }
    format!(
        "{}: {} (guest's last output: {})",
        failure.kind.as_str(),
        failure.message,
        failure.guest_output.join(" | ")
    )
}

/// The source kind of an event, from its metadata.
pub fn source_kind(event: &Event) -> SourceKind {
    match event.meta {
        SourceMeta::Kinesis(_) => SourceKind::KinesisRecord,
        SourceMeta::Eventbridge(_) => SourceKind::EventbridgeEvent,
        SourceMeta::Scheduled(_) => SourceKind::ScheduledSnapshot,
    }
}

/// The WIT name of a source kind.
pub fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::KinesisRecord => "kinesis-record",
        SourceKind::EventbridgeEvent => "eventbridge-event",
        SourceKind::ScheduledSnapshot => "scheduled-snapshot",
    }
}
