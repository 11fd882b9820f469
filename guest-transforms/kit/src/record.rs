//! The mapping's output: plain Rust mirrors of the WIT `timestream-record` types.
//!
//! The types are generic over `N`, the type of the names they carry (tables, dimension and
//! measure names), because the guests differ there: `agent-events` names everything with
//! `&'static str` constants and allocates a name only when the component converts the record,
//! while `contact-events` and `instance-data` build owned `String` names that the component
//! moves. Values are always owned strings, moved into the WIT types without copying.

/// Timestream's limit on the size of one multi-measure record, in bytes as it meters them
/// (quota "Maximum record size").
pub const MAX_RECORD_BYTES: usize = 2048;

/// Bytes Timestream meters for a record's time.
pub const TIME_BYTES: usize = 8;

/// A Timestream multi-measure record (WIT `timestream-record`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record<N> {
    /// The target table.
    pub table: N,
    /// The attributes that identify the series.
    pub dimensions: Vec<Dimension<N>>,
    /// The name of the multi-measure value; by the dashboard convention, the table.
    pub measure_name: N,
    /// The values.
    pub measures: Vec<Measure<N>>,
    /// The event's time, in [`Record::time_unit`] since the Unix epoch.
    pub time: i64,
    /// The unit of [`Record::time`].
    pub time_unit: TimeUnit,
    /// The record version: a write with a higher version replaces the stored point.
    pub version: i64,
}

/// A dimension: a string attribute that identifies the series (WIT `dimension`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension<N> {
    /// The dimension's name.
    pub name: N,
    /// Its value.
    pub value: String,
}

/// One value of a multi-measure record (WIT `measure`).
#[derive(Debug, Clone, PartialEq)]
pub struct Measure<N> {
    /// The measure's (column's) name.
    pub name: N,
    /// Its typed value.
    pub value: MeasureValue,
}

/// A typed measure value (WIT `measure-value`).
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureValue {
    /// A DOUBLE.
    Double(f64),
    /// A BIGINT.
    Bigint(i64),
    /// A VARCHAR.
    Varchar(String),
    /// A BOOLEAN.
    Boolean(bool),
    /// A TIMESTAMP: milliseconds since the Unix epoch.
    Timestamp(i64),
}

/// The unit of [`Record::time`] (WIT `time-unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Microseconds.
    Microseconds,
    /// Nanoseconds.
    Nanoseconds,
}

impl<N> Dimension<N> {
    /// A dimension called `name` holding a copy of `value`.
    pub fn new(name: impl Into<N>, value: &str) -> Self {
        Self {
            name: name.into(),
            value: value.to_owned(),
        }
    }
}

impl<N: AsRef<str>> Record<N> {
    /// The value of the dimension called `name`, if the record has one.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|dimension| dimension.name.as_ref() == name)
            .map(|dimension| dimension.value.as_str())
    }

    /// The value of the measure called `name`, if the record has one.
    pub fn measure(&self, name: &str) -> Option<&MeasureValue> {
        self.measures
            .iter()
            .find(|measure| measure.name.as_ref() == name)
            .map(|measure| &measure.value)
    }

    /// The record's size as Timestream counts it against [`MAX_RECORD_BYTES`]: the UTF-8
    /// bytes of dimension names and values, of the measure name, of measure names and
    /// string values, 8 bytes per number or timestamp, 1 per boolean and 8 for the time.
    pub fn size_bytes(&self) -> usize {
        let dimensions: usize = self
            .dimensions
            .iter()
            .map(|dimension| dimension.name.as_ref().len() + dimension.value.len())
            .sum();
        let measures: usize = self
            .measures
            .iter()
            .map(|measure| measure.name.as_ref().len() + measure.value.size_bytes())
            .sum();

        dimensions + self.measure_name.as_ref().len() + measures + TIME_BYTES
    }
}

