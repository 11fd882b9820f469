//! connect-rt: turns Amazon Connect's live events into Amazon Timestream records through
//! user-supplied WebAssembly transforms.
//!
//! Start reading at [`pipeline`], which runs one batch end to end: [`sources`] decode the
//! Lambda payload into contract events, [`runtime`] runs a transform component on them,
//! [`records`] checks every record against Timestream's write rules, and [`store`] writes
//! them. [`contract`] holds the types generated from `wit/transform.wit`.

pub mod cli;
pub mod collect;
pub mod contract;
pub mod deadletter;
pub mod lambda;
pub mod pipeline;
pub mod records;
pub mod replay;
pub mod runtime;
pub mod sources;
pub mod store;
