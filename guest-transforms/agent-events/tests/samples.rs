//! The mapping of every sample agent event, column by column.

mod common;

use agent_events_transform::mapping::{
    AGENT_TABLE, CONTACT_TABLE, Dimension, MAX_RECORD_BYTES, Measure, MeasureValue, TimeUnit,
};
use common::*;

#[test]
fn login_maps_to_one_agent_record_with_every_column() {
    let records = map(SAMPLE_01_LOGIN, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.table, AGENT_TABLE);
    assert_eq!(record.measure_name, AGENT_TABLE);
    assert_eq!(record.time, 1_741_078_801_902);
    assert_eq!(record.time_unit, TimeUnit::Milliseconds);
    assert_eq!(record.version, ARRIVAL_MS);
    assert_eq!(
        record.dimensions,
        vec![
            Dimension {
                name: "InstanceARN",
                value: INSTANCE_ARN.to_owned()
            },
            Dimension {
                name: "AgentARN",
                value: agent_arn()
            },
        ]
    );
    assert_eq!(
        record.measures,
        vec![
            varchar("EventType", "LOGIN"),
            varchar("EventId", "b1f0a9e2-6c1d-4a2b-9e3f-000000000001"),
            varchar("EventTimestamp", "2025-03-04T09:00:01.902Z"),
            varchar("AWSAccountId", "111122223333"),
            varchar(
                "CurrentAgentSnapshot_Configuration_Username",
                "robin.example"
            ),
            varchar("CurrentAgentSnapshot_Configuration_FirstName", "Robin"),
            varchar("CurrentAgentSnapshot_Configuration_LastName", "Example"),
            varchar(
                "CurrentAgentSnapshot_Configuration_RoutingProfile_Name",
                "Support Voice+Chat"
            ),
            varchar(
                "CurrentAgentSnapshot_Configuration_RoutingProfile_ARN",
                &routing_profile_arn()
            ),
            varchar("CurrentAgentSnapshot_AgentStatus_Name", "Offline"),
            varchar("CurrentAgentSnapshot_AgentStatus_Type", "OFFLINE"),
            varchar(
                "CurrentAgentSnapshot_AgentStatus_StartTimestamp",
                "2025-03-04T08:55:02.114Z"
            ),
            varchar("CurrentAgentSnapshot_AgentStatus_ARN", &status_arn(2)),
            varchar(
                "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level1_Name",
                "EMEA"
            ),
            varchar(
                "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level2_Name",
                "Support-Team-B"
            ),
            boolean("_X_OnContact", false),
            bigint("_X_AvailableVoiceSlots", 1),
            bigint("_X_AvailableChatSlots", 3),
            bigint("_X_AvailableTaskSlots", 0),
            bigint("_X_ContactCount", 0),
        ]
    );
}

#[test]
fn state_change_to_available_keeps_the_previous_status() {
    let records = map(SAMPLE_02_AVAILABLE, None);

    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.time, 1_741_078_803_517);
    assert_eq!(record.version, 1_741_078_803_517);
    assert_eq!(text(record, "EventType"), Some("STATE_CHANGE"));
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_Name"),
        Some("Available")
    );
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_Type"),
        Some("ROUTABLE")
    );
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_StartTimestamp"),
        Some("2025-03-04T09:00:03.517Z")
    );
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_ARN"),
        Some(status_arn(1).as_str())
    );
    assert_eq!(
        text(record, "PreviousAgentSnapshot_AgentStatus_Name"),
        Some("Offline")
    );
    assert_eq!(
        record.measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(false))
    );
    assert_eq!(
        record.measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(0))
    );
}

#[test]
fn connected_contact_adds_a_contact_record() {
    let records = map(SAMPLE_03_CONNECTED, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 2);
    let agent = &records[0];
    assert_eq!(agent.time, 1_741_079_707_331);
    assert_eq!(
        agent.measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(true))
    );
    assert_eq!(
        agent.measure("_X_AvailableVoiceSlots"),
        Some(&MeasureValue::Bigint(0))
    );
    assert_eq!(
        agent.measure("_X_AvailableChatSlots"),
        Some(&MeasureValue::Bigint(3))
    );
    assert_eq!(
        agent.measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(1))
    );

    let contact = &records[1];
    assert_eq!(contact.table, CONTACT_TABLE);
    assert_eq!(contact.measure_name, CONTACT_TABLE);
    assert_eq!(contact.time, 1_741_079_707_331);
    assert_eq!(contact.time_unit, TimeUnit::Milliseconds);
    assert_eq!(contact.version, ARRIVAL_MS);
    assert_eq!(
        contact.dimensions,
        vec![
            Dimension {
                name: "InstanceARN",
                value: INSTANCE_ARN.to_owned()
            },
            Dimension {
                name: "Agent_AgentARN",
                value: agent_arn()
            },
            Dimension {
                name: "ContactId",
                value: CONTACT_ID.to_owned()
            },
        ]
    );
    assert_eq!(
        contact.measures,
        vec![
            varchar("State", "CONNECTED"),
            varchar("Channel", "VOICE"),
            varchar("InitiationMethod", "INBOUND"),
            varchar("StateStartTimestamp", "2025-03-04T09:15:07.331Z"),
            varchar("ConnectedToAgentTimestamp", "2025-03-04T09:15:07.331Z"),
            varchar("QueueTimestamp", "2025-03-04T09:14:51.208Z"),
            varchar("Queue_ARN", &support_queue_arn()),
            varchar("Queue_Name", "Support"),
            varchar("EventType", "STATE_CHANGE"),
            varchar("EventId", "b1f0a9e2-6c1d-4a2b-9e3f-000000000003"),
            varchar("Agent_Username", "robin.example"),
        ]
    );
}