impl MeasureValue {
    /// The bytes Timestream meters for the value: a string's UTF-8 length, 8 for a number or
    /// timestamp, 1 for a boolean.
    pub fn size_bytes(&self) -> usize {
        match self {
            MeasureValue::Double(_) | MeasureValue::Bigint(_) | MeasureValue::Timestamp(_) => 8,
            MeasureValue::Varchar(text) => text.len(),
            MeasureValue::Boolean(_) => 1,
        }
    }
}

/// Collects a record's measures, leaving out absent and empty strings: Timestream has no
/// null and rejects empty strings, and an empty string would only hide that the value was
/// missing.
///
/// A name is converted to `N` only when its measure is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureList<N>(Vec<Measure<N>>);

impl<N> Default for MeasureList<N> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<N> MeasureList<N> {
    /// An empty list with room for `capacity` measures.
    pub fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    /// Adds a VARCHAR, unless `value` is absent or empty.
    pub fn varchar(&mut self, name: impl Into<N>, value: impl MaybeText) {
        if let Some(text) = value.text().filter(|text| !text.is_empty()) {
            self.push(name, MeasureValue::Varchar(text.to_owned()));
        }
    }

    /// Adds a BIGINT.
    pub fn bigint(&mut self, name: impl Into<N>, value: i64) {
        self.push(name, MeasureValue::Bigint(value));
    }

    /// Adds a BOOLEAN.
    pub fn boolean(&mut self, name: impl Into<N>, value: bool) {
        self.push(name, MeasureValue::Boolean(value));
    }

    /// The measures, in the order they were added.
    pub fn into_vec(self) -> Vec<Measure<N>> {
        self.0
    }

    fn push(&mut self, name: impl Into<N>, value: MeasureValue) {
        let name = name.into();
        self.0.push(Measure { name, value });
    }
}

/// A value that may hold text, as [`MeasureList::varchar`] takes it: an `Option<&str>`, or a
/// reference to an `Option` of any string type (`&Option<String>`, `&Option<Cow<str>>`), so
/// a mapping can pass the fields of its input structs as they are.
pub trait MaybeText {
    /// The text, if there is some.
    fn text(&self) -> Option<&str>;
}

impl MaybeText for Option<&str> {
    fn text(&self) -> Option<&str> {
        *self
    }
}

impl<T: AsRef<str>> MaybeText for &Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().map(AsRef::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::{Dimension, Measure, MeasureList, MeasureValue, Record, TimeUnit};

    fn record(measures: MeasureList<&'static str>) -> Record<&'static str> {
        Record {
            table: "T",
            dimensions: vec![Dimension::new("D", "dd")],
            measure_name: "T",
            measures: measures.into_vec(),
            time: 1,
            time_unit: TimeUnit::Milliseconds,
            version: 1,
        }
    }

    #[test]
    fn absent_and_empty_strings_are_left_out() {
        let mut measures = MeasureList::<String>::default();
        measures.varchar("a", None::<&str>);
        measures.varchar("b", Some(""));
        measures.varchar("c", &Some(String::from("x")));
        measures.varchar("d", &None::<String>);

        let kept = measures.into_vec();

        let expected = Measure {
            name: "c".to_owned(),
            value: MeasureValue::Varchar("x".to_owned()),
        };
        assert_eq!(kept, [expected]);
    }

    #[test]
    fn lookups_find_values_by_name() {
        let mut measures = MeasureList::with_capacity(2);
        measures.bigint("n", 7);
        measures.boolean("b", true);
        let record = record(measures);

        assert_eq!(record.dimension("D"), Some("dd"));
        assert_eq!(record.dimension("E"), None);
        assert_eq!(record.measure("n"), Some(&MeasureValue::Bigint(7)));
        assert_eq!(record.measure("b"), Some(&MeasureValue::Boolean(true)));
    }

    #[test]
    fn size_counts_names_values_and_time() {
        let mut measures = MeasureList::with_capacity(2);
        measures.varchar("v", Some("abc"));
        measures.bigint("n", 7);

        // D + dd, T, v + abc, n + 8, time 8.
        assert_eq!(record(measures).size_bytes(), 3 + 1 + 4 + 9 + 8);
    }
}
