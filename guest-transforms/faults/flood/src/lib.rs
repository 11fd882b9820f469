//! Test guest that misbehaves on purpose: flood
