//! The `transformer` world's bindings and the export of [`FaultHog`].

wit_bindgen::generate!({ path: "../../../wit", world: "transformer" });

#[path = "../../common.rs"]
mod common;

use connect_rt::transform::types::{Event, EventResult, TransformInfo};
use exports::connect_rt::transform::transform::Guest;

/// The size of each block the hog allocates: large enough to reach any sane cap in a few
/// hundred steps, small enough that the cap, not one oversized request, is what stops it.
const BLOCK_BYTES: usize = 1 << 20;

/// The byte written over each block; not zero, so the pages are really written.
const FILL: u8 = 0xA5;

/// The guest that exhausts memory on a marked event.
struct FaultHog;

impl Guest for FaultHog {
    fn describe() -> TransformInfo {
        common::describe("hog")
    }

    fn transform_batch(events: Vec<Event>) -> Vec<EventResult> {
        common::transform_batch(events, |_, _| hog())
    }
}

/// Allocates and fills blocks until an allocation fails, which aborts the guest.
fn hog() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();

    loop {
        let block = vec![FILL; BLOCK_BYTES];
        hoard.push(core::hint::black_box(block));
    }
}

export!(FaultHog);
