//! The pure mapping from one agent event payload to Timestream records.
//!
//! [`map_event`] is the whole mapping: it reads the payload into borrowed serde structs
//! (`input`), checks the fields that identify the event (`Header`), then builds the
//! `AgentEvent` record (`agent`) and one `AgentEvent_Contact` record per contact
//! (`contact`). It is compiled natively as well as for wasm32, so the host can benchmark it
//! against the component. The product decisions are in the crate documentation.

mod agent;
mod contact;
mod error;
mod input;
mod record;

/// The strict ISO-8601 parser `EventTimestamp` is read with (shared by the guests).
pub use transform_kit::iso8601 as timestamp;

pub use error::MappingError;
pub use record::{
    AGENT_TABLE, CONTACT_TABLE, Dimension, MAX_RECORD_BYTES, Measure, MeasureValue, Record,
    TimeUnit,
};

use input::{AgentEventIn, Payload, Str, text};
use timestamp::parse_epoch_ms;

/// The `EventType` values of the agent event stream.
pub const EVENT_TYPES: [&str; 4] = ["LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT"];

/// Maps one agent event payload (a Kinesis record's decoded `data`) to its records: the
/// `AgentEvent` record first, then one `AgentEvent_Contact` record per contact, in the
/// order of `CurrentAgentSnapshot.Contacts`.
///
/// `approximate_arrival_ms` is the Kinesis record's arrival time; when given and positive
/// it becomes every record's version, otherwise the event's own time does.
///
/// # Errors
///
/// [`MappingError`] when the payload is not UTF-8 JSON, is not an agent event, has an
/// unknown `EventType` or an unparseable `EventTimestamp`, or holds a contact without a
/// `ContactId`. None of these is worth retrying.
pub fn map_event(
    payload: &[u8],
    approximate_arrival_ms: Option<i64>,
) -> Result<Vec<Record>, MappingError> {
    let json = std::str::from_utf8(payload)?;
    let event = parse(json)?;
    let header = Header::read(&event, approximate_arrival_ms)?;

    let snapshot = event.current_agent_snapshot.as_ref();
    let contacts = snapshot
        .and_then(|snapshot| snapshot.contacts.as_deref())
        .unwrap_or_default();
    let username = agent::username(snapshot);

    let mut records = Vec::with_capacity(1 + contacts.len());
    records.push(agent::record(&header, &event));
    for (index, contact) in contacts.iter().enumerate() {
        records.push(contact::record(&header, username, index, contact)?);
    }
    Ok(records)
}

/// Reads the payload; on a type error, reads it once more to name the offending field.
fn parse(json: &str) -> Result<AgentEventIn<'_>, MappingError> {
    let payload = serde_json::from_str::<Payload>(json).map_err(|error| {
        if !error.is_data() {
            return MappingError::NotJson { source: error };
        }
        locate_type_error(json, error)
    })?;
    Ok(payload.0)
}

/// Re-reads a payload that failed with a type error, tracking the path to the failing field.
///
/// Only the error path pays for the tracking, which allocates for every key it passes.
fn locate_type_error(json: &str, error: serde_json::Error) -> MappingError {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, Payload>(&mut deserializer) {
        Err(traced) => {
            let path = traced.path().to_string();
            let field = (path != ".").then_some(path);
            MappingError::WrongShape {
                field,
                source: traced.into_inner(),
            }
        }
        Ok(_) => MappingError::WrongShape {
            field: None,
            source: error,
        },
    }
}

/// The fields that identify an agent event, checked, plus its time and record version.
pub(crate) struct Header<'e> {
    pub event_type: &'e str,
    pub event_id: Option<&'e str>,
    pub event_timestamp: &'e str,
    pub agent_arn: &'e str,
    pub instance_arn: &'e str,
    /// `EventTimestamp` in milliseconds since the Unix epoch.
    pub time_ms: i64,
    pub version: i64,
}

impl<'e> Header<'e> {
    fn read(event: &'e AgentEventIn<'_>, arrival_ms: Option<i64>) -> Result<Self, MappingError> {
        let event_id = non_empty(&event.event_id);

        // An unknown type is the root cause when fields are missing too: its shape may differ.
        let event_type = required(&event.event_type, "EventType", event_id)?;
        check_event_type(event_type, event_id)?;

        let agent_arn = required(&event.agent_arn, "AgentARN", event_id)?;
        let instance_arn = required(&event.instance_arn, "InstanceARN", event_id)?;
        let event_timestamp = required(&event.event_timestamp, "EventTimestamp", event_id)?;
        let time_ms = parse_event_time(event_timestamp, event_id)?;
        let version = arrival_ms.filter(|arrival| *arrival > 0).unwrap_or(time_ms);

        Ok(Self {
            event_type,
            event_id,
            event_timestamp,
            agent_arn,
            instance_arn,
            time_ms,
            version,
        })
    }
}

fn non_empty<'s>(value: &'s Option<Str<'_>>) -> Option<&'s str> {
    text(value).filter(|text| !text.is_empty())
}

fn required<'s>(
    value: &'s Option<Str<'_>>,
    field: &'static str,
    event_id: Option<&str>,
) -> Result<&'s str, MappingError> {
    non_empty(value).ok_or_else(|| MappingError::MissingField {
        field,
        event_id: event_id.map(str::to_owned),
    })
}

fn check_event_type(event_type: &str, event_id: Option<&str>) -> Result<(), MappingError> {
    if EVENT_TYPES.contains(&event_type) {
        return Ok(());
    }
    Err(MappingError::UnknownEventType {
        event_type: event_type.to_owned(),
        event_id: event_id.map(str::to_owned),
    })
}

fn parse_event_time(value: &str, event_id: Option<&str>) -> Result<i64, MappingError> {
    parse_epoch_ms(value).map_err(|source| MappingError::BadEventTimestamp {
        value: value.to_owned(),
        source,
        event_id: event_id.map(str::to_owned),
    })
}
