//! The Kinesis path end to end: a Lambda Kinesis event decoded, transformed by the real
//! agent-event guest, checked against the write rules and written to the embedded store.
//! Each bad input fails alone, named by its sequence number, while the rest of the batch is
//! written.

use connect_rt::pipeline::{BatchReport, Disposition};
use connect_rt::store::embedded::EmbeddedStore;
use connect_rt_tests::support::{self, Data, KinesisInput};
use connect_rt_tests::{guests, sample};

/// "Now" for these tests: 2026-01-15T18:00:00Z; samples are moved to that day.
const NOW_MS: i64 = 1_768_500_000_000;
const DAY: &str = "2026-01-15";

fn good(n: u32) -> Vec<u8> {
    let name = match n {
        1 => "agent_event_01_login.json",
        2 => "agent_event_02_state_change_available.json",
        3 => "agent_event_03_state_change_contact_connected.json",
        4 => "agent_event_04_state_change_acw_contact_ended.json",
        5 => "agent_event_05_heart_beat_no_hierarchy.json",
        6 => "agent_event_06_state_change_missed.json",
        _ => "agent_event_07_logout.json",
    };
    support::on_day(&sample(name), DAY)
}

fn record(seq: &str, data: Data) -> KinesisInput {
    KinesisInput {
        sequence_number: seq.into(),
        data,
        arrival_ms: NOW_MS - 3_600_000,
    }
}

/// Runs a batch of [good event 2, `bad`, good event 7] and returns the report and the store.
fn run_with_bad(bad: Data) -> (BatchReport, EmbeddedStore) {
    let event = support::lambda_kinesis_event(&[
        record("100", Data::Bytes(good(2))),
        record("101", bad),
        record("102", Data::Bytes(good(7))),
    ]);
    let pipeline = support::pipeline(vec![support::load(guests::AGENT_EVENTS)]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();
    let report = support::run(
        &pipeline,
        &mut store,
        support::decode_kinesis(&event),
        NOW_MS,
    );
    (report, store)
}

fn dead_letter_reason(report: &BatchReport, seq: &str) -> String {
    let event = report
        .events
        .iter()
        .find(|e| e.id.sequence_number() == Some(seq))
        .unwrap();
    match &event.disposition {
        Disposition::DeadLetter { reason } => reason.clone(),
        other => panic!("{seq}: expected a dead letter, got {other:?}"),
    }
}

/// The good neighbours of a bad record were written and nothing is left for Lambda to retry.
fn assert_neighbours_written(report: &BatchReport, store: &EmbeddedStore) {
    assert_eq!(report.events.len(), 3);
    assert_eq!(report.events[0].disposition, Disposition::Written);
    assert_eq!(report.events[2].disposition, Disposition::Written);
    assert!(
        report.batch_item_failures().is_empty(),
        "a bad record is dead-lettered, not retried"
    );
    assert_eq!(
        store.row_count("AgentEvent").unwrap(),
        2 + extra_agent_rows(report)
    );
}

fn extra_agent_rows(report: &BatchReport) -> u64 {
    u64::from(report.events[1].disposition == Disposition::Written)
}

#[test]
fn invalid_base64_fails_only_that_record() {
    let (report, store) = run_with_bad(Data::Raw("not base64!!".into()));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(reason.starts_with("data is not valid base64"), "{reason}");
    assert_eq!(report.events[1].id.to_string(), "shardId-000000000000/101");
}

#[test]
fn data_that_is_not_json_fails_only_that_record() {
    let (report, store) = run_with_bad(Data::Bytes(b"LOGIN agent=robin".to_vec()));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(
        reason.contains("guest_error") && reason.contains("JSON"),
        "{reason}"
    );
}

#[test]
fn a_contact_trace_record_on_the_agent_stream_is_rejected_as_another_shape() {
    let ctr = br#"{"AWSAccountId":"111122223333","ContactId":"4e6f1a2b","Channel":"VOICE",
        "InitiationMethod":"INBOUND","DisconnectTimestamp":"2026-01-15T09:21:39Z","Agent":null}"#;
    let (report, store) = run_with_bad(Data::Bytes(ctr.to_vec()));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(
        reason.contains("EventType") || reason.contains("AgentARN"),
        "{reason}"
    );
}

#[test]
fn an_unknown_event_type_is_rejected_with_its_name() {
    let bad = String::from_utf8(good(2))
        .unwrap()
        .replace("\"STATE_CHANGE\"", "\"BREAK_START\"");
    let (report, store) = run_with_bad(Data::Bytes(bad.into_bytes()));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(
        reason.contains("unknown EventType 'BREAK_START'"),
        "{reason}"
    );
    assert!(
        reason.contains("b1f0a9e2-6c1d-4a2b-9e3f-000000000002"),
        "names the event id: {reason}"
    );
}

#[test]
fn empty_contacts_write_the_agent_record_and_no_contact_records() {
    let (report, store) = run_with_bad(Data::Bytes(good(1)));
    assert_eq!(report.events[1].disposition, Disposition::Written);
    assert_eq!(report.events[1].records, 1);
    assert_eq!(store.row_count("AgentEvent").unwrap(), 3);
    assert_eq!(report.written.get("AgentEvent_Contact"), None);
}

