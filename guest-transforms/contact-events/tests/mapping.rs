//! Behaviour of the contact-event mapping on the sample payloads and on the format traps of
//! `fixtures/samples/README.md`.

use std::path::PathBuf;

use contact_events_transform::mapping::{
    Dimension, EnvelopeMeta, MappingError, Measure, MeasureValue, Record, Settings, TimeUnit,
    map_contact_event,
};
use serde_json::{Value, json};

const INSTANCE: &str =
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";
const QUEUE: &str = concat!(
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11",
    "/queue/3c8f1e2a-9b4d-4c7e-a1f6-5d2b8e0c7a44",
);
const AGENT: &str = concat!(
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11",
    "/agent/8a3e9c70-44b2-4f0d-b1a7-6e2c5d9f3a21",
);
const CONTACT: &str = "4e6f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
const DETAIL_TYPE: &str = "Amazon Connect Contact Event";

/// An EventBridge event split the way the host hands it to the guest.
struct Event {
    id: String,
    detail_type: String,
    time: String,
    detail: Vec<u8>,
}

impl Event {
    fn envelope(&self) -> EnvelopeMeta<'_> {
        EnvelopeMeta {
            id: &self.id,
            detail_type: &self.detail_type,
            time: &self.time,
        }
    }

    fn map(&self, settings: &Settings) -> Result<Vec<Record>, MappingError> {
        map_contact_event(&self.envelope(), &self.detail, settings)
    }

    /// Maps with default settings and checks that exactly one record comes out.
    fn map_one(&self) -> Record {
        let mut records = self.map(&Settings::default()).expect("event maps");
        assert_eq!(records.len(), 1);
        records.remove(0)
    }

    fn map_err(&self) -> MappingError {
        self.map(&Settings::default())
            .expect_err("event must not map")
    }
}

fn sample(file: &str) -> Event {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/samples")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("sample is readable");
    let envelope: Value = serde_json::from_str(&text).expect("sample is JSON");
    Event {
        id: envelope["id"].as_str().unwrap().to_owned(),
        detail_type: envelope["detail-type"].as_str().unwrap().to_owned(),
        time: envelope["time"].as_str().unwrap().to_owned(),
        detail: serde_json::to_vec(&envelope["detail"]).unwrap(),
    }
}

