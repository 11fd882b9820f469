//! Test guest that misbehaves on purpose: it takes all the memory it can.
//!
//! For an event whose payload contains `FAULT` it keeps allocating 1 MiB blocks and writing to
//! every byte of each, without bound, until the host's memory cap refuses to grow its linear
//! memory (or the 4 GiB wasm32 address space runs out) and the failed allocation aborts the
//! guest with a trap. Every other event becomes one plain `AgentEvent` record (see
//! `../common.rs`).
//!
//! The component is built for `wasm32-wasip2` only; a native build of this crate is empty.

#[cfg(target_family = "wasm")]
mod component;
