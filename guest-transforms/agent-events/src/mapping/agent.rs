//! The `AgentEvent` record: one per agent event, the agent's state after the event.

use super::Header;
use super::input::{AgentEventIn, AgentStatus, Configuration, Contact, Snapshot, text};
use super::record::{AGENT_TABLE, Dimension, MeasureList, Record, TimeUnit};

/// The most measures an agent record can have, so its list is allocated once.
const MEASURE_CAPACITY: usize = 27;

/// Hierarchy group name columns, levels 1 to 5.
const HIERARCHY_NAME_COLUMNS: [&str; 5] = [
    "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level1_Name",
    "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level2_Name",
    "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level3_Name",
    "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level4_Name",
    "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level5_Name",
];

/// Contact states in which the agent does not hold the contact.
const NOT_HELD_STATES: [&str; 3] = ["MISSED", "REJECTED", "ERROR"];

/// Builds the `AgentEvent` record of a checked event.
pub(crate) fn record(header: &Header<'_>, event: &AgentEventIn<'_>) -> Record {
    let snapshot = event.current_agent_snapshot.as_ref();
    let configuration = snapshot.and_then(|snapshot| snapshot.configuration.as_ref());
    let mut measures = MeasureList::with_capacity(MEASURE_CAPACITY);

    push_event_fields(&mut measures, header, event);
    push_configuration(&mut measures, configuration);
    push_status(
        &mut measures,
        snapshot.and_then(|snapshot| snapshot.agent_status.as_ref()),
    );
    push_next_status(&mut measures, snapshot);
    push_hierarchy(&mut measures, configuration);
    push_previous_status(&mut measures, event);
    push_computed(&mut measures, snapshot);

    Record {
        table: AGENT_TABLE,
        dimensions: vec![
            Dimension::new("InstanceARN", header.instance_arn),
            Dimension::new("AgentARN", header.agent_arn),
        ],
        measure_name: AGENT_TABLE,
        measures: measures.into_vec(),
        time: header.time_ms,
        time_unit: TimeUnit::Milliseconds,
        version: header.version,
    }
}

/// The agent's user name, which contact records carry too.
pub(crate) fn username<'s>(snapshot: Option<&'s Snapshot<'_>>) -> Option<&'s str> {
    snapshot
        .and_then(|snapshot| snapshot.configuration.as_ref())
        .and_then(|configuration| text(&configuration.username))
}

fn push_event_fields(measures: &mut MeasureList, header: &Header<'_>, event: &AgentEventIn<'_>) {
    measures.varchar("EventType", Some(header.event_type));
    measures.varchar("EventId", header.event_id);
    measures.varchar("EventTimestamp", Some(header.event_timestamp));
    measures.varchar("AWSAccountId", text(&event.aws_account_id));
}

fn push_configuration(measures: &mut MeasureList, configuration: Option<&Configuration<'_>>) {
    let Some(configuration) = configuration else {
        return;
    };
    measures.varchar(
        "CurrentAgentSnapshot_Configuration_Username",
        text(&configuration.username),
    );
    measures.varchar(
        "CurrentAgentSnapshot_Configuration_FirstName",
        text(&configuration.first_name),
    );
    measures.varchar(
        "CurrentAgentSnapshot_Configuration_LastName",
        text(&configuration.last_name),
    );

    let Some(profile) = configuration.routing_profile.as_ref() else {
        return;
    };
    measures.varchar(
        "CurrentAgentSnapshot_Configuration_RoutingProfile_Name",
        text(&profile.name),
    );
    measures.varchar(
        "CurrentAgentSnapshot_Configuration_RoutingProfile_ARN",
        text(&profile.arn),
    );
}

fn push_status(measures: &mut MeasureList, status: Option<&AgentStatus<'_>>) {
    let Some(status) = status else {
        return;
    };
    measures.varchar("CurrentAgentSnapshot_AgentStatus_Name", text(&status.name));
    measures.varchar(
        "CurrentAgentSnapshot_AgentStatus_Type",
        text(&status.r#type),
    );
    measures.varchar(
        "CurrentAgentSnapshot_AgentStatus_StartTimestamp",
        text(&status.start_timestamp),
    );
    measures.varchar("CurrentAgentSnapshot_AgentStatus_ARN", text(&status.arn));
}

fn push_next_status(measures: &mut MeasureList, snapshot: Option<&Snapshot<'_>>) {
    let Some(next) = snapshot.and_then(|snapshot| snapshot.next_agent_status.as_ref()) else {
        return;
    };
    measures.varchar(
        "CurrentAgentSnapshot_NextAgentStatus_Name",
        text(&next.name),
    );
    measures.varchar(
        "CurrentAgentSnapshot_NextAgentStatus_Type",
        text(&next.r#type),
    );
    measures.varchar(
        "CurrentAgentSnapshot_NextAgentStatus_EnqueueTimestamp",
        next.enqueue_time(),
    );
}

fn push_hierarchy(measures: &mut MeasureList, configuration: Option<&Configuration<'_>>) {
    let Some(groups) = configuration.and_then(|config| config.agent_hierarchy_groups.as_ref())
    else {
        return;
    };
    for (column, name) in HIERARCHY_NAME_COLUMNS.into_iter().zip(groups.names()) {
        measures.varchar(column, name);
    }
}

fn push_previous_status(measures: &mut MeasureList, event: &AgentEventIn<'_>) {
    let name = event
        .previous_agent_snapshot
        .as_ref()
        .and_then(|previous| previous.agent_status.as_ref())
        .and_then(|status| text(&status.name));
    measures.varchar("PreviousAgentSnapshot_AgentStatus_Name", name);
}

/// The `_X_` columns, which dashboards need but the event does not carry as such.
fn push_computed(measures: &mut MeasureList, snapshot: Option<&Snapshot<'_>>) {
    let contacts = snapshot
        .and_then(|snapshot| snapshot.contacts.as_deref())
        .unwrap_or_default();
    let slots = snapshot
        .and_then(|snapshot| snapshot.configuration.as_ref())
        .and_then(|configuration| configuration.routing_profile.as_ref())
        .and_then(|profile| profile.concurrency.as_ref());

    measures.boolean("_X_OnContact", contacts.iter().any(is_held));
    measures.bigint(
        "_X_AvailableVoiceSlots",
        slots.and_then(|slots| slots.voice).unwrap_or(0),
    );
    measures.bigint(
        "_X_AvailableChatSlots",
        slots.and_then(|slots| slots.chat).unwrap_or(0),
    );
    measures.bigint(
        "_X_AvailableTaskSlots",
        slots.and_then(|slots| slots.task).unwrap_or(0),
    );
    measures.bigint(
        "_X_ContactCount",
        i64::try_from(contacts.len()).unwrap_or(i64::MAX),
    );
}

/// Whether the agent holds the contact: any state but MISSED, REJECTED and ERROR, so ENDED
/// (after-contact work) and a missing state count as held.
fn is_held(contact: &Contact<'_>) -> bool {
    !text(&contact.state).is_some_and(|state| NOT_HELD_STATES.contains(&state))
}
