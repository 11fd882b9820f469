//! Event sources: turning what Lambda delivers into contract [`Event`]s, each with the
//! identity that every error, report and dead letter names.

pub mod eventbridge;
pub mod kinesis;

use std::fmt;

use crate::contract::Event;

/// The identity of one input record, as an operator would look it up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordId {
    /// A Kinesis record: its stream, shard and sequence number.
    Kinesis {
        stream_arn: String,
        shard_id: String,
        sequence_number: String,
    },
    /// An EventBridge event: its id.
    EventBridge { id: String },
    /// A scheduled snapshot of one Amazon Connect instance.
    Snapshot { instance_id: String },
    /// An input with no identity of its own (e.g. a raw event read from a file), named by
    /// where it came from.
    Local { origin: String },
}

impl RecordId {
    /// The Kinesis sequence number, which Lambda's `batchItemFailures` reports.
    pub fn sequence_number(&self) -> Option<&str> {
        match self {
            RecordId::Kinesis {
                sequence_number, ..
            } => Some(sequence_number),
            _ => None,
        }
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordId::Kinesis {
                shard_id,
                sequence_number,
                ..
            } => {
                write!(f, "{shard_id}/{sequence_number}")
            }
            RecordId::EventBridge { id } => write!(f, "event {id}"),
            RecordId::Snapshot { instance_id } => write!(f, "snapshot of instance {instance_id}"),
            RecordId::Local { origin } => f.write_str(origin),
        }
    }
}

/// One input record after decoding its envelope: the event for a transform, or why it could
/// not be decoded. The original bytes are kept for the dead-letter queue.
#[derive(Debug)]
pub struct SourceRecord {
    pub id: RecordId,
    pub decoded: Result<Event, DecodeError>,
    /// The record as received (a Kinesis record's base64 `data`, an EventBridge event's
    /// JSON), for dead letters.
    pub original: Vec<u8>,
}

/// Why a record's envelope could not be decoded. Never retryable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("data is not valid base64: {0}")]
    Base64(String),
    #[error(
        "record is aggregated by the Kinesis Producer Library; de-aggregation is not supported, \
         so turn aggregation off in the producer"
    )]
    KplAggregated,
    #[error("not a valid {what}: {reason}")]
    Envelope { what: &'static str, reason: String },
}

/// Why a whole Lambda payload could not be read (no record in it can be identified).
#[derive(Debug, thiserror::Error)]
#[error("payload is not a valid {what}: {reason}")]
pub struct PayloadError {
    pub what: &'static str,
    pub reason: String,
}
