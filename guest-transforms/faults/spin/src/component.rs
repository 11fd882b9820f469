//! The `transformer` world's bindings and the export of [`FaultSpin`].

wit_bindgen::generate!({ path: "../../../wit", world: "transformer" });

#[path = "../../common.rs"]
mod common;

use connect_rt::transform::types::{Event, EventResult, TransformInfo};
use exports::connect_rt::transform::transform::Guest;

/// The guest that spins forever on a marked event.
struct FaultSpin;

impl Guest for FaultSpin {
    fn describe() -> TransformInfo {
        common::describe("spin")
    }

    fn transform_batch(events: Vec<Event>) -> Vec<EventResult> {
        common::transform_batch(events, |_, _| spin())
    }
}

/// Counts forever; `black_box` keeps the optimizer from proving the loop has no effect.
fn spin() -> ! {
    let mut turns: u64 = 0;

    loop {
        turns = core::hint::black_box(turns.wrapping_add(1));
    }
}

export!(FaultSpin);
