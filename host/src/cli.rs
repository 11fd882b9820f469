//! `connect-rt`, the local command line: replays captured events through the same pipeline
//! the Lambda runs, into the embedded store; precompiles transforms; shows what a store holds.
//!
//! It lives in the library, with [`main`] as its entry point, so that the end-to-end tests can
//! build it beside the real guests and run it as a user does.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::deadletter::{self, DeadLetter};
use crate::pipeline::{BatchReport, Disposition, Pipeline};
use crate::records::rules::WriteRules;
use crate::runtime::{RuntimeLimits, TransformRuntime, TransformSpec};
use crate::store::embedded::EmbeddedStore;
use crate::{replay, runtime};

/// Where `cargo build --target wasm32-wasip2 --release` puts the guest transforms, inside
/// Cargo's target folder (`$CARGO_TARGET_DIR`, else `target`).
const GUEST_RELEASE_DIR: &str = "wasm32-wasip2/release";

/// What to do when no transform was given and none was found in the default folder.
const NO_TRANSFORMS_HINT: &str = "build the guests first (`cargo build --release --target \
     wasm32-wasip2 -p agent-events-transform -p contact-events-transform -p \
     instance-data-transform`, see README) or pass each transform with `--transform PATH`";

/// Events per pipeline run, as a Lambda event source mapping would batch them.
const REPLAY_BATCH: usize = 100;

/// `replay`'s exit status when it ran but left events unwritten (to retry or dead-lettered)
/// or could not read an input found in a folder. Not 2, which clap gives a usage error.
pub const EXIT_INCOMPLETE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "connect-rt",
    version,
    about = "Amazon Connect events to Timestream records through WebAssembly transforms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Feed captured events (Lambda Kinesis events, EventBridge events, raw agent events,
    /// recorded metadata snapshots, or folders of them) through the pipeline into the embedded
    /// store, and print a summary.
    #[command(
        after_help = "Exit status: 0 when every event was written (or was already \
        stored); 3 when some were not (to retry or dead-lettered, listed in the summary) or an \
        input in a folder could not be read; 1 when the replay could not run; 2 for bad \
        arguments. Dead letters are appended to <store without .db>.dead-letters.jsonl before \
        the summary is printed."
    )]
    Replay {
        /// Files or folders. A file named here is read whatever its name: as one event per
        /// line when it ends in `.jsonl`, else as JSON. A folder is read with its subfolders,
        /// in path order: its `.json` and `.jsonl` files, in any letter case; every other file
        /// is listed under "inputs skipped" with the reason.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The embedded store (a SQLite file, created if missing; a database that is not a
        /// connect-rt store is refused).
        #[arg(long, default_value = "connect-rt.db")]
        store: PathBuf,
        /// Transform components to load (default: every `*_transform.wasm` in
        /// `$CARGO_TARGET_DIR/wasm32-wasip2/release`, or `target/wasm32-wasip2/release` when
        /// `CARGO_TARGET_DIR` is unset).
        #[arg(long = "transform")]
        transforms: Vec<PathBuf>,
        /// A configuration value every transform reads with `get-config`, `KEY=VALUE`
        /// (repeatable; the Lambda's `TRANSFORM_CONFIG` sets values per transform instead).
        #[arg(long = "config", value_parser = parse_key_value)]
        config: Vec<(String, String)>,
        /// Move every timestamp in the input by one offset, in whole hours, so the newest event
        /// falls within the last hour (between 1 and 61 minutes old), keeping their spacing
        /// (captured events are otherwise outside the write window; whole hours make a rerun
        /// within the same hour write the same points).
        #[arg(long)]
        shift_to_now: bool,
    },
    /// Precompile transform components (`x.wasm` → `x.cwasm` beside it) so that loading them
    /// never compiles.
    Precompile {
        /// Transform components (`.wasm`) built for `wasm32-wasip2`.
        #[arg(required = true)]
        components: Vec<PathBuf>,
        /// Target triple: `aarch64-unknown-linux-gnu` for an arm64 Lambda,
        /// `x86_64-unknown-linux-gnu` for an x86_64 one (default: this machine).
        #[arg(long)]
        target: Option<String>,
    },
    /// Print what the embedded store holds (opened read-only: the file is never changed).
    Show {
        /// The embedded store to read.
        #[arg(long, default_value = "connect-rt.db")]
        store: PathBuf,
        /// Only this table.
        #[arg(long)]
        table: Option<String>,
        /// Rows to print per table.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got '{s}'"))?;
    if k.is_empty() {
        return Err(format!("expected KEY=VALUE with a KEY, got '{s}'"));
    }
    Ok((k.to_owned(), v.to_owned()))
}

