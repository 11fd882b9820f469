//! The mapping's output: the shared record types of `transform-kit`, named with this
//! mapping's own `&'static str` constants. Values are owned strings the component moves into
//! the WIT types without copying; a name is allocated only then.

/// The table of agent records, also their `measure_name`.
pub const AGENT_TABLE: &str = "AgentEvent";

/// The table of per-contact records, also their `measure_name`.
pub const CONTACT_TABLE: &str = "AgentEvent_Contact";

/// Timestream's limit on the size of one multi-measure record, in bytes.
///
/// An agent event carries several ARNs of 100 to 150 bytes each, so a record that copied
/// every field of the event would not fit; the mapping keeps the columns dashboards use.
pub use transform_kit::MAX_RECORD_BYTES;

pub use transform_kit::{MeasureValue, TimeUnit};

/// A Timestream multi-measure record (WIT `timestream-record`) with `&'static str` names.
pub type Record = transform_kit::Record<&'static str>;

/// A dimension: a string attribute that identifies the series (WIT `dimension`).
pub type Dimension = transform_kit::Dimension<&'static str>;

/// One value of a multi-measure record (WIT `measure`).
pub type Measure = transform_kit::Measure<&'static str>;

/// Collects a record's measures, leaving out absent and empty strings.
pub(crate) type MeasureList = transform_kit::MeasureList<&'static str>;
