//! The Amazon Timestream sink: writes validated records with `WriteRecords` and reports one
//! [`WriteOutcome`] per record.
//!
//! A batch is grouped by physical table and cut into requests of at most
//! [`MAX_RECORDS_PER_WRITE`] records. Each request sends the dimensions and time unit that all
//! of its records share once, as `CommonAttributes`, and every record as a `MULTI` measure
//! record with its `Version`. Requests run concurrently up to
//! [`TimestreamSettings::max_concurrent_writes`].
//!
//! Failure policy, decided here and nowhere else:
//!
//! - `ThrottlingException`, `InternalServerException`, `InvalidEndpointException`, any other
//!   5xx, timeouts and connection errors are retried with full-jitter exponential backoff;
//!   what is still unwritten when the next wait would pass the deadline is
//!   [`WriteOutcome::Retryable`].
//! - `RejectedRecordsException`: a version conflict where Timestream's `ExistingVersion` is
//!   at least ours is [`WriteOutcome::AlreadyCurrent`] (a replay is idempotent); any other
//!   rejected record is [`WriteOutcome::Rejected`], never retried; the request's other
//!   records are [`WriteOutcome::Written`].
//! - `ValidationException`: every record of the request is [`WriteOutcome::Rejected`].
//! - `AccessDeniedException`, `ResourceNotFoundException` and other 4xx need a deployment
//!   fix: [`WriteOutcome::Retryable`] without retrying now, logged at ERROR once per batch.
//!
//! The SDK's own retries are turned off (see [`timestream_client`]) so that attempts are
//! counted and bounded by the invocation's deadline in one place.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_sdk_timestreamwrite::Client;
use aws_sdk_timestreamwrite::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_timestreamwrite::operation::write_records::WriteRecordsError;
use aws_sdk_timestreamwrite::types as wire;
use futures_util::StreamExt;
use tokio::task::JoinHandle;

use crate::contract::{MeasureValue, TimeUnit, TimestreamRecord};
use crate::pipeline::RecordSink;
use crate::records::MAX_RECORDS_PER_WRITE;
use crate::store::{RejectReason, Rejection, WriteOutcome};

/// The longest pause between two attempts of one request, whatever the attempt number.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Where the sink writes and how hard it tries.
#[derive(Debug, Clone, PartialEq)]
pub struct TimestreamSettings {
    /// The Timestream database every table lives in.
    pub database: String,
    /// Logical table name (what a transform emits) → physical table. A name not listed is
    /// written to the table of the same name.
    pub tables: BTreeMap<String, String>,
    /// A fixed endpoint (e.g. a VPC endpoint or a local stand-in) instead of endpoint
    /// discovery.
    pub endpoint_override: Option<String>,
    /// How many `WriteRecords` requests may be in flight at once (default 4).
    pub max_concurrent_writes: usize,
    /// The first retry waits up to this long; each further retry doubles the ceiling, up to
    /// 2 s (full jitter: the actual wait is random below the ceiling).
    pub retry_base: Duration,
}

impl Default for TimestreamSettings {
    /// No database (set one: [`TimestreamSettings::validate`] refuses an empty name), no
    /// table mapping, endpoint discovery, and the default concurrency and retry base.
    fn default() -> Self {
        Self::new("")
    }
}

impl TimestreamSettings {
    /// Default for [`TimestreamSettings::max_concurrent_writes`].
    pub const DEFAULT_MAX_CONCURRENT_WRITES: usize = 4;
    /// Default for [`TimestreamSettings::retry_base`].
    pub const DEFAULT_RETRY_BASE: Duration = Duration::from_millis(50);

    /// Settings for `database` with no table mapping, discovery, and the defaults.
    pub fn new(database: impl Into<String>) -> Self {
        Self {
            database: database.into(),
            tables: BTreeMap::new(),
            endpoint_override: None,
            max_concurrent_writes: Self::DEFAULT_MAX_CONCURRENT_WRITES,
            retry_base: Self::DEFAULT_RETRY_BASE,
        }
    }

    /// The physical table for a logical table name.
    pub fn physical_table<'a>(&'a self, logical: &'a str) -> &'a str {
        self.tables.get(logical).map_or(logical, String::as_str)
    }

