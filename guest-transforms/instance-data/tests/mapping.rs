//! Behaviour of the snapshot mapping on `fixtures/snapshots/instance_5f0c3a2e.json` and on
//! partial, odd and broken snapshots.

use std::path::PathBuf;

use instance_data_transform::mapping::{
    Dimension, MAX_RECORD_BYTES, Mapped, MappingError, Measure, MeasureValue, Record, SnapshotMeta,
    TimeUnit, map_snapshot,
};
use serde_json::{Value, json};

const INSTANCE_ID: &str = "5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";
const INSTANCE: &str =
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";
const SUPPORT_ID: &str = "3c8f1e2a-9b4d-4c7e-a1f6-5d2b8e0c7a44";
const SALES_ID: &str = "7b2d4f6a-1c3e-4a5b-9d8f-0e1a2b3c4d55";
const ROBIN_ID: &str = "8a3e9c70-44b2-4f0d-b1a7-6e2c5d9f3a21";
const ALEX_ID: &str = "e1c2d3f4-5a6b-4c7d-8e9f-a0b1c2d3e4f6";

/// `CollectedAt` of the fixture, 2025-03-04T09:05:00.000Z, in milliseconds.
const COLLECTED_MS: i64 = 1_741_079_100_000;

fn arn(kind: &str, id: &str) -> String {
    format!("{INSTANCE}/{kind}/{id}")
}

fn fixture() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/snapshots/instance_5f0c3a2e.json");
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn map_at(collected_at_ms: i64, payload: &Value) -> Result<Mapped, MappingError> {
    let meta = SnapshotMeta {
        instance_id: INSTANCE_ID,
        collected_at_ms,
    };
    map_snapshot(&meta, &serde_json::to_vec(payload).unwrap())
}

fn map(payload: &Value) -> Mapped {
    map_at(COLLECTED_MS, payload).expect("snapshot maps")
}

fn map_err(payload: &[u8]) -> MappingError {
    let meta = SnapshotMeta {
        instance_id: INSTANCE_ID,
        collected_at_ms: COLLECTED_MS,
    };
    map_snapshot(&meta, payload).expect_err("snapshot must not map")
}

fn varchar(name: &str, value: &str) -> Measure {
    Measure {
        name: name.to_owned(),
        value: MeasureValue::Varchar(value.to_owned()),
    }
}

fn bigint(name: &str, value: i64) -> Measure {
    Measure {
        name: name.to_owned(),
        value: MeasureValue::Bigint(value),
    }
}

fn boolean(name: &str, value: bool) -> Measure {
    Measure {
        name: name.to_owned(),
        value: MeasureValue::Boolean(value),
    }
}

fn record(table: &str, dimensions: &[(&str, &str)], measures: Vec<Measure>) -> Record {
    let dimensions = dimensions.iter().map(|&(name, value)| Dimension {
        name: name.to_owned(),
        value: value.to_owned(),
    });
    Record {
        table: table.to_owned(),
        dimensions: dimensions.collect(),
        measure_name: table.to_owned(),
        measures,
        time: COLLECTED_MS,
        time_unit: TimeUnit::Milliseconds,
        version: COLLECTED_MS,
    }
}

fn queue_record(id: &str, measures: Vec<Measure>) -> Record {
    let queue_arn = arn("queue", id);
    let dimensions = [("InstanceArn", INSTANCE), ("QueueArn", queue_arn.as_str())];
    record("Queue", &dimensions, measures)
}

fn user_record(id: &str, measures: Vec<Measure>) -> Record {
    let user_arn = arn("agent", id);
    let dimensions = [("InstanceArn", INSTANCE), ("Arn", user_arn.as_str())];
    record("User", &dimensions, measures)
}

fn expected_instance() -> Record {
    let measures = vec![
        varchar("InstanceAlias", "example-centre"),
        varchar("Id", INSTANCE_ID),
        varchar("InstanceStatus", "ACTIVE"),
        varchar("IdentityManagementType", "CONNECT_MANAGED"),
        varchar("CreatedTime", "2024-01-10T12:00:00.000Z"),
        boolean("InboundCallsEnabled", true),
        boolean("OutboundCallsEnabled", true),
        bigint("_X_QueueCount", 2),
        bigint("_X_UserCount", 2),
    ];
    record("Instance", &[("Arn", INSTANCE)], measures)
}