fn event(time: &str, detail: &Value) -> Event {
    Event {
        id: "evt-test-0001".to_owned(),
        detail_type: DETAIL_TYPE.to_owned(),
        time: time.to_owned(),
        detail: serde_json::to_vec(detail).unwrap(),
    }
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

fn dimensions(contact_id: &str) -> Vec<Dimension> {
    vec![
        Dimension {
            name: "instanceArn".to_owned(),
            value: INSTANCE.to_owned(),
        },
        Dimension {
            name: "contactId".to_owned(),
            value: contact_id.to_owned(),
        },
    ]
}

fn contact_record(contact_id: &str, time: i64, version: i64, measures: Vec<Measure>) -> Record {
    Record {
        table: "ContactEvent".to_owned(),
        dimensions: dimensions(contact_id),
        measure_name: "ContactEvent".to_owned(),
        measures,
        time,
        time_unit: TimeUnit::Milliseconds,
        version,
    }
}

fn inbound(event_type: &str) -> Vec<Measure> {
    vec![
        varchar("eventType", event_type),
        varchar("channel", "VOICE"),
        varchar("initiationMethod", "INBOUND"),
        varchar("initiationTimestamp", "2025-03-04T09:14:40.000Z"),
    ]
}

fn queue_measures(enqueue: &str) -> Vec<Measure> {
    vec![
        varchar("queueInfo_queueArn", QUEUE),
        varchar("queueInfo_queueType", "STANDARD"),
        varchar("queueInfo_enqueueTimestamp", enqueue),
    ]
}

fn agent_measures(connected: &str) -> Vec<Measure> {
    vec![
        varchar("agentInfo_agentArn", AGENT),
        varchar("agentInfo_connectedToAgentTimestamp", connected),
    ]
}

fn event_measures(number: u32, time: &str) -> Vec<Measure> {
    let id = format!("6a7b8c9d-000{number}-4e2f-9a1b-2c3d4e5f6a70");
    vec![varchar("_X_EventId", &id), varchar("_X_EventTime", time)]
}

fn measure_names(record: &Record) -> Vec<&str> {
    record
        .measures
        .iter()
        .map(|measure| measure.name.as_str())
        .collect()
}

#[test]
fn initiated_sample_maps_to_the_contact_point_at_its_initiation_time() {
    let record = sample("contact_event_01_initiated.json").map_one();

    let measures = [
        inbound("INITIATED"),
        event_measures(1, "2025-03-04T09:14:40Z"),
    ]
    .concat();
    let expected = contact_record(CONTACT, 1_741_079_680_000, 27_857_274_880_001, measures);
    assert_eq!(record, expected);
}

#[test]
fn queued_sample_writes_the_queue_and_versions_by_the_enqueue_time() {
    let record = sample("contact_event_02_queued.json").map_one();

    let measures = [
        inbound("QUEUED"),
        vec![varchar(
            "connectedToSystemTimestamp",
            "2025-03-04T09:14:41.000Z",
        )],
        queue_measures("2025-03-04T09:14:51.208Z"),
        event_measures(2, "2025-03-04T09:14:51Z"),
    ]
    .concat();
    let expected = contact_record(CONTACT, 1_741_079_680_000, 27_857_275_059_331, measures);
    assert_eq!(record, expected);
}

#[test]
fn connected_to_agent_sample_computes_the_queue_wait() {
    let record = sample("contact_event_03_connected_to_agent.json").map_one();

    let measures = [
        inbound("CONNECTED_TO_AGENT"),
        vec![varchar(
            "connectedToSystemTimestamp",
            "2025-03-04T09:14:41.000Z",
        )],
        queue_measures("2025-03-04T09:14:51.208Z"),
        agent_measures("2025-03-04T09:15:07.331Z"),
        event_measures(3, "2025-03-04T09:15:07Z"),
        vec![bigint("_X_QueueWaitMs", 16_123)],
    ]
    .concat();
    let expected = contact_record(CONTACT, 1_741_079_680_000, 27_857_275_317_300, measures);
    assert_eq!(record, expected);
}

#[test]
fn disconnected_sample_is_answered_and_versions_by_the_later_envelope_time() {
    let record = sample("contact_event_04_disconnected.json").map_one();

    let measures = [
        inbound("DISCONNECTED"),
        vec![
            varchar("connectedToSystemTimestamp", "2025-03-04T09:14:41.000Z"),
            varchar("disconnectTimestamp", "2025-03-04T09:21:39.874Z"),
            varchar("disconnectReason", "CUSTOMER_DISCONNECT"),
        ],
        queue_measures("2025-03-04T09:14:51.208Z"),
        agent_measures("2025-03-04T09:15:07.331Z"),
        event_measures(4, "2025-03-04T09:21:40Z"),
        vec![
            bigint("_X_QueueWaitMs", 16_123),
            boolean("_X_Abandoned", false),
        ],
    ]
    .concat();
    let expected = contact_record(CONTACT, 1_741_079_680_000, 27_857_281_600_007, measures);
    assert_eq!(record, expected);
}

#[test]
fn contact_abandoned_in_queue_is_abandoned_with_its_wait_until_hang_up() {
    let record = sample("contact_event_05_disconnected_abandoned_in_queue.json").map_one();

    assert_eq!(
        record.dimensions,
        dimensions("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
    );
    assert_eq!(record.time, 1_741_081_201_000);
    assert_eq!(record.version, 27_857_300_408_199);
    assert_eq!(
        record.measure("_X_Abandoned"),
        Some(&MeasureValue::Boolean(true))
    );
    assert_eq!(
        record.measure("_X_QueueWaitMs"),
        Some(&MeasureValue::Bigint(65_582))
    );
    assert_eq!(
        measure_names(&record),
        [
            "eventType",
            "channel",
            "initiationMethod",
            "initiationTimestamp",
            "connectedToSystemTimestamp",
            "disconnectTimestamp",
            "disconnectReason",
            "queueInfo_queueArn",
            "queueInfo_queueType",
            "queueInfo_enqueueTimestamp",
            "_X_EventId",
            "_X_EventTime",
            "_X_QueueWaitMs",
            "_X_Abandoned",
        ]
    );
}

#[test]
fn outbound_connected_to_system_sample_writes_the_answering_machine_outcome() {
    let record = sample("contact_event_06_outbound_connected_to_system.json").map_one();

    let measures = [
        vec![
            varchar("eventType", "CONNECTED_TO_SYSTEM"),
            varchar("channel", "VOICE"),
            varchar("initiationMethod", "OUTBOUND"),
            varchar("initiationTimestamp", "2025-03-04T11:05:00.000Z"),
            varchar("connectedToSystemTimestamp", "2025-03-04T11:05:09.000Z"),
            varchar("answeringMachineDetectionStatus", "HUMAN_ANSWERED"),
        ],
        agent_measures("2025-03-04T11:05:00.412Z"),
        event_measures(6, "2025-03-04T11:05:09Z"),
    ]
    .concat();
    let contact = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    let expected = contact_record(contact, 1_741_086_300_000, 27_857_380_944_002, measures);
    assert_eq!(record, expected);
}

#[test]
fn a_contacts_samples_share_one_point_with_rising_versions() {
    let files = [
        "contact_event_01_initiated.json",
        "contact_event_02_queued.json",
        "contact_event_03_connected_to_agent.json",
        "contact_event_04_disconnected.json",
    ];
    let records: Vec<Record> = files.iter().map(|file| sample(file).map_one()).collect();

    let points: Vec<(&[Dimension], i64)> = records
        .iter()
        .map(|r| (r.dimensions.as_slice(), r.time))
        .collect();
    assert!(points.iter().all(|point| *point == points[0]));
    let versions: Vec<i64> = records.iter().map(|record| record.version).collect();
    assert!(
        versions.is_sorted_by(|earlier, later| earlier < later),
        "{versions:?}"
    );
}

#[test]
fn disconnected_arriving_before_queued_keeps_the_higher_version() {
    let disconnected = sample("contact_event_04_disconnected.json").map_one();
    let queued = sample("contact_event_02_queued.json").map_one();

    assert_eq!(disconnected.time, queued.time);
    assert_eq!(disconnected.dimensions, queued.dimensions);
    assert!(disconnected.version > queued.version);
}

#[test]
fn replayed_event_maps_to_an_identical_record() {
    let event = sample("contact_event_03_connected_to_agent.json");

    assert_eq!(event.map_one(), event.map_one());
}

fn detail_with_type(event_type: &str) -> Value {
    json!({
        "contactId": CONTACT,
        "channel": "VOICE",
        "instanceArn": INSTANCE,
        "initiationMethod": "INBOUND",
        "initiationTimestamp": "2025-03-04T09:14:40.000Z",
        "eventType": event_type,
        "connectedToSystemTimestamp": "2025-03-04T09:14:41.000Z",
        "queueInfo": {
            "queueArn": QUEUE,
            "queueType": "STANDARD",
            "enqueueTimestamp": "2025-03-04T09:14:51.208Z"
        },
        "agentInfo": { "agentArn": AGENT, "connectedToAgentTimestamp": "2025-03-04T09:15:07.331Z" },
    })
}

#[test]
fn contact_data_updated_is_written_with_the_unknown_type_rank() {
    let record = event(
        "2025-03-04T09:17:00Z",
        &detail_with_type("CONTACT_DATA_UPDATED"),
    )
    .map_one();

    let updated = MeasureValue::Varchar("CONTACT_DATA_UPDATED".to_owned());
    assert_eq!(record.measure("eventType"), Some(&updated));
    assert_eq!(record.version, 1_741_079_820_000 * 16 + 6);
}

#[test]
fn unknown_event_type_and_unknown_fields_are_written_with_what_is_known() {
    let mut detail = detail_with_type("SOMETHING_NEW");
    detail["brandNewField"] = json!({ "nested": [1, { "deeper": null }] });
    detail["queueInfo"]["queuePriority"] = json!(3);
    detail["tags"] = json!({ "team": "billing" });

    let record = event("2025-03-04T09:17:00Z", &detail).map_one();

    let new_type = MeasureValue::Varchar("SOMETHING_NEW".to_owned());
    assert_eq!(record.measure("eventType"), Some(&new_type));
    assert_eq!(
        record.measure("queueInfo_queueArn"),
        Some(&MeasureValue::Varchar(QUEUE.into()))
    );
    assert_eq!(
        record.measure("_X_QueueWaitMs"),
        Some(&MeasureValue::Bigint(16_123))
    );
    assert_eq!(record.version, 1_741_079_820_000 * 16 + 6);
    assert!(
        measure_names(&record)
            .iter()
            .all(|name| !name.contains("tags"))
    );
    assert!(
        measure_names(&record)
            .iter()
            .all(|name| !name.contains("brandNewField"))
    );
}

#[test]
fn known_field_of_another_type_is_left_out_instead_of_failing() {
    let mut detail = detail_with_type("QUEUED");
    detail["channel"] = json!(5);
    detail["initiationMethod"] = json!("");
    detail["previousContactId"] = json!(null);

    let record = event("2025-03-04T09:14:51Z", &detail).map_one();

    assert_eq!(record.measure("channel"), None);
    assert_eq!(record.measure("initiationMethod"), None);
    assert_eq!(record.measure("previousContactId"), None);
    assert_eq!(
        record.measure("eventType"),
        Some(&MeasureValue::Varchar("QUEUED".into()))
    );
}

#[test]
fn contact_abandoned_in_the_ivr_is_abandoned_without_queue_or_agent_columns() {
    let detail = json!({
        "contactId": CONTACT,
        "channel": "VOICE",
        "instanceArn": INSTANCE,
        "initiationMethod": "INBOUND",
        "initiationTimestamp": "2025-03-04T09:14:40.000Z",
        "eventType": "DISCONNECTED",
        "connectedToSystemTimestamp": "2025-03-04T09:14:41.000Z",
        "disconnectTimestamp": "2025-03-04T09:15:02.250Z",
        "disconnectReason": "CUSTOMER_DISCONNECT",
    });

    let record = event("2025-03-04T09:15:02Z", &detail).map_one();

    assert_eq!(record.version, 1_741_079_702_250 * 16 + 7);
    assert_eq!(
        record.measure("_X_Abandoned"),
        Some(&MeasureValue::Boolean(true))
    );
    assert_eq!(record.measure("_X_QueueWaitMs"), None);
    let names = measure_names(&record);
    assert!(
        names.iter().all(|name| !name.starts_with("queueInfo_")),
        "{names:?}"
    );
    assert!(
        names.iter().all(|name| !name.starts_with("agentInfo_")),
        "{names:?}"
    );
}

#[test]
fn completed_after_disconnected_keeps_abandoned_and_outranks_it() {
    let mut detail = detail_with_type("DISCONNECTED");
    detail.as_object_mut().unwrap().remove("agentInfo");
    detail["disconnectTimestamp"] = json!("2025-03-04T09:15:20.000Z");
    let disconnected = event("2025-03-04T09:15:20Z", &detail).map_one();
    detail["eventType"] = json!("COMPLETED");
    let completed = event("2025-03-04T09:15:20Z", &detail).map_one();

    assert_eq!(completed.version, disconnected.version + 1);
    assert_eq!(
        completed.measure("_X_Abandoned"),
        Some(&MeasureValue::Boolean(true))
    );
    assert_eq!(
        completed.measure("_X_QueueWaitMs"),
        Some(&MeasureValue::Bigint(28_792))
    );
}

#[test]
fn event_types_sharing_a_millisecond_order_by_lifecycle() {
    let lifecycle = [
        ("INITIATED", 1),
        ("CONNECTED_TO_SYSTEM", 2),
        ("QUEUED", 3),
        ("CONNECTED_TO_AGENT", 4),
        ("VOICEMAIL_BEEP", 5),
        ("SIT_TONE_BUSY", 5),
        ("CONTACT_DATA_UPDATED", 6),
        ("NOT_YET_INVENTED", 6),
        ("DISCONNECTED", 7),
        ("COMPLETED", 8),
    ];
    let detail = |event_type: &str| {
        json!({ "contactId": CONTACT, "eventType": event_type,
                "initiationTimestamp": "2025-03-04T09:14:40.000Z" })
    };

    for (event_type, rank) in lifecycle {
        let record = event("2025-03-04T09:14:40Z", &detail(event_type)).map_one();
        assert_eq!(
            record.version,
            1_741_079_680_000 * 16 + rank,
            "{event_type}"
        );
    }
}

#[test]
fn event_without_type_is_written_with_the_unknown_rank() {
    let detail = json!({ "contactId": CONTACT, "initiationTimestamp": "2025-03-04T09:14:40Z" });

    let record = event("2025-03-04T09:14:40Z", &detail).map_one();

    assert_eq!(record.measure("eventType"), None);
    assert_eq!(record.version, 1_741_079_680_000 * 16 + 6);
}

fn detail_with_customer_endpoint() -> Value {
    let mut detail = detail_with_type("CONNECTED_TO_AGENT");
    detail["customerEndpoint"] = json!({ "type": "TELEPHONE_NUMBER", "address": "+447700900123" });
    detail["systemEndpoint"] = json!({ "type": "TELEPHONE_NUMBER", "address": "+441632960001" });
    detail
}

#[test]
fn customer_phone_number_is_not_written_by_default() {
    let record = event("2025-03-04T09:15:07Z", &detail_with_customer_endpoint()).map_one();

    let number = MeasureValue::Varchar("+447700900123".to_owned());
    assert!(
        record
            .measures
            .iter()
            .all(|measure| measure.value != number)
    );
    assert_eq!(record.measure("customerEndpoint_address"), None);
    let kind = MeasureValue::Varchar("TELEPHONE_NUMBER".to_owned());
    assert_eq!(record.measure("customerEndpoint_type"), Some(&kind));
    let system = MeasureValue::Varchar("+441632960001".to_owned());
    assert_eq!(record.measure("systemEndpoint_address"), Some(&system));
}

#[test]
fn customer_phone_number_is_written_when_the_deployment_opts_in() {
    let settings = Settings::from_config(Some("true"));

    let records = event("2025-03-04T09:15:07Z", &detail_with_customer_endpoint()).map(&settings);

    let number = MeasureValue::Varchar("+447700900123".to_owned());
    let records = records.unwrap();
    assert_eq!(
        records[0].measure("customerEndpoint_address"),
        Some(&number)
    );
}

#[test]
fn only_the_value_true_opts_in_to_the_customer_endpoint() {
    let opted_in = |value| Settings::from_config(value).include_customer_endpoint;

    assert!(opted_in(Some("true")));
    assert!(opted_in(Some(" TRUE ")));
    assert!(!opted_in(None));
    assert!(!opted_in(Some("false")));
    assert!(!opted_in(Some("yes")));
    assert!(!opted_in(Some("")));
}

#[test]
fn missing_initiation_time_falls_back_to_the_envelope_time() {
    let detail = json!({ "contactId": CONTACT, "eventType": "QUEUED",
                         "queueInfo": { "enqueueTimestamp": "2025-03-04T09:14:51.208Z" } });

    let record = event("2025-03-04T09:14:52Z", &detail).map_one();

    assert_eq!(record.time, 1_741_079_692_000);
    assert_eq!(record.version, 1_741_079_692_000 * 16 + 3);
}

#[test]
fn unreadable_initiation_time_is_written_as_received_but_not_used_as_time() {
    let detail = json!({ "contactId": CONTACT, "initiationTimestamp": "04/03/2025 09:14" });

    let record = event("2025-03-04T09:14:52Z", &detail).map_one();

    assert_eq!(record.time, 1_741_079_692_000);
    let received = MeasureValue::Varchar("04/03/2025 09:14".to_owned());
    assert_eq!(record.measure("initiationTimestamp"), Some(&received));
}

#[test]
fn missing_instance_arn_leaves_only_the_contact_dimension() {
    let detail = json!({ "contactId": CONTACT, "initiationTimestamp": "2025-03-04T09:14:40Z" });

    let record = event("2025-03-04T09:14:40Z", &detail).map_one();

    let contact = Dimension {
        name: "contactId".to_owned(),
        value: CONTACT.to_owned(),
    };
    assert_eq!(record.dimensions, [contact]);
}

#[test]
fn detail_that_is_not_json_is_a_permanent_error() {
    let mut event = event("2025-03-04T09:14:40Z", &json!({}));
    event.detail = b"contactId=4e6f".to_vec();

    let error = event.map_err();

    let MappingError::InvalidJson { event_id, .. } = &error else {
        panic!("expected InvalidJson, got {error:?}");
    };
    assert_eq!(event_id, "evt-test-0001");
    assert!(!error.is_retryable());
}

#[test]
fn detail_that_is_not_an_object_is_a_permanent_error() {
    let error = event("2025-03-04T09:14:40Z", &json!([CONTACT])).map_err();

    assert!(matches!(error, MappingError::InvalidJson { .. }));
    assert!(!error.is_retryable());
}

#[test]
fn detail_without_contact_id_names_the_field_and_the_event() {
    let detail = json!({ "eventType": "QUEUED", "initiationTimestamp": "2025-03-04T09:14:40Z" });

    let error = event("2025-03-04T09:14:40Z", &detail).map_err();

    assert_eq!(
        error.to_string(),
        "event evt-test-0001: detail has no `contactId`"
    );
    assert!(!error.is_retryable());
}

#[test]
fn empty_contact_id_counts_as_missing() {
    let detail = json!({ "contactId": "", "initiationTimestamp": "2025-03-04T09:14:40Z" });

    let error = event("2025-03-04T09:14:40Z", &detail).map_err();

    assert!(matches!(
        error,
        MappingError::MissingField {
            field: "contactId",
            ..
        }
    ));
}

#[test]
fn event_without_any_usable_time_is_a_permanent_error() {
    let detail = json!({ "contactId": CONTACT, "disconnectTimestamp": "2025-03-04T09:15:00Z" });

    let error = event("yesterday", &detail).map_err();

    let message = format!(
        "event evt-test-0001 (contact {CONTACT}): no usable time: neither `initiationTimestamp` \
         nor the envelope time \"yesterday\" is a UTC timestamp"
    );
    assert_eq!(error.to_string(), message);
    assert!(!error.is_retryable());
}

#[test]
fn other_detail_types_are_refused_by_name() {
    let mut event = sample("contact_event_01_initiated.json");
    event.detail_type = "Scheduled Event".to_owned();

    let error = event.map_err();

    let message = "event 6a7b8c9d-0001-4e2f-9a1b-2c3d4e5f6a70 has detail-type \"Scheduled Event\"; \
                   this transform maps only \"Amazon Connect Contact Event\"";
    assert_eq!(error.to_string(), message);
    assert!(!error.is_retryable());
}

/// Timestream's size of a record: names and string values in bytes, 8 per number, 1 per
/// boolean, plus the time and version.
fn record_size(record: &Record) -> usize {
    let dimensions: usize = record
        .dimensions
        .iter()
        .map(|d| d.name.len() + d.value.len())
        .sum();
    let measures: usize = record
        .measures
        .iter()
        .map(|m| m.name.len() + value_size(&m.value))
        .sum();
    dimensions + record.measure_name.len() + measures + 16
}

fn value_size(value: &MeasureValue) -> usize {
    match value {
        MeasureValue::Varchar(text) => text.len(),
        MeasureValue::Boolean(_) => 1,
        _ => 8,
    }
}

#[test]
fn fully_populated_record_stays_under_the_two_kilobyte_limit() {
    let mut detail = detail_with_customer_endpoint();
    detail["eventType"] = json!("COMPLETED");
    detail["initialContactId"] = json!("11111111-2222-4333-8444-555555555555");
    detail["previousContactId"] = json!("66666666-7777-4888-9999-aaaaaaaaaaaa");
    detail["relatedContactId"] = json!("bbbbbbbb-cccc-4ddd-8eee-ffffffffffff");
    detail["disconnectTimestamp"] = json!("2025-03-04T09:21:39.874Z");
    detail["disconnectReason"] = json!("CONTACT_FLOW_DISCONNECT");
    detail["answeringMachineDetectionStatus"] = json!("SIT_TONE_INVALID_NUMBER");
    detail["campaign"] = json!({ "campaignId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" });
    detail["customerEndpoint"]["address"] = json!("someone.with.a.long.name@example.com");
    detail["customerVoiceActivity"] = json!({
        "greetingStartTimestamp": "2025-03-04T09:14:41.100Z",
        "greetingEndTimestamp": "2025-03-04T09:14:43.900Z"
    });
    let agent = &mut detail["agentInfo"];
    agent["acceptedByAgentTimestamp"] = json!("2025-03-04T09:15:05.001Z");
    agent["afterContactWorkStartTimestamp"] = json!("2025-03-04T09:21:39.874Z");
    agent["afterContactWorkEndTimestamp"] = json!("2025-03-04T09:23:10.500Z");
    let settings = Settings {
        include_customer_endpoint: true,
    };

    let records = event("2025-03-04T09:23:11Z", &detail)
        .map(&settings)
        .unwrap();

    assert_eq!(records[0].measures.len(), 30);
    assert!(
        record_size(&records[0]) < 2048,
        "{} bytes",
        record_size(&records[0])
    );
}