    /// Checks the settings before any client is built.
    ///
    /// # Errors
    ///
    /// [`SinkError::Settings`] for an empty database name, a zero concurrency or an empty
    /// physical table name.
    pub fn validate(&self) -> Result<(), SinkError> {
        if self.database.is_empty() {
            return Err(SinkError::Settings("the database name is empty".into()));
        }
        if self.max_concurrent_writes == 0 {
            return Err(SinkError::Settings(
                "max_concurrent_writes must be at least 1".into(),
            ));
        }
        if let Some((logical, _)) = self.tables.iter().find(|(_, physical)| physical.is_empty()) {
            return Err(SinkError::Settings(format!(
                "table {logical} maps to an empty name"
            )));
        }
        Ok(())
    }
}

/// Why the sink could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("invalid Timestream settings: {0}")]
    Settings(String),
    #[error("failed to discover the Timestream ingest endpoint: {0}")]
    Discovery(String),
}

/// Builds the Timestream Write client for `sdk`: with endpoint discovery, or with a fixed
/// endpoint when `endpoint_override` is set.
///
/// Timestream Write requires endpoint discovery: the SDK's discovery client calls
/// `DescribeEndpoints` (at the endpoint `sdk` resolves to) once here, and then whenever the
/// cached address expires, from a refresh task this function spawns; the returned handle
/// owns that task. The discovery client always dials `https://` + the discovered address,
/// so it cannot reach a plain-HTTP endpoint; with an override the plain client is used and
/// no discovery happens.
///
/// The SDK's retries are disabled on this client (one attempt per call): [`TimestreamSink`]
/// retries itself, under the invocation's deadline, and the two would multiply.
///
/// # Errors
///
/// [`SinkError::Discovery`] when `DescribeEndpoints` fails.
pub async fn timestream_client(
    sdk: &SdkConfig,
    endpoint_override: Option<&str>,
) -> Result<(Client, Option<JoinHandle<()>>), SinkError> {
    let config =
        aws_sdk_timestreamwrite::config::Builder::from(sdk).retry_config(RetryConfig::disabled());

    if let Some(endpoint) = endpoint_override {
        return Ok((
            Client::from_conf(config.endpoint_url(endpoint).build()),
            None,
        ));
    }

    let (client, reloader) = Client::from_conf(config.build())
        .with_endpoint_discovery_enabled()
        .await
        .map_err(|error| SinkError::Discovery(error_chain(error.as_ref())))?;
    let refresh = tokio::spawn(reloader.reload_task());
    Ok((client, Some(refresh)))
}

/// An error and its sources, joined with ": " (the SDK's top-level texts say little alone).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Writes records to Amazon Timestream. See the [module docs](self) for the failure policy.
pub struct TimestreamSink {
    client: Client,
    settings: TimestreamSettings,
    /// The endpoint-discovery refresh task, stopped with the sink.
    refresh: Option<JoinHandle<()>>,
}

impl Drop for TimestreamSink {
    fn drop(&mut self) {
        if let Some(task) = &self.refresh {
            task.abort();
        }
    }
}

impl TimestreamSink {
    /// Validates `settings` and builds the client (see [`timestream_client`]).
    ///
    /// # Errors
    ///
    /// [`SinkError::Settings`] for invalid settings, [`SinkError::Discovery`] when endpoint
    /// discovery fails.
    pub async fn new(sdk: &SdkConfig, settings: TimestreamSettings) -> Result<Self, SinkError> {
        settings.validate()?;
        let (client, refresh) =
            timestream_client(sdk, settings.endpoint_override.as_deref()).await?;
        Ok(Self {
            client,
            settings,
            refresh,
        })
    }

    /// The settings this sink writes with.
    pub fn settings(&self) -> &TimestreamSettings {
        &self.settings
    }

    async fn write_all(
        &self,
        records: Vec<TimestreamRecord>,
        deadline: Instant,
    ) -> Vec<WriteOutcome> {
        let mut outcomes = vec![None; records.len()];
        let requests = plan_requests(&records, &self.settings);

        // Send with bounded concurrency; each request answers for its own records.
        let results: Vec<RequestResult> = futures_util::stream::iter(requests)
            .map(|request| send_with_retries(&self.client, &self.settings, request, deadline))
            .buffer_unordered(self.settings.max_concurrent_writes.max(1))
            .collect()
            .await;

        log_deployment_problems(&results, &self.settings.database);
        for result in results {
            for (index, outcome) in result.indices.into_iter().zip(result.outcomes) {
                outcomes[index] = Some(outcome);
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| retryable("the record was not sent")))
            .collect()
    }
}