fn expected_support() -> Record {
    let measures = vec![
        varchar("Name", "Support"),
        varchar("QueueId", SUPPORT_ID),
        varchar("QueueType", "STANDARD"),
        varchar("Status", "ENABLED"),
        bigint("MaxContacts", 50),
        bigint("CONTACTS_IN_QUEUE", 4),
        bigint("OLDEST_CONTACT_AGE", 42),
        bigint("AGENTS_ONLINE", 12),
        bigint("AGENTS_AVAILABLE", 3),
        bigint("AGENTS_ON_CONTACT", 7),
        bigint("AGENTS_AFTER_CONTACT_WORK", 1),
        bigint("CONTACTS_IN_QUEUE_VOICE", 3),
        bigint("OLDEST_CONTACT_AGE_VOICE", 42),
        bigint("AGENTS_ONLINE_VOICE", 7),
        bigint("AGENTS_AVAILABLE_VOICE", 2),
        bigint("AGENTS_ON_CONTACT_VOICE", 4),
        bigint("AGENTS_AFTER_CONTACT_WORK_VOICE", 1),
        bigint("CONTACTS_IN_QUEUE_CHAT", 1),
        bigint("OLDEST_CONTACT_AGE_CHAT", 15),
        bigint("AGENTS_ONLINE_CHAT", 5),
        bigint("AGENTS_AVAILABLE_CHAT", 1),
        bigint("AGENTS_ON_CONTACT_CHAT", 3),
        varchar("Description", "First line"),
    ];
    queue_record(SUPPORT_ID, measures)
}

fn expected_sales() -> Record {
    let measures = vec![
        varchar("Name", "Sales"),
        varchar("QueueId", SALES_ID),
        varchar("QueueType", "STANDARD"),
        varchar("Status", "ENABLED"),
        bigint("CONTACTS_IN_QUEUE", 0),
        bigint("AGENTS_ONLINE", 3),
        bigint("AGENTS_AVAILABLE", 1),
        bigint("AGENTS_ON_CONTACT", 2),
        bigint("AGENTS_AFTER_CONTACT_WORK", 0),
        bigint("CONTACTS_IN_QUEUE_VOICE", 0),
        bigint("AGENTS_ONLINE_VOICE", 3),
        bigint("AGENTS_AVAILABLE_VOICE", 1),
        bigint("AGENTS_ON_CONTACT_VOICE", 2),
        bigint("AGENTS_AFTER_CONTACT_WORK_VOICE", 0),
        varchar("Description", "New business"),
    ];
    queue_record(SALES_ID, measures)
}

fn expected_robin() -> Record {
    let measures = vec![
        varchar("Username", "robin.example"),
        varchar("IdentityInfo_FirstName", "Robin"),
        varchar("IdentityInfo_LastName", "Example"),
        varchar("Id", ROBIN_ID),
        varchar("RoutingProfileId", "0d9b7c55-3e1f-4a6b-8c2d-7f1e0a4b9c33"),
        varchar("RoutingProfile_Name", "Support Voice+Chat"),
        varchar("HierarchyGroupId", "2a2a2a2a-0000-4000-8000-000000000002"),
        varchar("Status_StatusName", "Available"),
        varchar("Status_StatusStartTimestamp", "2025-03-04T09:00:03.517Z"),
        bigint("_X_ContactCount", 0),
        bigint("_X_AvailableVoiceSlots", 1),
        bigint("_X_AvailableChatSlots", 3),
        bigint("_X_AvailableTaskSlots", 0),
    ];
    user_record(ROBIN_ID, measures)
}

fn expected_alex() -> Record {
    let measures = vec![
        varchar("Username", "alex.sample"),
        varchar("IdentityInfo_FirstName", "Alex"),
        varchar("IdentityInfo_LastName", "Sample"),
        varchar("Id", ALEX_ID),
        varchar("RoutingProfileId", "6a7b8c9d-0e1f-4a2b-b3c4-d5e6f7a8b9c0"),
        varchar("RoutingProfile_Name", "Sales Voice"),
    ];
    user_record(ALEX_ID, measures)
}

