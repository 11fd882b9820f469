//! The Lambda's configuration, read once at cold start from environment variables into one
//! typed struct. A missing or invalid value stops the cold start with a message naming it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::records::rules::WriteRules;
use crate::runtime::RuntimeLimits;

/// Where records go.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkConfig {
    /// Amazon Timestream (production): `TIMESTREAM_DATABASE` is set.
    Timestream {
        database: String,
        /// Logical table (as transforms name it) → physical table, from `TIMESTREAM_TABLES`.
        tables: BTreeMap<String, String>,
        /// `TIMESTREAM_ENDPOINT`: a fixed endpoint (tests, private endpoints); turns endpoint
        /// discovery off.
        endpoint: Option<String>,
        /// `TIMESTREAM_MAX_CONCURRENT_WRITES` (default 4).
        max_concurrent_writes: usize,
    },
    /// The embedded SQLite store at `EMBEDDED_STORE_PATH` (default `/tmp/connect-rt.db`), when
    /// no Timestream database is configured.
    Embedded { path: PathBuf },
}

/// Where dead letters go.
#[derive(Debug, Clone, PartialEq)]
pub enum DeadLetterConfig {
    /// `DEAD_LETTER_QUEUE_URL`: an SQS queue. Required with Timestream.
    Sqs { queue_url: String },
    /// A JSON-lines file, `DEAD_LETTER_FILE` (default: beside the embedded store), for local
    /// runs only.
    File { path: PathBuf },
}

/// Everything the Lambda reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub sink: SinkConfig,
    pub dead_letters: DeadLetterConfig,
    /// `TRANSFORMS_DIR` (default `/opt/transforms`, where a Lambda layer's `transforms/`
    /// folder lands): every `*.cwasm` in it is loaded.
    pub transforms_dir: PathBuf,
    /// `TRANSFORM_CONFIG`: JSON object, transform name → {key: value} its guest reads.
    pub transform_config: BTreeMap<String, BTreeMap<String, String>>,
    /// `ALLOW_COMPILE` (default false): load a `.wasm` without a valid `.cwasm` by compiling
    /// it at cold start. Off in production so a cold start never compiles.
    pub allow_compile: bool,
    /// `TRANSFORM_TIMEOUT_MS`, `TRANSFORM_MEMORY_MB`, `TRANSFORM_MAX_RECORDS_PER_EVENT`.
    pub limits: RuntimeLimits,
    /// `MEMORY_STORE_RETENTION_HOURS` (default 25, the tables' memory-store retention).
    pub rules: WriteRules,
    /// `RESERVED_TIME_MS` (default 3000): time kept back from the invocation's deadline to
    /// report failures and send dead letters after the writes give up.
    pub reserved_time: Duration,
    /// `CONNECT_INSTANCE_IDS`: comma-separated Amazon Connect instances the schedule collects
    /// (an EventBridge Scheduler input with `instanceIds` overrides it per invocation).
    pub connect_instances: Vec<String>,
    /// `CONNECT_ENDPOINT`: a fixed Amazon Connect API endpoint (tests, private endpoints).
    pub connect_endpoint: Option<String>,
    /// `CONNECT_REQUESTS_PER_SECOND` (default 2, Amazon Connect's usual per-account limit).
    pub connect_requests_per_second: f64,
    /// `METRICS_NAMESPACE` (default `ConnectRealTime`) for the embedded-metric-format lines.
    pub metrics_namespace: String,
}

/// A configuration value that is missing or invalid.
#[derive(Debug, thiserror::Error)]
#[error("configuration {name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    ///
    /// # Errors
    /// The first missing or invalid value, by name.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get` (the environment, or a map in tests).
    ///
    /// # Errors
    /// The first missing or invalid value, by name.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let sink = sink_config(&get)?;
        let dead_letters = match (get("DEAD_LETTER_QUEUE_URL"), &sink) {
            (Some(queue_url), _) => DeadLetterConfig::Sqs { queue_url },
            (None, SinkConfig::Embedded { path }) => DeadLetterConfig::File {
                path: get("DEAD_LETTER_FILE")
                    .map_or_else(|| path.with_extension("dead-letters.jsonl"), PathBuf::from),
            },
            (None, SinkConfig::Timestream { .. }) => {
                return Err(missing(
                    "DEAD_LETTER_QUEUE_URL",
                    "required when TIMESTREAM_DATABASE is set",
                ));
            }
        };

        let limits = runtime_limits(&get)?;
        let mut rules = WriteRules::default();
        if let Some(hours) = bounded(
            &get,
            "MEMORY_STORE_RETENTION_HOURS",
            1..=MAX_RETENTION_HOURS,
        )? {
            rules.memory_retention = Duration::from_secs(hours * 3600);
        }

        Ok(Self {
            sink,
            dead_letters,
            transforms_dir: get("TRANSFORMS_DIR")
                .unwrap_or_else(|| "/opt/transforms".into())
                .into(),
            transform_config: transform_config(&get)?,
            allow_compile: boolean(&get, "ALLOW_COMPILE")?.unwrap_or(false),
            limits,
            rules,
            reserved_time: Duration::from_millis(
                bounded(&get, "RESERVED_TIME_MS", 0..=MAX_RESERVED_MS)?.unwrap_or(3000),
            ),
            connect_instances: list(get("CONNECT_INSTANCE_IDS")),
            connect_endpoint: get("CONNECT_ENDPOINT"),
            connect_requests_per_second: rate(&get, "CONNECT_REQUESTS_PER_SECOND")?.unwrap_or(2.0),
            metrics_namespace: get("METRICS_NAMESPACE").unwrap_or_else(|| "ConnectRealTime".into()),
        })
    }
}