impl RecordSink for TimestreamSink {
    fn write(
        &mut self,
        records: Vec<TimestreamRecord>,
        _now_ms: i64,
        deadline: Instant,
    ) -> impl Future<Output = Vec<WriteOutcome>> + Send {
        self.write_all(records, deadline)
    }
}

/// One `WriteRecords` call: the input positions of its records and the wire request.
struct Request {
    table: String,
    indices: Vec<usize>,
    versions: Vec<i64>,
    common: Option<wire::Record>,
    records: Vec<wire::Record>,
}

/// What one request ended with.
struct RequestResult {
    table: String,
    indices: Vec<usize>,
    outcomes: Vec<WriteOutcome>,
    /// Set when the request failed for a reason only a deployment fix solves.
    deployment_problem: Option<String>,
}

/// Groups records by physical table (in order of first appearance) and cuts each group into
/// requests of at most [`MAX_RECORDS_PER_WRITE`].
fn plan_requests(records: &[TimestreamRecord], settings: &TimestreamSettings) -> Vec<Request> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let table = settings.physical_table(&record.table);
        match groups.iter_mut().find(|(t, _)| *t == table) {
            Some((_, indices)) => indices.push(index),
            None => groups.push((table, vec![index])),
        }
    }

    let mut requests = Vec::new();
    for (table, indices) in groups {
        for chunk in indices.chunks(MAX_RECORDS_PER_WRITE) {
            let members: Vec<&TimestreamRecord> = chunk.iter().map(|&i| &records[i]).collect();
            requests.push(build_request(table, chunk.to_vec(), &members));
        }
    }
    requests
}

/// Builds one request, moving what every record shares into `CommonAttributes`.
fn build_request(table: &str, indices: Vec<usize>, members: &[&TimestreamRecord]) -> Request {
    let units: Vec<TimeUnit> = members.iter().map(|r| wire_time_unit(r)).collect();
    let common_unit = units.iter().all(|u| *u == units[0]).then_some(units[0]);
    let common_dims = common_dimensions(members);

    let records = members
        .iter()
        .zip(&units)
        .map(|(record, unit)| to_wire_record(record, *unit, &common_dims, common_unit.is_none()))
        .collect();

    let common = (common_unit.is_some() || !common_dims.is_empty()).then(|| {
        let mut builder = wire::Record::builder();
        for (name, value) in &common_dims {
            builder = builder.dimensions(wire_dimension(name, value));
        }
        if let Some(unit) = common_unit {
            builder = builder.time_unit(wire::TimeUnit::from(unit.as_timestream_str()));
        }
        builder.build()
    });

    Request {
        table: table.to_owned(),
        indices,
        versions: members.iter().map(|r| r.version).collect(),
        common,
        records,
    }
}

/// The dimensions (name and value) that every record carries, in the first record's order.
fn common_dimensions(members: &[&TimestreamRecord]) -> Vec<(String, String)> {
    let Some((first, rest)) = members.split_first() else {
        return Vec::new();
    };
    first
        .dimensions
        .iter()
        .filter(|d| {
            rest.iter().all(|r| {
                r.dimensions
                    .iter()
                    .any(|o| o.name == d.name && o.value == d.value)
            })
        })
        .map(|d| (d.name.clone(), d.value.clone()))
        .collect()
}

/// The unit a record is sent in. A TIMESTAMP measure value is read by Timestream in the
/// record's time unit, and the contract's timestamps are milliseconds: a record in SECONDS
/// with a TIMESTAMP measure is sent in MILLISECONDS (its time × 1000, the same instant) so
/// that no timestamp loses precision.
fn wire_time_unit(record: &TimestreamRecord) -> TimeUnit {
    let has_timestamp = record
        .measures
        .iter()
        .any(|m| matches!(m.value, MeasureValue::Timestamp(_)));
    match record.time_unit {
        TimeUnit::Seconds if has_timestamp => TimeUnit::Milliseconds,
        unit => unit,
    }
}

