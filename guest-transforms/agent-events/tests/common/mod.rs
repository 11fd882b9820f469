//! Samples, identifiers and helpers shared by the mapping tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use agent_events_transform::mapping::{MeasureValue, Record, map_event};

pub const SAMPLE_01_LOGIN: &str =
    include_str!("../../../../fixtures/samples/agent_event_01_login.json");
pub const SAMPLE_02_AVAILABLE: &str =
    include_str!("../../../../fixtures/samples/agent_event_02_state_change_available.json");
pub const SAMPLE_03_CONNECTED: &str =
    include_str!("../../../../fixtures/samples/agent_event_03_state_change_contact_connected.json");
pub const SAMPLE_04_ENDED: &str =
    include_str!("../../../../fixtures/samples/agent_event_04_state_change_acw_contact_ended.json");
pub const SAMPLE_05_HEART_BEAT: &str =
    include_str!("../../../../fixtures/samples/agent_event_05_heart_beat_no_hierarchy.json");
pub const SAMPLE_06_MISSED: &str =
    include_str!("../../../../fixtures/samples/agent_event_06_state_change_missed.json");
pub const SAMPLE_07_LOGOUT: &str =
    include_str!("../../../../fixtures/samples/agent_event_07_logout.json");
pub const CONTACT_EVENT_01: &str =
    include_str!("../../../../fixtures/samples/contact_event_01_initiated.json");

pub const ALL_SAMPLES: [(&str, &str); 7] = [
    ("01_login", SAMPLE_01_LOGIN),
    ("02_available", SAMPLE_02_AVAILABLE),
    ("03_connected", SAMPLE_03_CONNECTED),
    ("04_ended", SAMPLE_04_ENDED),
    ("05_heart_beat", SAMPLE_05_HEART_BEAT),
    ("06_missed", SAMPLE_06_MISSED),
    ("07_logout", SAMPLE_07_LOGOUT),
];

/// A Kinesis arrival time a little after the samples' events.
pub const ARRIVAL_MS: i64 = 1_741_107_800_000;

pub const INSTANCE_ARN: &str =
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11";
pub const CONTACT_ID: &str = "4e6f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

pub fn agent_arn() -> String {
    format!("{INSTANCE_ARN}/agent/8a3e9c70-44b2-4f0d-b1a7-6e2c5d9f3a21")
}

pub fn status_arn(number: u8) -> String {
    format!("{INSTANCE_ARN}/agent-state/11111111-aaaa-4bbb-8ccc-00000000000{number}")
}

pub fn routing_profile_arn() -> String {
    format!("{INSTANCE_ARN}/routing-profile/0d9b7c55-3e1f-4a6b-8c2d-7f1e0a4b9c33")
}

pub fn support_queue_arn() -> String {
    format!("{INSTANCE_ARN}/queue/3c8f1e2a-9b4d-4c7e-a1f6-5d2b8e0c7a44")
}

/// Maps a payload that must map.
pub fn map(payload: &str, arrival_ms: Option<i64>) -> Vec<Record> {
    map_event(payload.as_bytes(), arrival_ms).expect("sample maps")
}

/// The text of a VARCHAR measure.
pub fn text<'r>(record: &'r Record, name: &str) -> Option<&'r str> {
    match record.measure(name)? {
        MeasureValue::Varchar(text) => Some(text),
        other => panic!("measure {name} is not a VARCHAR: {other:?}"),
    }
}

/// A sample as a JSON tree, to derive variants of it.
pub fn tree(sample: &str) -> serde_json::Value {
    serde_json::from_str(sample).expect("sample is JSON")
}

/// Maps a JSON tree.
pub fn map_tree(tree: &serde_json::Value, arrival_ms: Option<i64>) -> Vec<Record> {
    map(&tree.to_string(), arrival_ms)
}