fn sink_config(get: &impl Fn(&str) -> Option<String>) -> Result<SinkConfig, ConfigError> {
    let Some(database) = get("TIMESTREAM_DATABASE") else {
        let path = get("EMBEDDED_STORE_PATH").unwrap_or_else(|| "/tmp/connect-rt.db".into());
        return Ok(SinkConfig::Embedded { path: path.into() });
    };
    let tables = match get("TIMESTREAM_TABLES") {
        None => BTreeMap::new(),
        Some(spec) => table_map(&spec)?,
    };
    Ok(SinkConfig::Timestream {
        database,
        tables,
        endpoint: get("TIMESTREAM_ENDPOINT"),
        max_concurrent_writes: bounded(get, "TIMESTREAM_MAX_CONCURRENT_WRITES", 1..=64)?
            .unwrap_or(4) as usize,
    })
}

/// `AgentEvent=agent_events,ContactEvent=contacts` → map.
fn table_map(spec: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    spec.split(',')
        .map(|pair| {
            let (from, to) = pair.split_once('=').ok_or_else(|| ConfigError {
                name: "TIMESTREAM_TABLES",
                problem: format!(
                    "expected LOGICAL=PHYSICAL pairs separated by commas, got '{pair}'"
                ),
            })?;
            let (from, to) = (from.trim(), to.trim());
            if from.is_empty() || to.is_empty() {
                return Err(ConfigError {
                    name: "TIMESTREAM_TABLES",
                    problem: format!("a table name is empty in '{pair}'"),
                });
            }
            Ok((from.to_owned(), to.to_owned()))
        })
        .collect()
}

/// The largest `MEMORY_STORE_RETENTION_HOURS`. Timestream's memory store keeps at most 8,766
/// hours (a year), but the embedded store may be given a longer window to take old captures;
/// the bound only keeps the value from overflowing.
const MAX_RETENTION_HOURS: u64 = 1_000_000;

/// The largest `RESERVED_TIME_MS`: a Lambda runs for 15 minutes at most.
const MAX_RESERVED_MS: u64 = 900_000;

/// `TRANSFORM_TIMEOUT_MS` (1 ms to 15 minutes), `TRANSFORM_MEMORY_MB` (1 to 4,096, wasm32's
/// whole address space) and `TRANSFORM_MAX_RECORDS_PER_EVENT` (1 to 100,000).
fn runtime_limits(get: &impl Fn(&str) -> Option<String>) -> Result<RuntimeLimits, ConfigError> {
    let mut limits = RuntimeLimits::default();
    if let Some(ms) = bounded(get, "TRANSFORM_TIMEOUT_MS", 1..=900_000)? {
        limits.call_timeout = Duration::from_millis(ms);
    }
    if let Some(mb) = bounded(get, "TRANSFORM_MEMORY_MB", 1..=4096)? {
        limits.memory_bytes = (mb as usize) << 20;
    }
    if let Some(n) = bounded(get, "TRANSFORM_MAX_RECORDS_PER_EVENT", 1..=100_000)? {
        limits.max_records_per_event = n as usize;
    }
    Ok(limits)
}

/// A whole number inside `range`.
fn bounded(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, ConfigError> {
    match number(get, name)? {
        Some(n) if !range.contains(&n) => Err(ConfigError {
            name,
            problem: format!(
                "expected a whole number from {} to {}, got {n}",
                range.start(),
                range.end()
            ),
        }),
        n => Ok(n),
    }
}

fn transform_config(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, ConfigError> {
    let Some(json) = get("TRANSFORM_CONFIG") else {
        return Ok(BTreeMap::new());
    };
    serde_json::from_str(&json).map_err(|e| ConfigError {
        name: "TRANSFORM_CONFIG",
        problem: format!("expected a JSON object of transform name to {{key: string value}}: {e}"),
    })
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<u64>, ConfigError> {
    get(name)
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| ConfigError {
                name,
                problem: format!("expected a whole number, got '{v}'"),
            })
        })
        .transpose()
}

fn rate(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<f64>, ConfigError> {
    get(name)
        .map(|v| match v.trim().parse::<f64>() {
            Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
            _ => Err(ConfigError {
                name,
                problem: format!("expected a positive number, got '{v}'"),
            }),
        })
        .transpose()
}

fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<bool>, ConfigError> {
    get(name)
        .map(|v| match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(ConfigError {
                name,
                problem: format!("expected true or false, got '{v}'"),
            }),
        })
        .transpose()
}

