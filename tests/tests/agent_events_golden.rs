//! Each sample agent event through the real compiled guest in the real host, compared with
//! golden files in `tests/golden/agent-events/`. `BLESS=1 cargo test` rewrites them.

use std::path::PathBuf;

use connect_rt_tests::{golden, guests, sample, support};

const SAMPLES: [&str; 7] = [
    "agent_event_01_login.json",
    "agent_event_02_state_change_available.json",
    "agent_event_03_state_change_contact_connected.json",
    "agent_event_04_state_change_acw_contact_ended.json",
    "agent_event_05_heart_beat_no_hierarchy.json",
    "agent_event_06_state_change_missed.json",
    "agent_event_07_logout.json",
];

#[test]
fn every_sample_agent_event_maps_to_its_golden_records() {
    let transform = support::load(guests::AGENT_EVENTS);
    let events: Vec<_> = SAMPLES
        .iter()
        .enumerate()
        .map(|(i, name)| support::kinesis_event(sample(name), 1_741_078_800_000 + i as i64))
        .collect();
    let labels: Vec<String> = SAMPLES.iter().map(|s| s.to_string()).collect();

    let outputs = transform.run_batch(&events, &labels, support::far_deadline());

    assert_eq!(outputs.len(), SAMPLES.len());
    for (name, output) in SAMPLES.iter().zip(outputs) {
        let records = output.unwrap_or_else(|f| panic!("{name} failed: {f:?}"));
        let json: Vec<_> = records.iter().map(|r| r.to_json()).collect();
        let path = PathBuf::from("agent-events").join(name);
        golden::check(&path, &serde_json::Value::Array(json));
    }
}
