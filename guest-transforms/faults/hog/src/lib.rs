//! Test guest that misbehaves on purpose: hog