fn list(value: Option<String>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn missing(name: &'static str, why: &str) -> ConfigError {
    ConfigError {
        name,
        problem: format!("missing: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn no_database_means_embedded_store_with_file_dead_letters() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.sink,
            SinkConfig::Embedded {
                path: "/tmp/connect-rt.db".into()
            }
        );
        assert_eq!(
            c.dead_letters,
            DeadLetterConfig::File {
                path: "/tmp/connect-rt.dead-letters.jsonl".into()
            }
        );
        assert!(!c.allow_compile);
        assert_eq!(c.transforms_dir, PathBuf::from("/opt/transforms"));
    }

    #[test]
    fn timestream_needs_a_dead_letter_queue() {
        let err = config(&[("TIMESTREAM_DATABASE", "ConnectRealTime")]).unwrap_err();
        assert_eq!(err.name, "DEAD_LETTER_QUEUE_URL");
    }

    #[test]
    fn timestream_settings_are_read() {
        let c = config(&[
            ("TIMESTREAM_DATABASE", "ConnectRealTime"),
            (
                "TIMESTREAM_TABLES",
                "AgentEvent=agents, ContactEvent=contacts",
            ),
            ("TIMESTREAM_ENDPOINT", "http://127.0.0.1:9000"),
            ("DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:9001/q"),
            ("TRANSFORM_TIMEOUT_MS", "500"),
            (
                "TRANSFORM_CONFIG",
                r#"{"contact-events":{"include-customer-endpoint":"true"}}"#,
            ),
            ("CONNECT_INSTANCE_IDS", "a, b"),
        ])
        .unwrap();
        let SinkConfig::Timestream {
            database,
            tables,
            endpoint,
            max_concurrent_writes,
        } = c.sink
        else {
            panic!("expected Timestream");
        };
        assert_eq!(database, "ConnectRealTime");
        assert_eq!(tables["AgentEvent"], "agents");
        assert_eq!(tables["ContactEvent"], "contacts");
        assert_eq!(endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(max_concurrent_writes, 4);
        assert_eq!(c.limits.call_timeout, Duration::from_millis(500));
        assert_eq!(
            c.transform_config["contact-events"]["include-customer-endpoint"],
            "true"
        );
        assert_eq!(c.connect_instances, vec!["a", "b"]);
    }

    #[test]
    fn invalid_values_are_named() {
        assert_eq!(
            config(&[("TRANSFORM_TIMEOUT_MS", "soon")])
                .unwrap_err()
                .name,
            "TRANSFORM_TIMEOUT_MS"
        );
        assert_eq!(
            config(&[("ALLOW_COMPILE", "maybe")]).unwrap_err().name,
            "ALLOW_COMPILE"
        );
        let err = config(&[("CONNECT_REQUESTS_PER_SECOND", "0")]).unwrap_err();
        assert_eq!(err.name, "CONNECT_REQUESTS_PER_SECOND");
        assert_eq!(
            config(&[("TRANSFORM_CONFIG", "[1]")]).unwrap_err().name,
            "TRANSFORM_CONFIG"
        );
        let err = config(&[
            ("TIMESTREAM_DATABASE", "d"),
            ("DEAD_LETTER_QUEUE_URL", "q"),
            ("TIMESTREAM_TABLES", "x"),
        ]);
        assert_eq!(err.unwrap_err().name, "TIMESTREAM_TABLES");
    }

    /// A fresh-user trial found values that overflowed (a panic in debug builds, a wrapped
    /// value in release) or made no sense, accepted at cold start.
    #[test]
    fn out_of_range_values_are_refused_with_the_range() {
        let cases = [
            (
                "MEMORY_STORE_RETENTION_HOURS",
                "18446744073709551615",
                "1 to 1000000",
            ),
            ("MEMORY_STORE_RETENTION_HOURS", "0", "1 to 1000000"),
            ("TRANSFORM_MEMORY_MB", "17592186044416", "1 to 4096"),
            ("TRANSFORM_TIMEOUT_MS", "0", "1 to 900000"),
            ("TRANSFORM_MAX_RECORDS_PER_EVENT", "0", "1 to 100000"),
            ("RESERVED_TIME_MS", "900001", "0 to 900000"),
        ];
        for (name, value, range) in cases {
            let err = config(&[(name, value)]).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("configuration {name}: expected a whole number from {range}, got {value}")
            );
        }
    }

    #[test]
    fn an_empty_table_name_is_refused() {
        let err = config(&[
            ("TIMESTREAM_DATABASE", "d"),
            ("DEAD_LETTER_QUEUE_URL", "q"),
            ("TIMESTREAM_TABLES", "AgentEvent=,User=users"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration TIMESTREAM_TABLES: a table name is empty in 'AgentEvent='"
        );
    }
}
