//! The mapping's output: plain Rust mirrors of the WIT `timestream-record` types.
//!
//! Names (tables, dimensions, measures) are the mapping's own `&'static str` constants; values
//! are owned strings the component moves into the WIT types without copying.

/// The table of agent records, also their `measure_name`.
pub const AGENT_TABLE: &str = "AgentEvent";

/// The table of per-contact records, also their `measure_name`.
pub const CONTACT_TABLE: &str = "AgentEvent_Contact";

/// Timestream's limit on the size of one multi-measure record, in bytes.
///
/// An agent event carries several ARNs of 100 to 150 bytes each, so a record that copied
/// every field of the event would not fit; the mapping keeps the columns dashboards use.
pub const MAX_RECORD_BYTES: usize = 2048;

/// A Timestream multi-measure record (WIT `timestream-record`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The target table, e.g. [`AGENT_TABLE`].
    pub table: &'static str,
    pub dimensions: Vec<Dimension>,
    pub measure_name: &'static str,
    pub measures: Vec<Measure>,
    /// The event's time, in [`Record::time_unit`] since the Unix epoch.
    pub time: i64,
    pub time_unit: TimeUnit,
    /// The record version: a write with a higher version replaces the stored point.
    pub version: i64,
}

/// A dimension: a string attribute that identifies the series (WIT `dimension`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub name: &'static str,
    pub value: String,
}

/// One value of a multi-measure record (WIT `measure`).
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub name: &'static str,
    pub value: MeasureValue,
}

/// A typed measure value (WIT `measure-value`).
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureValue {
    Double(f64),
    Bigint(i64),
    Varchar(String),
    Boolean(bool),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
}

/// The unit of [`Record::time`] (WIT `time-unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Milliseconds,
    Seconds,
    Microseconds,
    Nanoseconds,
}

impl Dimension {
    pub(crate) fn new(name: &'static str, value: &str) -> Self {
        Self {
            name,
            value: value.to_owned(),
        }
    }
}

impl Record {
    /// The value of the dimension called `name`, if the record has one.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|dimension| dimension.name == name)
            .map(|dimension| dimension.value.as_str())
    }

    /// The value of the measure called `name`, if the record has one.
    pub fn measure(&self, name: &str) -> Option<&MeasureValue> {
        self.measures
            .iter()
            .find(|measure| measure.name == name)
            .map(|measure| &measure.value)
    }

    /// The record's size as Timestream counts it against [`MAX_RECORD_BYTES`]: the UTF-8
    /// bytes of dimension names and values, of the measure name, of measure names and
    /// string values, 8 bytes per number or timestamp, 1 per boolean and 8 for the time.
    pub fn size_bytes(&self) -> usize {
        let dimensions: usize = self
            .dimensions
            .iter()
            .map(|dimension| dimension.name.len() + dimension.value.len())
            .sum();
        let measures: usize = self
            .measures
            .iter()
            .map(|measure| measure.name.len() + measure.value.size_bytes())
            .sum();

        dimensions + self.measure_name.len() + measures + 8
    }
}

impl MeasureValue {
    /// The bytes the value counts for in [`Record::size_bytes`].
    pub fn size_bytes(&self) -> usize {
        match self {
            MeasureValue::Double(_) | MeasureValue::Bigint(_) | MeasureValue::Timestamp(_) => 8,
            MeasureValue::Varchar(text) => text.len(),
            MeasureValue::Boolean(_) => 1,
        }
    }
}

/// Collects a record's measures, leaving out absent and empty strings: Timestream has no
/// null, and an empty string would only hide that the value was missing.
pub(crate) struct MeasureList(Vec<Measure>);

impl MeasureList {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    pub(crate) fn varchar(&mut self, name: &'static str, value: Option<&str>) {
        if let Some(text) = value.filter(|text| !text.is_empty()) {
            self.push(name, MeasureValue::Varchar(text.to_owned()));
        }
    }

    pub(crate) fn bigint(&mut self, name: &'static str, value: i64) {
        self.push(name, MeasureValue::Bigint(value));
    }

    pub(crate) fn boolean(&mut self, name: &'static str, value: bool) {
        self.push(name, MeasureValue::Boolean(value));
    }

    pub(crate) fn into_vec(self) -> Vec<Measure> {
        self.0
    }

    fn push(&mut self, name: &'static str, value: MeasureValue) {
        self.0.push(Measure { name, value });
    }
}
