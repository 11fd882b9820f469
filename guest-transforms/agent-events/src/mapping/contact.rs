//! The `AgentEvent_Contact` record: one per contact the agent holds at the event.

use super::Header;
use super::MappingError;
use super::input::{Contact, text};
use super::record::{CONTACT_TABLE, Dimension, MeasureList, Record, TimeUnit};

/// The most measures a contact record can have, so its list is allocated once.
const MEASURE_CAPACITY: usize = 12;

/// Builds the record of the contact at `index` in `CurrentAgentSnapshot.Contacts`.
///
/// # Errors
///
/// [`MappingError::MissingContactId`] when the contact has no `ContactId`: without it the
/// record could not be told apart from the agent's other contacts.
pub(crate) fn record(
    header: &Header<'_>,
    username: Option<&str>,
    index: usize,
    contact: &Contact<'_>,
) -> Result<Record, MappingError> {
    let contact_id = text(&contact.contact_id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| MappingError::MissingContactId {
            index,
            event_id: header.event_id.map(str::to_owned),
        })?;
    let queue = contact.queue.as_ref();
    let mut measures = MeasureList::with_capacity(MEASURE_CAPACITY);

    measures.varchar("State", text(&contact.state));
    measures.varchar("Channel", text(&contact.channel));
    measures.varchar("InitiationMethod", text(&contact.initiation_method));
    measures.varchar("StateStartTimestamp", text(&contact.state_start_timestamp));
    measures.varchar(
        "ConnectedToAgentTimestamp",
        text(&contact.connected_to_agent_timestamp),
    );
    measures.varchar("QueueTimestamp", text(&contact.queue_timestamp));
    measures.varchar("Queue_ARN", queue.and_then(|queue| text(&queue.arn)));
    measures.varchar("Queue_Name", queue.and_then(|queue| text(&queue.name)));
    measures.varchar("InitialContactId", text(&contact.initial_contact_id));
    measures.varchar("EventType", Some(header.event_type));
    measures.varchar("EventId", header.event_id);
    measures.varchar("Agent_Username", username);

    Ok(Record {
        table: CONTACT_TABLE,
        dimensions: vec![
            Dimension::new("InstanceARN", header.instance_arn),
            Dimension::new("Agent_AgentARN", header.agent_arn),
            Dimension::new("ContactId", contact_id),
        ],
        measure_name: CONTACT_TABLE,
        measures: measures.into_vec(),
        time: header.time_ms,
        time_unit: TimeUnit::Milliseconds,
        version: header.version,
    })
}