/// Runs the command line with the process's arguments; errors are printed as `Error: ...`.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    match run(Cli::parse().command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Replay {
            paths,
            store,
            transforms,
            config,
            shift_to_now,
        } => replay_command(
            &paths,
            &store,
            transforms,
            config.into_iter().collect(),
            shift_to_now,
        ),
        Command::Precompile { components, target } => {
            precompile_command(&components, target).map(|()| ExitCode::SUCCESS)
        }
        Command::Show {
            store,
            table,
            limit,
        } => show_command(&store, table.as_deref(), limit).map(|()| ExitCode::SUCCESS),
    }
}

fn replay_command(
    paths: &[PathBuf],
    store_path: &Path,
    transforms: Vec<PathBuf>,
    config: BTreeMap<String, String>,
    shift_to_now: bool,
) -> anyhow::Result<ExitCode> {
    let transforms = if transforms.is_empty() {
        let dir = default_transforms_dir(std::env::var_os("CARGO_TARGET_DIR"));
        default_transforms(&dir)?
    } else {
        transforms
    };
    // An existing store is opened before loading (which may compile for a while), so that a
    // wrong path fails at once; a new one is created only once the transforms have loaded.
    let open_store = || {
        if store_path.is_dir() {
            bail!("{} is a folder, not a store file", store_path.display());
        }
        EmbeddedStore::open(store_path)
            .with_context(|| format!("failed to open the store {}", store_path.display()))
    };
    let existing = if store_path.exists() {
        Some(open_store()?)
    } else {
        None
    };
    let pipeline = load_pipeline(&transforms, &config)?;

    // The store's own dead-letter file is never read back in, when it lies in a replayed folder.
    let letters_file = dead_letters_path(store_path);
    let mut captured = replay::read_paths_except(paths, &[letters_file.as_path()])?;
    let mut store = match existing {
        Some(store) => store,
        None => open_store()?,
    };
    let unreadable = captured
        .iter()
        .filter(|c| matches!(c.doc, replay::Document::Unreadable(_)))
        .count();
    let now = now_ms();
    let mut summary = String::new();
    if shift_to_now {
        let delta = replay::shift_times(&mut captured, now, 60_000);
        writeln!(summary, "shifted event times by {}", human_duration(delta))?;
    }
    let (records, skipped) = replay::decode(captured);

    let report = run_batches(&pipeline, records, &mut store, now)?;

    // The dead letters are on disk before anything is printed: a closed stdout (`| head`)
    // must not lose them.
    let letters = write_dead_letters(&report, store_path)?;
    summarize(&mut summary, &report, &skipped, store_path)?;
    if let Some((count, path)) = letters {
        writeln!(
            summary,
            "dead letters ({count}) appended to {}",
            path.display()
        )?;
    }
    std::io::stdout()
        .lock()
        .write_all(summary.as_bytes())
        .context("failed to print the summary")?;

    let (_, retry, dead) = report.disposition_counts();
    if retry + dead + unreadable > 0 {
        Ok(ExitCode::from(EXIT_INCOMPLETE))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Loads every transform (compiling a `.wasm` without a valid `.cwasm`, which warns).
fn load_pipeline(
    transforms: &[PathBuf],
    config: &BTreeMap<String, String>,
) -> anyhow::Result<Pipeline> {
    let runtime = TransformRuntime::new(RuntimeLimits::default())?;
    let loaded = transforms
        .iter()
        .map(|path| {
            let spec = TransformSpec {
                path: path.clone(),
                config: config.clone(),
                allow_compile: true,
            };
            runtime.load(&spec).map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Pipeline::new(loaded, WriteRules::default()))
}

/// Runs the records through the pipeline in batches the size a Lambda event source would
/// send, and merges their reports.
fn run_batches(
    pipeline: &Pipeline,
    records: Vec<crate::sources::SourceRecord>,
    store: &mut EmbeddedStore,
    now: i64,
) -> anyhow::Result<BatchReport> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let mut report = BatchReport::default();
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let batch: Vec<_> = records.by_ref().take(REPLAY_BATCH).collect();
        let deadline = Instant::now() + Duration::from_secs(60);
        report.merge(tokio.block_on(pipeline.run(batch, store, now, deadline)));
    }
    Ok(report)
}

/// Dead letters go to `<store>.dead-letters.jsonl`, as the Lambda writes them without a queue.
/// Returns how many were written, and where; `None` when there were none.
fn write_dead_letters(
    report: &BatchReport,
    store_path: &Path,
) -> anyhow::Result<Option<(usize, PathBuf)>> {
    let letters: Vec<DeadLetter> = report
        .dead_letters()
        .filter_map(DeadLetter::from_report)
        .collect();
    if letters.is_empty() {
        return Ok(None);
    }
    let path = dead_letters_path(store_path);
    deadletter::append_to_file(&path, &letters)
        .with_context(|| format!("failed to write dead letters to {}", path.display()))?;
    Ok(Some((letters.len(), path)))
}

/// `<store without its extension>.dead-letters.jsonl`.
fn dead_letters_path(store_path: &Path) -> PathBuf {
    store_path.with_extension("dead-letters.jsonl")
}

/// The folder searched when no `--transform` is given: the guests' release folder inside
/// `cargo_target_dir` (the value of `CARGO_TARGET_DIR`, as Cargo reads it: relative to the
/// current folder), or inside `target` when that is unset or empty.
fn default_transforms_dir(cargo_target_dir: Option<OsString>) -> PathBuf {
    let target = cargo_target_dir
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join(GUEST_RELEASE_DIR)
}

/// Every `*_transform.wasm` in `dir`, sorted.
fn default_transforms(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "no transforms given, and the default folder {} cannot be read; {NO_TRANSFORMS_HINT}",
            dir.display()
        )
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with("_transform.wasm"))
        .collect();
    found.sort();
    if found.is_empty() {
        bail!(
            "no transforms given, and the default folder {} has no *_transform.wasm; \
             {NO_TRANSFORMS_HINT}",
            dir.display()
        );
    }
    Ok(found)
}

