//! The snapshot mapping: one `scheduled-snapshot` event in, `Instance`, `Queue` and `User`
//! records out.
//!
//! Pure Rust with no WebAssembly types, so it builds and is tested natively; the component
//! only converts [`Record`]s and logs [`Mapped::warnings`]. The crate documentation lists the
//! mapping decisions.

use transform_kit::iso8601::parse_epoch_ms;

use crate::record::RecordBuilder;
use crate::snapshot::{InstanceIn, SnapshotIn, text};
use crate::{queue, user};

pub use crate::record::{Dimension, MAX_RECORD_BYTES, Measure, MeasureValue, Record, TimeUnit};

/// The table, and `measure_name`, of the one record per snapshot.
pub const INSTANCE_TABLE: &str = "Instance";

/// The table, and `measure_name`, of the records per queue.
pub const QUEUE_TABLE: &str = "Queue";

/// The table, and `measure_name`, of the records per user.
pub const USER_TABLE: &str = "User";

/// The snapshot's metadata, as the host sends it (WIT `snapshot-meta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotMeta<'a> {
    /// The Amazon Connect instance the snapshot describes.
    pub instance_id: &'a str,
    /// When the host collected it, in milliseconds since the Unix epoch; 0 when unknown.
    pub collected_at_ms: i64,
}

/// What one snapshot maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The `Instance` record, then the `Queue` records, then the `User` records.
    pub records: Vec<Record>,
    /// What an operator should see although the event succeeded: the collector's partial
    /// failures (the snapshot's `Errors`), and queues, users or measures left out.
    pub warnings: Vec<String>,
}

/// Why a snapshot cannot be mapped. Each case names the instance; none is retryable, since
/// the same payload fails the same way every time.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The payload is not JSON, not a JSON object, or a known field has another JSON type.
    #[error("snapshot of instance {instance_id:?} is not a snapshot JSON object: {source}")]
    InvalidPayload {
        instance_id: String,
        #[source]
        source: serde_json::Error,
    },

    /// Neither `Instance.Arn` nor a queue or user ARN of the instance gives its ARN, which
    /// every record needs as a dimension.
    #[error(
        "snapshot of instance {instance_id:?} has no `Instance.Arn` and no queue or user ARN \
         of that instance to build it from"
    )]
    NoInstanceArn { instance_id: String },

    /// The metadata gives no collection time and `CollectedAt` is absent or not a strict
    /// ISO-8601 timestamp.
    #[error(
        "snapshot of instance {instance_id:?} has no collection time: the metadata gives 0 \
         and {}",
        collected_at_problem(.collected_at.as_deref())
    )]
    NoCollectionTime {
        instance_id: String,
        collected_at: Option<String>,
    },
}

/// What every record of one snapshot shares.
pub(crate) struct Context<'c> {
    pub instance_id: &'c str,
    pub instance_arn: &'c str,
    pub time_ms: i64,
}

/// Maps one snapshot to its records.
///
/// # Errors
///
/// [`MappingError`] when the payload is not a snapshot object, the instance ARN cannot be
/// found or built, or there is no collection time. Entries of the snapshot's `Errors` are
/// not errors: they come back in [`Mapped::warnings`].
pub fn map_snapshot(meta: &SnapshotMeta<'_>, payload: &[u8]) -> Result<Mapped, MappingError> {
    let snapshot =
        SnapshotIn::from_json(payload).map_err(|source| MappingError::InvalidPayload {
            instance_id: meta.instance_id.to_owned(),
            source,
        })?;
    let instance_id = instance_id(meta, &snapshot);

    let time_ms = collection_time(meta, &snapshot, instance_id)?;
    let instance_arn = instance_arn(&snapshot, instance_id).ok_or_else(|| {
        let instance_id = instance_id.to_owned();
        MappingError::NoInstanceArn { instance_id }
    })?;
    let context = Context {
        instance_id,
        instance_arn: &instance_arn,
        time_ms,
    };

    let mut warnings = collector_warnings(&snapshot, instance_id);
    let mut records: Vec<Record> = instance_record(&context, &snapshot, &mut warnings)
        .into_iter()
        .collect();
    records.extend(queue::records(&context, &snapshot, &mut warnings));
    records.extend(user::records(&context, &snapshot, &mut warnings));

    Ok(Mapped { records, warnings })
}

/// The metadata's instance id, else the payload's `InstanceId`, else `Instance.Id`.
fn instance_id<'s>(meta: &SnapshotMeta<'s>, snapshot: &'s SnapshotIn<'_>) -> &'s str {
    let from_payload = text(&snapshot.instance_id);
    let from_instance = snapshot.instance.as_ref().and_then(|i| text(&i.id));

    Some(meta.instance_id)
        .filter(|id| !id.is_empty())
        .or(from_payload)
        .or(from_instance)
        .unwrap_or_default()
}