fn expected_fixture_records() -> Vec<Record> {
    vec![
        expected_instance(),
        expected_support(),
        expected_sales(),
        expected_robin(),
        expected_alex(),
    ]
}

/// The record size as Timestream meters it, counted here independently of the crate.
fn metered_size(record: &Record) -> usize {
    let dimensions: usize = record
        .dimensions
        .iter()
        .map(|d| d.name.len() + d.value.len())
        .sum();
    let measures: usize = record
        .measures
        .iter()
        .map(|m| {
            m.name.len()
                + match &m.value {
                    MeasureValue::Varchar(text) => text.len(),
                    MeasureValue::Boolean(_) => 1,
                    _ => 8,
                }
        })
        .sum();
    8 + dimensions + record.measure_name.len() + measures
}

fn measure_names(record: &Record) -> Vec<&str> {
    record.measures.iter().map(|m| m.name.as_str()).collect()
}

#[test]
fn fixture_maps_to_instance_queue_and_user_records() {
    let mapped = map(&fixture());

    assert_eq!(mapped.records, expected_fixture_records());
    assert_eq!(
        mapped.warnings,
        [format!(
            "collector could not collect UserData of instance {INSTANCE_ID}: \
             GetCurrentUserData: page 2 throttled after 5 attempts"
        )]
    );
}

#[test]
fn a_rerun_of_the_same_snapshot_writes_identical_points() {
    let first = map(&fixture());
    let second = map(&fixture());

    assert_eq!(first, second);
}

#[test]
fn metadata_time_is_time_and_version_and_a_newer_snapshot_is_a_new_point() {
    let later = COLLECTED_MS + 60_000;
    let mapped = map_at(later, &fixture()).unwrap();

    let mut expected = expected_fixture_records();
    for record in &mut expected {
        record.time = later;
        record.version = later;
    }
    assert_eq!(mapped.records, expected);
}

#[test]
fn collected_at_gives_the_time_when_metadata_gives_zero() {
    let mut snapshot = fixture();
    snapshot["CollectedAt"] = json!("2025-03-04T10:05:00.250+01:00");

    let mapped = map_at(0, &snapshot).unwrap();

    let times: Vec<(i64, i64)> = mapped.records.iter().map(|r| (r.time, r.version)).collect();
    assert_eq!(times, [(COLLECTED_MS + 250, COLLECTED_MS + 250); 5]);
}

