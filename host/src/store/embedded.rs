//! The embedded store: a SQLite file that stands in for Amazon Timestream on a laptop, in
//! tests and in demos.
//!
//! It accepts the records Timestream would accept, under the same rules ([`rules::check`] and
//! one kind and type per column), with the same upsert semantics, and lays them out so that
//! plain SQL reads them much like Timestream's query editor shows them.
//!
//! # Layout
//!
//! - One SQLite table per Timestream table, named exactly like it.
//! - Fixed columns: `time` (TEXT in Timestream's display format,
//!   `YYYY-MM-DD HH:MM:SS.fffffffff` in UTC) and `measure_name` (TEXT), as in Timestream, plus
//!   three helper columns: `ts_time_ms` (INTEGER, the time in milliseconds since the Unix
//!   epoch), `ts_version` (INTEGER, the record version) and `ts_series` (TEXT, the dimensions
//!   as a JSON object with sorted keys: the series key). Timestream reserves the `ts_` prefix,
//!   so no record can bring a column that collides with a helper (agent events, for one, carry
//!   a `Version` field, and SQLite names ignore letter case).
//! - One column per dimension and measure name, added when a record first uses it: dimensions
//!   and VARCHAR as TEXT, BIGINT as INTEGER, DOUBLE as REAL, BOOLEAN as INTEGER 0 or 1,
//!   TIMESTAMP as TEXT in the display format.
//! - `UNIQUE (ts_series, measure_name, time)`: a point is identified, as in Timestream, by its
//!   dimensions, measure name and time to the nanosecond.
//! - `_columns (table_name, column_name, kind, type)` persists the schema, so the one-type rule
//!   survives reopening the file.
//!
//! # Upserts
//!
//! A record whose point is not stored yet is inserted ([`WriteOutcome::Written`]). When the
//! point exists, a record with a higher version replaces every measure of it (measures the
//! new record leaves out become NULL) and its version: [`WriteOutcome::Written`]. A record
//! whose version is the same or lower changes nothing and reports
//! [`WriteOutcome::AlreadyCurrent`] with the stored version. Timestream answers that case in
//! two ways, success when the values are identical and a rejection carrying
//! `ExistingVersion` when they differ; the host counts both as written, because the store
//! already holds the same or a newer state of that point (a replay, or an older event that
//! arrived after a newer one), so the embedded store does not tell them apart either.
//!
//! # Where SQLite differs
//!
//! SQLite compares names without regard to ASCII letter case, Timestream does not. The store
//! refuses ([`RejectReason::Other`]) a table or column whose name differs from an existing one
//! only in case, table names `_columns` and `sqlite_...`, and a table beyond SQLite's 2000
//! columns. It also refuses a TIMESTAMP measure beyond year 9999, which its display format
//! cannot show.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
    params, params_from_iter,
};
use serde_json::Value as Json;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use crate::contract::{Dimension, Measure, MeasureValue, TimestreamRecord};
use crate::records::rules::{self, MAX_RECORDS_PER_WRITE, WriteRules};
use crate::records::schema::{ColumnKind, ColumnSpec, ColumnType, NewColumn, SchemaTracker};
use crate::store::{RejectReason, Rejection, WriteOutcome};

/// The point's time as Timestream displays it.
pub const TIME_COLUMN: &str = "time";

/// The record's `measure_name`.
pub const MEASURE_NAME_COLUMN: &str = "measure_name";

/// Helper column: the time in milliseconds since the Unix epoch, for range queries.
pub const TIME_MS_COLUMN: &str = "ts_time_ms";

/// Helper column: the stored record version.
pub const VERSION_COLUMN: &str = "ts_version";

/// Helper column: the series key, the dimensions as a JSON object with sorted keys.
pub const SERIES_COLUMN: &str = "ts_series";

/// The table that persists each table's columns with their kind and type.
pub const COLUMNS_TABLE: &str = "_columns";

/// Most columns SQLite allows in one table (its default `SQLITE_MAX_COLUMN`), helpers
/// included. Timestream allows more measure names per table (8192); a transform that needs
/// more than this cannot be tried against the embedded store.
pub const MAX_SQLITE_COLUMNS: usize = 2000;

/// The helper and fixed columns every table has.
const FIXED_COLUMNS: usize = 5;

/// How long a write waits for another connection (say, a `sqlite3` shell) to release the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Timestream's display format for times: UTC, nanosecond digits.
const DISPLAY_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:9]");

/// Why the embedded store could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("failed to open the embedded store at {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("failed to {action}")]
    Sql {
        /// What the store was doing, e.g. `count the rows of table \`AgentEvent\``.
        action: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "`_columns` lists column `{column}` of table `{table}` as kind `{kind}` and type \
         `{column_type}`, which the embedded store does not know"
    )]
    CorruptSchema {
        table: String,
        column: String,
        kind: String,
        column_type: String,
    },
    #[error("the embedded store has no table `{table}`")]
    UnknownTable { table: String },
    #[error(
        "{} can only be read (a read-only file or file system): the store needs to write",
        path.display()
    )]
    ReadOnly { path: PathBuf },
    #[error("{} is not a connect-rt store ({reason})", path.display())]
    NotAStore {
        path: PathBuf,
        /// Why: not a SQLite database, or one without the `_columns` schema table.
        reason: &'static str,
    },
}

