//! Contact events and metadata snapshots through the real guests in the real host: golden
//! records per sample, out-of-order delivery, unknown event types, the phone-number opt-in.

use std::collections::BTreeMap;
use std::path::PathBuf;

use connect_rt::contract::{Event, SnapshotMeta, SourceMeta};
use connect_rt::runtime::Transform;
use connect_rt::sources::eventbridge;
use connect_rt::store::embedded::EmbeddedStore;
use connect_rt_tests::{fixture, golden, guests, sample, support};
use serde_json::{Value, json};

const SAMPLES: [&str; 6] = [
    "contact_event_01_initiated.json",
    "contact_event_02_queued.json",
    "contact_event_03_connected_to_agent.json",
    "contact_event_04_disconnected.json",
    "contact_event_05_disconnected_abandoned_in_queue.json",
    "contact_event_06_outbound_connected_to_system.json",
];

/// 2025-03-04T12:00:00Z: the samples' day.
const NOW_MS: i64 = 1_741_089_600_000;

fn contact_transform(config: &[(&str, &str)]) -> Transform {
    let config: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    support::load(guests::CONTACT_EVENTS).with_config(config)
}

fn records_of(transform: &Transform, envelopes: &[Vec<u8>]) -> Vec<Value> {
    let events: Vec<Event> = envelopes
        .iter()
        .map(|e| support::eventbridge_event(e))
        .collect();
    let labels: Vec<String> = (0..events.len()).map(|i| format!("event {i}")).collect();
    transform
        .run_batch(&events, &labels, support::far_deadline())
        .into_iter()
        .map(|o| {
            Value::Array(
                o.expect("transformed")
                    .iter()
                    .map(|r| r.to_json())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn every_sample_contact_event_maps_to_its_golden_record() {
    let transform = contact_transform(&[]);
    let envelopes: Vec<Vec<u8>> = SAMPLES.iter().map(|s| sample(s)).collect();
    for (name, records) in SAMPLES.iter().zip(records_of(&transform, &envelopes)) {
        assert_eq!(records.as_array().unwrap().len(), 1, "{name}");
        golden::check(&PathBuf::from("contact-events").join(name), &records);
    }
}

#[test]
fn the_recorded_snapshot_maps_to_its_golden_records() {
    let transform = support::load(guests::INSTANCE_DATA);
    let payload = std::fs::read(fixture("snapshots/instance_5f0c3a2e.json")).unwrap();
    let event = Event {
        meta: SourceMeta::Scheduled(SnapshotMeta {
            instance_id: "5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11".into(),
            collected_at_ms: 1_741_079_100_000,
        }),
        payload,
    };
    let outputs = transform.run_batch(&[event], &["snapshot".into()], support::far_deadline());
    let records: Vec<Value> = outputs[0]
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.to_json())
        .collect();
    let tables: Vec<&str> = records
        .iter()
        .map(|r| r["table"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["Instance", "Queue", "Queue", "User", "User"]);
    golden::check(
        &PathBuf::from("instance-data/instance_5f0c3a2e.json"),
        &Value::Array(records),
    );
}

fn store_contacts(envelopes: &[Vec<u8>]) -> EmbeddedStore {
    let pipeline = support::pipeline(vec![contact_transform(&[])]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();
    for envelope in envelopes {
        let record = eventbridge::decode(envelope, "test");
        let report = support::run(&pipeline, &mut store, vec![record], NOW_MS);
        assert_eq!(
            report.disposition_counts(),
            (1, 0, 0),
            "{:?}",
            report.events
        );
    }
    store
}

#[test]
fn an_older_event_arriving_after_a_newer_one_does_not_overwrite_it() {
    let store = store_contacts(&[
        sample("contact_event_04_disconnected.json"),
        sample("contact_event_02_queued.json"),
        sample("contact_event_03_connected_to_agent.json"),
    ]);
    let rows = store.dump("ContactEvent").unwrap();
    assert_eq!(rows.len(), 1, "one point per contact");
    assert_eq!(rows[0]["eventType"], "DISCONNECTED");
    assert_eq!(rows[0]["disconnectTimestamp"], "2025-03-04T09:21:39.874Z");
}

#[test]
fn a_replayed_event_changes_nothing() {
    let pipeline = support::pipeline(vec![contact_transform(&[])]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();
    let envelope = sample("contact_event_03_connected_to_agent.json");
    let first = support::run(
        &pipeline,
        &mut store,
        vec![eventbridge::decode(&envelope, "a")],
        NOW_MS,
    );
    let before = store.dump("ContactEvent").unwrap();
    let again = support::run(
        &pipeline,
        &mut store,
        vec![eventbridge::decode(&envelope, "a")],
        NOW_MS,
    );

    assert_eq!(first.written.get("ContactEvent"), Some(&1));
    assert_eq!(again.unchanged.get("ContactEvent"), Some(&1));
    assert_eq!(store.dump("ContactEvent").unwrap(), before);
}

fn with_detail(envelope: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(envelope).unwrap();
    change(&mut v["detail"]);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn unknown_event_types_and_fields_are_written_with_what_is_known() {
    let base = sample("contact_event_02_queued.json");
    let updated = with_detail(&base, |d| {
        d["eventType"] = json!("CONTACT_DATA_UPDATED");
        d["brandNewField"] = json!({"nested": [1, 2, 3]});
    });
    let newer = with_detail(&base, |d| {
        d["eventType"] = json!("SOMETHING_NEW");
        d["disconnectTimestamp"] = json!("2025-03-04T09:30:00.000Z");
    });
    let store = store_contacts(&[updated, newer]);
    let rows = store.dump("ContactEvent").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["eventType"], "SOMETHING_NEW");
    assert_eq!(rows[0]["queueInfo_queueArn"], base_queue_arn());
}

fn base_queue_arn() -> &'static str {
    "arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11/queue/3c8f1e2a-9b4d-4c7e-a1f6-5d2b8e0c7a44"
}

#[test]
fn the_callers_phone_number_is_written_only_with_the_opt_in() {
    let envelope = with_detail(&sample("contact_event_01_initiated.json"), |d| {
        d["customerEndpoint"] = json!({"type": "TELEPHONE_NUMBER", "address": "+447700900123"});
    });
    let column = |records: &Value| {
        records[0]["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "customerEndpoint_address")
            .map(|m| m["value"].clone())
    };

    let without = records_of(&contact_transform(&[]), std::slice::from_ref(&envelope));
    let with = records_of(
        &contact_transform(&[("include-customer-endpoint", "true")]),
        &[envelope],
    );

    assert_eq!(column(&without[0]), None);
    assert!(!without[0].to_string().contains("+447700900123"));
    assert_eq!(column(&with[0]), Some(json!("+447700900123")));
}