/// Writes the replay's summary to `out`.
fn summarize(
    out: &mut String,
    report: &BatchReport,
    skipped: &[(String, String)],
    store: &Path,
) -> std::fmt::Result {
    let (written, retry, dead) = report.disposition_counts();
    writeln!(out, "events in: {}", report.events.len())?;
    writeln!(out, "records written to {}:", store.display())?;
    let tables: std::collections::BTreeSet<&String> = report
        .written
        .keys()
        .chain(report.unchanged.keys())
        .collect();
    for table in tables {
        let new = report.written.get(table).copied().unwrap_or(0);
        let same = report.unchanged.get(table).copied().unwrap_or(0);
        writeln!(out, "  {table}: {new} written, {same} already stored")?;
    }
    writeln!(out, "records rejected: {}", report.rejected.len())?;
    for r in &report.rejected {
        writeln!(
            out,
            "  {} {}: {}: {}",
            r.id,
            r.table,
            r.reason.as_str(),
            r.message
        )?;
    }
    writeln!(
        out,
        "events fully written: {written}; to retry: {retry}; dead-lettered: {dead}"
    )?;
    for e in report
        .events
        .iter()
        .filter(|e| e.disposition != Disposition::Written)
    {
        let (what, reason) = match &e.disposition {
            Disposition::Retry { reason } => ("retry", reason),
            Disposition::DeadLetter { reason } => ("dead-letter", reason),
            Disposition::Written => unreachable!(),
        };
        writeln!(out, "  {what} {}: {reason}", e.id)?;
    }
    if !skipped.is_empty() {
        writeln!(out, "inputs skipped: {}", skipped.len())?;
        for (origin, reason) in skipped {
            writeln!(out, "  {origin}: {reason}")?;
        }
    }
    Ok(())
}

/// The targets a Lambda runs on; Cranelift's other backends cannot compile every transform
/// (a fresh-user trial hit a panic inside Cranelift for riscv64).
const PRECOMPILE_TARGETS: [&str; 2] = ["aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu"];

fn precompile_command(components: &[PathBuf], target: Option<String>) -> anyhow::Result<()> {
    if let Some(target) = target
        .as_deref()
        .filter(|t| !PRECOMPILE_TARGETS.contains(t))
    {
        bail!(
            "cannot precompile for {target}: Lambda runs {}",
            PRECOMPILE_TARGETS.join(" or ")
        );
    }
    for path in components {
        let wasm =
            std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
        let artifact = runtime::precompile(&wasm, target.as_deref())
            .with_context(|| format!("failed to precompile {}", path.display()))?;
        let out = path.with_extension("cwasm");
        std::fs::write(&out, artifact)
            .with_context(|| format!("failed to write {}", out.display()))?;
        println!("{} -> {}", path.display(), out.display());
    }
    Ok(())
}

fn show_command(store: &Path, only: Option<&str>, limit: usize) -> anyhow::Result<()> {
    if !store.exists() {
        bail!(
            "{} does not exist; run `connect-rt replay` first",
            store.display()
        );
    }
    if store.is_dir() {
        bail!("{} is a folder, not a store file", store.display());
    }
    let store = EmbeddedStore::open_read_only(store)?;
    if let Some(table) = only.filter(|t| !store.tables().iter().any(|x| x == t)) {
        bail!(
            "the store has no table {table}; it has {}",
            store.tables().join(", ")
        );
    }
    for table in store.tables() {
        if only.is_some_and(|t| t != table.as_str()) {
            continue;
        }
        let rows = store.dump(&table)?;
        // A closed stdout (`show | head`) ends the listing with an error, not a panic.
        let mut out = std::io::stdout().lock();
        let failed = "failed to print the store";
        writeln!(out, "== {table}: {} rows", rows.len()).context(failed)?;
        for row in rows.iter().take(limit) {
            writeln!(out, "{}", serde_json::to_string(row)?).context(failed)?;
        }
    }
    Ok(())
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| d.as_millis() as i64)
}

fn human_duration(ms: i64) -> String {
    let hours = ms / 3_600_000;
    format!("{hours} h {} min", (ms % 3_600_000) / 60_000)
}