/// `millis` milliseconds expressed in `unit` (`unit` is never coarser than milliseconds
/// when this is called; seconds are floored). Widened so that no value overflows; one out of
/// Timestream's range is rejected by Timestream.
fn millis_in(millis: i64, unit: TimeUnit) -> i128 {
    let millis = i128::from(millis);
    match unit {
        TimeUnit::Seconds => millis.div_euclid(1000),
        TimeUnit::Milliseconds => millis,
        TimeUnit::Microseconds => millis * 1_000,
        TimeUnit::Nanoseconds => millis * 1_000_000,
    }
}

/// The record's time as sent in `unit` (its own unit, or milliseconds instead of seconds).
fn wire_time(record: &TimestreamRecord, unit: TimeUnit) -> String {
    if unit == record.time_unit {
        return record.time.to_string();
    }
    (i128::from(record.time) * 1000).to_string()
}

/// A measure value as Timestream's string encoding; TIMESTAMP in the record's wire unit.
fn wire_measure_text(value: &MeasureValue, unit: TimeUnit) -> String {
    match value {
        MeasureValue::Double(v) => v.to_string(),
        MeasureValue::Bigint(v) => v.to_string(),
        MeasureValue::Varchar(v) => v.clone(),
        MeasureValue::Boolean(v) => v.to_string(),
        MeasureValue::Timestamp(ms) => millis_in(*ms, unit).to_string(),
    }
}

fn wire_dimension(name: &str, value: &str) -> wire::Dimension {
    wire::Dimension::builder()
        .name(name)
        .value(value)
        .build()
        .expect("a dimension with its name and value set builds")
}

/// One MULTI measure record, without the dimensions already sent as common attributes.
fn to_wire_record(
    record: &TimestreamRecord,
    unit: TimeUnit,
    common_dims: &[(String, String)],
    with_unit: bool,
) -> wire::Record {
    let mut builder = wire::Record::builder()
        .measure_name(&record.measure_name)
        .measure_value_type(wire::MeasureValueType::Multi)
        .time(wire_time(record, unit))
        .version(record.version);
    if with_unit {
        builder = builder.time_unit(wire::TimeUnit::from(unit.as_timestream_str()));
    }

    let is_common = |n: &str, v: &str| common_dims.iter().any(|(cn, cv)| cn == n && cv == v);
    for dimension in record
        .dimensions
        .iter()
        .filter(|d| !is_common(&d.name, &d.value))
    {
        builder = builder.dimensions(wire_dimension(&dimension.name, &dimension.value));
    }

    for measure in &record.measures {
        let value = wire::MeasureValue::builder()
            .name(&measure.name)
            .value(wire_measure_text(&measure.value, unit))
            .r#type(wire::MeasureValueType::from(measure.value.type_name()))
            .build()
            .expect("a measure value with name, value and type set builds");
        builder = builder.measure_values(value);
    }
    builder.build()
}

/// How a failed attempt is handled.
enum Failure {
    /// May pass: retried with backoff while the deadline allows.
    Transient(String),
    /// Needs a fix in the deployment (permissions, a missing table): retryable later.
    Deployment(String),
    /// The request itself is invalid: every record is rejected.
    Invalid(String),
    /// Some records were rejected; the others are written.
    Rejected(Vec<wire::RejectedRecord>),
}