#[test]
fn no_collection_time_anywhere_fails() {
    let mut snapshot = fixture();
    snapshot["CollectedAt"] = json!("2025-03-04 09:05:00");

    let error = map_at(0, &snapshot).unwrap_err();

    assert!(matches!(error, MappingError::NoCollectionTime { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "snapshot of instance \"{INSTANCE_ID}\" has no collection time: the metadata \
             gives 0 and `CollectedAt` \"2025-03-04 09:05:00\" is not a strict ISO-8601 \
             timestamp"
        )
    );
}

#[test]
fn a_snapshot_with_only_the_instance_arn_gives_one_instance_record() {
    let mapped = map(&json!({ "Instance": { "Arn": INSTANCE } }));

    let expected = record(
        "Instance",
        &[("Arn", INSTANCE)],
        vec![varchar("Id", INSTANCE_ID)],
    );
    assert_eq!(mapped.records, [expected]);
    assert!(mapped.warnings.is_empty());
}

#[test]
fn empty_sections_count_zero_while_missing_ones_are_left_out() {
    let mapped = map(&json!({ "Instance": { "Arn": INSTANCE }, "Queues": [], "Users": null }));

    let measures = vec![varchar("Id", INSTANCE_ID), bigint("_X_QueueCount", 0)];
    assert_eq!(
        mapped.records,
        [record("Instance", &[("Arn", INSTANCE)], measures)]
    );
}

#[test]
fn without_instance_the_arn_is_built_from_a_queue_arn() {
    let snapshot = json!({
        "Queues": [{ "QueueId": SUPPORT_ID, "QueueArn": arn("queue", SUPPORT_ID),
                     "Name": "Support" }],
        "Errors": [{ "Resource": "Instance", "Message": "DescribeInstance: access denied" }],
    });

    let mapped = map(&snapshot);

    let instance_measures = vec![varchar("Id", INSTANCE_ID), bigint("_X_QueueCount", 1)];
    let queue_measures = vec![varchar("Name", "Support"), varchar("QueueId", SUPPORT_ID)];
    assert_eq!(
        mapped.records,
        [
            record("Instance", &[("Arn", INSTANCE)], instance_measures),
            queue_record(SUPPORT_ID, queue_measures),
        ]
    );
    assert_eq!(
        mapped.warnings,
        [format!(
            "collector could not collect Instance of instance {INSTANCE_ID}: \
             DescribeInstance: access denied"
        )]
    );
}

#[test]
fn without_instance_the_arn_is_built_from_a_user_data_arn() {
    let snapshot = json!({ "UserData": [{ "UserArn": arn("agent", ROBIN_ID) }] });

    let mapped = map(&snapshot);

    assert_eq!(mapped.records[0].dimension("Arn"), Some(INSTANCE));
    assert_eq!(mapped.records.len(), 2);
}

#[test]
fn no_instance_arn_and_nothing_to_build_it_from_fails_naming_the_instance() {
    let error = map_err(br#"{"Queues": [{"QueueId": "3c8f", "Name": "Support"}]}"#);

    assert!(matches!(error, MappingError::NoInstanceArn { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "snapshot of instance \"{INSTANCE_ID}\" has no `Instance.Arn` and no queue or \
             user ARN of that instance to build it from"
        )
    );
}

#[test]
fn an_arn_of_another_instance_does_not_give_the_instance_arn() {
    let other = "arn:aws:connect:eu-west-2:111122223333:instance/00000000-0000-4000-8000-\
                 000000000000/queue/3c8f";
    let snapshot = json!({ "Queues": [{ "QueueArn": other }] });

    let error = map_at(COLLECTED_MS, &snapshot).unwrap_err();

    assert!(matches!(error, MappingError::NoInstanceArn { .. }));
}

#[test]
fn payload_instance_id_is_used_when_metadata_has_none() {
    let meta = SnapshotMeta {
        instance_id: "",
        collected_at_ms: COLLECTED_MS,
    };
    let payload =
        json!({ "InstanceId": INSTANCE_ID, "Users": [{ "Arn": arn("agent", ROBIN_ID) }] });

    let mapped = map_snapshot(&meta, &serde_json::to_vec(&payload).unwrap()).unwrap();

    assert_eq!(mapped.records[0].dimension("Arn"), Some(INSTANCE));
    assert_eq!(
        mapped.records[0].measure("Id"),
        Some(&MeasureValue::Varchar(INSTANCE_ID.to_owned()))
    );
}

#[test]
fn a_queue_only_in_queue_metrics_gets_a_record_with_what_is_known() {
    let mut snapshot = fixture();
    snapshot["Queues"].as_array_mut().unwrap().remove(1);
    snapshot["QueueMetrics"][2]
        .as_object_mut()
        .unwrap()
        .remove("QueueArn");

    let mapped = map(&snapshot);

    let measures = vec![
        varchar("QueueId", SALES_ID),
        bigint("CONTACTS_IN_QUEUE", 0),
        bigint("AGENTS_ONLINE", 3),
        bigint("AGENTS_AVAILABLE", 1),
        bigint("AGENTS_ON_CONTACT", 2),
        bigint("AGENTS_AFTER_CONTACT_WORK", 0),
        bigint("CONTACTS_IN_QUEUE_VOICE", 0),
        bigint("AGENTS_ONLINE_VOICE", 3),
        bigint("AGENTS_AVAILABLE_VOICE", 1),
        bigint("AGENTS_ON_CONTACT_VOICE", 2),
        bigint("AGENTS_AFTER_CONTACT_WORK_VOICE", 0),
    ];
    assert_eq!(mapped.records[2], queue_record(SALES_ID, measures));
    assert_eq!(
        mapped.records[0].measure("_X_QueueCount"),
        Some(&MeasureValue::Bigint(1))
    );
}

#[test]
fn queue_metrics_match_a_queue_by_arn_when_the_id_is_missing() {
    let mut snapshot = fixture();
    for entry in snapshot["QueueMetrics"].as_array_mut().unwrap() {
        entry.as_object_mut().unwrap().remove("QueueId");
    }

    let mapped = map(&snapshot);

    assert_eq!(mapped.records, expected_fixture_records());
}

#[test]
fn channels_combine_per_metric_and_odd_channels_count_in_totals_only() {
    let snapshot = json!({
        "Instance": { "Arn": INSTANCE },
        "Queues": [{ "QueueId": SUPPORT_ID }],
        "QueueMetrics": [
            { "QueueId": SUPPORT_ID, "Channel": "VOICE",
              "Metrics": { "CONTACTS_IN_QUEUE": 2, "OLDEST_CONTACT_AGE": 30 } },
            { "QueueId": SUPPORT_ID, "Channel": "VOICE",
              "Metrics": { "CONTACTS_IN_QUEUE": 1, "OLDEST_CONTACT_AGE": 90.4 } },
            { "QueueId": SUPPORT_ID, "Channel": "voice mail",
              "Metrics": { "CONTACTS_IN_QUEUE": 5, "OLDEST_CONTACT_AGE": 10 } },
            { "QueueId": SUPPORT_ID, "Metrics": { "AGENTS_ONLINE": 4, "SLA": 0.8 } },
            { "QueueId": SUPPORT_ID, "Channel": "TASK" },
        ],
    });

    let mapped = map(&snapshot);

    let measures = vec![
        varchar("QueueId", SUPPORT_ID),
        bigint("CONTACTS_IN_QUEUE", 8),
        bigint("OLDEST_CONTACT_AGE", 90),
        bigint("AGENTS_ONLINE", 4),
        bigint("CONTACTS_IN_QUEUE_VOICE", 3),
        bigint("OLDEST_CONTACT_AGE_VOICE", 90),
    ];
    assert_eq!(mapped.records[1], queue_record(SUPPORT_ID, measures));
}

#[test]
fn a_queue_without_id_or_arn_is_skipped_with_a_warning() {
    let snapshot = json!({
        "Instance": { "Arn": INSTANCE },
        "Queues": [{ "Name": "Nameless" }, { "QueueId": SUPPORT_ID, "Name": "Support" }],
    });

    let mapped = map(&snapshot);

    let names: Vec<&str> = mapped.records.iter().map(|r| r.table.as_str()).collect();
    assert_eq!(names, ["Instance", "Queue"]);
    assert_eq!(
        mapped.warnings,
        [format!(
            "a queue of instance {INSTANCE_ID} has neither QueueId nor QueueArn; not written"
        )]
    );
}

#[test]
fn a_record_without_values_is_not_written() {
    let queue_arn = arn("queue", SALES_ID);
    let snapshot = json!({
        "Instance": { "Arn": INSTANCE },
        "QueueMetrics": [{ "QueueArn": queue_arn, "Channel": "VOICE", "Metrics": {} }],
    });

    let mapped = map(&snapshot);

    assert_eq!(mapped.records.len(), 1);
    assert_eq!(
        mapped.warnings,
        [format!(
            "Queue record of {queue_arn} has no values; not written"
        )]
    );
}

#[test]
fn user_data_matches_a_user_by_arn_when_the_id_is_missing() {
    let mut snapshot = fixture();
    snapshot["UserData"][0]
        .as_object_mut()
        .unwrap()
        .remove("UserId");

    let mapped = map(&snapshot);

    assert_eq!(mapped.records, expected_fixture_records());
}

#[test]
fn user_data_without_a_user_gets_a_record_with_the_agent_state() {
    let mut snapshot = fixture();
    snapshot.as_object_mut().unwrap().remove("Users");
    snapshot["UserData"][0]
        .as_object_mut()
        .unwrap()
        .remove("UserArn");
    snapshot["UserData"][0]["AvailableSlotsByChannel"] = json!({ "TASK": 2, "EMAIL": 1 });

    let mapped = map(&snapshot);

    let measures = vec![
        varchar("Id", ROBIN_ID),
        varchar("RoutingProfileId", "0d9b7c55-3e1f-4a6b-8c2d-7f1e0a4b9c33"),
        varchar("RoutingProfile_Name", "Support Voice+Chat"),
        varchar("Status_StatusName", "Available"),
        varchar("Status_StatusStartTimestamp", "2025-03-04T09:00:03.517Z"),
        bigint("_X_ContactCount", 0),
        bigint("_X_AvailableVoiceSlots", 0),
        bigint("_X_AvailableChatSlots", 0),
        bigint("_X_AvailableTaskSlots", 2),
    ];
    assert_eq!(mapped.records[3..], [user_record(ROBIN_ID, measures)]);
    assert_eq!(mapped.records[0].measure("_X_UserCount"), None);
}

#[test]
fn personal_fields_in_the_payload_are_not_written() {
    let mut snapshot = fixture();
    let robin = &mut snapshot["Users"][0];
    robin["IdentityInfo"]["Email"] = json!("robin@example.com");
    robin["IdentityInfo"]["SecondaryEmail"] = json!("robin.home@example.com");
    robin["IdentityInfo"]["Mobile"] = json!("+447700900123");
    robin["PhoneConfig"] = json!({ "PhoneType": "SOFT_PHONE", "DeskPhoneNumber": "+442079460000" });
    robin["Email"] = json!("robin@example.com");

    let mapped = map(&snapshot);

    assert_eq!(mapped.records, expected_fixture_records());
    let values = mapped.records.iter().flat_map(|r| &r.measures);
    assert!(!values.into_iter().any(|m| matches!(&m.value,
        MeasureValue::Varchar(text) if text.contains('@') || text.contains("+44"))));
}

#[test]
fn empty_strings_and_nulls_are_left_out_and_unknown_fields_ignored() {
    let snapshot = json!({
        "Instance": { "Arn": INSTANCE, "InstanceAlias": "", "InstanceStatus": null,
                      "InboundCallsEnabled": null, "Future": { "Nested": [1, 2] } },
        "Users": [{ "Id": ROBIN_ID, "Username": "", "IdentityInfo": null,
                    "RoutingProfileId": "not-listed" }],
    });

    let mapped = map(&snapshot);

    let user_measures = vec![
        varchar("Id", ROBIN_ID),
        varchar("RoutingProfileId", "not-listed"),
    ];
    let instance_measures = vec![varchar("Id", INSTANCE_ID), bigint("_X_UserCount", 1)];
    assert_eq!(
        mapped.records,
        [
            record("Instance", &[("Arn", INSTANCE)], instance_measures),
            user_record(ROBIN_ID, user_measures),
        ]
    );
}

#[test]
fn payloads_that_are_not_json_objects_fail() {
    for payload in [
        &b"not json"[..],
        b"[\"Instance\"]",
        b"\"snapshot\"",
        b"null",
        b"{} x",
    ] {
        let error = map_err(payload);

        assert!(
            matches!(error, MappingError::InvalidPayload { .. }),
            "{payload:?}"
        );
        let prefix =
            format!("snapshot of instance \"{INSTANCE_ID}\" is not a snapshot JSON object: ");
        assert!(error.to_string().starts_with(&prefix), "{error}");
    }
}

#[test]
fn a_known_field_of_another_type_fails_with_its_position() {
    let error = map_err(br#"{"Instance": {"Arn": "arn"}, "Queues": [{"MaxContacts": "50"}]}"#);

    assert_eq!(
        error.to_string(),
        format!(
            "snapshot of instance \"{INSTANCE_ID}\" is not a snapshot JSON object: invalid \
             type: string \"50\", expected a JSON number at line 1 column 60"
        )
    );
}

#[test]
fn collector_errors_become_warnings_in_order() {
    let snapshot = json!({
        "Instance": { "Arn": INSTANCE },
        "Errors": [
            { "Resource": "QueueMetrics", "Message": "GetCurrentMetricData: throttled" },
            { "Message": "unknown failure" },
            {},
        ],
    });

    let mapped = map(&snapshot);

    assert_eq!(
        mapped.warnings,
        [
            format!(
                "collector could not collect QueueMetrics of instance {INSTANCE_ID}: \
                 GetCurrentMetricData: throttled"
            ),
            format!(
                "collector could not collect an unnamed resource of instance {INSTANCE_ID}: \
                 unknown failure"
            ),
            format!(
                "collector could not collect an unnamed resource of instance {INSTANCE_ID}: \
                 no message"
            ),
        ]
    );
    assert_eq!(mapped.records.len(), 1);
}

/// A queue and a user with every field filled at the API's maximum lengths (names 127
/// characters, queue description 250, user names 100) and every channel's metrics.
fn filled_snapshot(text: char) -> Value {
    let channels = ["VOICE", "CHAT", "TASK", "EMAIL"];
    let metrics = json!({ "CONTACTS_IN_QUEUE": 12_345, "OLDEST_CONTACT_AGE": 3_600,
        "AGENTS_ONLINE": 250, "AGENTS_AVAILABLE": 20, "AGENTS_ON_CONTACT": 200,
        "AGENTS_AFTER_CONTACT_WORK": 30 });
    let queue_metrics: Vec<Value> = channels
        .iter()
        .map(|c| json!({ "QueueId": SUPPORT_ID, "Channel": c, "Metrics": metrics }))
        .collect();
    let long = |chars: usize| text.to_string().repeat(chars);
    json!({
        "Instance": { "Arn": INSTANCE },
        "Queues": [{ "QueueId": SUPPORT_ID, "QueueArn": arn("queue", SUPPORT_ID),
            "Name": long(127), "Description": long(250), "QueueType": "STANDARD",
            "Status": "DISABLED", "MaxContacts": 1_000_000 }],
        "RoutingProfiles": [{ "RoutingProfileId": "0d9b7c55-3e1f-4a6b-8c2d-7f1e0a4b9c33",
            "Name": long(127) }],
        "Users": [{ "Id": ROBIN_ID, "Arn": arn("agent", ROBIN_ID), "Username": long(100),
            "IdentityInfo": { "FirstName": long(100), "LastName": long(100) },
            "RoutingProfileId": "0d9b7c55-3e1f-4a6b-8c2d-7f1e0a4b9c33",
            "HierarchyGroupId": "2a2a2a2a-0000-4000-8000-000000000002" }],
        "QueueMetrics": queue_metrics,
        "UserData": [{ "UserId": ROBIN_ID, "ContactCount": 4,
            "Status": { "StatusName": long(127),
                        "StatusStartTimestamp": "2025-03-04T09:00:03.517Z" },
            "AvailableSlotsByChannel": { "VOICE": 1, "CHAT": 10, "TASK": 10 } }],
    })
}

#[test]
fn a_fully_filled_queue_and_user_stay_within_the_record_size() {
    let mapped = map(&filled_snapshot('x'));

    let (queue, user) = (&mapped.records[1], &mapped.records[2]);
    assert_eq!(measure_names(queue).len(), 5 + 6 + 4 * 6 + 1);
    assert_eq!(measure_names(user).len(), 13);
    assert_eq!(metered_size(queue), 1_630);
    assert_eq!(metered_size(user), 1_182);
    assert!(metered_size(queue) <= MAX_RECORD_BYTES);
    assert!(mapped.warnings.is_empty());
}

#[test]
fn measures_that_would_pass_the_record_size_are_left_out_with_a_warning() {
    // Four UTF-8 bytes per character: the queue's name and description alone are 1 508
    // bytes, the user's three names 1 200.
    let mapped = map(&filled_snapshot('😀'));

    let queue = &mapped.records[1];
    assert!(
        metered_size(queue) <= MAX_RECORD_BYTES,
        "{}",
        metered_size(queue)
    );
    assert_eq!(queue.measure("Description"), None);
    assert!(queue.measure("Name").is_some());
    let queue_arn = arn("queue", SUPPORT_ID);
    let user_arn = arn("agent", ROBIN_ID);
    assert_eq!(
        mapped.warnings,
        [
            format!("Queue record of {queue_arn} left out Description to stay within 2048 bytes"),
            format!(
                "User record of {user_arn} left out RoutingProfile_Name, Status_StatusName to \
                 stay within 2048 bytes"
            ),
        ]
    );
    for record in &mapped.records {
        assert!(metered_size(record) <= MAX_RECORD_BYTES);
    }
}
