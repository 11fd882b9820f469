//! Test guest that misbehaves on purpose: spin
