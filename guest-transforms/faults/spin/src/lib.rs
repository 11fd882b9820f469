//! Test guest that misbehaves on purpose: it never returns.
//!
//! For an event whose payload contains `FAULT` it loops forever, in a loop the optimizer
//! cannot remove, so only the host's time limit (epoch interruption or fuel) can stop it.
//! Every other event becomes one plain `AgentEvent` record (see `../common.rs`).
//!
//! The component is built for `wasm32-wasip2` only; a native build of this crate is empty.

#[cfg(target_family = "wasm")]
mod component;
