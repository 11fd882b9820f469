//! One kind and one type per column, per table.
//!
//! Timestream learns a table's schema from the records written to it: the first record that
//! uses a name fixes whether that column is a dimension or a measure and which type it has,
//! and later records that disagree are refused. [`SchemaTracker`] keeps the same memory on
//! the host. The embedded store uses it to enforce the rule locally (and persists it so the
//! rule survives a restart); the Timestream sink can use it to refuse a conflicting record of
//! a batch before the batch is sent.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::contract::{MeasureValue, TimestreamRecord};
use crate::store::{RejectReason, Rejection};

/// Whether a column holds a dimension or a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnKind {
    Dimension,
    Measure,
}

impl ColumnKind {
    /// The lower-case name used in messages and in the embedded store's `_columns` table.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Dimension => "dimension",
            ColumnKind::Measure => "measure",
        }
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnKind {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "dimension" => Ok(ColumnKind::Dimension),
            "measure" => Ok(ColumnKind::Measure),
            _ => Err(UnknownName(text.to_owned())),
        }
    }
}

/// A column's Timestream type. Dimensions are always [`ColumnType::Varchar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnType {
    Varchar,
    Bigint,
    Double,
    Boolean,
    Timestamp,
}

impl ColumnType {
    /// The type of a measure value.
    pub fn of(value: &MeasureValue) -> Self {
        match value {
            MeasureValue::Varchar(_) => ColumnType::Varchar,
            MeasureValue::Bigint(_) => ColumnType::Bigint,
            MeasureValue::Double(_) => ColumnType::Double,
            MeasureValue::Boolean(_) => ColumnType::Boolean,
            MeasureValue::Timestamp(_) => ColumnType::Timestamp,
        }
    }

    /// Timestream's name for the type (`VARCHAR`, `BIGINT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Varchar => "VARCHAR",
            ColumnType::Bigint => "BIGINT",
            ColumnType::Double => "DOUBLE",
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Timestamp => "TIMESTAMP",
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnType {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "VARCHAR" => Ok(ColumnType::Varchar),
            "BIGINT" => Ok(ColumnType::Bigint),
            "DOUBLE" => Ok(ColumnType::Double),
            "BOOLEAN" => Ok(ColumnType::Boolean),
            "TIMESTAMP" => Ok(ColumnType::Timestamp),
            _ => Err(UnknownName(text.to_owned())),
        }
    }
}

/// A column kind or type name that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known column kind or type")]
pub struct UnknownName(pub String);

/// What a table's column is: its kind and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColumnSpec {
    pub kind: ColumnKind,
    pub column_type: ColumnType,
}

impl ColumnSpec {
    /// A dimension column (always VARCHAR).
    pub const DIMENSION: ColumnSpec = ColumnSpec {
        kind: ColumnKind::Dimension,
        column_type: ColumnType::Varchar,
    };

    /// A measure column of the given type.
    pub fn measure(column_type: ColumnType) -> Self {
        Self {
            kind: ColumnKind::Measure,
            column_type,
        }
    }
}

impl fmt::Display for ColumnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.column_type, self.kind)
    }
}

/// A column a record introduces to its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewColumn {
    pub name: String,
    pub spec: ColumnSpec,
}

/// The columns seen so far, per table: name to kind and type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchemaTracker {
    tables: BTreeMap<String, BTreeMap<String, ColumnSpec>>,
}

impl SchemaTracker {
    /// A tracker that knows no tables yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the record against the known columns of its table and learns the columns it
    /// introduces. Returns those new columns, in record order (dimensions first).
    ///
    /// Either the whole record is learned or nothing is.
    ///
    /// # Errors
    ///
    /// [`RejectReason::SchemaConflict`] when a column of the record already has another type
    /// in the table, or is a dimension there and a measure here (or the reverse), or appears
    /// twice in the record with different kinds or types.
    pub fn check_and_learn(
        &mut self,
        record: &TimestreamRecord,
    ) -> Result<Vec<NewColumn>, Rejection> {
        let added = self.check(record)?;
        self.learn(&record.table, &added);
        Ok(added)
    }

