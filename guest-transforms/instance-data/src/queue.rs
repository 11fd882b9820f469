//! The `Queue` records: one per queue of `Queues`, with its current metrics from
//! `QueueMetrics`, then one per queue that appears only in `QueueMetrics`.

use std::collections::HashMap;

use crate::mapping::{Context, QUEUE_TABLE};
use crate::record::{Record, RecordBuilder};
use crate::snapshot::{MetricsIn, QueueIn, QueueMetricsIn, SnapshotIn, count, text};

/// How the values of one metric combine over channels.
#[derive(Clone, Copy)]
enum Combine {
    Sum,
    Max,
}

/// The metrics written, in column order, with how each combines over channels.
const METRICS: [(&str, Combine); 6] = [
    ("CONTACTS_IN_QUEUE", Combine::Sum),
    ("OLDEST_CONTACT_AGE", Combine::Max),
    ("AGENTS_ONLINE", Combine::Sum),
    ("AGENTS_AVAILABLE", Combine::Sum),
    ("AGENTS_ON_CONTACT", Combine::Sum),
    ("AGENTS_AFTER_CONTACT_WORK", Combine::Sum),
];

/// The longest channel name that gets per-channel columns. Amazon Connect's channels (VOICE,
/// CHAT, TASK, EMAIL) are far shorter; the bound keeps odd input from making long names.
const MAX_CHANNEL_BYTES: usize = 16;

/// The values of [`METRICS`], in that order; `None` where no entry reported the metric.
type Values = [Option<i64>; 6];

/// One queue as the snapshot knows it: its `Queues` entry, if any, and its metric entries.
struct QueueEntry<'s, 'a> {
    queue: Option<&'s QueueIn<'a>>,
    id: Option<&'s str>,
    arn: Option<&'s str>,
    metrics: Vec<&'s QueueMetricsIn<'a>>,
}

/// Every `Queue` record of the snapshot.
pub(crate) fn records(
    context: &Context<'_>,
    snapshot: &SnapshotIn<'_>,
    warnings: &mut Vec<String>,
) -> Vec<Record> {
    let entries = entries(snapshot);
    entries
        .iter()
        .filter_map(|entry| record(context, entry, warnings))
        .collect()
}

/// The queues of `Queues` in order, then those only `QueueMetrics` names, each with its
/// metric entries (matched by `QueueId`, else `QueueArn`).
fn entries<'s, 'a>(snapshot: &'s SnapshotIn<'a>) -> Vec<QueueEntry<'s, 'a>> {
    let queues = snapshot.queues.iter().flatten();
    let mut entries: Vec<QueueEntry<'s, 'a>> = queues.map(QueueEntry::listed).collect();
    let mut index = HashMap::new();
    for (at, entry) in entries.iter().enumerate() {
        add_keys(&mut index, entry, at);
    }

    for metrics in snapshot.queue_metrics.iter().flatten() {
        let id = text(&metrics.queue_id).and_then(|id| index.get(id));
        match id.or_else(|| text(&metrics.queue_arn).and_then(|arn| index.get(arn))) {
            Some(&at) => entries[at].metrics.push(metrics),
            None => {
                let entry = QueueEntry::metrics_only(metrics);
                add_keys(&mut index, &entry, entries.len());
                entries.push(entry);
            }
        }
    }
    entries
}

impl<'s, 'a> QueueEntry<'s, 'a> {
    fn listed(queue: &'s QueueIn<'a>) -> Self {
        Self {
            queue: Some(queue),
            id: text(&queue.queue_id),
            arn: text(&queue.queue_arn),
            metrics: Vec::new(),
        }
    }

    fn metrics_only(metrics: &'s QueueMetricsIn<'a>) -> Self {
        Self {
            queue: None,
            id: text(&metrics.queue_id),
            arn: text(&metrics.queue_arn),
            metrics: vec![metrics],
        }
    }
}

/// Indexes an entry by its id and its ARN; the first entry with a key keeps it.
fn add_keys<'s>(index: &mut HashMap<&'s str, usize>, entry: &QueueEntry<'s, '_>, at: usize) {
    for key in [entry.id, entry.arn].into_iter().flatten() {
        index.entry(key).or_insert(at);
    }
}

