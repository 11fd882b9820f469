//! The `instance-data` transform: maps the metadata snapshot the host collects from the
//! Amazon Connect API on a schedule (`docs/snapshot-format.md`) to `Instance`, `Queue` and
//! `User` Timestream records.
//!
//! Start reading at [`mapping::map_snapshot`], the pure mapping, which builds natively so it
//! can be tested without WebAssembly. `component` (wasm32 only) binds it to the
//! `transformer` world of `wit/transform.wit`.
//!
//! # Mapping decisions
//!
//! **Points.** Every record is a multi-measure record whose `measure_name` is its table.
//! `time` is the collection time in milliseconds: the metadata's `collected-at-ms`, or the
//! payload's `CollectedAt` when the metadata gives 0 or less. `version` is the same
//! millisecond, so a re-run of the same snapshot rewrites identical points (a no-op) and a
//! newer snapshot is a new point. Columns follow the dashboard convention
//! (`docs/dashboard-columns.md`): nested fields joined with `_` in the API's
//! PascalCase, computed ones prefixed `_X_`, timestamps kept as the ISO-8601 strings received
//! (VARCHAR). Absent, `null` and empty values are left out; unknown fields are ignored.
//!
//! **Instance ARN.** `Instance.Arn`, else the `arn:…:instance/<id>` prefix of a queue or user
//! ARN of that instance (the instance id is the metadata's, else `InstanceId`, else
//! `Instance.Id`). Without either the snapshot fails: every record carries the ARN.
//!
//! **`Instance`** (one per snapshot, even when `Instance` is missing): dimension `Arn`;
//! VARCHAR `InstanceAlias`, `Id` (the instance id when `Instance.Id` is absent),
//! `InstanceStatus`, `IdentityManagementType`, `CreatedTime`; BOOLEAN `InboundCallsEnabled`,
//! `OutboundCallsEnabled`; BIGINT `_X_QueueCount` and `_X_UserCount`, the lengths of
//! `Queues` and `Users`, left out when the section is missing (not collected is not zero).
//!
//! **`Queue`** (one per `Queues` entry, then one per queue only `QueueMetrics` names, since
//! a failed queue listing should not hide live metrics): dimensions `InstanceArn` and
//! `QueueArn` (built as `<instance ARN>/queue/<QueueId>` when absent; a queue with neither is
//! skipped with a warning). VARCHAR `Name`, `QueueId`, `QueueType`, `Status`, BIGINT
//! `MaxContacts`, then the `QueueMetrics` entries matched by `QueueId`, else `QueueArn`:
//! BIGINT `CONTACTS_IN_QUEUE`, `OLDEST_CONTACT_AGE` (seconds, the maximum over channels),
//! `AGENTS_ONLINE`, `AGENTS_AVAILABLE`, `AGENTS_ON_CONTACT`, `AGENTS_AFTER_CONTACT_WORK`
//! (summed over channels, so an agent online on two channels counts twice, as the API's
//! per-channel figures do), then the same per channel as `<METRIC>_<CHANNEL>` (e.g.
//! `CONTACTS_IN_QUEUE_VOICE`) in the order channels appear. Metric values are read from any
//! JSON number (the API returns doubles) and rounded; a metric no entry reports is left
//! out. An entry without a channel, or whose channel is not `A-Z0-9_` up to 16 bytes, counts
//! in the totals only. `Description` comes last.
//!
//! **`User`** (one per `Users` entry, then one per `UserData` entry no user matched, so
//! agents stay visible when the user listing failed): dimensions `InstanceArn` and `Arn` (the
//! agent ARN that dashboards join to `AgentEvent_Contact.Agent_AgentARN`; built as
//! `<instance ARN>/agent/<Id>` when absent). VARCHAR `Username`, `IdentityInfo_FirstName`,
//! `IdentityInfo_LastName`, `Id`, `RoutingProfileId` (the user's, else `UserData`'s),
//! `RoutingProfile_Name` (looked up in `RoutingProfiles`), `HierarchyGroupId`; from the
//! `UserData` entry matched by `UserId`, else `UserArn`: `Status_StatusName`,
//! `Status_StatusStartTimestamp`, BIGINT `_X_ContactCount` (`ContactCount`) and
//! `_X_Available{Voice,Chat,Task}Slots` (`AvailableSlotsByChannel`, 0 for a channel it does
//! not list, as in `AgentEvent`). A user without `UserData` has none of these. Email, phone
//! and every other personal field are never read, whatever the payload holds.
//!
//! **Size.** Measures are added in the order above and a measure that would take a record
//! past Timestream's 2 048-byte record size is left out, with a warning; a record left with
//! no measures is not written. With the API's own length limits (names 127 characters,
//! descriptions 250) and ASCII text, a fully filled queue or user stays within the limit.
//!
//! # Errors and warnings
//!
//! All errors are non-retryable and name the instance: a payload that is not JSON, not a
//! JSON object, or has a known field of another JSON type (the host's collector wrote it,
//! so that is a contract break worth a dead letter); no instance ARN (above); no collection
//! time; and, in the component, an event from any source but `scheduled-snapshot`.
//! [`Mapped::warnings`] carry each `Errors` entry of the snapshot (the collector's partial
//! failures, with resource and message) and anything skipped; the component logs them at
//! warn through the host and the event still succeeds.
//!
//! The record types, the timestamp parser ([`iso8601`]), the WIT bindings and the allocator
//! come from `transform-kit`, which all shipped guests share.

pub mod mapping;
mod queue;
mod record;
mod snapshot;
mod user;

#[cfg(target_family = "wasm")]
mod component;

pub use transform_kit::iso8601;

pub use mapping::{Mapped, MappingError, Record, SnapshotMeta, map_snapshot};
