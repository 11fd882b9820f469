//! The records the mapping returns, the shared record types of `transform-kit` with owned
//! names, and the builder that keeps each one within Timestream's record size.

use transform_kit::record::TIME_BYTES;

pub use transform_kit::{MAX_RECORD_BYTES, MeasureValue, TimeUnit};

/// A Timestream multi-measure record (WIT `timestream-record`) with owned names.
pub type Record = transform_kit::Record<String>;

/// A dimension of a record (WIT `dimension`).
pub type Dimension = transform_kit::Dimension<String>;

/// One value of a multi-measure record (WIT `measure`).
pub type Measure = transform_kit::Measure<String>;

/// Builds one multi-measure record whose `measure_name` is its table.
///
/// Measures are added in priority order. Absent values and empty strings are left out
/// (Timestream has no null and rejects empty strings), and so is a measure that would take
/// the record past [`MAX_RECORD_BYTES`]; [`RecordBuilder::finish`] reports the latter.
pub(crate) struct RecordBuilder {
    table: &'static str,
    dimensions: Vec<Dimension>,
    measures: Vec<Measure>,
    size: usize,
    left_out: Vec<String>,
}

impl RecordBuilder {
    /// Starts a record with its dimensions, counted against the size from the start.
    pub(crate) fn new(table: &'static str, dimensions: &[(&str, &str)]) -> Self {
        let dimension_bytes: usize = dimensions.iter().map(|(n, v)| n.len() + v.len()).sum();
        let dimensions = dimensions
            .iter()
            .map(|&(name, value)| Dimension::new(name, value));

        Self {
            table,
            dimensions: dimensions.collect(),
            measures: Vec::new(),
            size: TIME_BYTES + dimension_bytes + table.len(),
            left_out: Vec::new(),
        }
    }

    pub(crate) fn varchar(&mut self, name: &str, value: Option<&str>) {
        if let Some(text) = value.filter(|text| !text.is_empty()) {
            self.push(name, MeasureValue::Varchar(text.to_owned()));
        }
    }

    pub(crate) fn bigint(&mut self, name: &str, value: Option<i64>) {
        if let Some(value) = value {
            self.push(name, MeasureValue::Bigint(value));
        }
    }

    pub(crate) fn boolean(&mut self, name: &str, value: Option<bool>) {
        if let Some(value) = value {
            self.push(name, MeasureValue::Boolean(value));
        }
    }

    /// Finishes the record at `time_ms`, which is its version too. Measures left out for
    /// size are reported in `warnings`, naming the record by its last dimension, and so is a
    /// record left without measures, which is not returned: Timestream needs at least one.
    pub(crate) fn finish(self, time_ms: i64, warnings: &mut Vec<String>) -> Option<Record> {
        let series = self
            .dimensions
            .last()
            .map_or("", |last| last.value.as_str());
        if !self.left_out.is_empty() {
            let left_out = self.left_out.join(", ");
            warnings.push(format!(
                "{} record of {series} left out {left_out} to stay within {MAX_RECORD_BYTES} \
                 bytes",
                self.table
            ));
        }
        if self.measures.is_empty() {
            let table = self.table;
            warnings.push(format!(
                "{table} record of {series} has no values; not written"
            ));
            return None;
        }

        Some(Record {
            table: self.table.to_owned(),
            dimensions: self.dimensions,
            measure_name: self.table.to_owned(),
            measures: self.measures,
            time: time_ms,
            time_unit: TimeUnit::Milliseconds,
            version: time_ms,
        })
    }

    fn push(&mut self, name: &str, value: MeasureValue) {
        let size = name.len() + value.size_bytes();
        if self.size + size > MAX_RECORD_BYTES {
            self.left_out.push(name.to_owned());
            return;
        }

        self.size += size;
        let name = name.to_owned();
        self.measures.push(Measure { name, value });
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_RECORD_BYTES, MeasureValue, RecordBuilder};

    #[test]
    fn a_measure_that_would_pass_the_limit_is_left_out_and_reported() {
        let mut builder = RecordBuilder::new("Queue", &[("InstanceArn", "i"), ("QueueArn", "q")]);
        let fill = "x".repeat(MAX_RECORD_BYTES - 8 - 21 - 5 - 4);
        builder.varchar("Name", Some(&fill));
        builder.boolean("Late", Some(true));
        builder.varchar("Empty", Some(""));

        let mut warnings = Vec::new();
        let record = builder.finish(7, &mut warnings).unwrap();

        assert_eq!(record.measure("Name"), Some(&MeasureValue::Varchar(fill)));
        assert_eq!(record.measures.len(), 1);
        assert_eq!(
            warnings,
            ["Queue record of q left out Late to stay within 2048 bytes"]
        );
        assert_eq!((record.time, record.version), (7, 7));
    }

    #[test]
    fn a_record_without_measures_is_not_returned() {
        let mut builder = RecordBuilder::new("User", &[("InstanceArn", "i"), ("Arn", "u")]);
        builder.varchar("Username", None);

        let mut warnings = Vec::new();

        assert_eq!(builder.finish(7, &mut warnings), None);
        assert_eq!(warnings, ["User record of u has no values; not written"]);
    }
}
