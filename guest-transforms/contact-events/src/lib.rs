//! Maps Amazon Connect contact events to `ContactEvent` records.
//!
//! A transform component for connect-rt: the host hands it EventBridge events whose
//! `detail-type` is `Amazon Connect Contact Event` (the payload is the `detail` object) and
//! writes the returned records to Timestream. Start reading at [`mapping::map_contact_event`];
//! `component.rs` (built only for WebAssembly) binds `wit/transform.wit` around it.
//!
//! # Mapping decisions
//!
//! **One series point per contact, holding its latest state.** Every event of a contact
//! writes the same point: dimensions `instanceArn` and `contactId`, `measure_name` =
//! table = `ContactEvent`, and `time` = `initiationTimestamp` in milliseconds (constant for a
//! contact; the envelope `time` when it is absent or unreadable, which puts such an event on a
//! point of its own, since its time differs from the contact's other events). Timestream keeps
//! the write
//! with the highest version, so the version orders the contact's states:
//! `version = latest_ms * 16 + rank(eventType)`, where `latest_ms` is the newest of the
//! envelope `time` and every progress timestamp in the detail (initiation, connected to
//! system, enqueue, connected to agent, accepted by agent, after-contact-work start and end,
//! greeting start and end, disconnect). The rank orders types that can share a millisecond:
//! INITIATED 1, CONNECTED_TO_SYSTEM 2, QUEUED 3, CONNECTED_TO_AGENT 4, answering-machine
//! outcomes (and AMD_DISABLED) 5, CONTACT_DATA_UPDATED and unknown types 6, DISCONNECTED 7,
//! COMPLETED 8. A replayed event writes the same version and values, so nothing changes; an
//! older event arriving late has a lower version and loses to the stored state.
//!
//! **Columns** follow the dashboard convention: nested fields flattened with `_` in source
//! (camel) case, timestamps written as the ISO-8601 VARCHAR strings received, computed values
//! prefixed `_X_`. All measures are VARCHAR except the computed ones noted. Absent, `null` and
//! empty values are left out (Timestream has no null and rejects empty strings):
//! - from the detail: `eventType`, `channel`, `initiationMethod`, `initiationTimestamp`,
//!   `initialContactId`, `previousContactId`, `relatedContactId`,
//!   `connectedToSystemTimestamp`, `disconnectTimestamp`, `disconnectReason`,
//!   `answeringMachineDetectionStatus`, `campaign_campaignId`, `queueInfo_queueArn`,
//!   `queueInfo_queueType`, `queueInfo_enqueueTimestamp`, `agentInfo_agentArn`,
//!   `agentInfo_connectedToAgentTimestamp`, `agentInfo_acceptedByAgentTimestamp`,
//!   `agentInfo_afterContactWorkStartTimestamp`, `agentInfo_afterContactWorkEndTimestamp`,
//!   `systemEndpoint_type`, `systemEndpoint_address` (the contact centre's own number),
//!   `customerEndpoint_type`, `customerVoiceActivity_greetingStartTimestamp`,
//!   `customerVoiceActivity_greetingEndTimestamp`;
//! - `customerEndpoint_address`, the caller's number or address, is personal data and is
//!   written only when the host config `include-customer-endpoint` is `"true"`;
//! - computed: `_X_EventId` and `_X_EventTime` (the envelope `id` and `time`),
//!   `_X_QueueWaitMs` BIGINT (connected to agent − enqueue when both are present, or
//!   disconnect − enqueue for a contact abandoned in queue; left out when negative), and
//!   `_X_Abandoned` BOOLEAN (true when no agent took the contact) once the contact is
//!   disconnected: on DISCONNECTED and on every later event carrying `disconnectTimestamp`,
//!   such as COMPLETED, so the latest state keeps it. An IVR-abandoned contact (no queue, no
//!   agent) is abandoned too, without a queue wait.
//!
//! Not written: `tags` (deployment metadata), `contactDetails` and task descriptions (free
//! text up to kilobytes would break Timestream's 2 KB record limit), routing criteria,
//! segment attributes, `scheduledTimestamp` (a future time, which would also freeze the
//! version) and any field this mapping does not know. A fully populated record stays under
//! 2 KB (tested).
//!
//! **Robustness.** Contact events arrive out of order and gain new types and fields. An
//! unknown `eventType` or field is written with what is known; a known string field with
//! another JSON type reads as absent. Only these fail, never retryable: a detail-type other
//! than `Amazon Connect Contact Event`, an event the host did not deliver as an EventBridge
//! event (its `source-meta`; the envelope's `source` field is not checked, as the EventBridge
//! rule already selects `aws.connect`), a detail that is not a JSON
//! object, a detail without `contactId`, and an event where neither `initiationTimestamp`
//! nor the envelope `time` is a UTC timestamp. A missing `instanceArn` leaves that dimension
//! out rather than failing. Timestamps are read by [`iso8601::parse_utc_epoch_ms`], a strict
//! parser for `YYYY-MM-DDTHH:MM:SS[.fraction]` with `Z` or `+00:00` (no other offset); a
//! timestamp it rejects is still written as received but takes no part in `time` or the
//! version.
//!
//! The record types, the timestamp parser, the WIT bindings and the allocator come from
//! `transform-kit`, which all shipped guests share.

mod detail;
mod lenient;
pub mod mapping;

pub use transform_kit::iso8601;

#[cfg(target_family = "wasm")]
mod component;

pub use mapping::{MappingError, Record, Settings, map_contact_event};