/// The record of one queue; `None` (with a warning) when it has neither id nor ARN.
fn record(
    context: &Context<'_>,
    entry: &QueueEntry<'_, '_>,
    warnings: &mut Vec<String>,
) -> Option<Record> {
    let built_arn = entry
        .id
        .map(|id| format!("{}/queue/{id}", context.instance_arn));
    let Some(queue_arn) = entry.arn.or(built_arn.as_deref()) else {
        let instance_id = context.instance_id;
        let message = format!("a queue of instance {instance_id} has neither QueueId nor QueueArn");
        warnings.push(format!("{message}; not written"));
        return None;
    };
    let dimensions = [
        ("InstanceArn", context.instance_arn),
        ("QueueArn", queue_arn),
    ];
    let mut record = RecordBuilder::new(QUEUE_TABLE, &dimensions);

    let queue = entry.queue;
    record.varchar("Name", queue.and_then(|queue| text(&queue.name)));
    record.varchar("QueueId", entry.id);
    if let Some(queue) = queue {
        push_settings(&mut record, queue);
    }
    push_metrics(&mut record, &entry.metrics);
    // Last: the longest free text gives way first when the record is near its size limit.
    record.varchar(
        "Description",
        queue.and_then(|queue| text(&queue.description)),
    );

    record.finish(context.time_ms, warnings)
}

fn push_settings(record: &mut RecordBuilder, queue: &QueueIn<'_>) {
    record.varchar("QueueType", text(&queue.queue_type));
    record.varchar("Status", text(&queue.status));
    record.bigint("MaxContacts", count(&queue.max_contacts));
}

/// The metrics over all channels, then per channel as `<METRIC>_<CHANNEL>`.
fn push_metrics(record: &mut RecordBuilder, entries: &[&QueueMetricsIn<'_>]) {
    let totals = entries
        .iter()
        .fold([None; 6], |totals, entry| combine(totals, values(entry)));
    push_values(record, &totals, None);

    for (channel, values) in by_channel(entries) {
        push_values(record, &values, Some(channel));
    }
}

fn push_values(record: &mut RecordBuilder, values: &Values, channel: Option<&str>) {
    for ((metric, _), value) in METRICS.iter().zip(values) {
        match channel {
            Some(channel) => record.bigint(&format!("{metric}_{channel}"), *value),
            None => record.bigint(metric, *value),
        }
    }
}

/// The entries' values per channel, in the order channels first appear. Entries without a
/// channel, or whose channel is not an upper-case name (`A-Z`, `0-9`, `_`, up to 16 bytes),
/// count only in the totals.
fn by_channel<'s>(entries: &[&'s QueueMetricsIn<'_>]) -> Vec<(&'s str, Values)> {
    let mut channels: Vec<(&str, Values)> = Vec::new();
    for entry in entries {
        let Some(channel) = text(&entry.channel).filter(|c| is_channel_name(c)) else {
            continue;
        };
        match channels.iter_mut().find(|(name, _)| *name == channel) {
            Some((_, values)) => *values = combine(*values, self::values(entry)),
            None => channels.push((channel, self::values(entry))),
        }
    }
    channels
}

fn is_channel_name(channel: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_';
    channel.len() <= MAX_CHANNEL_BYTES && channel.bytes().all(allowed)
}

/// One entry's values, in [`METRICS`] order.
fn values(entry: &QueueMetricsIn<'_>) -> Values {
    let Some(metrics) = &entry.metrics else {
        return [None; 6];
    };
    let MetricsIn {
        contacts_in_queue,
        oldest_contact_age,
        agents_online,
        agents_available,
        agents_on_contact,
        agents_after_contact_work,
    } = metrics;
    [
        contacts_in_queue,
        oldest_contact_age,
        agents_online,
        agents_available,
        agents_on_contact,
        agents_after_contact_work,
    ]
    .map(count)
}

/// Combines two sets of values metric by metric; a metric absent from one keeps the other's.
fn combine(left: Values, right: Values) -> Values {
    let mut combined = left;
    for (at, (_, how)) in METRICS.iter().enumerate() {
        combined[at] = match (left[at], right[at]) {
            (Some(a), Some(b)) => Some(match how {
                Combine::Sum => a.saturating_add(b),
                Combine::Max => a.max(b),
            }),
            (a, b) => a.or(b),
        };
    }
    combined
}
