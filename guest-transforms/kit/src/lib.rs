//! What the shipped guest transforms (`agent-events`, `contact-events`, `instance-data`) share.
//!
//! - [`record`]: the mapping's output, plain Rust mirrors of the WIT `timestream-record`
//!   types, and [`MeasureList`], which leaves absent and empty values out.
//! - [`iso8601`]: the strict timestamp parser every guest reads Amazon Connect times with.
//! - `bindings` (wasm32 only): the `transformer` world of `wit/transform.wit`, generated once
//!   here, with the conversion from [`Record`] to the WIT `timestream-record` and the small
//!   helpers every component uses. A guest implements the generated `Guest` trait and exports
//!   it with `transform_kit::export!(MyGuest with_types_in transform_kit::bindings);`.
//! - The guests' global allocator (wasm32 only): linking this crate into a guest installs it.
//!
//! Everything but `bindings` and the allocator builds natively too, so each guest's mapping
//! can be tested and benchmarked on the host. The fault guests under `guest-transforms/faults`
//! do not use this crate: they stay minimal on purpose.

pub mod iso8601;
pub mod record;

#[cfg(target_family = "wasm")]
pub mod bindings;

/// Exports a guest's `Guest` implementation as the component's `transform` interface; see
/// [`bindings`]. Invoke it in the guest crate, not here: the exports belong to the guest.
#[cfg(target_family = "wasm")]
pub use bindings::export;

pub use record::{
    Dimension, MAX_RECORD_BYTES, Measure, MeasureList, MeasureValue, Record, TimeUnit,
};

/// talc rather than the standard library's dlmalloc: an instance lives for one batch, and
/// its allocations (strings and vectors per event and record) cost less with it.
///
/// Declared here once, it applies to every guest that links this crate.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
