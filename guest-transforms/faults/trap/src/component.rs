//! The `transformer` world's bindings and the export of [`FaultTrap`].

wit_bindgen::generate!({ path: "../../../wit", world: "transformer" });

#[path = "../../common.rs"]
mod common;

use connect_rt::transform::host;
use connect_rt::transform::types::{Event, EventResult, LogLevel, TransformInfo};
use exports::connect_rt::transform::transform::Guest;

/// The guest that traps on a marked event.
struct FaultTrap;

impl Guest for FaultTrap {
    fn describe() -> TransformInfo {
        common::describe("trap")
    }

    fn transform_batch(events: Vec<Event>) -> Vec<EventResult> {
        common::transform_batch(events, |index, _| trap(index))
    }
}

/// Logs where the guest is, then traps with wasm's `unreachable` instruction.
fn trap(index: u32) -> ! {
    host::log(LogLevel::Warn, "about to trap", Some(index));

    core::arch::wasm32::unreachable()
}

export!(FaultTrap);
