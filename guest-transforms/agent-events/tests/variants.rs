//! The mapping of variants of the samples: format traps, versions and omitted values.

mod common;

use agent_events_transform::mapping::MeasureValue;
use common::*;
use serde_json::json;

#[test]
fn version_is_the_arrival_time_when_known() {
    let records = map(SAMPLE_03_CONNECTED, Some(ARRIVAL_MS));

    let versions: Vec<i64> = records.iter().map(|record| record.version).collect();
    assert_eq!(versions, vec![ARRIVAL_MS, ARRIVAL_MS]);
}

#[test]
fn version_falls_back_to_the_event_time_without_a_positive_arrival_time() {
    for arrival_ms in [None, Some(0), Some(-5)] {
        let records = map(SAMPLE_03_CONNECTED, arrival_ms);

        let versions: Vec<i64> = records.iter().map(|record| record.version).collect();
        assert_eq!(
            versions,
            vec![1_741_079_707_331, 1_741_079_707_331],
            "{arrival_ms:?}"
        );
    }
}

#[test]
fn replaying_a_kinesis_record_maps_to_identical_records() {
    let first = map(SAMPLE_04_ENDED, Some(ARRIVAL_MS));
    let replay = map(SAMPLE_04_ENDED, Some(ARRIVAL_MS));

    assert_eq!(first, replay);
}

#[test]
fn next_status_enqueue_time_is_read_with_the_reference_spelling() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["CurrentAgentSnapshot"]["NextAgentStatus"] = json!({
        "Name": "Lunch",
        "ARN": status_arn(5),
        "EnqueueTimestamp": "2025-03-04T09:16:00.000Z"
    });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    let agent = &records[0];
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_NextAgentStatus_Name"),
        Some("Lunch")
    );
    assert_eq!(
        agent.measure("CurrentAgentSnapshot_NextAgentStatus_Type"),
        None
    );
    assert_eq!(
        text(
            agent,
            "CurrentAgentSnapshot_NextAgentStatus_EnqueueTimestamp"
        ),
        Some("2025-03-04T09:16:00.000Z")
    );
}

#[test]
fn next_status_enqueue_time_is_read_with_the_aws_sample_spelling() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["CurrentAgentSnapshot"]["NextAgentStatus"] = json!({
        "Name": "Lunch",
        "Type": "CUSTOM",
        "ARN": status_arn(5),
        "EnqueuedTimestamp": "2025-03-04T09:16:30.500Z"
    });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    let agent = &records[0];
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_NextAgentStatus_Name"),
        Some("Lunch")
    );
    assert_eq!(
        text(agent, "CurrentAgentSnapshot_NextAgentStatus_Type"),
        Some("CUSTOM")
    );
    assert_eq!(
        text(
            agent,
            "CurrentAgentSnapshot_NextAgentStatus_EnqueueTimestamp"
        ),
        Some("2025-03-04T09:16:30.500Z")
    );
}

#[test]
fn reference_spelling_wins_when_both_enqueue_spellings_appear() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["CurrentAgentSnapshot"]["NextAgentStatus"] = json!({
        "Name": "Lunch",
        "EnqueuedTimestamp": "2025-03-04T09:16:30.500Z",
        "EnqueueTimestamp": "2025-03-04T09:16:00.000Z"
    });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(
        text(
            &records[0],
            "CurrentAgentSnapshot_NextAgentStatus_EnqueueTimestamp"
        ),
        Some("2025-03-04T09:16:00.000Z")
    );
}

#[test]
fn null_next_status_leaves_its_columns_out() {
    let records = map(SAMPLE_02_AVAILABLE, Some(ARRIVAL_MS));

    let next: Vec<&str> = records[0]
        .measures
        .iter()
        .map(|measure| measure.name)
        .filter(|name| name.contains("NextAgentStatus"))
        .collect();
    assert_eq!(next, Vec::<&str>::new());
}

#[test]
fn queue_without_a_name_leaves_queue_name_out() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["CurrentAgentSnapshot"]["Contacts"][0]["Queue"] =
        json!({ "ARN": format!("{INSTANCE_ARN}/queue/agent/8a3e9c70"), "Name": null });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    let contact = &records[1];
    assert_eq!(contact.measure("Queue_Name"), None);
    assert_eq!(
        text(contact, "Queue_ARN"),
        Some(format!("{INSTANCE_ARN}/queue/agent/8a3e9c70").as_str())
    );
}

#[test]
fn single_null_hierarchy_levels_are_left_out() {
    let mut event = tree(SAMPLE_01_LOGIN);
    let groups = &mut event["CurrentAgentSnapshot"]["Configuration"]["AgentHierarchyGroups"];
    groups["Level1"] = json!(null);
    groups["Level3"] = json!({ "ARN": "arn:group:3", "Name": "Night-Shift" });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    let levels: Vec<Option<&str>> = (1..=5)
        .map(|level| {
            let column = format!(
                "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level{level}_Name"
            );
            text(&records[0], &column)
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            None,
            Some("Support-Team-B"),
            Some("Night-Shift"),
            None,
            None
        ]
    );
}

#[test]
fn empty_strings_are_left_out() {
    let mut event = tree(SAMPLE_01_LOGIN);
    event["CurrentAgentSnapshot"]["Configuration"]["FirstName"] = json!("");
    event["AWSAccountId"] = json!("");

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(
        records[0].measure("CurrentAgentSnapshot_Configuration_FirstName"),
        None
    );
    assert_eq!(records[0].measure("AWSAccountId"), None);
    assert_eq!(records[0].measures.len(), 18);
}

