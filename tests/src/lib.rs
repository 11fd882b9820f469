//! End-to-end test support: the guest components built by `build.rs`, and the fixtures.
//!
//! `build.rs` builds every guest crate of the workspace for `wasm32-wasip2` (release) into
//! `target/wasm-guests` before this crate compiles; [`guests`] holds their absolute paths.
//! Tests load those files into the real host. [`fixture`] and [`sample`] find the shared test
//! data under the workspace's `fixtures/`.

pub mod golden;
pub mod runtime_api;
pub mod support;

use std::path::{Path, PathBuf};

/// Absolute paths of the guest components, fixed when this crate was compiled.
pub mod guests {
    /// `agent-events-transform`: agent events from Kinesis to `AgentEvent` records.
    pub const AGENT_EVENTS: &str = env!("GUEST_AGENT_EVENTS_WASM");

    /// `contact-events-transform`: contact events from EventBridge to contact records.
    pub const CONTACT_EVENTS: &str = env!("GUEST_CONTACT_EVENTS_WASM");

    /// `instance-data-transform`: Amazon Connect metadata snapshots to instance, queue and
    /// user records.
    pub const INSTANCE_DATA: &str = env!("GUEST_INSTANCE_DATA_WASM");

    /// `fault-trap`: logs "about to trap" then traps on an event whose payload holds `FAULT`.
    pub const FAULT_TRAP: &str = env!("GUEST_FAULT_TRAP_WASM");

    /// `fault-spin`: loops forever on an event whose payload holds `FAULT`.
    pub const FAULT_SPIN: &str = env!("GUEST_FAULT_SPIN_WASM");

    /// `fault-hog`: allocates memory without bound on an event whose payload holds `FAULT`.
    pub const FAULT_HOG: &str = env!("GUEST_FAULT_HOG_WASM");

    /// `fault-flood`: returns 10 000 records with 3 000-byte dimension values on an event whose
    /// payload holds `FAULT`.
    pub const FAULT_FLOOD: &str = env!("GUEST_FAULT_FLOOD_WASM");

    /// Every guest as (package name, component path), for tests that cover them all.
    pub const ALL: [(&str, &str); 7] = [
        ("agent-events-transform", AGENT_EVENTS),
        ("contact-events-transform", CONTACT_EVENTS),
        ("instance-data-transform", INSTANCE_DATA),
        ("fault-trap", FAULT_TRAP),
        ("fault-spin", FAULT_SPIN),
        ("fault-hog", FAULT_HOG),
        ("fault-flood", FAULT_FLOOD),
    ];
}

/// The workspace root, where `fixtures/` and `guest-transforms/` live.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent directory")
}

/// The absolute path of `fixtures/<path>`, e.g. `fixture("samples/README.md")`.
pub fn fixture(path: impl AsRef<Path>) -> PathBuf {
    workspace_root().join("fixtures").join(path)
}

/// The bytes of `fixtures/samples/<name>`.
///
/// # Panics
///
/// When the file cannot be read: a missing fixture is a broken test, not a test result.
pub fn sample(name: &str) -> Vec<u8> {
    let path = fixture(Path::new("samples").join(name));

    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}