/// A SQLite database that accepts Timestream records under Timestream's rules.
#[derive(Debug)]
pub struct EmbeddedStore {
    conn: Connection,
    rules: WriteRules,
    schema: SchemaTracker,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in the SQLite file at `path`, with the default
    /// [`WriteRules`].
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] when the file cannot be opened, [`StoreError::NotAStore`] when it
    /// is not a SQLite database or is one with tables of its own but no `_columns` table (a
    /// wrong path must not get store tables added to someone else's database), other variants
    /// when its schema table cannot be created or read.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        check_may_become_store(&conn, path)?;
        // SQLite quietly opens a file it may not write read-only; every write would then fail.
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        Self::from_connection(conn)
    }

    /// Opens the store in the SQLite file at `path` for reading only: the file is never
    /// created or changed, so a wrong path given to a command that only reads comes to no
    /// harm. Writes to a store opened this way fail as SQLite errors.
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] when the file cannot be opened, [`StoreError::NotAStore`] when it
    /// is not a SQLite database or has no `_columns` table, other variants when its schema
    /// table cannot be read.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(sql_error("set the busy timeout"))?;
        check_is_store(&conn, path)?;

        let schema = load_schema(&conn)?;
        let rules = WriteRules::default();
        Ok(Self {
            conn,
            rules,
            schema,
        })
    }

    /// Opens a store that lives in memory only, for tests.
    ///
    /// # Errors
    ///
    /// As for [`EmbeddedStore::open`].
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: PathBuf::from(":memory:"),
            source,
        })?;
        Self::from_connection(conn)
    }

    /// Replaces the write rules (memory-store retention, future limit).
    pub fn with_rules(mut self, rules: WriteRules) -> Self {
        self.rules = rules;
        self
    }

    /// The write rules in force.
    pub fn rules(&self) -> &WriteRules {
        &self.rules
    }

    /// The columns the store knows, per table.
    pub fn schema(&self) -> &SchemaTracker {
        &self.schema
    }

    /// The SQLite connection, for queries of your own.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn from_connection(conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(sql_error("set the busy timeout"))?;
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {COLUMNS_TABLE} (
                table_name TEXT NOT NULL,
                column_name TEXT NOT NULL,
                kind TEXT NOT NULL,
                type TEXT NOT NULL,
                PRIMARY KEY (table_name, column_name)
            )"
        );
        conn.execute_batch(&create)
            .map_err(sql_error("create the schema table `_columns`"))?;

        let schema = load_schema(&conn)?;
        let rules = WriteRules::default();
        Ok(Self {
            conn,
            rules,
            schema,
        })
    }

    /// Writes records at clock time `now_ms` (milliseconds since the Unix epoch) and returns
    /// one outcome per record, in input order.
    ///
    /// Records are written in chunks of [`MAX_RECORDS_PER_WRITE`], one transaction per chunk,
    /// as a Timestream sink sends them. Each record is checked against the write rules, then
    /// against the table's schema, then upserted (see the module documentation). A failure of
    /// SQLite itself yields [`WriteOutcome::Retryable`] for the records it affects.
    pub fn write(&mut self, records: &[TimestreamRecord], now_ms: i64) -> Vec<WriteOutcome> {
        let mut outcomes = Vec::with_capacity(records.len());
        for chunk in records.chunks(MAX_RECORDS_PER_WRITE) {
            outcomes.extend(self.write_chunk(chunk, now_ms));
        }

        let written = outcomes
            .iter()
            .filter(|outcome| outcome.is_written())
            .count();
        tracing::debug!(
            records = records.len(),
            written,
            "embedded store write finished"
        );
        outcomes
    }

    /// The tables the store holds, ordered by name.
    pub fn tables(&self) -> Vec<String> {
        self.schema.tables().map(str::to_owned).collect()
    }

    /// How many points a table holds.
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownTable`] for a table no record has created, [`StoreError::Sql`]
    /// when SQLite fails.
    pub fn row_count(&self, table: &str) -> Result<u64, StoreError> {
        self.ensure_table(table)?;

        let sql = format!("SELECT COUNT(*) FROM {}", quote_ident(table));
        let count: i64 = self
            .conn
            .query_row(&sql, [], |row| row.get(0))
            .map_err(sql_error(format!("count the rows of table `{table}`")))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Every point of a table as a map from column name to value, ordered by time and series,
    /// for printing what was written. NULL columns and the `ts_time_ms` and `ts_series`
    /// helpers are left out; BOOLEAN measures come out as JSON booleans.
    ///
    /// # Errors
    ///
    /// As for [`EmbeddedStore::row_count`].
    pub fn dump(&self, table: &str) -> Result<Vec<BTreeMap<String, Json>>, StoreError> {
        self.ensure_table(table)?;

        let sql = format!(
            "SELECT * FROM {} ORDER BY {}, {}",
            quote_ident(table),
            quote_ident(TIME_COLUMN),
            quote_ident(SERIES_COLUMN),
        );
        let action = || format!("read the rows of table `{table}`");
        let mut statement = self.conn.prepare(&sql).map_err(sql_error(action()))?;
        let names: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();

        let rows = statement
            .query_map([], |row| self.dump_row(table, &names, row))
            .map_err(sql_error(action()))?;
        rows.collect::<Result<_, _>>().map_err(sql_error(action()))
    }

    fn dump_row(
        &self,
        table: &str,
        names: &[String],
        row: &Row<'_>,
    ) -> rusqlite::Result<BTreeMap<String, Json>> {
        let mut shown = BTreeMap::new();
        for (index, name) in names.iter().enumerate() {
            if name == TIME_MS_COLUMN || name == SERIES_COLUMN {
                continue;
            }
            let spec = self.schema.column(table, name);
            if let Some(value) = json_value(row.get(index)?, spec) {
                shown.insert(name.clone(), value);
            }
        }
        Ok(shown)
    }

    fn ensure_table(&self, table: &str) -> Result<(), StoreError> {
        if self.schema.has_table(table) {
            return Ok(());
        }
        Err(StoreError::UnknownTable {
            table: table.to_owned(),
        })
    }

    /// Writes one chunk in one transaction. When the commit fails, nothing of the chunk is
    /// stored: the schema learned during it is restored and every record that would have
    /// counted as written becomes retryable.
    fn write_chunk(&mut self, chunk: &[TimestreamRecord], now_ms: i64) -> Vec<WriteOutcome> {
        let schema_before = self.schema.clone();
        let mut tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(error) => return vec![sql_failure("begin a transaction", &error); chunk.len()],
        };

        let mut outcomes = Vec::with_capacity(chunk.len());
        for record in chunk {
            outcomes.push(write_one(
                &mut tx,
                &mut self.schema,
                &self.rules,
                record,
                now_ms,
            ));
        }

        if let Err(error) = tx.commit() {
            self.schema = schema_before;
            let failure = sql_failure("commit the transaction", &error);
            for outcome in outcomes.iter_mut().filter(|outcome| outcome.is_written()) {
                *outcome = failure.clone();
            }
        }
        outcomes
    }
}

/// Checks one record, then stores it within a savepoint, so a SQLite failure undoes exactly
/// this record's changes (and the columns it taught the schema).
fn write_one(
    tx: &mut Transaction<'_>,
    schema: &mut SchemaTracker,
    rules: &WriteRules,
    record: &TimestreamRecord,
    now_ms: i64,
) -> WriteOutcome {
    let (point, added) = match prepare(schema, rules, record, now_ms) {
        Ok(prepared) => prepared,
        Err(rejection) => return rejected(record, rejection),
    };

    let table_is_new = !schema.has_table(&record.table);
    schema.learn(&record.table, &added);
    match store_point(tx, schema, &point, &added, table_is_new) {
        Ok(outcome) => outcome,
        Err(error) => {
            schema.forget(&record.table, &added);
            let table = record.table.as_str();
            tracing::warn!(table, %error, "embedded store failed to write a record");
            sql_failure("write the record", &error)
        }
    }
}

/// Everything that can refuse a record, in order: Timestream's rules, SQLite's naming
/// limits, the schema. Returns the point to store and the columns it introduces.
fn prepare<'a>(
    schema: &SchemaTracker,
    rules: &WriteRules,
    record: &'a TimestreamRecord,
    now_ms: i64,
) -> Result<(Point<'a>, Vec<NewColumn>), Rejection> {
    rules::check(record, now_ms, rules)?;
    check_sqlite_names(schema, record)?;
    let point = Point::new(record)?;

    let added = schema.check(record)?;
    check_column_limit(schema, &record.table, added.len())?;
    Ok((point, added))
}

fn store_point(
    tx: &mut Transaction<'_>,
    schema: &SchemaTracker,
    point: &Point<'_>,
    added: &[NewColumn],
    table_is_new: bool,
) -> rusqlite::Result<WriteOutcome> {
    let savepoint = tx.savepoint()?;
    let table = &point.record.table;
    if table_is_new {
        create_table(&savepoint, table)?;
    }
    for column in added {
        add_column(&savepoint, table, column)?;
    }

    let outcome = upsert(&savepoint, schema, point)?;
    savepoint.commit()?;
    Ok(outcome)
}

fn upsert(
    conn: &Connection,
    schema: &SchemaTracker,
    point: &Point<'_>,
) -> rusqlite::Result<WriteOutcome> {
    match find_point(conn, point)? {
        None => {
            insert_point(conn, point)?;
            Ok(WriteOutcome::Written)
        }
        Some((row_id, stored_version)) if point.record.version > stored_version => {
            replace_point(conn, schema, point, row_id)?;
            Ok(WriteOutcome::Written)
        }
        Some((_, stored_version)) => Ok(WriteOutcome::AlreadyCurrent {
            existing_version: stored_version,
        }),
    }
}

/// The row id and version of the stored point with the same series, measure name and time.
fn find_point(conn: &Connection, point: &Point<'_>) -> rusqlite::Result<Option<(i64, i64)>> {
    let sql = format!(
        "SELECT rowid, {} FROM {} WHERE {} = ?1 AND {} = ?2 AND {} = ?3",
        quote_ident(VERSION_COLUMN),
        quote_ident(&point.record.table),
        quote_ident(SERIES_COLUMN),
        quote_ident(MEASURE_NAME_COLUMN),
        quote_ident(TIME_COLUMN),
    );
    let key = params![point.series, point.record.measure_name, point.time];
    let mut statement = conn.prepare_cached(&sql)?;
    statement
        .query_row(key, |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

fn insert_point(conn: &Connection, point: &Point<'_>) -> rusqlite::Result<()> {
    let record = point.record;
    let fixed = [
        (TIME_COLUMN, Value::Text(point.time.clone())),
        (TIME_MS_COLUMN, Value::Integer(point.time_ms)),
        (
            MEASURE_NAME_COLUMN,
            Value::Text(record.measure_name.clone()),
        ),
        (VERSION_COLUMN, Value::Integer(record.version)),
        (SERIES_COLUMN, Value::Text(point.series.clone())),
    ];
    let dimensions = record
        .dimensions
        .iter()
        .map(|d| (d.name.as_str(), Value::Text(d.value.clone())));
    let measures = point
        .measures
        .iter()
        .map(|(name, value)| (*name, value.clone()));
    let (names, values): (Vec<&str>, Vec<Value>) =
        fixed.into_iter().chain(dimensions).chain(measures).unzip();

    let columns: Vec<String> = names.iter().map(|name| quote_ident(name)).collect();
    let placeholders = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({placeholders})",
        quote_ident(&record.table),
        columns.join(", "),
    );
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values))?;
    Ok(())
}

/// Overwrites the version and every measure column of the table: measures the record does
/// not carry become NULL, as a newer Timestream version replaces the whole point.
fn replace_point(
    conn: &Connection,
    schema: &SchemaTracker,
    point: &Point<'_>,
    row_id: i64,
) -> rusqlite::Result<()> {
    let table = &point.record.table;
    let measures: Vec<&str> = schema
        .columns(table)
        .filter(|(_, spec)| spec.kind == ColumnKind::Measure)
        .map(|(name, _)| name)
        .collect();

    let mut assignments = vec![format!("{} = ?", quote_ident(VERSION_COLUMN))];
    let mut values = vec![Value::Integer(point.record.version)];
    for name in measures {
        assignments.push(format!("{} = ?", quote_ident(name)));
        values.push(point.measures.get(name).cloned().unwrap_or(Value::Null));
    }
    values.push(Value::Integer(row_id));

    let sql = format!(
        "UPDATE {} SET {} WHERE rowid = ?",
        quote_ident(table),
        assignments.join(", ")
    );
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values))?;
    Ok(())
}

fn create_table(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {table} (
            {time} TEXT NOT NULL,
            {time_ms} INTEGER NOT NULL,
            {measure_name} TEXT NOT NULL,
            {version} INTEGER NOT NULL,
            {series} TEXT NOT NULL,
            UNIQUE ({series}, {measure_name}, {time})
        )",
        table = quote_ident(table),
        time = quote_ident(TIME_COLUMN),
        time_ms = quote_ident(TIME_MS_COLUMN),
        measure_name = quote_ident(MEASURE_NAME_COLUMN),
        version = quote_ident(VERSION_COLUMN),
        series = quote_ident(SERIES_COLUMN),
    );
    conn.execute_batch(&sql)?;
    tracing::debug!(table, "embedded store created a table");
    Ok(())
}

/// Adds the column to the SQLite table and records it in `_columns`.
fn add_column(conn: &Connection, table: &str, column: &NewColumn) -> rusqlite::Result<()> {
    let sql = format!(
        "ALTER TABLE {} ADD COLUMN {} {}",
        quote_ident(table),
        quote_ident(&column.name),
        sqlite_type(column.spec),
    );
    conn.execute_batch(&sql)?;

    let insert = format!(
        "INSERT INTO {COLUMNS_TABLE} (table_name, column_name, kind, type) VALUES (?1, ?2, ?3, ?4)"
    );
    let kind = column.spec.kind.as_str();
    let column_type = column.spec.column_type.as_str();
    conn.prepare_cached(&insert)?
        .execute(params![table, column.name, kind, column_type])?;

    let column = column.name.as_str();
    tracing::debug!(
        table,
        column,
        kind,
        column_type,
        "embedded store added a column"
    );
    Ok(())
}

/// The SQLite column type for a Timestream column.
fn sqlite_type(spec: ColumnSpec) -> &'static str {
    match spec.column_type {
        ColumnType::Varchar | ColumnType::Timestamp => "TEXT",
        ColumnType::Bigint | ColumnType::Boolean => "INTEGER",
        ColumnType::Double => "REAL",
    }
}

/// Refuses a file that is not a SQLite database, or one without the `_columns` table.
fn check_is_store(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
    let found = conn.query_row(sql, [COLUMNS_TABLE], |row| row.get::<_, i64>(0));
    let not_a_store = |reason| StoreError::NotAStore {
        path: path.to_path_buf(),
        reason,
    };
    match found {
        Ok(0) => Err(not_a_store("it has no `_columns` table")),
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(not_a_store("it is not a SQLite database"))
        }
        Err(source) => Err(sql_error("look for the schema table `_columns`")(source)),
    }
}

/// Refuses a file that is not a SQLite database, or a database with tables that is not a
/// store. An empty database (or a new file) becomes a store.
fn check_may_become_store(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let sql = "SELECT COUNT(*), COUNT(*) FILTER (WHERE name = ?1) FROM sqlite_master \
               WHERE type = 'table'";
    let counts = conn.query_row(sql, [COLUMNS_TABLE], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
    });
    let not_a_store = |reason| StoreError::NotAStore {
        path: path.to_path_buf(),
        reason,
    };
    match counts {
        Ok((tables, 0)) if tables > 0 => Err(not_a_store(
            "it is a SQLite database with tables of its own and no `_columns` table",
        )),
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(not_a_store("it is not a SQLite database"))
        }
        Err(source) => Err(sql_error("look for the schema table `_columns`")(source)),
    }
}

fn load_schema(conn: &Connection) -> Result<SchemaTracker, StoreError> {
    let action = "read the schema table `_columns`";
    let sql =
        format!("SELECT table_name, column_name, kind, type FROM {COLUMNS_TABLE} ORDER BY rowid");
    let mut statement = conn.prepare(&sql).map_err(sql_error(action))?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .map_err(sql_error(action))?;

    let mut schema = SchemaTracker::new();
    for row in rows {
        let (table, column, kind, column_type): (String, String, String, String) =
            row.map_err(sql_error(action))?;
        let spec = match (kind.parse(), column_type.parse()) {
            (Ok(kind), Ok(column_type)) => ColumnSpec { kind, column_type },
            _ => {
                return Err(StoreError::CorruptSchema {
                    table,
                    column,
                    kind,
                    column_type,
                });
            }
        };
        schema.learn(&table, &[NewColumn { name: column, spec }]);
    }
    Ok(schema)
}

/// Refuses names SQLite cannot hold next to the existing ones (see the module documentation).
fn check_sqlite_names(schema: &SchemaTracker, record: &TimestreamRecord) -> Result<(), Rejection> {
    check_sqlite_table_name(schema, &record.table)?;

    let table = &record.table;
    let mut by_folded: HashMap<String, &str> = schema
        .columns(table)
        .map(|(name, _)| (name.to_ascii_lowercase(), name))
        .collect();
    let names = record.dimensions.iter().map(|d| d.name.as_str());
    for name in names.chain(record.measures.iter().map(|m| m.name.as_str())) {
        match by_folded.entry(name.to_ascii_lowercase()) {
            Entry::Occupied(known) if *known.get() != name => {
                let known = known.get();
                return Err(store_limit(format!(
                    "column `{name}` differs from column `{known}` of table `{table}` only in \
                     letter case, which the embedded store (SQLite) cannot tell apart"
                )));
            }
            Entry::Occupied(_) => {}
            Entry::Vacant(slot) => {
                slot.insert(name);
            }
        }
    }
    Ok(())
}

fn check_sqlite_table_name(schema: &SchemaTracker, table: &str) -> Result<(), Rejection> {
    let folded = table.to_ascii_lowercase();
    if folded == COLUMNS_TABLE || folded.starts_with("sqlite_") {
        return Err(store_limit(format!(
            "table name `{table}` is reserved in the embedded store (SQLite keeps `sqlite_...` \
             tables, the store keeps its schema in `_columns`)"
        )));
    }

    let mut known = schema.tables();
    if let Some(other) = known.find(|other| *other != table && other.eq_ignore_ascii_case(table)) {
        return Err(store_limit(format!(
            "table `{table}` differs from table `{other}` only in letter case, which the \
             embedded store (SQLite) cannot tell apart"
        )));
    }
    Ok(())
}

fn check_column_limit(schema: &SchemaTracker, table: &str, adding: usize) -> Result<(), Rejection> {
    let total = FIXED_COLUMNS + schema.columns(table).count() + adding;
    if total > MAX_SQLITE_COLUMNS {
        return Err(store_limit(format!(
            "table `{table}` would have {total} columns; the embedded store (SQLite) holds at \
             most {MAX_SQLITE_COLUMNS}"
        )));
    }
    Ok(())
}

/// A record ready to store: its key and its values as SQLite values.
struct Point<'a> {
    record: &'a TimestreamRecord,
    /// The time in Timestream's display format; part of the key.
    time: String,
    time_ms: i64,
    /// The series key; part of the key.
    series: String,
    /// Measure name to value, ordered by name.
    measures: BTreeMap<&'a str, Value>,
}

impl<'a> Point<'a> {
    fn new(record: &'a TimestreamRecord) -> Result<Self, Rejection> {
        let nanos = rules::record_time_nanos(record);
        let time = display_time(nanos).ok_or_else(|| {
            let message = format!("record time {nanos} ns is beyond year 9999");
            Rejection::new(RejectReason::InvalidRecord, message)
        })?;
        let time_ms = i64::try_from(nanos.div_euclid(1_000_000)).unwrap_or(i64::MAX);

        let measures = record
            .measures
            .iter()
            .map(|measure| Ok((measure.name.as_str(), measure_value(measure)?)))
            .collect::<Result<_, Rejection>>()?;
        Ok(Self {
            record,
            time,
            time_ms,
            series: series_key(&record.dimensions),
            measures,
        })
    }
}

/// The dimensions as a JSON object with keys in byte order: the same text for the same set
/// of dimensions, whatever order the record lists them in.
fn series_key(dimensions: &[Dimension]) -> String {
    let sorted: BTreeMap<&str, &str> = dimensions
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

fn measure_value(measure: &Measure) -> Result<Value, Rejection> {
    let value = match &measure.value {
        MeasureValue::Varchar(text) => Value::Text(text.clone()),
        MeasureValue::Bigint(number) => Value::Integer(*number),
        MeasureValue::Double(number) => Value::Real(*number),
        MeasureValue::Boolean(flag) => Value::Integer(i64::from(*flag)),
        MeasureValue::Timestamp(ms) => {
            let text = display_time(i128::from(*ms) * 1_000_000).ok_or_else(|| {
                let name = &measure.name;
                let message = format!("TIMESTAMP measure `{name}` ({ms} ms) is beyond year 9999");
                Rejection::new(RejectReason::InvalidRecord, message)
            })?;
            Value::Text(text)
        }
    };
    Ok(value)
}

/// Formats nanoseconds since the Unix epoch in Timestream's display format, if the instant
/// lies within years -9999 to 9999.
fn display_time(nanos: i128) -> Option<String> {
    let instant = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    instant.format(DISPLAY_TIME).ok()
}

/// A stored value as JSON for [`EmbeddedStore::dump`]; `None` for NULL.
fn json_value(value: Value, spec: Option<ColumnSpec>) -> Option<Json> {
    let is_boolean = spec.is_some_and(|spec| spec.column_type == ColumnType::Boolean);
    match value {
        Value::Null => None,
        Value::Integer(number) if is_boolean => Some(Json::Bool(number != 0)),
        Value::Integer(number) => Some(Json::from(number)),
        Value::Real(number) => Some(Json::from(number)),
        Value::Text(text) => Some(Json::String(text)),
        Value::Blob(bytes) => Some(Json::from(bytes)),
    }
}

/// Quotes an SQL identifier, doubling embedded quotes.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn rejected(record: &TimestreamRecord, rejection: Rejection) -> WriteOutcome {
    tracing::debug!(
        table = %record.table,
        reason = rejection.reason.as_str(),
        message = %rejection.message,
        "embedded store rejected a record"
    );
    WriteOutcome::Rejected(rejection)
}

fn store_limit(message: String) -> Rejection {
    Rejection::new(RejectReason::Other, message)
}

/// The one place that decides what a SQLite failure during a write means: retryable. The
/// records were already checked against every rule, so what is left is the file (locked by
/// another process, disk full, I/O error), which may pass.
fn sql_failure(action: &str, error: &rusqlite::Error) -> WriteOutcome {
    WriteOutcome::Retryable {
        reason: format!("the embedded store failed to {action}: {error}"),
    }
}

fn sql_error(action: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let action = action.into();
    move |source| StoreError::Sql { action, source }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::contract::TimeUnit;

    /// 2025-06-01T12:00:00Z.
    const NOW_MS: i64 = 1_748_779_200_000;
    const AGENT: &str = "arn:aws:connect:eu-west-2:111122223333:instance/i-1/agent/a-1";

    fn varchar(name: &str, value: &str) -> Measure {
        Measure {
            name: name.to_owned(),
            value: MeasureValue::Varchar(value.to_owned()),
        }
    }

    fn measure(name: &str, value: MeasureValue) -> Measure {
        Measure {
            name: name.to_owned(),
            value,
        }
    }

    fn agent_event(version: i64, measures: Vec<Measure>) -> TimestreamRecord {
        TimestreamRecord {
            table: "AgentEvent".to_owned(),
            dimensions: vec![Dimension {
                name: "AgentARN".to_owned(),
                value: AGENT.to_owned(),
            }],
            measure_name: "AgentEvent".to_owned(),
            measures,
            time: NOW_MS,
            time_unit: TimeUnit::Milliseconds,
            version,
        }
    }

    fn login(version: i64) -> TimestreamRecord {
        agent_event(
            version,
            vec![
                varchar("EventType", "LOGIN"),
                measure("_X_OnContact", MeasureValue::Boolean(false)),
                measure("_X_AvailableVoiceSlots", MeasureValue::Bigint(1)),
            ],
        )
    }

    fn store() -> EmbeddedStore {
        EmbeddedStore::open_in_memory().unwrap()
    }

    fn row(value: Json) -> BTreeMap<String, Json> {
        serde_json::from_value(value).unwrap()
    }

    fn login_row(version: i64) -> BTreeMap<String, Json> {
        row(json!({
            "time": "2025-06-01 12:00:00.000000000",
            "measure_name": "AgentEvent",
            "ts_version": version,
            "AgentARN": AGENT,
            "EventType": "LOGIN",
            "_X_OnContact": false,
            "_X_AvailableVoiceSlots": 1,
        }))
    }

    fn rejection_of(outcome: &WriteOutcome) -> (RejectReason, &str) {
        match outcome {
            WriteOutcome::Rejected(rejection) => (rejection.reason, rejection.message.as_str()),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn new_point_is_inserted_as_written() {
        let mut store = store();
        assert_eq!(
            store.write(&[login(1)], NOW_MS),
            vec![WriteOutcome::Written]
        );
        assert_eq!(store.dump("AgentEvent").unwrap(), vec![login_row(1)]);
        assert_eq!(store.tables(), vec!["AgentEvent".to_owned()]);
    }

    #[test]
    fn repeating_a_record_is_already_current_and_leaves_the_row_unchanged() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        assert_eq!(
            store.write(&[login(1)], NOW_MS),
            vec![WriteOutcome::AlreadyCurrent {
                existing_version: 1
            }],
        );
        assert_eq!(store.dump("AgentEvent").unwrap(), vec![login_row(1)]);
    }

    #[test]
    fn same_point_twice_in_one_call_is_written_then_already_current() {
        let mut store = store();
        assert_eq!(
            store.write(&[login(1), login(1)], NOW_MS),
            vec![
                WriteOutcome::Written,
                WriteOutcome::AlreadyCurrent {
                    existing_version: 1
                }
            ],
        );
        assert_eq!(store.row_count("AgentEvent").unwrap(), 1);
    }

    #[test]
    fn same_values_with_a_higher_version_only_raise_the_version() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        assert_eq!(
            store.write(&[login(3)], NOW_MS),
            vec![WriteOutcome::Written]
        );
        assert_eq!(store.dump("AgentEvent").unwrap(), vec![login_row(3)]);
    }

    #[test]
    fn higher_version_with_other_values_replaces_every_measure() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        let logout = agent_event(2, vec![varchar("EventType", "LOGOUT")]);
        assert_eq!(store.write(&[logout], NOW_MS), vec![WriteOutcome::Written]);
        assert_eq!(
            store.dump("AgentEvent").unwrap(),
            vec![row(json!({
                "time": "2025-06-01 12:00:00.000000000",
                "measure_name": "AgentEvent",
                "ts_version": 2,
                "AgentARN": AGENT,
                "EventType": "LOGOUT",
            }))],
        );
    }

    #[test]
    fn lower_or_equal_version_with_other_values_leaves_the_stored_point() {
        let mut store = store();
        store.write(&[login(5)], NOW_MS);
        let older = agent_event(4, vec![varchar("EventType", "LOGOUT")]);
        let same = agent_event(5, vec![varchar("EventType", "HEART_BEAT")]);
        assert_eq!(
            store.write(&[older, same], NOW_MS),
            vec![
                WriteOutcome::AlreadyCurrent {
                    existing_version: 5
                },
                WriteOutcome::AlreadyCurrent {
                    existing_version: 5
                },
            ],
        );
        assert_eq!(store.dump("AgentEvent").unwrap(), vec![login_row(5)]);
    }

    #[test]
    fn dimensions_in_another_order_address_the_same_point() {
        let dimension = |name: &str, value: &str| Dimension {
            name: name.to_owned(),
            value: value.to_owned(),
        };
        let mut first = login(1);
        first
            .dimensions
            .push(dimension("InstanceARN", "arn:instance"));
        let mut reordered = login(2);
        reordered.dimensions = vec![
            dimension("InstanceARN", "arn:instance"),
            first.dimensions[0].clone(),
        ];

        let mut store = store();
        assert_eq!(
            store.write(&[first, reordered], NOW_MS),
            vec![WriteOutcome::Written, WriteOutcome::Written],
        );
        assert_eq!(store.row_count("AgentEvent").unwrap(), 1);
    }

    #[test]
    fn points_a_microsecond_apart_are_separate_rows() {
        let at_micros = |micros| TimestreamRecord {
            time: micros,
            time_unit: TimeUnit::Microseconds,
            ..login(1)
        };
        let mut store = store();
        let outcomes = store.write(
            &[at_micros(NOW_MS * 1000), at_micros(NOW_MS * 1000 + 1)],
            NOW_MS,
        );
        assert_eq!(outcomes, vec![WriteOutcome::Written, WriteOutcome::Written]);

        let times: Vec<(String, i64)> = store
            .connection()
            .prepare(r#"SELECT "time", "ts_time_ms" FROM "AgentEvent" ORDER BY "time""#)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            times,
            vec![
                ("2025-06-01 12:00:00.000000000".to_owned(), NOW_MS),
                ("2025-06-01 12:00:00.000001000".to_owned(), NOW_MS),
            ],
        );
    }

    fn slots(value: MeasureValue) -> TimestreamRecord {
        agent_event(1, vec![measure("Slots", value)])
    }

    const SLOTS_CONFLICT: &str = "column `Slots` of table `AgentEvent` is a BIGINT measure; this \
                                  record writes it as a DOUBLE measure, and a column keeps one \
                                  kind and type";

    #[test]
    fn type_conflict_across_two_writes_is_rejected() {
        let mut store = store();
        store.write(&[slots(MeasureValue::Bigint(2))], NOW_MS);
        let outcomes = store.write(&[slots(MeasureValue::Double(2.5))], NOW_MS);
        assert_eq!(
            rejection_of(&outcomes[0]),
            (RejectReason::SchemaConflict, SLOTS_CONFLICT)
        );
    }

    #[test]
    fn type_conflict_is_still_rejected_after_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect-rt.sqlite");
        let mut first = EmbeddedStore::open(&path).unwrap();
        assert_eq!(
            first.write(&[slots(MeasureValue::Bigint(2))], NOW_MS),
            vec![WriteOutcome::Written]
        );
        drop(first);

        let mut reopened = EmbeddedStore::open(&path).unwrap();
        let later = TimestreamRecord {
            time: NOW_MS + 1000,
            ..slots(MeasureValue::Bigint(3))
        };
        let outcomes = reopened.write(&[slots(MeasureValue::Double(2.5)), later], NOW_MS);
        assert_eq!(
            rejection_of(&outcomes[0]),
            (RejectReason::SchemaConflict, SLOTS_CONFLICT)
        );
        assert_eq!(outcomes[1], WriteOutcome::Written);
        assert_eq!(reopened.row_count("AgentEvent").unwrap(), 2);
    }

    #[test]
    fn a_dimension_written_as_a_measure_is_a_schema_conflict() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        let mut swapped = agent_event(1, vec![varchar("AgentARN", AGENT)]);
        swapped.dimensions[0].name = "InstanceARN".to_owned();
        let outcomes = store.write(&[swapped], NOW_MS);
        assert_eq!(rejection_of(&outcomes[0]).0, RejectReason::SchemaConflict);
    }

    /// 250 records, one agent each, all at `NOW_MS`.
    fn many_agents(count: usize) -> Vec<TimestreamRecord> {
        (0..count)
            .map(|i| {
                let mut record = login(1);
                record.dimensions[0].value = format!("{AGENT}-{i}");
                record
            })
            .collect()
    }

    #[test]
    fn a_call_with_250_records_writes_them_all_in_order() {
        let mut store = store();
        let outcomes = store.write(&many_agents(250), NOW_MS);
        assert_eq!(outcomes, vec![WriteOutcome::Written; 250]);
        assert_eq!(store.row_count("AgentEvent").unwrap(), 250);
    }

    #[test]
    fn a_rejected_record_in_a_later_chunk_spares_its_neighbours() {
        let mut records = many_agents(250);
        records[150].measures = vec![varchar("EventType", "")];
        let mut store = store();
        let outcomes = store.write(&records, NOW_MS);

        assert_eq!(rejection_of(&outcomes[150]).0, RejectReason::InvalidRecord);
        let written = outcomes
            .iter()
            .filter(|outcome| **outcome == WriteOutcome::Written);
        assert_eq!(written.count(), 249);
        assert_eq!(store.row_count("AgentEvent").unwrap(), 249);
    }

    #[test]
    fn columns_are_queryable_with_plain_sql() {
        let mut store = store();
        let record = agent_event(
            1,
            vec![
                varchar("EventType", "STATE_CHANGE"),
                measure("_X_OnContact", MeasureValue::Boolean(true)),
                measure("_X_AvailableChatSlots", MeasureValue::Bigint(2)),
                measure("Score", MeasureValue::Double(0.25)),
                measure("StartedAt", MeasureValue::Timestamp(NOW_MS - 1500)),
            ],
        );
        store.write(&[record], NOW_MS);

        let sql = r#"SELECT "EventType", "_X_OnContact", "_X_AvailableChatSlots", "Score",
                            "StartedAt", "time", "measure_name", "AgentARN"
                     FROM "AgentEvent""#;
        let selected = store
            .connection()
            .query_row(sql, [], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, f64>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                ))
            })
            .unwrap();
        assert_eq!(
            selected,
            (
                "STATE_CHANGE".to_owned(),
                1,
                2,
                0.25,
                "2025-06-01 11:59:58.500000000".to_owned(),
                "2025-06-01 12:00:00.000000000".to_owned(),
                "AgentEvent".to_owned(),
                AGENT.to_owned(),
            ),
        );
    }

    #[test]
    fn sqlite_column_types_follow_the_timestream_types() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        let columns: Vec<(String, String)> = store
            .connection()
            .prepare(r#"SELECT name, type FROM pragma_table_info('AgentEvent') ORDER BY cid"#)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [
            ("time", "TEXT"),
            ("ts_time_ms", "INTEGER"),
            ("measure_name", "TEXT"),
            ("ts_version", "INTEGER"),
            ("ts_series", "TEXT"),
            ("AgentARN", "TEXT"),
            ("EventType", "TEXT"),
            ("_X_OnContact", "INTEGER"),
            ("_X_AvailableVoiceSlots", "INTEGER"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect();
        assert_eq!(columns, expected);
    }

    #[test]
    fn records_breaking_a_write_rule_are_rejected_and_not_stored() {
        let mut store = store();
        let empty = agent_event(1, vec![varchar("EventType", "")]);
        let stale = TimestreamRecord {
            time: NOW_MS - 26 * 3_600_000,
            ..login(1)
        };
        let outcomes = store.write(&[empty, stale], NOW_MS);

        assert_eq!(rejection_of(&outcomes[0]).0, RejectReason::InvalidRecord);
        assert_eq!(
            rejection_of(&outcomes[1]).0,
            RejectReason::OutsideWriteWindow
        );
        assert_eq!(store.tables(), Vec::<String>::new());
        assert!(matches!(
            store.row_count("AgentEvent"),
            Err(StoreError::UnknownTable { table }) if table == "AgentEvent"
        ));
    }

    #[test]
    fn configured_rules_apply_to_writes() {
        let rules = WriteRules {
            memory_retention: Duration::from_secs(3600),
            ..WriteRules::default()
        };
        let mut store = store().with_rules(rules);
        let two_hours_old = TimestreamRecord {
            time: NOW_MS - 2 * 3_600_000,
            ..login(1)
        };
        let outcomes = store.write(&[two_hours_old], NOW_MS);
        assert_eq!(
            rejection_of(&outcomes[0]).0,
            RejectReason::OutsideWriteWindow
        );
    }

    #[test]
    fn columns_differing_only_in_letter_case_are_refused() {
        let mut store = store();
        store.write(
            &[agent_event(1, vec![varchar("State", "CONNECTED")])],
            NOW_MS,
        );
        let outcomes = store.write(&[agent_event(1, vec![varchar("state", "MISSED")])], NOW_MS);
        assert_eq!(
            rejection_of(&outcomes[0]),
            (
                RejectReason::Other,
                "column `state` differs from column `State` of table `AgentEvent` only in letter \
                 case, which the embedded store (SQLite) cannot tell apart"
            ),
        );
    }

    #[test]
    fn tables_differing_only_in_letter_case_are_refused() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        let other = TimestreamRecord {
            table: "agentevent".to_owned(),
            ..login(1)
        };
        let outcomes = store.write(&[other], NOW_MS);
        assert_eq!(
            rejection_of(&outcomes[0]),
            (
                RejectReason::Other,
                "table `agentevent` differs from table `AgentEvent` only in letter case, which \
                 the embedded store (SQLite) cannot tell apart"
            ),
        );
    }

    #[test]
    fn the_schema_table_name_is_refused_as_a_table() {
        let mut store = store();
        let record = TimestreamRecord {
            table: "_columns".to_owned(),
            ..login(1)
        };
        let outcomes = store.write(&[record], NOW_MS);
        assert_eq!(rejection_of(&outcomes[0]).0, RejectReason::Other);
    }

    #[test]
    fn a_measure_named_version_does_not_collide_with_the_helper_columns() {
        let mut store = store();
        let record = agent_event(7, vec![varchar("Version", "2017-10-01")]);
        assert_eq!(store.write(&[record], NOW_MS), vec![WriteOutcome::Written]);
        let dumped = store.dump("AgentEvent").unwrap();
        assert_eq!(dumped[0]["Version"], json!("2017-10-01"));
        assert_eq!(dumped[0]["ts_version"], json!(7));
    }

    #[test]
    fn a_sqlite_failure_is_retryable_and_unlearns_the_record_columns() {
        let mut store = store();
        store.write(&[login(1)], NOW_MS);
        store
            .connection()
            .execute_batch(r#"DROP TABLE "AgentEvent""#)
            .unwrap();

        let extra = agent_event(1, vec![varchar("Extra", "x")]);
        let outcomes = store.write(&[extra], NOW_MS);
        assert_eq!(
            outcomes,
            vec![WriteOutcome::Retryable {
                reason: "the embedded store failed to write the record: no such table: AgentEvent"
                    .to_owned()
            }],
        );
        assert_eq!(store.schema().column("AgentEvent", "Extra"), None);
        let persisted: i64 = store
            .connection()
            .query_row(
                "SELECT COUNT(*) FROM _columns WHERE column_name = 'Extra'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(persisted, 0);
    }

    #[test]
    fn a_corrupt_schema_table_fails_to_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corrupt.sqlite");
        let mut store = EmbeddedStore::open(&path).unwrap();
        store.write(&[login(1)], NOW_MS);
        store
            .connection()
            .execute(
                "UPDATE _columns SET type = 'INT' WHERE column_name = '_X_AvailableVoiceSlots'",
                [],
            )
            .unwrap();
        drop(store);

        let error = EmbeddedStore::open(&path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`_columns` lists column `_X_AvailableVoiceSlots` of table `AgentEvent` as kind \
             `measure` and type `INT`, which the embedded store does not know",
        );
    }

    #[test]
    fn time_is_shown_in_timestream_display_format() {
        assert_eq!(
            display_time(1_748_779_200_123_456_789),
            Some("2025-06-01 12:00:00.123456789".to_owned())
        );
        assert_eq!(
            display_time(0),
            Some("1970-01-01 00:00:00.000000000".to_owned())
        );
    }

    #[test]
    fn series_key_is_the_sorted_dimensions_as_json() {
        let dimension = |name: &str, value: &str| Dimension {
            name: name.to_owned(),
            value: value.to_owned(),
        };
        let dimensions = [dimension("b", "2"), dimension("a", "say \"hi\"")];
        assert_eq!(series_key(&dimensions), r#"{"a":"say \"hi\"","b":"2"}"#);
    }

    /// A fresh-user trial found `replay --store other.db` adding store tables to a database
    /// that was not a store.
    #[test]
    fn open_refuses_a_database_of_someone_else_and_leaves_it_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER);").unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();

        let error = EmbeddedStore::open(&path).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "{} is not a connect-rt store (it is a SQLite database with tables of its own \
                 and no `_columns` table)",
                path.display()
            )
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn open_refuses_a_file_that_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(
            &path,
            "not a database, just some text that is long enough\n".repeat(4),
        )
        .unwrap();

        let error = EmbeddedStore::open(&path).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "{} is not a connect-rt store (it is not a SQLite database)",
                path.display()
            )
        );
    }

    #[test]
    fn open_makes_an_empty_file_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.db");
        std::fs::write(&path, b"").unwrap();

        let store = EmbeddedStore::open(&path).unwrap();

        assert!(store.tables().is_empty());
        drop(store);
        assert!(EmbeddedStore::open_read_only(&path).is_ok());
    }
}
