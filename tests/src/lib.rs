//! End-to-end test support: paths of the guest components built by `build.rs`.
