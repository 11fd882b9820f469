//! Test guest that misbehaves on purpose: trap
