//! Where validated records go: the embedded SQLite store for local runs and the Amazon
//! Timestream sink for production. Both report one [`WriteOutcome`] per record, in input
//! order, so the pipeline can account for every input event.

pub mod embedded;
pub mod timestream;

/// What happened to one record handed to a store.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    /// The record is stored (inserted, or it replaced an older version).
    Written,
    /// The store already holds this point at the same or a newer version, so this record
    /// changes nothing: a replay, or an older event arriving after a newer one. It counts as
    /// written. (Timestream reports this as a rejection carrying `ExistingVersion`.)
    AlreadyCurrent {
        /// The version the store holds.
        existing_version: i64,
    },
    /// The store refused the record for good; retrying the same record cannot succeed.
    Rejected(Rejection),
    /// The write did not happen for a reason that may pass (throttling, an unreachable
    /// service, the time budget ran out); the input event should be retried.
    Retryable {
        /// Why, in words an operator can act on.
        reason: String,
    },
}

impl WriteOutcome {
    /// True for outcomes that count as written (including an idempotent replay).
    pub fn is_written(&self) -> bool {
        matches!(
            self,
            WriteOutcome::Written | WriteOutcome::AlreadyCurrent { .. }
        )
    }
}

/// Why a store refused a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub reason: RejectReason,
    /// The detail, e.g. Timestream's own `Reason` text.
    pub message: String,
}

impl Rejection {
    /// A rejection of the given kind with its detail.
    pub fn new(reason: RejectReason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}

/// The kinds of permanent rejection, named so that counts can be grouped by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// A record breaks one of Timestream's write rules (names, sizes, counts, empty values).
    InvalidRecord,
    /// A column already has another type in this table, or a name is used both as a
    /// dimension and as a measure.
    SchemaConflict,
    /// The time is older than the table's memory-store retention or too far ahead.
    OutsideWriteWindow,
    /// The store rejected it for another reason.
    Other,
}

impl RejectReason {
    /// A stable lower-case name for summaries, logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidRecord => "invalid_record",
            RejectReason::SchemaConflict => "schema_conflict",
            RejectReason::OutsideWriteWindow => "outside_write_window",
            RejectReason::Other => "other",
        }
    }
}

impl crate::pipeline::RecordSink for embedded::EmbeddedStore {
    /// The embedded store writes synchronously; it has no throttling or network, so the
    /// deadline does not apply.
    fn write(
        &mut self,
        records: Vec<crate::contract::TimestreamRecord>,
        now_ms: i64,
        _deadline: std::time::Instant,
    ) -> impl std::future::Future<Output = Vec<WriteOutcome>> + Send {
        let outcomes = embedded::EmbeddedStore::write(self, &records, now_ms);
        std::future::ready(outcomes)
    }
}