#[test]
fn null_hierarchy_groups_are_written_without_hierarchy_columns() {
    let (report, store) = run_with_bad(Data::Bytes(good(5)));
    assert_eq!(report.events[1].disposition, Disposition::Written);
    let rows = store.dump("AgentEvent").unwrap();
    let heartbeat = rows
        .iter()
        .find(|r| r["EventType"] == "HEART_BEAT")
        .unwrap();
    let level1 = "CurrentAgentSnapshot_Configuration_AgentHierarchyGroups_Level1_Name";
    assert_eq!(
        heartbeat.get(level1),
        None,
        "no hierarchy column for a null hierarchy"
    );
    assert_eq!(heartbeat["CurrentAgentSnapshot_AgentStatus_Name"], "Break");
    let login = rows.iter().find(|r| r["EventType"] == "STATE_CHANGE");
    let login = login.unwrap_or_else(|| panic!("no STATE_CHANGE row in {rows:#?}"));
    assert_eq!(login[level1], "EMEA");
}

#[test]
fn a_3_kb_dimension_value_is_rejected_naming_the_dimension() {
    let long_arn = format!(
        "arn:aws:connect:eu-west-2:111122223333:instance/{}",
        "x".repeat(3000)
    );
    let bad = String::from_utf8(good(2)).unwrap().replace(
        "\"InstanceARN\": \"arn:aws:connect:eu-west-2:111122223333:instance/5f0c3a2e-1b7d-4e8a-9c61-2d4f7a9b0c11\"",
        &format!("\"InstanceARN\": \"{long_arn}\""),
    );
    assert!(
        bad.contains(&long_arn),
        "the sample's InstanceARN was replaced"
    );
    let (report, store) = run_with_bad(Data::Bytes(bad.into_bytes()));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(reason.contains("InstanceARN"), "{reason}");
    assert!(
        report
            .rejected
            .iter()
            .all(|r| r.id.sequence_number() == Some("101"))
    );
    assert_eq!(report.rejected[0].reason.as_str(), "invalid_record");
}

#[test]
fn a_time_outside_the_write_window_is_rejected() {
    let old = support::on_day(
        &sample("agent_event_02_state_change_available.json"),
        "2026-01-13",
    );
    let (report, store) = run_with_bad(Data::Bytes(old));
    assert_neighbours_written(&report, &store);
    let reason = dead_letter_reason(&report, "101");
    assert!(reason.contains("outside_write_window"), "{reason}");
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].table, "AgentEvent");
}

#[test]
fn the_sample_envelope_is_written_in_full() {
    let envelope = support::on_day(&sample("envelope_kinesis_lambda_event.json"), DAY);
    let pipeline = support::pipeline(vec![support::load(guests::AGENT_EVENTS)]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();
    // The envelope's data is base64, so its 2025 timestamps stay: use a "now" in 2025.
    let now = 1_741_082_400_000; // 2025-03-04T10:00:00Z
    let report = support::run(
        &pipeline,
        &mut store,
        support::decode_kinesis(&envelope),
        now,
    );
    assert_eq!(report.disposition_counts(), (2, 0, 0));
    assert_eq!(report.written.get("AgentEvent"), Some(&2));
    assert_eq!(report.written.get("AgentEvent_Contact"), Some(&1));
    assert!(report.batch_item_failures().is_empty());
}

#[test]
fn replaying_a_batch_changes_nothing() {
    let event = support::lambda_kinesis_event(&[
        record("200", Data::Bytes(good(3))),
        record("201", Data::Bytes(good(4))),
    ]);
    let pipeline = support::pipeline(vec![support::load(guests::AGENT_EVENTS)]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();

    let first = support::run(
        &pipeline,
        &mut store,
        support::decode_kinesis(&event),
        NOW_MS,
    );
    let before: Vec<_> = ["AgentEvent", "AgentEvent_Contact"]
        .map(|t| store.dump(t).unwrap())
        .into();
    let second = support::run(
        &pipeline,
        &mut store,
        support::decode_kinesis(&event),
        NOW_MS,
    );
    let after: Vec<_> = ["AgentEvent", "AgentEvent_Contact"]
        .map(|t| store.dump(t).unwrap())
        .into();

    assert_eq!(first.written.get("AgentEvent"), Some(&2));
    assert_eq!(first.written.get("AgentEvent_Contact"), Some(&2));
    assert!(
        second.written.is_empty(),
        "nothing new on replay: {:?}",
        second.written
    );
    assert_eq!(second.unchanged.get("AgentEvent"), Some(&2));
    assert_eq!(second.unchanged.get("AgentEvent_Contact"), Some(&2));
    assert_eq!(second.disposition_counts(), (2, 0, 0));
    assert_eq!(before, after);
}

#[test]
fn a_later_event_for_the_same_point_wins() {
    let original = good(2);
    let corrected = String::from_utf8(original.clone())
        .unwrap()
        .replace("\"Available\"", "\"Training\"")
        .into_bytes();
    let pipeline = support::pipeline(vec![support::load(guests::AGENT_EVENTS)]);
    let mut store = EmbeddedStore::open_in_memory().unwrap();
    let at = |arrival_ms: i64, data: &Vec<u8>| {
        let input = KinesisInput {
            sequence_number: arrival_ms.to_string(),
            data: Data::Bytes(data.clone()),
            arrival_ms,
        };
        support::decode_kinesis(&support::lambda_kinesis_event(&[input]))
    };

    support::run(&pipeline, &mut store, at(NOW_MS - 5_000, &original), NOW_MS);
    let later = support::run(
        &pipeline,
        &mut store,
        at(NOW_MS - 1_000, &corrected),
        NOW_MS,
    );
    let stale = support::run(&pipeline, &mut store, at(NOW_MS - 9_000, &original), NOW_MS);

    assert_eq!(later.written.get("AgentEvent"), Some(&1));
    assert_eq!(
        stale.unchanged.get("AgentEvent"),
        Some(&1),
        "an older arrival does not overwrite"
    );
    let rows = store.dump("AgentEvent").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["CurrentAgentSnapshot_AgentStatus_Name"], "Training");
    assert_eq!(rows[0]["ts_version"], NOW_MS - 1_000);
}
