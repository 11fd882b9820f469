//! Per-call guest state: the WASI context that grants nothing, the memory limiter, and the
//! host side of the `host` interface (logging and configuration).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::{RuntimeLimits, STDERR_CAPTURE_BYTES};
use crate::contract::LogLevel;
use crate::contract::connect_rt::transform::{host, types};

/// Everything one store holds for one guest call.
pub(crate) struct GuestState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: StoreLimits,
    stderr: MemoryOutputPipe,
    config: Arc<BTreeMap<String, String>>,
    transform: Arc<str>,
    /// Identity of each event in the current batch, for tagging guest log lines.
    labels: Arc<[String]>,
    recent_logs: VecDeque<String>,
    kept_log_lines: usize,
    forwarded: usize,
    max_forwarded: usize,
    dropped: usize,
}

impl GuestState {
    /// A state whose WASI context grants no capability: no filesystem preopens, no
    /// environment variables or arguments, no network (TCP, UDP and name lookup are off by
    /// default), empty stdin, and stdout/stderr captured in memory. Clocks and random
    /// numbers, which the wasip2 standard library needs, are the only ambient services.
    pub(crate) fn new(
        limits: &RuntimeLimits,
        transform: Arc<str>,
        config: Arc<BTreeMap<String, String>>,
        labels: Arc<[String]>,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPTURE_BYTES);
        let wasi = WasiCtx::builder()
            .stdout(stderr.clone())
            .stderr(stderr.clone())
            .allow_ip_name_lookup(false)
            .allow_tcp(false)
            .allow_udp(false)
            .build();

        let store_limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .trap_on_grow_failure(true)
            .build();

        Self {
            wasi,
            table: ResourceTable::new(),
            limits: store_limits,
            stderr,
            config,
            transform,
            labels,
            recent_logs: VecDeque::with_capacity(limits.kept_log_lines),
            kept_log_lines: limits.kept_log_lines,
            forwarded: 0,
            max_forwarded: limits.max_log_lines_per_call,
            dropped: 0,
        }
    }

    /// The guest's last log lines and stderr output, oldest first, for a failure report.
    pub(crate) fn last_output(&self) -> Vec<String> {
        let stderr = self.stderr.contents();
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr_lines = stderr.lines().filter(|l| !l.trim().is_empty());
        let tail: Vec<String> = stderr_lines.map(|l| format!("stderr: {l}")).collect();
        let skip = tail.len().saturating_sub(self.kept_log_lines);

        self.recent_logs
            .iter()
            .cloned()
            .chain(tail.into_iter().skip(skip))
            .collect()
    }

    /// Log lines the guest sent beyond the per-call cap.
    pub(crate) fn dropped_log_lines(&self) -> usize {
        self.dropped
    }

    fn remember(&mut self, line: String) {
        if self.recent_logs.len() == self.kept_log_lines {
            self.recent_logs.pop_front();
        }
        self.recent_logs.push_back(line);
    }

    fn label(&self, index: Option<u32>) -> &str {
        index
            .and_then(|i| self.labels.get(i as usize))
            .map_or("", String::as_str)
    }
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for GuestState {}

impl host::Host for GuestState {
    fn log(&mut self, level: LogLevel, message: String, event_index: Option<u32>) {
        let event = self.label(event_index).to_owned();
        let line = match event_index {
            Some(i) => format!("{level:?} [event {i} {event}] {message}"),
            None => format!("{level:?} {message}"),
        };
        self.remember(line);

        if self.forwarded >= self.max_forwarded {
            self.dropped += 1;
            return;
        }
        self.forwarded += 1;
        emit(level, &self.transform, &event, &message);
    }

    fn get_config(&mut self, key: String) -> Option<String> {
        self.config.get(&key).cloned()
    }
}

/// Sends one guest log line to tracing at the guest's level, tagged with the transform and
/// the event it is about (empty when the line is about the whole batch).
fn emit(level: LogLevel, transform: &str, event: &str, message: &str) {
    match level {
        LogLevel::Trace => tracing::trace!(target: "guest", transform, event, "{message}"),
        LogLevel::Debug => tracing::debug!(target: "guest", transform, event, "{message}"),
        LogLevel::Info => tracing::info!(target: "guest", transform, event, "{message}"),
        LogLevel::Warn => tracing::warn!(target: "guest", transform, event, "{message}"),
        LogLevel::Error => tracing::error!(target: "guest", transform, event, "{message}"),
    }
}
