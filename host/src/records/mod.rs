//! What the host checks about a transform's output before any store sees it.
//!
//! A guest can return any record the WIT types allow; Timestream accepts far fewer. [`rules`]
//! holds Timestream's per-record write rules (names, sizes, counts, the write window), which
//! need nothing but the record and the clock. [`schema`] holds the one rule that needs memory:
//! each column of a table keeps one kind and one type. Both report a
//! [`Rejection`](crate::store::Rejection), the same value a store reports, so a record refused
//! here is accounted for exactly like one Timestream refused.

pub mod rules;
pub mod schema;

pub use rules::{MAX_RECORDS_PER_WRITE, WriteRules, check};
pub use schema::{ColumnKind, ColumnSpec, ColumnType, NewColumn, SchemaTracker, UnknownName};