/// Sends one request, retrying transient failures with full-jitter backoff until `deadline`.
async fn send_with_retries(
    client: &Client,
    settings: &TimestreamSettings,
    request: Request,
    deadline: Instant,
) -> RequestResult {
    let mut attempt: u32 = 1;
    loop {
        tracing::debug!(table = %request.table, records = request.records.len(), attempt,
            "sending WriteRecords");
        let failure = match attempt_once(client, &settings.database, &request, deadline).await {
            Ok(()) => return finish(request, |_| WriteOutcome::Written, None),
            Err(failure) => failure,
        };

        match failure {
            Failure::Rejected(rejected) => return finish_rejected(request, &rejected),
            Failure::Invalid(message) => {
                let rejection = Rejection::new(invalid_reason(&message), message);
                return finish(request, |_| WriteOutcome::Rejected(rejection.clone()), None);
            }
            Failure::Deployment(reason) => {
                let outcome = retryable(&reason);
                return finish(request, |_| outcome.clone(), Some(reason));
            }
            Failure::Transient(reason) => {
                let Some(delay) = backoff_delay(settings.retry_base, attempt, deadline) else {
                    let outcome = retryable(&format!("gave up at the deadline: {reason}"));
                    return finish(request, |_| outcome.clone(), None);
                };
                tracing::warn!(table = %request.table, records = request.records.len(), attempt,
                    delay_ms = delay.as_millis() as u64, error = %reason, "retrying WriteRecords");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

/// One `WriteRecords` call, cut off at `deadline`.
async fn attempt_once(
    client: &Client,
    database: &str,
    request: &Request,
    deadline: Instant,
) -> Result<(), Failure> {
    let call = client
        .write_records()
        .database_name(database)
        .table_name(&request.table)
        .set_common_attributes(request.common.clone())
        .set_records(Some(request.records.clone()))
        .send();
    // Boxed: the SDK's future is deeply nested, and callers nest this one further.
    let call = Box::pin(call);
    match tokio::time::timeout_at(deadline.into(), call).await {
        Err(_) => Err(Failure::Transient(
            "the invocation's deadline passed mid-request".into(),
        )),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(classify(error)),
    }
}

/// Sorts an SDK error into the failure policy of this module.
fn classify(
    error: SdkError<WriteRecordsError, aws_sdk_timestreamwrite::config::http::HttpResponse>,
) -> Failure {
    let text = DisplayErrorContext(&error).to_string();
    let service = match error {
        SdkError::ServiceError(service) => service,
        SdkError::ConstructionFailure(_) => return Failure::Invalid(text),
        _ => return Failure::Transient(text),
    };

    let status = service.raw().status().as_u16();
    let error = service.into_err();
    let message = error.message().unwrap_or("no message").to_owned();
    let code = error.code().unwrap_or("unknown error").to_owned();
    match error {
        WriteRecordsError::RejectedRecordsException(rejected) => {
            Failure::Rejected(rejected.rejected_records().to_vec())
        }
        WriteRecordsError::ValidationException(_) => Failure::Invalid(message),
        WriteRecordsError::ThrottlingException(_)
        | WriteRecordsError::InternalServerException(_)
        | WriteRecordsError::InvalidEndpointException(_) => {
            Failure::Transient(format!("{code}: {message}"))
        }
        _ if status >= 500 => Failure::Transient(format!("{code} (HTTP {status}): {message}")),
        _ => Failure::Deployment(format!("{code}: {message}")),
    }
}

/// The same outcome shape for every record of a request.
fn finish(
    request: Request,
    outcome: impl Fn(usize) -> WriteOutcome,
    deployment_problem: Option<String>,
) -> RequestResult {
    let outcomes = (0..request.indices.len()).map(outcome).collect();
    RequestResult {
        table: request.table,
        indices: request.indices,
        outcomes,
        deployment_problem,
    }
}

/// Outcomes of a request Timestream partly rejected: listed records by their reason, the
/// rest written.
fn finish_rejected(request: Request, rejected: &[wire::RejectedRecord]) -> RequestResult {
    let by_index: BTreeMap<usize, &wire::RejectedRecord> = rejected
        .iter()
        .filter_map(|r| usize::try_from(r.record_index()).ok().map(|i| (i, r)))
        .collect();
    tracing::debug!(table = %request.table, rejected = by_index.len(),
        records = request.records.len(), "Timestream rejected records");

    let versions = request.versions.clone();
    finish(
        request,
        |i| match by_index.get(&i) {
            None => WriteOutcome::Written,
            Some(record) => rejected_outcome(record, versions[i]),
        },
        None,
    )
}

/// One rejected record: an idempotent replay when Timestream already holds our version or a
/// newer one, a permanent rejection otherwise.
fn rejected_outcome(record: &wire::RejectedRecord, our_version: i64) -> WriteOutcome {
    match record.existing_version() {
        Some(existing) if existing >= our_version => WriteOutcome::AlreadyCurrent {
            existing_version: existing,
        },
        _ => {
            let message = record
                .reason()
                .unwrap_or("rejected without a reason")
                .to_owned();
            WriteOutcome::Rejected(Rejection::new(classify_reason(&message), message))
        }
    }
}

/// Names the kind of a rejection from Timestream's reason text.
pub fn classify_reason(text: &str) -> RejectReason {
    let text = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));

    if has(&[
        "retention",
        "outside the time range",
        "ingestion window",
        "in the future",
        "memory store",
        "too old",
    ]) {
        RejectReason::OutsideWriteWindow
    } else if has(&[
        "schema",
        "data type",
        "type mismatch",
        "conflict",
        "already used",
        "already exists as",
    ]) {
        RejectReason::SchemaConflict
    } else if has(&[
        "invalid",
        "exceed",
        "limit",
        "empty",
        "too long",
        "too many",
        "maximum",
        "must be",
        "not allowed",
        "malformed",
    ]) {
        RejectReason::InvalidRecord
    } else {
        RejectReason::Other
    }
}

/// A `ValidationException` is about the records even when its text names no rule.
fn invalid_reason(message: &str) -> RejectReason {
    match classify_reason(message) {
        RejectReason::Other => RejectReason::InvalidRecord,
        reason => reason,
    }
}

fn retryable(reason: &str) -> WriteOutcome {
    WriteOutcome::Retryable {
        reason: format!("Timestream: {reason}"),
    }
}

/// The wait before attempt `attempt + 1` (full-jitter exponential backoff from `base`), or
/// `None` when it would end past `deadline`. Shared with the dead-letter queue.
pub(crate) fn backoff_delay(base: Duration, attempt: u32, deadline: Instant) -> Option<Duration> {
    let ceiling = base
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let delay = full_jitter(ceiling);
    (Instant::now() + delay < deadline).then_some(delay)
}

/// A random duration in `[0, ceiling]`. Seeded by std's per-instance random hasher keys, so
/// no random-number crate is needed for this.
fn full_jitter(ceiling: Duration) -> Duration {
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = RandomState::new().hash_one(Instant::now());
    Duration::from_nanos(random % (nanos + 1))
}

/// One ERROR line per batch for failures an operator must fix.
fn log_deployment_problems(results: &[RequestResult], database: &str) {
    let mut problems = results
        .iter()
        .filter_map(|r| Some((r, r.deployment_problem.as_ref()?)));
    let Some((first, reason)) = problems.next() else {
        return;
    };
    let records: usize = results
        .iter()
        .filter(|r| r.deployment_problem.is_some())
        .map(|r| r.indices.len())
        .sum();
    tracing::error!(database, table = %first.table, records, error = %reason,
        "Timestream refused writes; fix the deployment (permissions, database, tables); \
         the input records will be retried");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_texts_map_to_kinds() {
        let cases = [
            (
                "The record timestamp is outside the time range of the data ingestion window.",
                RejectReason::OutsideWriteWindow,
            ),
            (
                "Measure value type conflict: column already exists as BIGINT",
                RejectReason::SchemaConflict,
            ),
            (
                "Dimension value exceeds the maximum length",
                RejectReason::InvalidRecord,
            ),
            ("Something unexpected", RejectReason::Other),
        ];
        for (text, reason) in cases {
            assert_eq!(classify_reason(text), reason, "{text}");
        }
    }

    #[test]
    fn timestamp_measures_follow_the_wire_unit() {
        assert_eq!(
            millis_in(1_700_000_000_123, TimeUnit::Milliseconds),
            1_700_000_000_123
        );
        assert_eq!(
            millis_in(1_700_000_000_123, TimeUnit::Microseconds),
            1_700_000_000_123_000
        );
        assert_eq!(
            millis_in(1_700_000_000_123, TimeUnit::Nanoseconds),
            1_700_000_000_123_000_000
        );
        assert_eq!(millis_in(-1, TimeUnit::Seconds), -1);
    }

    #[test]
    fn backoff_stays_under_its_ceiling_and_the_deadline() {
        let far = Instant::now() + Duration::from_secs(60);
        for attempt in 1..40 {
            let delay = backoff_delay(Duration::from_millis(100), attempt, far).unwrap();
            let ceiling = Duration::from_millis(100 << (attempt - 1).min(16)).min(MAX_BACKOFF);
            assert!(
                delay <= ceiling,
                "attempt {attempt}: {delay:?} > {ceiling:?}"
            );
        }
        assert_eq!(
            backoff_delay(Duration::from_millis(100), 1, Instant::now()),
            None
        );
    }
}
