//! Payloads the mapping rejects, and the messages operators will read in the dead-letter queue.

mod common;

use agent_events_transform::mapping::{MappingError, map_event};
use common::*;
use serde_json::json;

const EVENT_ID_02: &str = "b1f0a9e2-6c1d-4a2b-9e3f-000000000002";

fn error_of(payload: &[u8]) -> MappingError {
    map_event(payload, Some(ARRIVAL_MS)).expect_err("payload must be rejected")
}

fn error_of_tree(tree: &serde_json::Value) -> MappingError {
    error_of(tree.to_string().as_bytes())
}

#[test]
fn payload_that_is_not_utf8_is_rejected() {
    let error = error_of(b"{\"EventType\":\"\xff\"}");

    assert!(matches!(error, MappingError::NotUtf8 { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "payload is not UTF-8 text: invalid utf-8 sequence of 1 bytes from index 14"
    );
}

#[test]
fn payload_that_is_not_json_is_rejected() {
    let error = error_of(b"EventType=LOGIN");

    assert!(matches!(error, MappingError::NotJson { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "payload is not JSON: expected value at line 1 column 1"
    );
}

#[test]
fn empty_payload_is_rejected() {
    let error = error_of(b"");

    assert_eq!(
        error.to_string(),
        "payload is not JSON: EOF while parsing a value at line 1 column 0"
    );
}

#[test]
fn truncated_json_is_rejected() {
    let error = error_of(&SAMPLE_01_LOGIN.as_bytes()[..40]);

    assert!(matches!(error, MappingError::NotJson { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "payload is not JSON: EOF while parsing a string at line 3 column 4"
    );
}

#[test]
fn contact_trace_record_is_not_an_agent_event() {
    let record = json!({
        "AWSAccountId": "111122223333",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "Agent": { "ARN": agent_arn(), "Username": "robin.example" },
        "Channel": "VOICE",
        "ContactId": CONTACT_ID,
        "InitiationMethod": "INBOUND",
        "InstanceARN": INSTANCE_ARN
    });

    let error = error_of_tree(&record);

    assert!(matches!(
        error,
        MappingError::MissingField {
            field: "EventType",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "payload is not an agent event: field 'EventType' is missing, null or empty"
    );
}

#[test]
fn contact_event_is_not_an_agent_event() {
    let error = error_of(CONTACT_EVENT_01.as_bytes());

    assert_eq!(
        error.to_string(),
        "payload is not an agent event: field 'EventType' is missing, null or empty"
    );
}

#[test]
fn missing_agent_arn_is_named_with_the_event_id() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event.as_object_mut().unwrap().remove("AgentARN");

    let error = error_of_tree(&event);

    assert_eq!(
        error.to_string(),
        format!(
            "payload is not an agent event: field 'AgentARN' is missing, null or empty \
             (EventId {EVENT_ID_02})"
        )
    );
}

#[test]
fn null_event_timestamp_is_a_missing_field() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventTimestamp"] = json!(null);

    let error = error_of_tree(&event);

    assert_eq!(
        error.to_string(),
        format!(
            "payload is not an agent event: field 'EventTimestamp' is missing, null or empty \
             (EventId {EVENT_ID_02})"
        )
    );
}

#[test]
fn empty_instance_arn_is_a_missing_field() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["InstanceARN"] = json!("");

    let error = error_of_tree(&event);

    assert!(matches!(
        error,
        MappingError::MissingField {
            field: "InstanceARN",
            ..
        }
    ));
}

#[test]
fn unknown_event_type_is_rejected_with_the_event_id() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventType"] = json!("LUNCH_BREAK");

    let error = error_of_tree(&event);

    assert!(
        matches!(error, MappingError::UnknownEventType { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("unknown EventType 'LUNCH_BREAK' (EventId {EVENT_ID_02})")
    );
}

#[test]
fn unknown_event_type_without_event_id_names_only_the_type() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventType"] = json!("login");
    event.as_object_mut().unwrap().remove("EventId");

    let error = error_of_tree(&event);

    assert_eq!(error.to_string(), "unknown EventType 'login'");
}

#[test]
fn unknown_event_type_is_reported_before_missing_fields() {
    let error = error_of(br#"{"EventType":"QUEUE_CHANGE","EventId":"e-1"}"#);

    assert_eq!(
        error.to_string(),
        "unknown EventType 'QUEUE_CHANGE' (EventId e-1)"
    );
}

#[test]
fn unparseable_event_timestamp_is_rejected_with_the_reason() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventTimestamp"] = json!("2025-03-04 09:00:03");

    let error = error_of_tree(&event);

    assert!(
        matches!(error, MappingError::BadEventTimestamp { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "unparseable EventTimestamp '2025-03-04 09:00:03': expected 'T' at byte 10 \
             (EventId {EVENT_ID_02})"
        )
    );
}

#[test]
fn event_timestamp_with_impossible_date_is_rejected() {
    let mut event = tree(SAMPLE_02_AVAILABLE);
    event["EventTimestamp"] = json!("2025-02-30T09:00:03.517Z");

    let error = error_of_tree(&event);

    assert_eq!(
        error.to_string(),
        format!(
            "unparseable EventTimestamp '2025-02-30T09:00:03.517Z': day 30 is out of range \
             (EventId {EVENT_ID_02})"
        )
    );
}

#[test]
fn field_of_the_wrong_type_is_named_by_its_path() {
    let payload =
        br#"{"EventType":"STATE_CHANGE","CurrentAgentSnapshot":{"Contacts":[{"State":5}]}}"#;

    let error = error_of(payload);

    assert!(
        matches!(error, MappingError::WrongShape { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "payload is not an agent event: field 'CurrentAgentSnapshot.Contacts[0].State': \
         invalid type: integer `5`, expected a string at line 1 column 74"
    );
}

#[test]
fn non_object_payload_is_not_an_agent_event() {
    // serde would read a derived struct from an array by position; an event is an object.
    let error = error_of(br#"["STATE_CHANGE", "b1f0a9e2", "2025-03-04T09:00:03.517Z"]"#);

    assert_eq!(
        error.to_string(),
        "payload is not an agent event: invalid type: sequence, expected an agent event \
         object at line 1 column 0"
    );
}

#[test]
fn contact_without_contact_id_is_rejected() {
    let mut event = tree(SAMPLE_03_CONNECTED);
    event["CurrentAgentSnapshot"]["Contacts"][0]["ContactId"] = json!(null);

    let error = error_of_tree(&event);

    assert_eq!(
        error.to_string(),
        "field 'CurrentAgentSnapshot.Contacts[0].ContactId' is missing, null or empty \
         (EventId b1f0a9e2-6c1d-4a2b-9e3f-000000000003)"
    );
}