/// The metadata's time when positive, else `CollectedAt`.
fn collection_time(
    meta: &SnapshotMeta<'_>,
    snapshot: &SnapshotIn<'_>,
    instance_id: &str,
) -> Result<i64, MappingError> {
    if meta.collected_at_ms > 0 {
        return Ok(meta.collected_at_ms);
    }

    let collected_at = text(&snapshot.collected_at);
    collected_at
        .and_then(|text| parse_epoch_ms(text).ok())
        .ok_or_else(|| MappingError::NoCollectionTime {
            instance_id: instance_id.to_owned(),
            collected_at: collected_at.map(str::to_owned),
        })
}

/// `Instance.Arn`, else the `…:instance/<id>` prefix of a queue or user ARN of the instance.
fn instance_arn(snapshot: &SnapshotIn<'_>, instance_id: &str) -> Option<String> {
    if let Some(arn) = snapshot.instance.as_ref().and_then(|i| text(&i.arn)) {
        return Some(arn.to_owned());
    }
    if instance_id.is_empty() {
        return None;
    }

    let marker = format!(":instance/{instance_id}/");
    resource_arns(snapshot).find_map(|arn| {
        let at = arn.find(&marker).filter(|_| arn.starts_with("arn:"))?;
        Some(arn[..at + marker.len() - 1].to_owned())
    })
}

/// Every queue and user ARN in the snapshot.
fn resource_arns<'s>(snapshot: &'s SnapshotIn<'_>) -> impl Iterator<Item = &'s str> {
    let queues = snapshot.queues.iter().flatten().map(|q| text(&q.queue_arn));
    let metrics = snapshot.queue_metrics.iter().flatten();
    let users = snapshot.users.iter().flatten().map(|u| text(&u.arn));
    let user_data = snapshot.user_data.iter().flatten();

    queues
        .chain(metrics.map(|m| text(&m.queue_arn)))
        .chain(users)
        .chain(user_data.map(|d| text(&d.user_arn)))
        .flatten()
}

/// One warning per entry of the snapshot's `Errors`.
fn collector_warnings(snapshot: &SnapshotIn<'_>, instance_id: &str) -> Vec<String> {
    let errors = snapshot.errors.iter().flatten();
    errors
        .map(|error| {
            let resource = text(&error.resource).unwrap_or("an unnamed resource");
            let message = text(&error.message).unwrap_or("no message");
            format!("collector could not collect {resource} of instance {instance_id}: {message}")
        })
        .collect()
}

/// The one `Instance` record of the snapshot.
fn instance_record(
    context: &Context<'_>,
    snapshot: &SnapshotIn<'_>,
    warnings: &mut Vec<String>,
) -> Option<Record> {
    let mut record = RecordBuilder::new(INSTANCE_TABLE, &[("Arn", context.instance_arn)]);

    match &snapshot.instance {
        Some(instance) => push_instance(&mut record, instance, context.instance_id),
        None => record.varchar("Id", Some(context.instance_id)),
    }
    record.bigint(
        "_X_QueueCount",
        snapshot.queues.as_ref().map(Vec::len).map(bigint),
    );
    record.bigint(
        "_X_UserCount",
        snapshot.users.as_ref().map(Vec::len).map(bigint),
    );

    record.finish(context.time_ms, warnings)
}

fn push_instance(record: &mut RecordBuilder, instance: &InstanceIn<'_>, instance_id: &str) {
    let id = text(&instance.id).unwrap_or(instance_id);

    record.varchar("InstanceAlias", text(&instance.instance_alias));
    record.varchar("Id", Some(id));
    record.varchar("InstanceStatus", text(&instance.instance_status));
    let identity = text(&instance.identity_management_type);
    record.varchar("IdentityManagementType", identity);
    record.varchar("CreatedTime", text(&instance.created_time));
    record.boolean("InboundCallsEnabled", instance.inbound_calls_enabled);
    record.boolean("OutboundCallsEnabled", instance.outbound_calls_enabled);
}

/// A list length as a BIGINT.
fn bigint(length: usize) -> i64 {
    i64::try_from(length).unwrap_or(i64::MAX)
}

/// What is wrong with a snapshot's `CollectedAt`, in words.
fn collected_at_problem(collected_at: Option<&str>) -> String {
    match collected_at {
        None => "`CollectedAt` is absent".to_owned(),
        Some(text) => format!("`CollectedAt` {text:?} is not a strict ISO-8601 timestamp"),
    }
}
