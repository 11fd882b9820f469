//! The WebAssembly runtime that runs transforms: one wasmtime [`Engine`] per process, one
//! pre-instantiated handle per loaded transform, and a fresh store per batch.
//!
//! Start with [`TransformRuntime::load`] and [`Transform::run_batch`].

mod limits;
mod load;
mod state;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolConcurrencyLimitError, PoolingAllocationConfig,
    Store, Trap,
};

pub use limits::{EPOCH_TICK, RuntimeLimits};
pub use load::{LoadError, TransformSpec};

use crate::contract::{Event, TimestreamRecord, TransformInfo, TransformerPre};
use state::GuestState;

/// What one event's transform produced: its records, or why there are none.
pub type EventOutput = Result<Vec<TimestreamRecord>, TransformFailure>;

/// Why a transform produced no records for an event.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformFailure {
    pub kind: FailureKind,
    pub message: String,
    /// True when trying the event again later may succeed.
    pub retryable: bool,
    /// The guest's last log lines and stderr output, when the guest faulted.
    pub guest_output: Vec<String>,
}

/// The kinds of transform failure, for counting and routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// The guest returned an error for this event.
    GuestError,
    /// The guest trapped (a bug, or memory beyond the cap).
    Trap,
    /// The call ran past its deadline.
    Timeout,
    /// The guest's output broke the contract (wrong result count, too many records).
    BadOutput,
    /// The invocation's time ran out before this event could be isolated from a faulting one.
    OutOfTime,
    /// Every slot of the instance pool was in use (see [`RuntimeLimits::concurrent_instances`]).
    Busy,
}

impl FailureKind {
    /// A stable lower-case name for summaries and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::GuestError => "guest_error",
            FailureKind::Trap => "trap",
            FailureKind::Timeout => "timeout",
            FailureKind::BadOutput => "bad_output",
            FailureKind::OutOfTime => "out_of_time",
            FailureKind::Busy => "busy",
        }
    }
}

/// Owns the engine, the linker that defines what guests may import, and the epoch ticker
/// that enforces call deadlines.
pub struct TransformRuntime {
    engine: Engine,
    linker: Arc<Linker<GuestState>>,
    limits: RuntimeLimits,
}

impl TransformRuntime {
    /// Creates the runtime and starts its epoch ticker thread (which ends when the runtime's
    /// engine is dropped).
    pub fn new(limits: RuntimeLimits) -> anyhow::Result<Self> {
        let mut config = engine_config(None)?;
        config.allocation_strategy(pooling_strategy(&limits));
        let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
        let linker = build_linker(&engine)?;
        start_epoch_ticker(&engine);
        Ok(Self {
            engine,
            linker: Arc::new(linker),
            limits,
        })
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &RuntimeLimits {
        &self.limits
    }

    /// The engine, for precompiling components with the same settings the runtime uses.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn instantiate_pre(&self, component: &Component) -> anyhow::Result<TransformerPre<GuestState>> {
        let pre = self
            .linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)?;
        TransformerPre::new(pre).map_err(Into::into)
    }
}

/// The engine settings shared by the runtime and by `precompile`: an artifact only loads
/// into an engine configured the same way. `target` cross-compiles (e.g. for arm64 Lambdas).
pub fn engine_config(target: Option<&str>) -> anyhow::Result<Config> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if let Some(target) = target {
        config.target(target).map_err(anyhow::Error::from)?;
    }
    Ok(config)
}

/// Guest instances come from a small pool whose linear memories stay mapped between calls.
///
/// Every batch runs in a fresh instance; with wasmtime's default allocator each one maps new
/// memory, faults in and zeroes every page it touches, and unmaps it afterwards, which cost
/// ~13% of the agent event path. A pooled slot is reset in place instead, with `memset` for
/// its first [`RuntimeLimits::resident_memory_bytes`]. The pool holds
/// [`RuntimeLimits::concurrent_instances`] instances; the Lambda runs one call at a time.
fn pooling_strategy(limits: &RuntimeLimits) -> InstanceAllocationStrategy {
    let mut pool = PoolingAllocationConfig::new();
    let instances = limits.concurrent_instances;
    pool.total_component_instances(instances)
        .total_core_instances(instances * CORE_INSTANCES_PER_COMPONENT)
        .total_memories(instances * MEMORIES_PER_COMPONENT)
        .total_tables(instances * TABLES_PER_COMPONENT)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(limits.resident_memory_bytes)
        .table_keep_resident(TABLE_KEEP_RESIDENT_BYTES);
    InstanceAllocationStrategy::Pooling(pool)
}

