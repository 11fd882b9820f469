//! Test guest that misbehaves on purpose: it traps.
//!
//! For an event whose payload contains `FAULT` it logs a warning ("about to trap", with the
//! event's index) through the host and then executes wasm's `unreachable` instruction, so the
//! host sees a real trap and can show the guest's last log lines. Every other event becomes one
//! plain `AgentEvent` record (see `../common.rs`).
//!
//! The component is built for `wasm32-wasip2` only; a native build of this crate is empty.

#[cfg(target_family = "wasm")]
mod component;