#[test]
fn escaped_strings_are_unescaped() {
    let mut event = tree(SAMPLE_01_LOGIN);
    event["CurrentAgentSnapshot"]["Configuration"]["LastName"] = json!("O\"Brien\\Ünal");

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(
        text(&records[0], "CurrentAgentSnapshot_Configuration_LastName"),
        Some("O\"Brien\\Ünal")
    );
}

#[test]
fn several_contacts_each_get_a_record_of_their_own() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    let contacts = event["CurrentAgentSnapshot"]["Contacts"]
        .as_array_mut()
        .unwrap();
    contacts.push(json!({
        "ContactId": "9d8c7b6a-0000-4000-8000-00000000c4a7",
        "InitialContactId": "9d8c7b6a-0000-4000-8000-000000000001",
        "Channel": "CHAT",
        "InitiationMethod": "TRANSFER",
        "State": "CONNECTING",
        "StateStartTimestamp": "2025-03-04T09:15:06.000Z",
        "QueueTimestamp": "2025-03-04T09:15:01.000Z"
    }));

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 3);
    let ids: Vec<Option<&str>> = records[1..]
        .iter()
        .map(|record| record.dimension("ContactId"))
        .collect();
    assert_eq!(
        ids,
        vec![
            Some(CONTACT_ID),
            Some("9d8c7b6a-0000-4000-8000-00000000c4a7")
        ]
    );
    assert_eq!(
        records[0].measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(2))
    );
    let chat = &records[2];
    assert_eq!(text(chat, "Channel"), Some("CHAT"));
    assert_eq!(
        text(chat, "InitialContactId"),
        Some("9d8c7b6a-0000-4000-8000-000000000001")
    );
    assert_eq!(chat.measure("Queue_ARN"), None);
    assert_eq!(chat.measure("ConnectedToAgentTimestamp"), None);
}

#[test]
fn rejected_and_error_contacts_are_not_on_contact() {
    let mut event = tree(SAMPLE_06_MISSED);
    event["CurrentAgentSnapshot"]["Contacts"][0]["State"] = json!("REJECTED");
    let mut second = event["CurrentAgentSnapshot"]["Contacts"][0].clone();
    second["ContactId"] = json!("second");
    second["State"] = json!("ERROR");
    event["CurrentAgentSnapshot"]["Contacts"]
        .as_array_mut()
        .unwrap()
        .push(second);

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 3);
    assert_eq!(
        records[0].measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(false))
    );
    assert_eq!(
        records[0].measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(2))
    );
}

#[test]
fn missing_contacts_list_means_no_contact_records() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["CurrentAgentSnapshot"]
        .as_object_mut()
        .unwrap()
        .remove("Contacts");

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].measure("_X_OnContact"),
        Some(&MeasureValue::Boolean(false))
    );
    assert_eq!(
        records[0].measure("_X_ContactCount"),
        Some(&MeasureValue::Bigint(0))
    );
}

#[test]
fn task_slots_come_from_the_task_concurrency_entry() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    let concurrency =
        &mut event["CurrentAgentSnapshot"]["Configuration"]["RoutingProfile"]["Concurrency"];
    concurrency.as_array_mut().unwrap().push(json!({
        "Channel": "TASK", "AvailableSlots": 7, "MaximumSlots": 10
    }));

    let records = map_tree(&event, Some(ARRIVAL_MS));

    let slots: Vec<Option<&MeasureValue>> = [
        "_X_AvailableVoiceSlots",
        "_X_AvailableChatSlots",
        "_X_AvailableTaskSlots",
    ]
    .into_iter()
    .map(|name| records[0].measure(name))
    .collect();
    assert_eq!(
        slots,
        vec![
            Some(&MeasureValue::Bigint(1)),
            Some(&MeasureValue::Bigint(3)),
            Some(&MeasureValue::Bigint(7))
        ]
    );
}

#[test]
fn missing_concurrency_means_zero_slots() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["CurrentAgentSnapshot"]["Configuration"]["RoutingProfile"]["Concurrency"] = json!(null);

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(
        records[0].measure("_X_AvailableVoiceSlots"),
        Some(&MeasureValue::Bigint(0))
    );
    assert_eq!(
        records[0].measure("_X_AvailableChatSlots"),
        Some(&MeasureValue::Bigint(0))
    );
}

#[test]
fn unknown_fields_anywhere_are_ignored() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["NewTopLevelField"] = json!({ "nested": [1, 2, { "deep": null }] });
    event["CurrentAgentSnapshot"]["Configuration"]["Proficiencies"] =
        json!([{ "Name": "Language", "Value": "en", "Level": 3.5 }]);
    event["CurrentAgentSnapshot"]["Contacts"][0]["Tags"] = json!({ "team": "b" });

    let records = map_tree(&event, Some(ARRIVAL_MS));

    assert_eq!(records, map(SAMPLE_03_CONNECTED, Some(ARRIVAL_MS)));
}

#[test]
fn event_timestamp_with_zero_offset_gives_the_same_time() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventTimestamp"] = json!("2025-03-04T09:00:03.517+00:00");

    let records = map_tree(&event, None);

    assert_eq!(records[0].time, 1_741_078_803_517);
    assert_eq!(
        text(&records[0], "EventTimestamp"),
        Some("2025-03-04T09:00:03.517+00:00")
    );
}