/// Core instances a `wasm32-wasip2` component needs: its module plus the small shim and
/// fix-up modules the component encoding adds, with room to spare.
const CORE_INSTANCES_PER_COMPONENT: u32 = 8;

/// Linear memories per component: a Rust `wasm32-wasip2` guest has one.
const MEMORIES_PER_COMPONENT: u32 = 2;

/// Tables per component: the module's function table and the shims' tables.
const TABLES_PER_COMPONENT: u32 = 4;

/// Table bytes reset with `memset` rather than `madvise` when a slot is reused.
const TABLE_KEEP_RESIDENT_BYTES: usize = 64 << 10;

/// Precompiles a component for `target` (the host when `None`), for a cold start that
/// never compiles.
pub fn precompile(wasm: &[u8], target: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let engine = Engine::new(&engine_config(target)?).map_err(anyhow::Error::from)?;
    Ok(engine.precompile_component(wasm)?)
}

fn build_linker(engine: &Engine) -> anyhow::Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    crate::contract::Transformer::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
        &mut linker,
        |state| state,
    )?;
    Ok(linker)
}

fn start_epoch_ticker(engine: &Engine) {
    let engine = engine.weak();
    std::thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while let Some(engine) = engine.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}

/// A loaded transform, ready to run batches.
pub struct Transform {
    info: TransformInfo,
    pre: TransformerPre<GuestState>,
    engine: Engine,
    limits: RuntimeLimits,
    name: Arc<str>,
    config: Arc<BTreeMap<String, String>>,
}

impl Transform {
    /// The transform with `config` as the values its guest reads with `get-config`.
    pub fn with_config(mut self, config: BTreeMap<String, String>) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// What the transform says about itself (from `describe`, called at load).
    pub fn info(&self) -> &TransformInfo {
        &self.info
    }

    /// Runs one batch: a single guest call for all events, in a fresh store. Returns one
    /// output per event, in order. `labels` name each event (shard and sequence number, or
    /// event id) for log lines and failure reports. `deadline` bounds the extra calls used to
    /// isolate a faulting event; events not isolated by then fail as retryable.
    pub fn run_batch(
        &self,
        events: &[Event],
        labels: &[String],
        deadline: Instant,
    ) -> Vec<EventOutput> {
        let labels: Arc<[String]> = labels.into();
        let mut outputs: Vec<Option<EventOutput>> = vec![None; events.len()];
        self.run_isolating(events, 0..events.len(), &labels, deadline, &mut outputs);
        outputs
            .into_iter()
            .map(|o| o.expect("every event gets an output"))
            .collect()
    }

    /// Calls the guest on the events in `range`; when the call faults, splits the range in
    /// halves and tries each half in a fresh instance, so only the events that fault fail.
    fn run_isolating(
        &self,
        events: &[Event],
        range: Range<usize>,
        labels: &Arc<[String]>,
        deadline: Instant,
        outputs: &mut [Option<EventOutput>],
    ) {
        if range.is_empty() {
            return;
        }
        let batch_labels: Arc<[String]> = if range.len() == labels.len() {
            labels.clone()
        } else {
            labels[range.clone()].into()
        };

        match self.call(&events[range.clone()], batch_labels) {
            Ok(results) => {
                for (slot, result) in outputs[range].iter_mut().zip(results) {
                    *slot = Some(result);
                }
            }
            Err(fault) if range.len() == 1 => outputs[range.start] = Some(Err(fault)),
            Err(fault) if fault.retryable => {
                for slot in &mut outputs[range] {
                    *slot = Some(Err(fault.clone()));
                }
            }
            Err(fault) if Instant::now() >= deadline => {
                for slot in &mut outputs[range] {
                    *slot = Some(Err(out_of_time(&fault)));
                }
            }
            Err(fault) => {
                tracing::debug!(
                    transform = %self.name,
                    events = range.len(),
                    reason = %fault.message,
                    "guest faulted; isolating the events that cause it",
                );
                let middle = range.start + range.len() / 2;
                self.run_isolating(events, range.start..middle, labels, deadline, outputs);
                self.run_isolating(events, middle..range.end, labels, deadline, outputs);
            }
        }
    }