#[test]
fn ended_contact_counts_as_on_contact_during_after_contact_work() {
    let records = map(SAMPLE_04_ENDED, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 2);
    let agent = &records[0];
    assert_eq!(agent.time, 1_741_080_100_015);
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_AgentStatus_Name"),
        Some("Available")
    );
    assert_eq!(
        agent.measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(true))
    );
    assert_eq!(
        agent.measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(1))
    );

    let contact = &records[1];
    assert_eq!(contact.dimension("ContactId"), Some(CONTACT_ID));
    assert_eq!(text(contact, "State"), Some("ENDED"));
    assert_eq!(
        text(contact, "StateStartTimestamp"),
        Some("2025-03-04T09:21:40.015Z")
    );
    assert_eq!(
        text(contact, "ConnectedToAgentTimestamp"),
        Some("2025-03-04T09:15:07.331Z")
    );
    assert_eq!(contact.time, agent.time);
    assert_eq!(contact.version, agent.version);
}

#[test]
fn heart_beat_without_hierarchy_has_no_hierarchy_columns() {
    let records = map(SAMPLE_05_HEART_BEAT, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.time, 1_741_080_732_444);
    assert_eq!(text(record, "EventType"), Some("HEART_BEAT"));
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_Name"),
        Some("Break")
    );
    assert_eq!(
        text(record, "CurrentAgentSnapshot_AgentStatus_Type"),
        Some("CUSTOM")
    );
    assert_eq!(
        text(record, "PreviousAgentSnapshot_AgentStatus_Name"),
        Some("Break")
    );
    let hierarchy: Vec<&str> = measure_names(record)
        .into_iter()
        .filter(|name| name.contains("AgentHierarchyGroups"))
        .collect();
    assert_eq!(hierarchy, Vec::<&str>::new());
    // The login's 20 columns, less two hierarchy levels, plus the previous status.
    assert_eq!(record.measures.len(), 19);
}

#[test]
fn missed_contact_is_not_on_contact() {
    let records = map(SAMPLE_06_MISSED, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 2);
    let agent = &records[0];
    assert_eq!(agent.time, 1_741_082_551_120);
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_AgentStatus_Name"),
        Some("Missed")
    );
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_AgentStatus_Type"),
        Some("OFFLINE")
    );
    assert_eq!(
        text(agent, "PreviousAgentSnapshot_AgentStatus_Name"),
        Some("Available")
    );
    assert_eq!(
        agent.measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(false))
    );
    assert_eq!(
        agent.measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(1))
    );

    let contact = &records[1];
    assert_eq!(text(contact, "State"), Some("MISSED"));
    assert_eq!(contact.measure("ConnectedToAgentTimestamp"), None);
    assert_eq!(contact.measure("InitialContactId"), None);
    assert_eq!(text(contact, "Queue_Name"), Some("Support"));
}

#[test]
fn logout_has_no_previous_status() {
    let records = map(SAMPLE_07_LOGOUT, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.time, 1_741_107_715_600);
    assert_eq!(text(record, "EventType"), Some("LOGOUT"));
    assert_eq!(
        text(record, "EventId"),
        Some("b1f0a9e2-6c1d-4a2b-9e3f-000000000007")
    );
    assert_eq!(
        record.measure("PreviousAgentSnapshot_AgentStatus_Name"),
        None
    );
    assert_eq!(record.measures.len(), 20);
}

#[test]
fn every_sample_record_fits_the_timestream_record_limit() {
    let mut sizes = Vec::new();
    for (name, sample) in ALL_SAMPLES {
        for record in map(sample, Some(ARRIVAL_MS)) {
            sizes.push((name, record.table, record.size_bytes()));
        }
    }

    let too_large: Vec<_> = sizes
        .iter()
        .filter(|(_, _, size)| *size >= MAX_RECORD_BYTES)
        .collect();
    assert_eq!(too_large, Vec::<&(&str, &str, usize)>::new());
    assert_eq!(sizes.len(), 10);
}

#[test]
fn login_record_size_counts_names_values_and_fixed_widths() {
    let records = map(SAMPLE_01_LOGIN, Some(ARRIVAL_MS));

    // 20 measures: 15 strings, 1 boolean, 4 bigints; 2 dimensions; time.
    // Cross-checked by summing the same parts of the sample with a script.
    assert_eq!(records[0].size_bytes(), 1_388);
}

fn varchar(name: &'static str, value: &str) -> Measure {
    Measure {
        name,
        value: MeasureValue::Varchar(value.to_owned()),
    }
}

fn bigint(name: &'static str, value: i64) -> Measure {
    Measure {
        name,
        value: MeasureValue::Bigint(value),
    }
}

fn boolean(name: &'static str, value: bool) -> Measure {
    Measure {
        name,
        value: MeasureValue::Boolean(value),
    }
}

fn measure_names(record: &agent_events_transform::Record) -> Vec<&'static str> {
    record.measures.iter().map(|measure| measure.name).collect()
}
