//! The sandbox limits a transform runs under, and why each has its value.

use std::time::Duration;

/// Limits applied to every transform call.
#[derive(Debug, Clone)]
pub struct RuntimeLimits {
    /// Linear memory one guest instance may grow to, in bytes.
    ///
    /// A batch of 100 agent events of ~6 KB each, plus the records they map to, needs a few
    /// MiB; 32 MiB leaves room for sloppier guests while keeping a runaway allocation (a guest
    /// that leaks or is attacked with a huge payload) far below the Lambda's own memory.
    pub memory_bytes: usize,

    /// Wall-clock time one `transform-batch` call may take before it is interrupted.
    ///
    /// Transforming a batch takes milliseconds; the deadline only has to stop an endless loop
    /// before the invocation's own timeout, with time left to report and isolate failures.
    pub call_timeout: Duration,

    /// Records one input event may produce before its output is refused.
    ///
    /// An agent event yields one record plus one per contact (an agent holds at most a few
    /// dozen chat/task contacts); anything beyond this is a guest bug flooding the sink.
    pub max_records_per_event: usize,

    /// Guest instances that may exist at once, across all transforms of a runtime: the size
    /// of the instance pool. A call beyond it fails as retryable.
    ///
    /// The Lambda runs one guest call at a time (plus the halves of a faulting batch, one
    /// after the other); the pool only reserves address space for these slots, not memory.
    pub concurrent_instances: u32,

    /// Bytes of each pooled linear memory kept mapped between calls and reset with `memset`
    /// instead of being returned to the kernel. A batch of 100 agent events touches ~2 MiB.
    pub resident_memory_bytes: usize,

    /// Guest log lines forwarded to tracing per call; the rest are counted and dropped, so a
    /// chatty guest cannot flood the Lambda's logs.
    pub max_log_lines_per_call: usize,

    /// Guest log lines (and stderr lines) kept to explain a trap.
    pub kept_log_lines: usize,
}

impl Default for RuntimeLimits {
    fn default() -> Self {
        Self {
            memory_bytes: 32 << 20,
            call_timeout: Duration::from_secs(2),
            max_records_per_event: 256,
            concurrent_instances: 16,
            resident_memory_bytes: 4 << 20,
            max_log_lines_per_call: 1000,
            kept_log_lines: 16,
        }
    }
}

/// How often the background ticker advances the engine's epoch; deadlines are counted in
/// these ticks, so this is the granularity of `call_timeout`.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bytes of guest stderr kept per call (a Rust guest's panic message goes there).
pub const STDERR_CAPTURE_BYTES: usize = 16 << 10;