    /// One guest call in a fresh store. `Err` means the call as a whole faulted.
    fn call(
        &self,
        events: &[Event],
        labels: Arc<[String]>,
    ) -> Result<Vec<EventOutput>, TransformFailure> {
        let expected = events.len();
        let mut store = self.new_store(labels);

        let result = self.pre.instantiate(&mut store).and_then(|guest| {
            guest
                .connect_rt_transform_transform()
                .call_transform_batch(&mut store, events)
        });

        let dropped = store.data().dropped_log_lines();
        if dropped > 0 {
            tracing::warn!(transform = %self.name, dropped, "guest log lines beyond the per-call cap were dropped");
        }

        match result {
            Ok(results) if results.len() == expected => Ok(self.check_outputs(results)),
            Ok(results) => Err(TransformFailure {
                kind: FailureKind::BadOutput,
                message: format!(
                    "transform returned {} results for {expected} events",
                    results.len()
                ),
                retryable: false,
                guest_output: store.data().last_output(),
            }),
            Err(error) => Err(fault(&error, &self.limits, store.data().last_output())),
        }
    }

    /// A fresh store for one call: memory cap, deadline, and a context that grants nothing.
    fn new_store(&self, labels: Arc<[String]>) -> Store<GuestState> {
        let state = GuestState::new(&self.limits, self.name.clone(), self.config.clone(), labels);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(ticks(self.limits.call_timeout));
        store.epoch_deadline_trap();
        store
    }

    fn check_outputs(
        &self,
        results: Vec<Result<Vec<TimestreamRecord>, crate::contract::EventError>>,
    ) -> Vec<EventOutput> {
        let max = self.limits.max_records_per_event;
        results
            .into_iter()
            .map(|result| match result {
                Ok(records) if records.len() > max => Err(TransformFailure {
                    kind: FailureKind::BadOutput,
                    message: format!(
                        "transform produced {} records for one event; the limit is {max}",
                        records.len()
                    ),
                    retryable: false,
                    guest_output: Vec::new(),
                }),
                Ok(records) => Ok(records),
                Err(error) => Err(TransformFailure {
                    kind: FailureKind::GuestError,
                    message: error.message,
                    retryable: error.retryable,
                    guest_output: Vec::new(),
                }),
            })
            .collect()
    }
}

fn ticks(timeout: Duration) -> u64 {
    (timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
}

/// Describes a faulted call. A full instance pool is retryable. A trap is not retryable: the same module traps on the same
/// input again, so the event is dead-lettered with the reason, to be redriven after a fix.
fn fault(
    error: &wasmtime::Error,
    limits: &RuntimeLimits,
    guest_output: Vec<String>,
) -> TransformFailure {
    if let Some(busy) = error.downcast_ref::<PoolConcurrencyLimitError>() {
        return TransformFailure {
            kind: FailureKind::Busy,
            message: format!("no free guest instance: {busy}"),
            retryable: true,
            guest_output,
        };
    }

    let trap = error.downcast_ref::<Trap>().copied();
    let (kind, message) = match trap {
        Some(Trap::Interrupt) => (
            FailureKind::Timeout,
            format!("transform ran past its {:?} deadline", limits.call_timeout),
        ),
        Some(Trap::AllocationTooLarge) => (
            FailureKind::Trap,
            format!(
                "transform tried to grow memory beyond its {} MiB cap",
                limits.memory_bytes >> 20
            ),
        ),
        _ if format!("{error:?}").contains("forcing trap when growing memory") => (
            FailureKind::Trap,
            format!(
                "transform tried to grow memory beyond its {} MiB cap",
                limits.memory_bytes >> 20
            ),
        ),
        Some(trap) => (FailureKind::Trap, format!("transform trapped: {trap}")),
        None => (FailureKind::Trap, format!("transform failed: {error:#}")),
    };
    TransformFailure {
        kind,
        message,
        retryable: false,
        guest_output,
    }
}

fn out_of_time(fault: &TransformFailure) -> TransformFailure {
    TransformFailure {
        kind: FailureKind::OutOfTime,
        message: format!(
            "not transformed: a batch call faulted ({}) and the time budget ran out before this \
             event could be isolated from the faulting one",
            fault.message
        ),
        retryable: true,
        guest_output: Vec::new(),
    }
}
