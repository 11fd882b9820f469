//! The `agent-events` transform: maps Amazon Connect agent events (from the agent event
//! stream, one per Kinesis record) to `AgentEvent` and `AgentEvent_Contact` Timestream
//! records.
//!
//! Start reading at [`mapping::map_event`], the pure mapping, which builds natively too so
//! the host can test and benchmark it. `component` (wasm32 only) binds it to the
//! `transformer` world of `wit/transform.wit`. The record types, the timestamp parser, the
//! WIT bindings and the allocator come from `transform-kit`, which all shipped guests share.
//!
//! # Mapping
//!
//! Column names follow the dashboard convention (`docs/dashboard-columns.md`):
//! nested paths are joined with `_` in the source's case, computed columns start with `_X_`,
//! and timestamps inside the event stay the ISO-8601 strings received (VARCHAR).
//!
//! **`AgentEvent`**: one record per event, `measure_name` = table name.
//! - `time` is `EventTimestamp` in milliseconds. `version` is the Kinesis arrival time when
//!   known and positive, else the event time: a replay of the same Kinesis record writes the
//!   same version (a no-op), and a later-arriving event for the same point wins.
//! - Dimensions: `InstanceARN`, `AgentARN`. Nothing that changes per event (event id, a
//!   timestamp) is a dimension, so one agent is one series.
//! - VARCHAR measures: `EventType`, `EventId`, `EventTimestamp`, `AWSAccountId`,
//!   `CurrentAgentSnapshot_Configuration_{Username,FirstName,LastName}`,
//!   `CurrentAgentSnapshot_Configuration_RoutingProfile_{Name,ARN}`,
//!   `CurrentAgentSnapshot_AgentStatus_{Name,Type,StartTimestamp,ARN}`,
//!   `CurrentAgentSnapshot_NextAgentStatus_{Name,Type,EnqueueTimestamp}` (the enqueue time
//!   is read from `EnqueueTimestamp` or, as in AWS's own sample, `EnqueuedTimestamp`),
//!   `CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level{1..5}_Name` (the groups
//!   object and each level may be null) and `PreviousAgentSnapshot_AgentStatus_Name` (absent
//!   on LOGIN and LOGOUT).
//! - Computed: `_X_OnContact` (BOOLEAN) is true when some contact's `State` is not MISSED,
//!   REJECTED or ERROR; ENDED is after-contact work and counts as on contact, and so does a
//!   contact without a state. `_X_Available{Voice,Chat,Task}Slots` (BIGINT) come from
//!   `RoutingProfile.Concurrency[].AvailableSlots` of the VOICE, CHAT and TASK entries (the
//!   first entry per channel; 0 when the channel, the list or the count is absent; other
//!   channels are ignored). `_X_ContactCount` (BIGINT) counts all entries of
//!   `CurrentAgentSnapshot.Contacts`, whatever their state. Without a `CurrentAgentSnapshot`
//!   the computed columns are false and 0 and the snapshot columns are left out.
//!
//! **`AgentEvent_Contact`**: one record per entry of `CurrentAgentSnapshot.Contacts`
//! (missing or empty: none), with the agent record's time and version.
//! - Dimensions: `InstanceARN`, `Agent_AgentARN`, `ContactId`; the contact is part of the
//!   series so several contacts in one event do not overwrite each other.
//! - VARCHAR measures: `State`, `Channel`, `InitiationMethod`, `StateStartTimestamp`,
//!   `ConnectedToAgentTimestamp`, `QueueTimestamp`, `Queue_ARN`, `Queue_Name`,
//!   `InitialContactId`, and from the event `EventType`, `EventId`, `Agent_Username`.
//!
//! Timestream has no null, so a measure whose source is absent, null or an empty string is
//! left out (the agent's own queue, with `"Name": null`, has no `Queue_Name`). Unknown fields
//! anywhere are ignored.
//!
//! # Errors
//!
//! All are permanent (non-retryable) and name the field and, when readable, the `EventId`:
//! a payload that is not UTF-8 or not JSON; JSON of another shape (a field of the wrong type,
//! or no `EventType`, `AgentARN`, `InstanceARN` or `EventTimestamp`, as in a contact trace
//! record); an `EventType` other than LOGIN, LOGOUT, STATE_CHANGE, HEART_BEAT; an
//! `EventTimestamp` that is not strict ISO-8601 (`YYYY-MM-DDTHH:MM:SS[.fraction]` with `Z` or
//! `±HH:MM`, see [`mapping::timestamp`]); a contact without a `ContactId`. An unknown
//! `EventType` is reported before missing fields, since another type may have another shape.
//! The component also rejects events from any source other than a Kinesis record.

pub mod mapping;

#[cfg(target_family = "wasm")]
mod component;

pub use mapping::{MappingError, Record, map_event};