    /// Checks the record like [`SchemaTracker::check_and_learn`] without learning anything.
    ///
    /// # Errors
    ///
    /// As for [`SchemaTracker::check_and_learn`].
    pub fn check(&self, record: &TimestreamRecord) -> Result<Vec<NewColumn>, Rejection> {
        let known = self.tables.get(&record.table);
        let mut added: Vec<NewColumn> = Vec::new();

        for (name, spec) in record_columns(record) {
            let earlier = known
                .and_then(|columns| columns.get(name))
                .copied()
                .or_else(|| {
                    added
                        .iter()
                        .find(|column| column.name == name)
                        .map(|column| column.spec)
                });
            match earlier {
                Some(existing) if existing != spec => {
                    return Err(conflict(&record.table, name, existing, spec));
                }
                Some(_) => {}
                None => added.push(NewColumn {
                    name: name.to_owned(),
                    spec,
                }),
            }
        }
        Ok(added)
    }

    /// Records columns as known for `table`, e.g. when loading a persisted schema.
    pub fn learn(&mut self, table: &str, columns: &[NewColumn]) {
        let known = self.tables.entry(table.to_owned()).or_default();
        for column in columns {
            known.insert(column.name.clone(), column.spec);
        }
    }

    /// Forgets columns learned for `table`, e.g. when the write that introduced them was
    /// rolled back. A table left without columns is forgotten too.
    pub fn forget(&mut self, table: &str, columns: &[NewColumn]) {
        let Some(known) = self.tables.get_mut(table) else {
            return;
        };
        for column in columns {
            known.remove(&column.name);
        }
        if known.is_empty() {
            self.tables.remove(table);
        }
    }

    /// The kind and type of one column, if the table has it.
    pub fn column(&self, table: &str, name: &str) -> Option<ColumnSpec> {
        self.tables.get(table)?.get(name).copied()
    }

    /// The known columns of a table, ordered by name (none for an unknown table).
    pub fn columns(&self, table: &str) -> impl Iterator<Item = (&str, ColumnSpec)> {
        let columns = self.tables.get(table).into_iter().flatten();
        columns.map(|(name, spec)| (name.as_str(), *spec))
    }

    /// True when at least one column of the table is known.
    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// The known tables, ordered by name.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }
}

/// Every column the record writes, with the kind and type it gives it.
fn record_columns(record: &TimestreamRecord) -> impl Iterator<Item = (&str, ColumnSpec)> {
    let dimensions = record
        .dimensions
        .iter()
        .map(|d| (d.name.as_str(), ColumnSpec::DIMENSION));
    let measures = record.measures.iter().map(|m| {
        (
            m.name.as_str(),
            ColumnSpec::measure(ColumnType::of(&m.value)),
        )
    });
    dimensions.chain(measures)
}

