//! Test guest that misbehaves on purpose: it answers with far more than Timestream accepts.
//!
//! For an event whose payload contains `FAULT` it returns 10 000 records, each with a
//! 3 000-byte `AgentARN` dimension value: beyond Timestream's 2 KiB dimension value limit and
//! its 100 records per write, and about 30 MB to lower across the component boundary. Every
//! other event becomes one plain `AgentEvent` record (see `../common.rs`).
//!
//! The component is built for `wasm32-wasip2` only; a native build of this crate is empty.

#[cfg(target_family = "wasm")]
mod component;