fn conflict(table: &str, name: &str, existing: ColumnSpec, wanted: ColumnSpec) -> Rejection {
    let message = format!(
        "column `{name}` of table `{table}` is a {existing}; this record writes it as a \
         {wanted}, and a column keeps one kind and type"
    );
    Rejection::new(RejectReason::SchemaConflict, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Dimension, Measure, TimeUnit};

    fn record(
        table: &str,
        dimensions: &[&str],
        measures: &[(&str, MeasureValue)],
    ) -> TimestreamRecord {
        let dimension = |name: &&str| Dimension {
            name: (*name).to_owned(),
            value: "v".to_owned(),
        };
        let measure = |(name, value): &(&str, MeasureValue)| Measure {
            name: (*name).to_owned(),
            value: value.clone(),
        };
        TimestreamRecord {
            table: table.to_owned(),
            dimensions: dimensions.iter().map(dimension).collect(),
            measure_name: table.to_owned(),
            measures: measures.iter().map(measure).collect(),
            time: 0,
            time_unit: TimeUnit::Milliseconds,
            version: 1,
        }
    }

    fn slots(value: MeasureValue) -> TimestreamRecord {
        record("AgentEvent", &["AgentARN"], &[("Slots", value)])
    }

    fn conflict_message(result: Result<Vec<NewColumn>, Rejection>) -> (RejectReason, String) {
        let rejection = result.expect_err("expected a schema conflict");
        (rejection.reason, rejection.message)
    }

    #[test]
    fn first_record_introduces_its_columns_in_record_order() {
        let mut tracker = SchemaTracker::new();
        let added = tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        assert_eq!(
            added,
            vec![
                NewColumn {
                    name: "AgentARN".to_owned(),
                    spec: ColumnSpec::DIMENSION
                },
                NewColumn {
                    name: "Slots".to_owned(),
                    spec: ColumnSpec::measure(ColumnType::Bigint)
                },
            ],
        );
        assert_eq!(
            tracker.column("AgentEvent", "Slots"),
            Some(ColumnSpec::measure(ColumnType::Bigint))
        );
    }

    #[test]
    fn same_columns_again_introduce_nothing() {
        let mut tracker = SchemaTracker::new();
        tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        assert_eq!(
            tracker.check_and_learn(&slots(MeasureValue::Bigint(2))),
            Ok(Vec::new())
        );
    }

    #[test]
    fn measure_changing_type_is_a_schema_conflict() {
        let mut tracker = SchemaTracker::new();
        tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        assert_eq!(
            conflict_message(tracker.check_and_learn(&slots(MeasureValue::Double(1.5)))),
            (
                RejectReason::SchemaConflict,
                "column `Slots` of table `AgentEvent` is a BIGINT measure; this record writes it \
                 as a DOUBLE measure, and a column keeps one kind and type"
                    .to_owned()
            ),
        );
    }

    #[test]
    fn dimension_becoming_a_measure_is_a_schema_conflict() {
        let mut tracker = SchemaTracker::new();
        tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        let as_measure = record(
            "AgentEvent",
            &["InstanceARN"],
            &[("AgentARN", MeasureValue::Varchar("a".to_owned()))],
        );
        assert_eq!(
            conflict_message(tracker.check_and_learn(&as_measure)),
            (
                RejectReason::SchemaConflict,
                "column `AgentARN` of table `AgentEvent` is a VARCHAR dimension; this record \
                 writes it as a VARCHAR measure, and a column keeps one kind and type"
                    .to_owned()
            ),
        );
    }

    #[test]
    fn a_rejected_record_teaches_nothing() {
        let mut tracker = SchemaTracker::new();
        tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        let mixed = record(
            "AgentEvent",
            &["AgentARN", "Queue"],
            &[("Slots", MeasureValue::Boolean(true))],
        );
        assert!(tracker.check_and_learn(&mixed).is_err());
        assert_eq!(tracker.column("AgentEvent", "Queue"), None);
    }

    #[test]
    fn one_name_with_two_types_within_a_record_is_a_schema_conflict() {
        let twice = record(
            "Queue",
            &["Arn"],
            &[
                ("Size", MeasureValue::Bigint(1)),
                ("Size", MeasureValue::Double(1.0)),
            ],
        );
        assert_eq!(
            conflict_message(SchemaTracker::new().check(&twice)),
            (
                RejectReason::SchemaConflict,
                "column `Size` of table `Queue` is a BIGINT measure; this record writes it as a \
                 DOUBLE measure, and a column keeps one kind and type"
                    .to_owned()
            ),
        );
    }

    #[test]
    fn tables_have_separate_schemas() {
        let mut tracker = SchemaTracker::new();
        tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        let other = record(
            "Queue",
            &["AgentARN"],
            &[("Slots", MeasureValue::Double(0.5))],
        );
        assert!(tracker.check_and_learn(&other).is_ok());
        assert_eq!(
            tracker.tables().collect::<Vec<_>>(),
            vec!["AgentEvent", "Queue"]
        );
    }

    #[test]
    fn forgetting_the_only_columns_forgets_the_table() {
        let mut tracker = SchemaTracker::new();
        let added = tracker
            .check_and_learn(&slots(MeasureValue::Bigint(1)))
            .unwrap();
        tracker.forget("AgentEvent", &added);
        assert!(!tracker.has_table("AgentEvent"));
        assert!(tracker.check(&slots(MeasureValue::Double(1.0))).is_ok());
    }

    #[test]
    fn kind_and_type_names_round_trip() {
        for kind in [ColumnKind::Dimension, ColumnKind::Measure] {
            assert_eq!(kind.as_str().parse::<ColumnKind>(), Ok(kind));
        }
        let types = [
            ColumnType::Varchar,
            ColumnType::Bigint,
            ColumnType::Double,
            ColumnType::Boolean,
            ColumnType::Timestamp,
        ];
        for column_type in types {
            assert_eq!(column_type.as_str().parse::<ColumnType>(), Ok(column_type));
        }
        assert_eq!(
            "varchar".parse::<ColumnType>(),
            Err(UnknownName("varchar".to_owned()))
        );
    }
}
